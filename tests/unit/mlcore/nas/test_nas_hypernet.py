"""The simplex sampler and the hypernetwork's interpolation between reference points."""

from __future__ import annotations

import pytest
import torch

from mlcore.nas.strategies.hypernet import HyperNet, sample_simplex


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
