"""Run a job's search strategy and pick the architecture to retrain.

Differentiable strategies train one supernet and read the family off it (hyper_darts: one
architecture per complexity vector s); black-box ones train candidate networks briefly.
Either way the result is a list of scored `Member`s, the accuracy/cost front, and the member
chosen by the user's s or budget.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import torch

from mlcore.nas.blackbox.candidate import Candidate
from mlcore.nas.blackbox.evaluator import ProxyEvaluator
from mlcore.nas.blackbox.mutators import configured_mutator
from mlcore.nas.blackbox.result import as_member
from mlcore.nas.blackbox.strategies import BLACKBOX_STRATEGIES
from mlcore.nas.budget import Budget, choose_member
from mlcore.nas.data import ImageTensors, split_halves
from mlcore.nas.family import Member, enumerate_family, pareto_front, score_genotype
from mlcore.nas.genotype import Genotype
from mlcore.nas.latency import LatencyTable, latency_vector, predict_latency
from mlcore.nas.measure import network_cost
from mlcore.nas.result import EpochReport, SearchResult
from mlcore.nas.search import SearchData, run_family_search
from mlcore.nas.space import SearchSpace
from mlcore.nas.strategies import STRATEGIES, StrategyConfig
from mlcore.spec import SearchConfig

SEARCH_CHECKPOINT = "search.pt"  # a differentiable search's state after its last epoch
CANDIDATE_JOURNAL = "candidates.jsonl"  # a black-box search's evaluated candidates
SearchProgress = Callable[[int, dict[str, float], dict[str, Any]], None]


@dataclass(frozen=True)
class Found:
    """A strategy's scored members, and what else it records for the family file and the
    job result (black-box searches that vary parents: "variation", per `BlackBoxResult`)."""

    members: list[Member]
    record: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchOutcome:
    """Every architecture scored, the front, the one to retrain, the strategy's record."""

    members: list[Member]
    front: list[Member]
    chosen: Member
    record: dict[str, Any]


@dataclass(frozen=True)
class SearchContext:
    """What every strategy runs on."""

    config: SearchConfig
    space: SearchSpace
    data: SearchData
    table: LatencyTable
    device: torch.device
    resume_dir: Path  # where the strategy keeps what a resumed job continues from
    progress: SearchProgress


def probe_vectors(space: SearchSpace) -> dict[str, list[float]]:
    """Where the supernet is scored after each epoch: uniform, and each op penalised."""
    uniform = [1.0 / space.k] * space.k
    penalised = {
        f"{op}_penalised": [0.7 if i == m else 0.3 / (space.k - 1) for i in range(space.k)]
        for m, op in enumerate(space.ops)
    }
    return {"uniform": uniform, **penalised}


def current_front(context: SearchContext, epoch: EpochReport) -> list[dict[str, Any]]:
    """What each probe s derives after this epoch: its op counts, parameters and the
    supernet's validation accuracy there."""
    space, probes = context.space, probe_vectors(context.space)
    rows = []
    for name, choices in epoch.choices.items():
        genotype = Genotype(space.ops, tuple(tuple(cell) for cell in choices))
        cost = network_cost(space, genotype, context.config.image_size)
        rows.append(
            {
                "probe": name,
                "s": probes[name],
                "counts": genotype.counts(),
                "params": cost.params,
                "val_accuracy": epoch.val_accuracy[name],
            }
        )
    return rows


def differentiable(context: SearchContext) -> Found:
    """One supernet search; every distinct architecture of its family, scored."""
    config, space = context.config, context.space
    strategy = StrategyConfig(
        name=config.strategy, kappa=config.kappa, batch_size=config.batch_size
    )

    def report(epoch: EpochReport) -> None:
        metrics = {"train_loss": epoch.train_loss, "temperature": epoch.temperature}
        metrics |= {f"val_accuracy_{name}": acc for name, acc in epoch.val_accuracy.items()}
        context.progress(epoch.epoch, metrics, {"front": current_front(context, epoch)})

    result: SearchResult = run_family_search(
        space,
        strategy,
        context.data,
        config.search_epochs,
        config.seed,
        callback=report,
        checkpoint=context.resume_dir / SEARCH_CHECKPOINT,
        probes=probe_vectors(space),
        device=context.device,
    )
    members = enumerate_family(
        result, context.data.val, context.device, config.image_size, context.table
    )
    points = [latency_vector(context.table)]  # ops penalised by their measured cost
    if config.complexity is not None:
        points.append(tuple(config.complexity))
    for s in points:
        members = with_point(context, result, members, s)
    return Found(members)


