"""The family a search found: its distinct architectures (members) with their s, costs and
proxy accuracies, the grid of s a one-shot family is read on, and the accuracy/cost front."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mlcore.nas.space.genotype import Genotype

MAX_GRID = 200  # default grids stay at or under this many s (one derive each)
MAX_RESOLUTION = 10  # k = 3: steps of 0.1, 66 points; k = 5: steps of 0.2, 126 points

Vector = tuple[float, ...]


def grid_size(k: int, resolution: int) -> int:
    """Points of `simplex_grid(k, resolution)` before the centre: C(resolution + k - 1, k - 1)."""
    return math.comb(resolution + k - 1, k - 1)


def default_resolution(k: int) -> int:
    """The finest resolution up to MAX_RESOLUTION whose grid has at most MAX_GRID points:
    10 for k <= 3, 5 for k = 5 (126 points), 3 for k = 7 (84 points)."""
    fitting = [r for r in range(1, MAX_RESOLUTION + 1) if grid_size(k, r) <= MAX_GRID]
    return max(fitting, default=1)


def simplex_grid(k: int, resolution: int) -> list[Vector]:
    """The centre, then every s whose components are multiples of 1/resolution (vertices
    included), in lexicographic order of the component counts, largest first."""
    points = [tuple([1.0 / k] * k)]
    for bars in itertools.combinations(range(resolution + k - 1), k - 1):
        edges = (-1, *bars, resolution + k - 1)
        counts = [edges[i + 1] - edges[i] - 1 for i in range(k)]
        point = tuple(n / resolution for n in counts)
        if point != points[0]:
            points.append(point)
    return points


@dataclass(frozen=True)
class Member:
    """One distinct architecture of the family. `s` is the first grid point that derives it,
    `s_all` every one that does; `proxy_accuracy` is the trained supernet's accuracy with
    this genotype's ops alone (one-hot), no retraining; `predicted_latency_ms` is None
    without a latency table."""

    s: Vector
    s_all: tuple[Vector, ...]
    genotype: Genotype
    params: int
    flops: int
    predicted_latency_ms: float | None
    proxy_accuracy: float

    @property
    def counts(self) -> dict[str, int]:
        """Edges per op."""
        return self.genotype.counts()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "s": list(self.s),
            "s_count": len(self.s_all),
            "s_all": [list(s) for s in self.s_all],
            "genotype": self.genotype.to_dict(),
            "counts": self.counts,
            "params": self.params,
            "flops": self.flops,
            "predicted_latency_ms": self.predicted_latency_ms,
            "proxy_accuracy": self.proxy_accuracy,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Member:
        """Inverse of `to_dict`."""
        return cls(
            s=tuple(data["s"]),
            s_all=tuple(tuple(s) for s in data["s_all"]),
            genotype=Genotype.from_dict(data["genotype"]),
            params=int(data["params"]),
            flops=int(data["flops"]),
            predicted_latency_ms=data["predicted_latency_ms"],
            proxy_accuracy=float(data["proxy_accuracy"]),
        )


COSTS: dict[str, Callable[[Member], float | None]] = {
    "params": lambda member: member.params,
    "flops": lambda member: member.flops,
    "latency": lambda member: member.predicted_latency_ms,
}


def member_cost(member: Member, key: str) -> float:
    """The member's cost named `key` (one of COSTS)."""
    if key not in COSTS:
        raise ValueError(f"cost must be one of {sorted(COSTS)}: {key}")
    value = COSTS[key](member)
    if value is None:
        raise ValueError(f"member has no {key}: enumerate the family with a latency table")
    return value


def dominates(a: Member, b: Member, cost: str) -> bool:
    """a is at least as accurate and as cheap as b, and strictly better in one."""
    a_cost, b_cost = member_cost(a, cost), member_cost(b, cost)
    no_worse = a.proxy_accuracy >= b.proxy_accuracy and a_cost <= b_cost
    return no_worse and (a.proxy_accuracy > b.proxy_accuracy or a_cost < b_cost)


def pareto_front(members: Sequence[Member], cost: str = "params") -> list[Member]:
    """Members no other member dominates on (proxy accuracy up, `cost` down), cheapest first."""
    front = [m for m in members if not any(dominates(o, m, cost) for o in members)]
    return sorted(front, key=lambda m: (member_cost(m, cost), -m.proxy_accuracy))


def family_json(members: Sequence[Member], front: Sequence[Member]) -> dict[str, Any]:
    """Every member, and the front as indices into `members`."""
    return {
        "members": [m.to_dict() for m in members],
        "front": [list(members).index(m) for m in front],
    }
