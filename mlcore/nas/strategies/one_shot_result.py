"""What a one-shot search hands back: per-epoch progress and the family of architectures
alpha(s), enumerated over a grid of s and scored on the trained supernet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

import torch
import torch.nn.functional as F
from torch import nn

from mlcore.nas.data import ImageTensors
from mlcore.nas.evaluators.accuracy import accuracy
from mlcore.nas.family import Member, Vector, default_resolution, simplex_grid
from mlcore.nas.space.cost import network_cost
from mlcore.nas.space.genotype import Genotype
from mlcore.nas.space.latency import LatencyTable, predict_latency
from mlcore.nas.space.search_space import SearchSpace
from mlcore.nas.space.supernet import SuperNet


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


def genotype_accuracy(
    result: SearchResult, genotype: Genotype, data: ImageTensors, device: torch.device
) -> float:
    """The supernet's accuracy on `data` with exactly the genotype's op on every edge."""
    gamma = F.one_hot(torch.tensor(genotype.choices), result.space.k).float().to(device)
    net = result.net.to(device).eval()
    return accuracy(partial(net, gamma=gamma), data, device)


def score_genotype(
    result: SearchResult,
    genotype: Genotype,
    s_all: tuple[Vector, ...],
    data: ImageTensors,
    device: torch.device | str,
    image_size: int,
    table: LatencyTable | None = None,
) -> Member:
    """The member for `genotype`, derived at the points `s_all`: params and FLOPs at
    image_size, predicted latency from `table`, proxy accuracy on `data`."""
    cost = network_cost(result.space, genotype, image_size)
    return Member(
        s=s_all[0],
        s_all=s_all,
        genotype=genotype,
        params=cost.params,
        flops=cost.flops,
        predicted_latency_ms=None if table is None else predict_latency(table, genotype),
        proxy_accuracy=genotype_accuracy(result, genotype, data, torch.device(device)),
    )


def enumerate_family(
    result: SearchResult,
    data: ImageTensors,
    device: torch.device | str,
    image_size: int,
    table: LatencyTable | None = None,
    resolution: int | None = None,
) -> list[Member]:
    """Derive the architecture at every point of `simplex_grid` (resolution None:
    `default_resolution(k)`) and score each distinct one once (`score_genotype`)."""
    space = result.space
    if table is not None and (table.space != space or table.image_size != image_size):
        raise ValueError("the latency table was measured for another space or image size")
    found: dict[Genotype, list[Vector]] = {}
    for s in simplex_grid(space.k, resolution or default_resolution(space.k)):
        found.setdefault(result.derive(s), []).append(s)
    return [
        score_genotype(result, genotype, tuple(points), data, device, image_size, table)
        for genotype, points in found.items()
    ]
