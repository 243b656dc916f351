"""Black-box strategies (random, evolution, map_elites): candidate networks trained briefly
by the proxy evaluator; every distinct one a member of the family (derived from no s)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from mlcore.contract.search import SearchConfig
from mlcore.nas.evaluators.candidate import Candidate
from mlcore.nas.evaluators.proxy import ProxyEvaluator
from mlcore.nas.space.latency import predict_latency
from mlcore.nas.strategies.algorithms import ALGORITHMS
from mlcore.nas.strategies.base import Found, SearchContext, Strategy, register_strategy
from mlcore.nas.strategies.blackbox_result import as_member
from mlcore.nas.variation.llm import LLMMutator
from mlcore.nas.variation.mutator import Mutator, RuleMutator


def summary(candidate: Candidate) -> dict[str, Any]:
    """What a progress event says of a candidate: op counts and scores, not the genotype."""
    counts = candidate.genotype.counts()
    return {"counts": counts, "params": candidate.params, "proxy_accuracy": candidate.accuracy}


def job_mutator(config: SearchConfig, api_key: str | None = None) -> Mutator:
    """The mutator the job asked for: `LLMMutator` at the config's endpoint (prompts drawn
    with the job's seed; it falls back to rules on bad replies), else `RuleMutator`."""
    if config.mutator == "llm" and config.llm_url and config.llm_model:
        return LLMMutator(config.llm_url, config.llm_model, api_key, seed=config.seed)
    return RuleMutator()


def evolution_options(config: SearchConfig, mutator: Mutator) -> dict[str, Any]:
    """A population a quarter of the budget (2..20), so mutation gets the rest."""
    population = min(max(config.evaluations // 4, 2), 20)
    return {"mutator": mutator, "population": population, "sample": min(5, population)}


def map_elites_options(config: SearchConfig, mutator: Mutator) -> dict[str, Any]:
    """A random start a quarter of the budget (2..10), so mutation gets the rest."""
    return {"mutator": mutator, "initial": min(max(config.evaluations // 4, 2), 10)}


OPTIONS: dict[str, Callable[[SearchConfig, Mutator], dict[str, Any]]] = {
    "random": lambda config, mutator: {},
    "evolution": evolution_options,
    "map_elites": map_elites_options,
}


class BlackBox(Strategy):
    """The algorithm named by the job's strategy (`ALGORITHMS`), spending `evaluations`
    candidates of `search_epochs` each; its state is every candidate trained so far, which
    a resumed search replays instead of training them again."""

    def __init__(self, context: SearchContext) -> None:
        super().__init__(context)
        config = context.config
        self.evaluator = ProxyEvaluator(
            context.space,
            context.data,
            epochs=config.search_epochs,
            seed=config.seed,
            device=context.device,
            image_size=config.image_size,
            batch_size=config.batch_size,
        )

    def state_dict(self) -> dict[str, Any]:
        return {"candidates": [c.to_dict() for c in self.evaluator.cache.values()]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        candidates = [Candidate.from_dict(entry) for entry in state["candidates"]]
        self.evaluator.cache = {c.genotype: c for c in candidates}

    def run(self) -> Found:
        context, config = self.context, self.context.config
        self.restore()

        def report(index: int, candidate: Candidate, best: Candidate) -> None:
            self.save()
            metrics = {"proxy_accuracy": candidate.accuracy, "best_proxy_accuracy": best.accuracy}
            details = {"candidate": summary(candidate), "best": summary(best)}
            context.progress(index + 1, metrics, details)

        mutator = job_mutator(config, context.llm_api_key)
        result = ALGORITHMS[config.strategy](
            context.space,
            self.evaluator,
            config.evaluations,
            config.seed,
            callback=report,
            **OPTIONS[config.strategy](config, mutator),
        )
        distinct = {c.genotype: as_member(c) for c in result.candidates}
        members = [
            replace(m, predicted_latency_ms=predict_latency(context.table, m.genotype))
            for m in distinct.values()
        ]
        return Found(members, {} if result.variation is None else {"variation": result.variation})


for _name in ALGORITHMS:
    register_strategy(_name, BlackBox)
