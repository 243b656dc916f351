"""Relaxed op choices (Gumbel-softmax) and the complexity cost of a choice."""

from __future__ import annotations

import torch


def gumbel_softmax(
    logits: torch.Tensor, tau: float, hard: bool, generator: torch.Generator | None
) -> torch.Tensor:
    """torch.nn.functional.gumbel_softmax over the last dim, with the noise drawn on the CPU
    from `generator` so a search is reproducible and resumable; `hard`: straight-through."""
    noise = torch.empty(logits.shape).exponential_(generator=generator)
    gumbels = -noise.log().to(logits.device)
    soft = ((logits + gumbels) / tau).softmax(dim=-1)
    if not hard:
        return soft
    index = soft.argmax(dim=-1, keepdim=True)
    one_hot = torch.zeros_like(soft).scatter_(-1, index, 1.0)
    return one_hot - soft.detach() + soft


def cost(probs: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    """Expected op cost per edge: mean over cells and edges of sum_m probs_m * s_m.

    Averaging over edges (not summing as in the thesis) keeps kappa independent of the
    space's size: for s on the simplex the cost lies in [min s, max s].
    """
    return (probs * s).sum(dim=-1).mean()
