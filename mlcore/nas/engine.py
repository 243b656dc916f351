"""The search engine: search (or read an earlier search's family), retrain the chosen
architecture, then evaluate and package it like every engine's model.

Besides every engine's outputs it leaves family.json (every architecture scored, the
accuracy/cost front and the chosen one), family.png and latency.json (the worker's
per-operation latency table).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from mlcore.classify.engine import classifier_package_inputs, evaluate_classifier
from mlcore.classify.training import TrainOutcome
from mlcore.contract.results import ETA, RESTORED, ProgressEvent, write_json
from mlcore.contract.search import FAMILY, SearchConfig
from mlcore.engines.base import Engine, EngineRequest, Evaluated, PackageInputs
from mlcore.engines.device import pick_device, seed_everything
from mlcore.engines.progress import TRAIN_SHARE, PaceEta
from mlcore.engines.registry import ENGINES
from mlcore.nas.data import JobData, read_job_data, strategy_split
from mlcore.nas.evaluators.retrain import retrain
from mlcore.nas.family import family_json
from mlcore.nas.readme import nas_facts, proxy_gap_warning
from mlcore.nas.selection import SearchOutcome, from_family, search
from mlcore.nas.space.discrete import arch_config
from mlcore.nas.space.latency import (
    latency_vector,
    measure_latency_table,
    measure_network_latency,
)
from mlcore.nas.space.search_space import SearchSpace
from mlcore.nas.strategies.base import STATE_FILE, SearchContext
from mlcore.package.export import save_checkpoint
from mlcore.package.plots import family_png

Request = EngineRequest[SearchConfig]
SEARCH_SHARE = 0.6  # of the training progress; retraining is the rest
NAS_FILES = {FAMILY: "family.json", "latency": "latency.json", "family_plot": "family.png"}
RETRAIN_CHECKPOINT = "retrain.pt"
RESUME_FILES = (STATE_FILE, RETRAIN_CHECKPOINT)


def job_space(config: SearchConfig, classes: list[str]) -> SearchSpace:
    """The search space a job's settings describe (RGB input)."""
    return SearchSpace(
        ops=tuple(config.ops),
        cells=config.cells,
        nodes=config.nodes,
        channels=config.channels,
        in_channels=3,
        cell_sharing=config.cell_sharing,
        classes=len(classes),
    )


class Progress:
    """The job's events: search steps first, then retraining epochs, on one epoch scale."""

    def __init__(self, request: Request) -> None:
        self.report, self.config = request.report, request.params
        self.search_share = SEARCH_SHARE if self.config.search_steps else 0.0
        self.eta = PaceEta()

    def search_epoch(self, epoch: int, metrics: dict[str, float], details: dict[str, Any]) -> None:
        share = TRAIN_SHARE * self.search_share * epoch / self.config.search_steps
        self._epoch(epoch, share, "searching", metrics, details)

    def retrain_epoch(self, epoch: int, loss: float, restored: bool) -> None:
        done = epoch / self.config.retrain_epochs
        share = TRAIN_SHARE * (self.search_share + (1 - self.search_share) * done)
        metrics = {"train_loss": loss}
        details = {RESTORED: True} if restored else {}
        self._epoch(self.config.search_steps + epoch, share, "retraining", metrics, details)

    def _epoch(
        self,
        epoch: int,
        share: float,
        phase: str,
        metrics: dict[str, float],
        details: dict[str, Any],
    ) -> None:
        self.report(
            ProgressEvent(
                type="epoch",
                epoch=epoch,
                epochs=self.config.epochs,
                progress=share,
                message=phase,
                metrics=metrics,
                details={"phase": phase, **details},
            )
        )
        if details.get(RESTORED):
            self.eta.start(share)
        elif (eta := self.eta(share)) is not None:  # a step event, as the other engines send
            self.report(
                ProgressEvent(
                    epoch=epoch,
                    epochs=self.config.epochs,
                    progress=share,
                    message=phase,
                    metrics={ETA: eta},
                )
            )

    def log(self, share: float, message: str) -> None:
        self.report(ProgressEvent(type="log", progress=share, message=message))


@dataclass(frozen=True)
class Searched:
    """The search's space, outcome, family.json and the latency table's device."""

    space: SearchSpace
    outcome: SearchOutcome
    family: dict[str, Any]
    device: str


@dataclass(frozen=True, kw_only=True)
class Retrained(TrainOutcome):
    """The chosen architecture retrained, and the search it came from."""

    searched: Searched
    measured_ms: float  # the retrained network's latency per image on this device


