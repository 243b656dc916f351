"""Search strategies under one base (`base.Strategy`): differentiable (one supernet) and black-
box (candidates trained briefly)."""
