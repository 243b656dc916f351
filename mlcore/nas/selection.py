"""Run a job's search strategy, or read an earlier search's family, and pick the architecture
to retrain: the member at the user's s, else the most accurate within the budget."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from mlcore.contract.search import SearchConfig
from mlcore.nas.budget import Budget, choose_member
from mlcore.nas.family import Member, pareto_front
from mlcore.nas.space.cost import network_cost
from mlcore.nas.space.latency import LatencyTable, predict_latency
from mlcore.nas.space.search_space import SearchSpace
from mlcore.nas.strategies.base import STRATEGIES, Found, SearchContext


@dataclass(frozen=True)
class SearchOutcome:
    """Every architecture scored, the front, the one to retrain, the strategy's record."""

    members: list[Member]
    front: list[Member]
    chosen: Member
    record: dict[str, Any]


def choose(config: SearchConfig, members: list[Member]) -> Member:
    """The member the user named (by index or s), else the most accurate within the budget."""
    if config.family_member is not None:
        if config.family_member >= len(members):
            raise ValueError(
                f"family_member {config.family_member}: the family has {len(members)} members "
                f"(0 to {len(members) - 1})"
            )
        return members[config.family_member]
    if config.complexity is not None:
        wanted = tuple(config.complexity)
        return next(m for m in members if wanted in m.s_all)
    budget = Budget(max_params=config.max_params, max_latency_ms=config.max_latency_ms)
    return choose_member(members, budget)


def outcome(config: SearchConfig, found: Found) -> SearchOutcome:
    """The front (by latency when the budget is in latency, else parameters) and the member
    the config picks."""
    members = found.members
    cost = "latency" if config.max_latency_ms is not None else "params"
    return SearchOutcome(
        members, pareto_front(members, cost), choose(config, members), found.record
    )


def search(context: SearchContext) -> SearchOutcome:
    """Run the configured strategy; its members, front and chosen architecture."""
    strategy = STRATEGIES.get(context.config.strategy)(context)
    return outcome(context.config, strategy.run())


def nearest_point(members: list[Member], s: Sequence[float]) -> tuple[float, ...]:
    """The members' grid point nearest s (scaled onto the simplex)."""
    total = sum(s)
    wanted = [x / total for x in s]
    points = [point for m in members for point in m.s_all]
    if not points:
        raise ValueError("this family has no complexity vectors: give a budget instead")
    return min(points, key=lambda p: sum((a - b) ** 2 for a, b in zip(p, wanted, strict=True)))


def from_family(
    family: dict[str, Any], space: SearchSpace, config: SearchConfig, table: LatencyTable
) -> SearchOutcome:
    """An earlier search's family (its family.json), without searching: every member
    re-measured in `space` (this job's classes) and on this device, and the one the job's
    s (the family's nearest grid point) or budget picks."""
    members = []
    for entry in family["members"]:
        member = Member.from_dict(entry)
        cost = network_cost(space, member.genotype, config.image_size)
        latency = predict_latency(table, member.genotype)
        members.append(
            replace(member, params=cost.params, flops=cost.flops, predicted_latency_ms=latency)
        )
    if config.complexity is not None:
        point = nearest_point(members, config.complexity)
        config = config.model_copy(update={"complexity": list(point)})
    return outcome(config, Found(members, {"family_of": config.family_model_id}))