def run_search(request: Request, data: JobData, progress: Progress) -> Searched:
    """Measure the latency table, search (or read the earlier search's family), score the
    family; writes latency.json."""
    config, device = request.params, pick_device()
    family_file = request.inputs.get(FAMILY)
    earlier = None if family_file is None else json.loads(family_file.read_text())
    space = (  # an earlier family keeps its own space: it may predate a field of today's
        job_space(config, data.classes)
        if earlier is None
        else replace(SearchSpace.from_dict(earlier["space"]), classes=len(data.classes))
    )
    progress.log(0.0, "measuring operation latency")
    table = measure_latency_table(space, config.image_size, device)
    if earlier is not None:
        outcome = from_family(earlier, space, config, table)
    else:
        context = SearchContext(
            config,
            space,
            strategy_split(data.train, config.strategy, config.seed),
            table,
            device,
            request.resume_dir,
            progress.search_epoch,
            request.llm_api_key,
        )
        outcome = search(context)
    family = {
        **family_json(outcome.members, outcome.front),
        "chosen": outcome.members.index(outcome.chosen),
        "space": space.to_dict(),
        "strategy": config.strategy,
        "latency_s": list(latency_vector(table)),
        **outcome.record,
    }
    write_json(request.output_dir / NAS_FILES["latency"], table.to_dict())
    return Searched(space, outcome, family, table.device)


@ENGINES.register("nas")
class NasEngine(Engine[SearchConfig, Retrained]):
    """A search job: the search's family, then its chosen member retrained from scratch. A
    resumed job continues its search and retraining from `resume_dir`; a fresh one clears
    it."""

    def train(self, request: Request) -> Retrained:
        config, output, device = request.params, request.output_dir, pick_device()
        if not request.resume:
            for name in RESUME_FILES:
                (request.resume_dir / name).unlink(missing_ok=True)
        seed_everything(config.seed)
        progress = Progress(request)
        data = read_job_data(request.dataset_dir, config.image_size)
        searched = run_search(request, data, progress)
        write_json(output / NAS_FILES[FAMILY], searched.family)
        family_png(searched.family, searched.family["chosen"], output / NAS_FILES["family_plot"])
        chosen, space = searched.outcome.chosen, searched.space

        progress.log(TRAIN_SHARE * progress.search_share, "retraining the chosen architecture")
        trained = retrain(
            space,
            chosen.genotype,
            data.train,
            data.val,
            config.retrain_epochs,
            config.seed,
            batch_size=config.batch_size,
            device=device,
            callback=progress.retrain_epoch,
            checkpoint=request.resume_dir / RETRAIN_CHECKPOINT,
        )
        checkpoint = request.work_dir / "model.pt"
        save_checkpoint(
            trained.model, arch_config(space, chosen.genotype, data.classes), checkpoint
        )
        history = [
            {"epoch": float(epoch), "train_loss": loss}
            for epoch, loss in enumerate(trained.losses, start=1)
        ]
        return Retrained(
            task="classify",
            checkpoint=checkpoint,
            history=history,
            best_epoch=len(history),
            image_size=config.image_size,
            artifacts=dict(NAS_FILES),
            model=trained.model,
            classes=data.classes,
            spec=data.spec,
            data_mode="resident",
            searched=searched,
            measured_ms=measure_network_latency(space, chosen.genotype, config.image_size, device),
        )

    def evaluate(self, request: Request, trained: Retrained) -> Evaluated:
        return evaluate_classifier(request, trained, request.params.batch_size)

    def package_inputs(
        self, request: Request, trained: Retrained, evaluated: Evaluated, metrics: dict[str, float]
    ) -> PackageInputs:
        chosen = trained.searched.outcome.chosen
        facts = nas_facts(
            request.params,
            chosen,
            evaluated.evaluation,
            trained.searched.device,
            trained.measured_ms,
        )
        return classifier_package_inputs(request, trained, facts)

    def warnings(self, request: Request, trained: Retrained, evaluated: Evaluated) -> list[str]:
        chosen, accuracy = trained.searched.outcome.chosen, evaluated.headline["accuracy"]
        warning = proxy_gap_warning(chosen, accuracy, request.params.retrain_epochs)
        return [warning] if warning else []

    def architecture(self, request: Request) -> str:
        return "nas"

    def info(self, request: Request, trained: Retrained, evaluated: Evaluated) -> dict[str, Any]:
        outcome, chosen = trained.searched.outcome, trained.searched.outcome.chosen
        return {
            "strategy": request.params.strategy,
            "genotype": chosen.genotype.to_dict(),
            "counts": chosen.counts,
            "s": list(chosen.s),
            "params": chosen.params,
            "flops": chosen.flops,
            "proxy_accuracy": chosen.proxy_accuracy,
            "predicted_latency_ms": chosen.predicted_latency_ms,
            "measured_latency_ms": trained.measured_ms,
            "latency_device": trained.searched.device,
            "family_size": len(outcome.members),
            "front_size": len(outcome.front),
            **outcome.record,
        }
