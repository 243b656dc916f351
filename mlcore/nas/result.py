"""What a search hands back: per-epoch progress and the family of architectures alpha(s)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
from torch import nn

from mlcore.nas.genotype import Genotype
from mlcore.nas.space import SearchSpace
from mlcore.nas.supernet import SuperNet


@dataclass(frozen=True)
class EpochReport:
    """Progress after one epoch; val_accuracy is the supernet's at each probe s, and
    `choices` the architecture (Genotype.choices) the probe's s derives now."""

    epoch: int
    temperature: float
    train_loss: float
    val_accuracy: dict[str, float]
    seconds: float
    choices: dict[str, list[list[int]]] = field(default_factory=dict)  # genotype per probe s


def as_simplex(s: Sequence[float] | torch.Tensor, k: int) -> torch.Tensor:
    """s as a float tensor normalised to sum 1 (the thesis' vectors sum to ~0.99)."""
    vector = torch.as_tensor(s, dtype=torch.float32).flatten()
    if vector.shape != (k,) or bool((vector < 0).any()) or float(vector.sum()) <= 0:
        raise ValueError(f"s must be {k} non-negative numbers, got {vector.tolist()}")
    return vector / vector.sum()


@dataclass
class SearchResult:
    """`arch` maps s to edge logits; baselines (darts, gdas) give the same logits for any s.
    `net` is the trained supernet (family.genotype_accuracy scores architectures on it) and
    `temperature` the final one."""

    space: SearchSpace
    strategy: str
    arch: nn.Module
    history: list[EpochReport]
    net: SuperNet
    temperature: float

    def alpha(self, s: Sequence[float] | torch.Tensor) -> torch.Tensor:
        """Edge logits (cells, edges, k) at s."""
        with torch.no_grad():
            return self.arch(as_simplex(s, self.space.k)).cpu()

    def probabilities(self, s: Sequence[float] | torch.Tensor) -> torch.Tensor:
        """softmax over ops of alpha(s)."""
        return self.alpha(s).softmax(dim=-1)

    def derive(self, s: Sequence[float] | torch.Tensor) -> Genotype:
        """The architecture at s: argmax op per edge, no retraining."""
        return Genotype.from_alpha(self.space.ops, self.alpha(s))
