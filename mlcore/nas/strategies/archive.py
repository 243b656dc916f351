"""The MAP-Elites archive: a grid over behaviour descriptors (depth, width, FLOPs), and the
most accurate candidate seen in each of its cells."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from mlcore.nas.evaluators.candidate import Candidate
from mlcore.nas.space.search_space import SearchSpace


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


class Archive:
    """Elites keyed by their grid cell."""

    def __init__(self, grid: Grid) -> None:
        self.grid = grid
        self.elites: dict[tuple[int, ...], Candidate] = {}

    def insert(self, candidate: Candidate) -> bool:
        """Keep `candidate` if its cell is empty or it beats the elite there; True if kept."""
        key = self.grid.key(candidate)
        elite = self.elites.get(key)
        if elite is not None and candidate.accuracy <= elite.accuracy:
            return False
        self.elites[key] = candidate
        return True

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the axes and every occupied cell's bins and elite, in bin order."""
        return {
            "axes": [axis.to_dict() for axis in self.grid.axes],
            "cells": [
                {"bins": list(key), "elite": self.elites[key].to_dict()}
                for key in sorted(self.elites)
            ],
        }
