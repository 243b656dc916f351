"""One ultralytics training run: fresh, from weights, or resumed from its last.pt."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from mlcore.classify.data import read_classes
from mlcore.contract.results import ProgressEvent
from mlcore.contract.train import INIT_WEIGHTS, TrainConfig
from mlcore.engines.base import EngineRequest, Trained
from mlcore.engines.progress import TRAIN_SHARE
from mlcore.models.architecture import Architecture, IncompatibleInitModel
from mlcore.models.weights import fetch_weights
from mlcore.yolo import offline  # noqa: F401  (configures ultralytics before its import)

# isort: split
from ultralytics.models.yolo.classify import ClassificationTrainer
from ultralytics.models.yolo.detect import DetectionTrainer

from mlcore.yolo.arguments import resume_arguments, train_arguments
from mlcore.yolo.callbacks import ProgressCallbacks
from mlcore.yolo.heads import checkpoint_classes, without_class_head
from mlcore.yolo.history import read_history

TRAINERS: dict[str, Any] = {"classify": ClassificationTrainer, "detect": DetectionTrainer}


@dataclass(frozen=True, kw_only=True)
class TrainedRun(Trained):
    """What a finished run left behind: `checkpoint` is ultralytics' best checkpoint
    (optimizer stripped), `image_size` as ultralytics used it (rounded up to a multiple of
    the stride)."""

    run_dir: Path
    stride: int  # the grid ultralytics rounds sizes to


FINISHED = "trained.json"  # written into the run folder once training has finished


Request = EngineRequest[TrainConfig]


def run_dir(request: Request) -> Path:
    """The ultralytics project/name folder of a job, inside its resume folder."""
    return request.resume_dir / "ultralytics"


def save_finished(run: TrainedRun) -> None:
    """Mark the run finished, with what ultralytics does not keep in its files."""
    facts = {
        "task": run.task,
        "image_size": run.image_size,
        "stride": run.stride,
        "best_epoch": run.best_epoch,
    }
    (run.run_dir / FINISHED).write_text(json.dumps(facts), encoding="utf-8")


def load_finished(folder: Path) -> TrainedRun | None:
    """The finished run in `folder`, or None while it has not finished."""
    marker = folder / FINISHED
    if not marker.is_file():
        return None
    facts = json.loads(marker.read_text(encoding="utf-8"))
    history = read_history(folder / "results.csv")
    best = folder / "weights" / "best.pt"
    return TrainedRun(run_dir=folder, checkpoint=best, history=history, **facts)


def load_checkpoint(path: Path) -> dict[str, Any]:
    """An ultralytics checkpoint (a pickled dict holding the model object)."""
    checkpoint: dict[str, Any] = torch.load(path, map_location="cpu", weights_only=False)
    return checkpoint


def unfinished(last: Path) -> bool:
    """Whether `last` is a run to resume: ultralytics marks a finished run's epoch as -1."""
    return last.is_file() and load_checkpoint(last).get("epoch", -1) >= 0


def check_same_architecture(path: Path, arch: Architecture) -> None:
    """Raise IncompatibleInitModel unless the model.pt at `path` was built as `arch`."""

    model = load_checkpoint(path).get("model")
    built_as = Path(getattr(model, "yaml", {}).get("yaml_file", "")).stem or None
    if built_as != arch.name:
        raise IncompatibleInitModel(
            f"the starting model is a {built_as!r}, not a {arch.name!r}; "
            f"pick a model trained with {arch.name} or change the architecture"
        )


def start_weights(request: Request, arch: Architecture) -> Path | None:
    """Weights a fresh run starts from: an earlier model (transfer), the publisher's, or none."""
    init_weights = request.inputs.get(INIT_WEIGHTS)
    if init_weights is not None:
        check_same_architecture(init_weights, arch)
        checkpoint = load_checkpoint(init_weights)
        if checkpoint_classes(checkpoint) == read_classes(request.dataset_dir):
            return init_weights
        return without_class_head(checkpoint, request.work_dir / "init-new-classes.pt")
    if request.params.pretrained:
        return fetch_weights(arch.publisher_weights, request.weights, request.report)
    return None


def run_arguments(
    request: Request, arch: Architecture, data: str, device: str, folder: Path
) -> tuple[dict[str, Any], list[dict[str, float]]]:
    """Trainer overrides and the history of epochs already done: resume or a fresh start."""
    last = folder / "weights" / "last.pt"
    if request.resume and unfinished(last):
        return resume_arguments(last, data, device), read_history(folder / "results.csv")
    shutil.rmtree(folder, ignore_errors=True)
    weights = start_weights(request, arch)
    overrides = train_arguments(
        request.params, arch.family.task, arch.builder, data, folder, device, weights
    )
    return overrides, []


def train(request: Request, arch: Architecture, data: str, device: str) -> TrainedRun:
    """Run ultralytics' trainer for `request`; on resume, continue its last.pt, or reuse the
    run if it had already finished (the job was stopped while evaluating or packaging)."""
    folder = run_dir(request)
    finished_run = load_finished(folder) if request.resume else None
    if finished_run is not None:
        message = f"training had finished after {len(finished_run.history)} epoch(s)"
        request.report(ProgressEvent(type="log", progress=TRAIN_SHARE, message=message))
        return finished_run
    overrides, done = run_arguments(request, arch, data, device, folder)
    trainer = TRAINERS[arch.family.task](overrides=overrides)
    callbacks = ProgressCallbacks(request.report, done)
    callbacks.attach(trainer)
    trainer.train()
    run = TrainedRun(
        task=arch.family.task,
        run_dir=folder,
        checkpoint=Path(trainer.best),
        image_size=int(trainer.args.imgsz),
        stride=int(trainer.stride),
        history=read_history(folder / "results.csv"),
        best_epoch=int(trainer.stopper.best_epoch),
    )
    if len(run.history) < trainer.epochs:
        callbacks.tracker.emit(
            "log",
            f"early stop: no better validation in {trainer.stopper.patience} epoch(s); "
            f"keeping epoch {run.best_epoch}",
        )
    save_finished(run)
    return run
