"""The search engine's whole job: search, retrain the chosen architecture, evaluate, package.

Artifacts land in `request.output_dir` under the same names as every engine's (package.zip,
evaluation.json, metrics.json, model.pt, parity.json and figures), plus family.json (every
architecture scored, the accuracy/cost front and the chosen one), family.png and
latency.json (the worker's per-operation latency table).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from mlcore.engines import SearchRequest
from mlcore.evaluation import evaluate
from mlcore.export import save_checkpoint
from mlcore.nas.discrete import arch_config
from mlcore.nas.family import family_json
from mlcore.nas.job_data import JobData, read_job_data
from mlcore.nas.latency import latency_vector, measure_latency_table, measure_network_latency
from mlcore.nas.readme import nas_facts
from mlcore.nas.retrain import retrain
from mlcore.nas.selection import (
    CANDIDATE_JOURNAL,
    SEARCH_CHECKPOINT,
    SearchContext,
    SearchOutcome,
    from_family,
    search,
    search_halves,
)
from mlcore.nas.space import SearchSpace
from mlcore.outputs import job_result, run_metrics, write_json, write_outputs
from mlcore.packaging import PackageSource, build_package
from mlcore.plots import family_png
from mlcore.progress import EXPORT_START, PACKAGED, TRAIN_SHARE
from mlcore.reports import write_classification_report
from mlcore.spec import JobResult, ProgressEvent, SearchConfig
from mlcore.training import pick_device, seed_everything

SEARCH_SHARE = 0.6  # of the training progress; retraining is the rest
NAS_FILES = {"family": "family.json", "latency": "latency.json", "family_plot": "family.png"}
RETRAIN_CHECKPOINT = "retrain.pt"
RESUME_FILES = (SEARCH_CHECKPOINT, CANDIDATE_JOURNAL, RETRAIN_CHECKPOINT)


def job_space(config: SearchConfig, classes: list[str]) -> SearchSpace:
    """The search space a job's settings describe (RGB input)."""
    return SearchSpace(
        ops=tuple(config.ops),
        cells=config.cells,
        nodes=config.nodes,
        channels=config.channels,
        in_channels=3,
        classes=len(classes),
    )


class Progress:
    """The job's events: search epochs first, then retraining epochs, on one epoch scale."""

    def __init__(self, request: SearchRequest) -> None:
        self.report, self.config = request.report, request.params
        self.search_share = SEARCH_SHARE if self.config.search_steps else 0.0

    def search_epoch(self, epoch: int, metrics: dict[str, float], details: dict[str, Any]) -> None:
        share = TRAIN_SHARE * self.search_share * epoch / self.config.search_steps
        self._epoch(epoch, share, "searching", metrics, details)

    def retrain_epoch(self, epoch: int, loss: float) -> None:
        done = epoch / self.config.retrain_epochs
        share = TRAIN_SHARE * (self.search_share + (1 - self.search_share) * done)
        metrics = {"train_loss": loss}
        self._epoch(self.config.search_steps + epoch, share, "retraining", metrics, {})

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

    def log(self, share: float, message: str, metrics: dict[str, float] | None = None) -> None:
        self.report(
            ProgressEvent(type="log", progress=share, message=message, metrics=metrics or {})
        )


@dataclass(frozen=True)
class Searched:
    """The search's space, outcome, family.json and the latency table's device."""

    space: SearchSpace
    outcome: SearchOutcome
    family: dict[str, Any]
    device: str


def run_search(request: SearchRequest, data: JobData, progress: Progress) -> Searched:
    """Measure the latency table, search (or read the earlier search's family), score the
    family; writes latency.json."""
    config, device = request.params, pick_device()
    earlier = None if request.family is None else json.loads(request.family.read_text())
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
            search_halves(data.train, config.seed),
            table,
            device,
            request.resume_dir,
            progress.search_epoch,
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


def run_nas_job(request: SearchRequest) -> JobResult:
    """Search, retrain, evaluate and package; writes the outputs every engine writes. A
    resumed job continues its search and retraining from `resume_dir`; a fresh one clears it."""
    config, output, device = request.params, request.output_dir, pick_device()
    if not request.resume:
        for name in RESUME_FILES:
            (request.resume_dir / name).unlink(missing_ok=True)
    seed_everything(config.seed)
    progress = Progress(request)
    data = read_job_data(request.dataset_dir, config.image_size)
    searched = run_search(request, data, progress)
    space, outcome, family = searched.space, searched.outcome, searched.family
    write_json(output / NAS_FILES["family"], family)
    family_png(family, family["chosen"], output / NAS_FILES["family_plot"])
    chosen = outcome.chosen

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
    history = [
        {"epoch": float(epoch), "train_loss": loss}
        for epoch, loss in enumerate(trained.losses, start=1)
    ]
    measured_ms = measure_network_latency(space, chosen.genotype, config.image_size, device)
    progress.log(TRAIN_SHARE, "evaluating")
    evaluation = evaluate(trained.model, data.val_split, data.classes, config.batch_size, device)
    checkpoint = request.work_dir / "model.pt"
    save_checkpoint(trained.model, arch_config(space, chosen.genotype, data.classes), checkpoint)
    figures = write_classification_report(evaluation, history, request.dataset_dir, output)
    metrics = run_metrics(
        {name: evaluation[name] for name in ("accuracy", "macro_f1", "val_loss")},
        history,
        len(history),
    )
    write_outputs(output, evaluation, metrics, history, checkpoint)

    progress.log(EXPORT_START, "exporting")
    source = PackageSource(
        checkpoint=checkpoint,
        classes=data.classes,
        spec=data.spec,
        images=[request.dataset_dir / file for file, _ in data.val_split.samples],
        labels=[label for _, label in data.val_split.samples],
        figures=[output / figures[name] for name in ("training_curves", "confusion_matrix")],
        facts=nas_facts(config, chosen, evaluation, searched.device, measured_ms),
    )
    package = build_package(source, request.work_dir / "package", output / "package.zip")
    progress.log(PACKAGED, "packaged", metrics)
    return job_result(
        metrics,
        {**figures, **NAS_FILES},
        {
            "classes": data.classes,
            "model": config.model,
            "task": "classify",
            "image_size": config.image_size,
            "strategy": config.strategy,
            "genotype": chosen.genotype.to_dict(),
            "counts": chosen.counts,
            "s": list(chosen.s),
            "params": chosen.params,
            "flops": chosen.flops,
            "predicted_latency_ms": chosen.predicted_latency_ms,
            "measured_latency_ms": measured_ms,
            "latency_device": searched.device,
            "family_size": len(outcome.members),
            "front_size": len(outcome.front),
            "onnx_opset": package.opset,
            "parity": package.parity,
            **outcome.record,
        },
    )
