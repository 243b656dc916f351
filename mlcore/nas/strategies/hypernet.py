"""Hypernetwork from a complexity vector s on the simplex to every edge's op logits."""

from __future__ import annotations

import torch
from torch import nn

VERTEX_MASS = 0.9  # share of a vertex reference point on its own op at initialisation


def sample_simplex(k: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """A point uniform on the simplex Delta^{k-1} (Dirichlet(1): normalised Exp(1) draws)."""
    draws = torch.empty(k).exponential_(1.0, generator=generator)
    return draws / draws.sum()


def raised(s: torch.Tensor, m: int, step: float) -> torch.Tensor:
    """s with s_m raised by `step` (s_m + step < 1), the other entries scaled down to keep
    the sum at 1."""
    scale = (1 - s[m] - step) / (1 - s[m])
    return torch.where(torch.arange(len(s), device=s.device) == m, s + step, s * scale)


def margins(alpha: torch.Tensor) -> torch.Tensor:
    """Per edge and op m: alpha_m - max over the other ops (positive where m is the argmax)."""
    top = alpha.topk(2, dim=-1).values
    best, second = top[..., :1], top[..., 1:]
    return alpha - torch.where(alpha == best, second, best)


def initial_references(k: int, refs: int, generator: torch.Generator | None) -> torch.Tensor:
    """`refs` points spread on the simplex: near the vertices, the centre, then uniform draws."""
    centre = torch.full((k,), 1.0 / k)
    vertices = [VERTEX_MASS * torch.eye(k)[m] + (1 - VERTEX_MASS) * centre for m in range(k)]
    points = [*vertices, centre][:refs]
    points += [sample_simplex(k, generator) for _ in range(refs - len(points))]
    return torch.stack(points)


class HyperNet(nn.Module):
    """alpha(s) = sum_r w_r(s) alpha_ref_r, w(s) = softmax_r(-beta * ||s - s_ref_r||^2).

    Reference points are kept on the simplex as softmax(ref_logits); both they and the
    reference logits alpha_ref (refs x cells x edges x k) are learned. beta sets how sharply
    the family switches between references (beta = 1 barely moves on the simplex).
    """

    def __init__(
        self,
        shape: tuple[int, int, int],
        refs: int,
        beta: float,
        generator: torch.Generator | None = None,
        init_scale: float = 1e-3,
    ) -> None:
        super().__init__()
        k = shape[-1]
        self.beta = beta
        self.ref_logits = nn.Parameter(initial_references(k, refs, generator).log())
        self.alpha_ref = nn.Parameter(init_scale * torch.randn(refs, *shape, generator=generator))

    @property
    def s_ref(self) -> torch.Tensor:
        """Reference points on the simplex, (refs, k)."""
        return self.ref_logits.softmax(dim=-1)

    def weights(self, s: torch.Tensor) -> torch.Tensor:
        """Interpolation weights over the references (they sum to 1)."""
        distance = (s.unsqueeze(0) - self.s_ref).pow(2).sum(dim=-1)
        return (-self.beta * distance).softmax(dim=0)

    def forward(self, s: torch.Tensor) -> torch.Tensor:
        return torch.tensordot(self.weights(s), self.alpha_ref, dims=1)
