"""Differentiable strategies (hyper_darts, darts, gdas): one supernet search, then every
distinct architecture of its family read off the grid of s and scored on the supernet."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from mlcore.contract.results import RESTORED
from mlcore.nas.family import Member, Vector
from mlcore.nas.space.cost import network_cost
from mlcore.nas.space.genotype import Genotype
from mlcore.nas.space.latency import latency_vector
from mlcore.nas.space.search_space import SearchSpace
from mlcore.nas.strategies.base import Found, SearchContext, Strategy, register_strategy
from mlcore.nas.strategies.one_shot import ONE_SHOTS, OneShotConfig
from mlcore.nas.strategies.one_shot_loop import SupernetSearch
from mlcore.nas.strategies.one_shot_result import (
    EpochReport,
    SearchResult,
    enumerate_family,
    score_genotype,
)


def probe_vectors(space: SearchSpace) -> dict[str, list[float]]:
    """Where the supernet is scored after each epoch: uniform, and each op penalised."""
    uniform = [1.0 / space.k] * space.k
    penalised = {
        f"{op}_penalised": [0.7 if i == m else 0.3 / (space.k - 1) for i in range(space.k)]
        for m, op in enumerate(space.ops)
    }
    return {"uniform": uniform, **penalised}


class Differentiable(Strategy):
    """The supernet update named by the job's strategy (`ONE_SHOTS`), trained for
    `search_epochs`; its state is the supernet search's (`SupernetSearch.state_dict`)."""

    def __init__(self, context: SearchContext) -> None:
        super().__init__(context)
        config = context.config
        self.search = SupernetSearch(
            context.space,
            OneShotConfig(name=config.strategy, kappa=config.kappa, batch_size=config.batch_size),
            context.data,
            config.search_epochs,
            config.seed,
            probe_vectors(context.space),
            context.device,
        )

    def state_dict(self) -> dict[str, Any]:
        return self.search.state_dict()

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.search.load_state_dict(state)

    def current_front(self, epoch: EpochReport) -> list[dict[str, Any]]:
        """What each probe s derives after this epoch: its op counts, parameters and the
        supernet's validation accuracy there."""
        space, probes = self.context.space, self.search.probes
        rows = []
        for name, choices in epoch.choices.items():
            genotype = Genotype(space.ops, tuple(tuple(cell) for cell in choices))
            cost = network_cost(space, genotype, self.context.config.image_size)
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

    def report(self, epoch: EpochReport, restored: bool = False) -> None:
        """The epoch's progress event: loss, temperature, accuracy at each probe, front."""
        metrics = {"train_loss": epoch.train_loss, "temperature": epoch.temperature}
        metrics |= {f"val_accuracy_{name}": acc for name, acc in epoch.val_accuracy.items()}
        details: dict[str, Any] = {"front": self.current_front(epoch)}
        if restored:
            details[RESTORED] = True
        self.context.progress(epoch.epoch, metrics, details)

    def run(self) -> Found:
        context = self.context
        if self.restore():  # the restored epochs' events again, so the job's charts stay whole
            for epoch in self.search.history:
                self.report(epoch, restored=True)
        for epoch in self.search.remaining_epochs():
            self.save()
            self.report(epoch)
        result = self.search.result()
        config = context.config
        members = enumerate_family(
            result, context.data.val, context.device, config.image_size, context.table
        )
        points = [latency_vector(context.table)]  # ops penalised by their measured cost
        if config.complexity is not None:
            points.append(tuple(config.complexity))
        for s in points:
            members = self.with_point(result, members, s)
        return Found(members)

    def with_point(self, result: SearchResult, members: list[Member], s: Vector) -> list[Member]:
        """`members` with s added to the s list of the member it derives, scored if new."""
        genotype = result.derive(s)
        if any(m.genotype == genotype for m in members):
            return [
                replace(m, s_all=(*m.s_all, s)) if m.genotype == genotype else m for m in members
            ]
        context = self.context
        new = score_genotype(
            result,
            genotype,
            (s,),
            context.data.val,
            context.device,
            context.config.image_size,
            context.table,
        )
        return [*members, new]


for _name in ONE_SHOTS:
    register_strategy(_name, Differentiable)
