"""The one engine skeleton every job runs through: train, evaluate, report, package.

An engine (`mlcore.classify.engine`, `mlcore.yolo.engine`, `mlcore.nas.engine`) fills in
the steps that differ; `Engine.run` does the rest the same way for all, so every job leaves
the same outputs in `work_dir/output/` (package.zip, evaluation.json, metrics.json, model.pt,
parity.json and figures), named in its `JobResult`, and the worker and the API never need
to know which library trained a model.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from mlcore.contract.catalog import EngineRecipe
from mlcore.contract.job import JobConfig
from mlcore.contract.results import ARTIFACTS, JobResult, ProgressEvent
from mlcore.contract.verdict import Verdict
from mlcore.contract.weights import WeightsSource
from mlcore.engines.outputs import VERDICT, run_metrics, write_outputs
from mlcore.engines.progress import EXPORT_START, PACKAGED, TRAIN_SHARE, Report
from mlcore.package.build import PackageSource, build_package
from mlcore.package.readme import ReadmeFacts

C = TypeVar("C", bound=JobConfig)
T = TypeVar("T", bound="Trained")

RESUME_DIR = "resume"


@dataclass(frozen=True)
class EngineRequest(Generic[C]):
    """Everything one job needs, all of it local paths."""

    params: C
    dataset_dir: Path
    work_dir: Path
    report: Report
    inputs: Mapping[str, Path] = field(default_factory=dict)  # earlier models' files by input
    weights: WeightsSource = field(default_factory=WeightsSource)  # for a pretrained start
    resume: bool = False
    llm_api_key: str | None = None  # the LLM endpoint's key (searches with mutator llm)

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


@dataclass(frozen=True, kw_only=True)
class Trained:
    """What an engine's training step leaves; engines add their own fields."""

    task: str
    checkpoint: Path  # model.pt as the engine wrote it (what the package loads)
    history: list[dict[str, float]]  # one row per epoch: {"epoch": n, metric: value, ...}
    best_epoch: int
    image_size: int
    artifacts: dict[str, str] = field(default_factory=dict)  # engine files in output_dir


@dataclass(frozen=True)
class Evaluated:
    """The evaluation on the validation split and the figures written for it."""

    evaluation: dict[str, Any]  # evaluation.json, with "classes" and "verdict" (judge())
    headline: dict[str, float]  # the metrics a model is compared by
    figures: dict[str, str]  # artifact name -> file in output_dir
    report_figures: tuple[str, ...]  # figures joined side by side into the package's report

    @property
    def classes(self) -> list[str]:
        """Class names in output index order."""
        return list(self.evaluation["classes"])

    @property
    def verdict(self) -> Verdict:
        """The model against the baseline, as `mlcore.engines.outputs.judge` recorded it."""
        return Verdict.model_validate(self.evaluation[VERDICT])


@dataclass(frozen=True)
class PackageInputs:
    """What the package needs beyond the weights: preprocessing, parity images, README."""

    spec: dict[str, Any]  # preprocess.json
    images: list[Path]  # validation images: parity and INT8 calibration
    labels: list[int] | None  # their class indices (classification), None for detection
    facts: ReadmeFacts


class Engine(ABC, Generic[C, T]):
    """One training engine; subclasses register with `ENGINES.register(name)`."""

    recipe: ClassVar[EngineRecipe | None] = None  # training defaults of catalog engines

    def run(self, request: EngineRequest[C]) -> JobResult:
        """Train, evaluate, write the outputs, package; the job's result."""
        trained = self.train(request)
        request.report(ProgressEvent(type="log", progress=TRAIN_SHARE, message="evaluating"))
        evaluated = self.evaluate(request, trained)
        verdict = evaluated.verdict
        metrics = run_metrics(evaluated.headline, trained.history, trained.best_epoch, verdict)
        output = request.output_dir
        write_outputs(output, evaluated.evaluation, metrics, trained.history, trained.checkpoint)

        request.report(ProgressEvent(type="log", progress=EXPORT_START, message="exporting"))
        inputs = self.package_inputs(request, trained, evaluated, metrics)
        source = PackageSource(
            checkpoint=trained.checkpoint,
            classes=evaluated.classes,
            spec=inputs.spec,
            images=inputs.images,
            labels=inputs.labels,
            figures=[output / evaluated.figures[name] for name in evaluated.report_figures],
            facts=inputs.facts,
            verdict=verdict,
        )
        package = build_package(source, request.work_dir / "package", output / "package.zip")
        # the engine's own (e.g. a search's proxy that overrated its network), then a format
        # that failed its gate and was left out
        warnings = [*self.warnings(request, trained, evaluated), *package.warnings]
        for warning in warnings:
            request.report(ProgressEvent(type="log", progress=PACKAGED, message=warning))
        request.report(
            ProgressEvent(type="log", progress=PACKAGED, message="packaged", metrics=metrics)
        )
        return JobResult(
            architecture=self.architecture(request),
            task=trained.task,
            classes=evaluated.classes,
            image_size=trained.image_size,
            metrics=metrics,
            files={**ARTIFACTS, **evaluated.figures, **trained.artifacts},
            onnx_opset=package.opset,
            parity=package.parity,
            info=self.info(request, trained, evaluated),
            verdict=verdict,
            warnings=warnings,
        )

    def warnings(self, request: EngineRequest[C], trained: T, evaluated: Evaluated) -> list[str]:
        """What the job should warn about its model, beyond the verdict (none by default)."""
        return []

    @abstractmethod
    def train(self, request: EngineRequest[C]) -> T:
        """Train (resuming from `request.resume_dir` when asked); the weights and history."""

    @abstractmethod
    def evaluate(self, request: EngineRequest[C], trained: T) -> Evaluated:
        """Evaluate on the validation split (judged by `mlcore.engines.outputs.judge`
        before the figures are drawn); write the figures into the output folder."""

    @abstractmethod
    def package_inputs(
        self, request: EngineRequest[C], trained: T, evaluated: Evaluated, metrics: dict[str, float]
    ) -> PackageInputs:
        """Preprocessing, parity images and README facts of the package."""

    @abstractmethod
    def architecture(self, request: EngineRequest[C]) -> str:
        """What the trained model is recorded as (a catalog name, or "nas")."""

    def info(self, request: EngineRequest[C], trained: T, evaluated: Evaluated) -> dict[str, Any]:
        """The engine's own facts for the result (none by default)."""
        return {}
