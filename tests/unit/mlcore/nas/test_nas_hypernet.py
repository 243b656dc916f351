"""The simplex sampler and the hypernetwork's interpolation between reference points."""

from __future__ import annotations

import pytest
import torch

from mlcore.nas.strategies.hypernet import HyperNet, margins, raised, sample_simplex
from mlcore.nas.strategies.one_shot import monotonicity_penalty


@pytest.mark.parametrize("k", [3, 5])
def test_uniform_simplex_samples_average_to_the_centre(k: int) -> None:
    generator = torch.Generator().manual_seed(0)
    samples = torch.stack([sample_simplex(k, generator) for _ in range(4000)])
    assert bool((samples >= 0).all())
    assert torch.allclose(samples.sum(dim=1), torch.ones(4000))
    assert torch.allclose(samples.mean(dim=0), torch.full((k,), 1.0 / k), atol=0.01)
    # Dirichlet(1) marginal variance (k - 1) / (k^2 (k + 1)).
    assert float(samples[:, 0].var()) == pytest.approx((k - 1) / (k * k * (k + 1)), rel=0.1)


def test_weights_are_a_softmax_and_references_start_spread() -> None:
    hyper = HyperNet((2, 5, 3), refs=6, beta=10.0, generator=torch.Generator().manual_seed(0))
    refs = hyper.s_ref
    assert torch.allclose(refs.sum(dim=1), torch.ones(6))
    assert [int(refs[m].argmax()) for m in range(3)] == [0, 1, 2]
    assert torch.allclose(refs[3], torch.full((3,), 1 / 3))
    weights = hyper.weights(torch.tensor([0.2, 0.3, 0.5])).detach()
    assert weights.shape == (6,)
    assert float(weights.sum()) == pytest.approx(1.0)
    assert hyper(torch.tensor([0.2, 0.3, 0.5])).shape == (2, 5, 3)


def test_sharp_weights_pick_the_nearest_reference() -> None:
    generator = torch.Generator().manual_seed(0)
    hyper = HyperNet((1, 4, 3), refs=4, beta=200.0, generator=generator)
    with torch.no_grad():
        hyper.alpha_ref.copy_(torch.randn(hyper.alpha_ref.shape, generator=generator))
    for r in range(4):
        alpha = hyper(hyper.s_ref[r]).detach()
        assert float(hyper.weights(hyper.s_ref[r])[r].detach()) > 0.99
        assert torch.allclose(alpha, hyper.alpha_ref[r], atol=0.05)
    # beta = 1 (the thesis' RBF): even at its own reference point a weight stays near 1/2.
    blurred = HyperNet((1, 4, 3), refs=4, beta=1.0, generator=generator)
    assert float(blurred.weights(blurred.s_ref[0]).detach().max()) < 0.6


def test_raised_keeps_the_simplex_and_margins_name_the_argmax() -> None:
    s = torch.tensor([0.2, 0.3, 0.5])
    up = raised(s, 0, 0.1)
    assert torch.allclose(up, torch.tensor([0.3, 0.2625, 0.4375]))
    assert float(up.sum()) == pytest.approx(1.0)
    alpha = torch.tensor([[1.0, 3.0, 2.5]])
    assert torch.allclose(margins(alpha), torch.tensor([[-2.0, 0.5, -0.5]]))


class Linear(torch.nn.Module):
    """alpha(s) = sign * s on one edge: every op's margin rises (sign 1) or falls (sign -1)
    with its own s_m."""

    def __init__(self, sign: float) -> None:
        super().__init__()
        self.sign = sign

    def forward(self, s: torch.Tensor) -> torch.Tensor:
        return self.sign * s.view(1, 1, -1)


def test_the_penalty_is_zero_only_where_raising_s_m_never_favours_op_m() -> None:
    s = torch.tensor([0.2, 0.3, 0.5])
    obeys, defies = Linear(-1.0), Linear(1.0)
    assert float(monotonicity_penalty(obeys, s, obeys(s), 0.1)) == 0.0
    assert float(monotonicity_penalty(defies, s, defies(s), 0.1)) > 0.0
    near_vertex = torch.tensor([0.95, 0.03, 0.02])  # s_0 cannot rise by 0.1: ops 1, 2 only
    assert float(monotonicity_penalty(defies, near_vertex, defies(near_vertex), 0.1)) > 0.0
    hyper = HyperNet((2, 5, 3), refs=6, beta=10.0, generator=torch.Generator().manual_seed(0))
    penalty = monotonicity_penalty(hyper, s, hyper(s), 0.1)
    penalty.backward()  # it trains the hypernetwork
    assert hyper.alpha_ref.grad is not None