def with_point(
    context: SearchContext, result: SearchResult, members: list[Member], s: tuple[float, ...]
) -> list[Member]:
    """`members` with s added to the s list of the member it derives, scored if new."""
    genotype = result.derive(s)
    if any(m.genotype == genotype for m in members):
        return [replace(m, s_all=(*m.s_all, s)) if m.genotype == genotype else m for m in members]
    config = context.config
    new = score_genotype(
        result, genotype, (s,), context.data.val, context.device, config.image_size, context.table
    )
    return [*members, new]


def summary(candidate: Candidate) -> dict[str, Any]:
    """What a progress event says of a candidate: op counts and scores, not the genotype."""
    counts = candidate.genotype.counts()
    return {"counts": counts, "params": candidate.params, "proxy_accuracy": candidate.accuracy}


def blackbox(context: SearchContext) -> Found:
    """Candidate networks trained `search_epochs` each; every distinct one a member (no s)."""
    config = context.config
    evaluator = ProxyEvaluator(
        context.space,
        context.data,
        epochs=config.search_epochs,
        seed=config.seed,
        device=context.device,
        image_size=config.image_size,
        batch_size=config.batch_size,
        journal=context.resume_dir / CANDIDATE_JOURNAL,
    )

    def report(index: int, candidate: Candidate, best: Candidate) -> None:
        metrics = {"proxy_accuracy": candidate.accuracy, "best_proxy_accuracy": best.accuracy}
        details = {"candidate": summary(candidate), "best": summary(best)}
        context.progress(index + 1, metrics, details)

    strategy = BLACKBOX_STRATEGIES[config.strategy]
    options = BLACKBOX_OPTIONS[config.strategy](config)
    result = strategy(
        context.space, evaluator, config.evaluations, config.seed, callback=report, **options
    )
    distinct = {c.genotype: as_member(c) for c in result.candidates}
    latency = context.table
    members = [
        replace(m, predicted_latency_ms=predict_latency(latency, m.genotype))
        for m in distinct.values()
    ]
    return Found(members, {} if result.variation is None else {"variation": result.variation})


def evolution_options(config: SearchConfig) -> dict[str, Any]:
    """A population a quarter of the budget (2..20), so mutation gets the rest."""
    population = min(max(config.evaluations // 4, 2), 20)
    return {
        "mutator": configured_mutator(seed=config.seed),
        "population": population,
        "sample": min(5, population),
    }


def map_elites_options(config: SearchConfig) -> dict[str, Any]:
    """A random start a quarter of the budget (2..10), so mutation gets the rest."""
    return {
        "mutator": configured_mutator(seed=config.seed),
        "initial": min(max(config.evaluations // 4, 2), 10),
    }


BLACKBOX_OPTIONS: dict[str, Callable[[SearchConfig], dict[str, Any]]] = {
    "random": lambda config: {},
    "evolution": evolution_options,
    "map_elites": map_elites_options,
}
SEARCHES: dict[str, Callable[[SearchContext], Found]] = {
    **{name: differentiable for name in STRATEGIES},
    **{name: blackbox for name in BLACKBOX_STRATEGIES},
}


def choose(config: SearchConfig, members: list[Member]) -> Member:
    """The member at the user's s, else the most accurate within the budget."""
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
    return outcome(context.config, SEARCHES[context.config.strategy](context))


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


def search_halves(train: ImageTensors, seed: int) -> SearchData:
    """The training split in two equal halves: weights learn on one, choices on the other."""
    return SearchData(*split_halves(train, torch.Generator().manual_seed(seed)))
