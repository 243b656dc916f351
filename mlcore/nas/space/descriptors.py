"""Behaviour descriptors of an architecture (LLMatic's depth, width, FLOPs) and their grid.

A layer is any op other than those in `SKIP_OPS`: convolutions and poolings transform their
input, identity passes it on. Every network of the space has the same stem, reductions and
head, so the descriptors look at the searched cells only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from mlcore.nas.evaluators.candidate import Candidate
from mlcore.nas.space.genotype import Genotype
from mlcore.nas.space.search_space import SearchSpace

SKIP_OPS = frozenset({"identity"})


def is_layer(space: SearchSpace, op: int) -> int:
    """1 when the op with index `op` is a layer, else 0."""
    return int(space.ops[op] not in SKIP_OPS)


def depth(space: SearchSpace, genotype: Genotype) -> int:
    """Most layers on any path from the stem to the head: a vertex is as deep as its deepest
    incoming edge, a cell's output as its deepest intermediate vertex."""
    s0 = s1 = 0
    for cell in genotype.choices:
        states = [s0, s1]
        for (source, target), op in zip(space.edges, cell, strict=True):
            if target == len(states):
                states.append(0)
            states[target] = max(states[target], states[source] + is_layer(space, op))
        s0, s1 = s1, max(states[2:])
    return s1


def width(space: SearchSpace, genotype: Genotype) -> float:
    """Mean number of layers entering an intermediate vertex, over all cells.

    Channels are the same on every edge of this space, so width counts parallel layers
    rather than channels: 0 for an all-identity network, (nodes + 3) / 2 when every edge
    is a layer."""
    layers = sum(is_layer(space, op) for cell in genotype.choices for op in cell)
    return layers / (space.cells * space.nodes)


@dataclass(frozen=True)
class Axis:
    """`bins` equal bins over [low, high] of the candidate metric `name`; values outside
    fall into the first or last bin."""

    name: str
    low: float
    high: float
    bins: int

    def __post_init__(self) -> None:
        if self.bins < 1 or self.high < self.low:
            raise ValueError(f"axis {self.name} needs bins >= 1 and high >= low")

    def index(self, value: float) -> int:
        """The bin of `value`."""
        span = self.high - self.low
        if span == 0:
            return 0
        return min(self.bins - 1, max(0, math.floor((value - self.low) / span * self.bins)))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {"name": self.name, "low": self.low, "high": self.high, "bins": self.bins}


@dataclass(frozen=True)
class Grid:
    """The MAP-Elites archive's cells: one bin per axis."""

    axes: tuple[Axis, ...]

    def key(self, candidate: Candidate) -> tuple[int, ...]:
        """The bin indices of `candidate`, one per axis."""
        metrics = candidate.metrics
        return tuple(axis.index(metrics[axis.name]) for axis in self.axes)

    @property
    def size(self) -> int:
        """Number of cells."""
        return math.prod(axis.bins for axis in self.axes)


def default_grid(space: SearchSpace, flops: tuple[int, int], bins: int = 4) -> Grid:
    """Depth, width and FLOPs over their full ranges in the space (`flops`: min, max)."""
    return Grid(
        (
            Axis("depth", 0, space.cells * space.nodes, bins),
            Axis("width", 0, (space.nodes + 3) / 2, bins),
            Axis("flops", flops[0], flops[1], bins),
        )
    )
