"""The family one search trained: the distinct architectures over a grid of s, their costs,
proxy accuracies and the accuracy/cost Pareto front."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import torch
import torch.nn.functional as F

from mlcore.nas.data import ImageTensors
from mlcore.nas.evaluation import accuracy
from mlcore.nas.genotype import Genotype
from mlcore.nas.latency import LatencyTable, predict_latency
from mlcore.nas.measure import network_cost
from mlcore.nas.result import SearchResult

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
