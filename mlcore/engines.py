"""Training engines: the catalog entry of the chosen model names the engine that runs it.

Every engine takes a `TrainRequest` and leaves the same outputs in `work_dir/output/`
(package.zip, evaluation.json, metrics.json, model.pt and plots), named in its `JobResult`,
so the worker and the API never need to know which library trained a model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mlcore.progress import Report
from mlcore.spec import JobResult, SearchConfig, TrainConfig

RESUME_DIR = "resume"


class WorkDirs:
    """A job's folders under its `work_dir`."""

    work_dir: Path

    @property
    def resume_dir(self) -> Path:
        """Everything a later attempt needs to continue; the worker keeps only this when a
        job fails or is cancelled, so each engine writes its checkpoints here."""
        path = self.work_dir / RESUME_DIR
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def output_dir(self) -> Path:
        """Where the engine leaves the artifacts the runner uploads."""
        path = self.work_dir / "output"
        path.mkdir(parents=True, exist_ok=True)
        return path


@dataclass(frozen=True)
class TrainRequest(WorkDirs):
    """Everything one training job needs, all of it local paths."""

    params: TrainConfig
    dataset_dir: Path
    work_dir: Path
    report: Report
    weights_dir: Path | None = None
    resume: bool = False
    init_weights: Path | None = None  # model.pt of an earlier Konstruktor model


@dataclass(frozen=True)
class SearchRequest(WorkDirs):
    """Everything one architecture search needs, all of it local paths."""

    params: SearchConfig
    dataset_dir: Path
    work_dir: Path
    report: Report
    resume: bool = False
    family: Path | None = None  # family.json of the earlier search `params.family_model_id`


Engine = Callable[[TrainRequest], JobResult]


def _classifier(request: TrainRequest) -> JobResult:
    from mlcore.pipeline import run_classifier_job

    return run_classifier_job(request)


def _ultralytics(request: TrainRequest) -> JobResult:
    from mlcore.yolo.engine import run_yolo_job

    return run_yolo_job(request)


ENGINES: dict[str, Engine] = {"classifier": _classifier, "ultralytics": _ultralytics}


def run_train_job(request: TrainRequest) -> JobResult:
    """Run the job with the engine of its model's family."""
    from mlcore.models import get_architecture

    return ENGINES[get_architecture(request.params.model).family.engine](request)


def run_search_job(request: SearchRequest) -> JobResult:
    """Search, retrain the chosen architecture, evaluate and package it."""
    from mlcore.nas.engine import run_nas_job

    return run_nas_job(request)
