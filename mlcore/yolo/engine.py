"""The ultralytics engine: YOLO11 classifiers and detectors trained by ultralytics' trainer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mlcore.classify.report import write_classification_report
from mlcore.contract.catalog import EngineRecipe
from mlcore.contract.train import INIT_WEIGHTS, TrainConfig
from mlcore.engines.base import Engine, EngineRequest, Evaluated, PackageInputs
from mlcore.engines.device import pick_device
from mlcore.engines.outputs import judge
from mlcore.engines.registry import ENGINES
from mlcore.models.registry import get_architecture
from mlcore.yolo import offline  # noqa: F401  (configures ultralytics before its import)

# isort: split
import ultralytics

from mlcore.yolo.architectures import YoloArchitecture
from mlcore.yolo.arguments import not_applied, ultralytics_device
from mlcore.yolo.datasets import training_data
from mlcore.yolo.evaluation import VAL_IMAGES, evaluate_classifier, evaluate_detector
from mlcore.yolo.preprocess import PREPROCESS
from mlcore.yolo.readme import yolo_facts
from mlcore.yolo.report import write_detection_report
from mlcore.yolo.training import TrainedRun, train

Request = EngineRequest[TrainConfig]
Evaluation = tuple[dict[str, Any], dict[str, str]]  # (evaluation.json, figure name -> file)


def classify_evaluation(request: Request, run: TrainedRun, device: str) -> Evaluation:
    """Per-image predictions, metrics, confusion matrix, curves and error gallery."""
    evaluation = evaluate_classifier(
        run.checkpoint, request.dataset_dir, run.image_size, request.params.batch_size, device
    )
    verdict = judge(evaluation, request.dataset_dir)
    figures = write_classification_report(
        evaluation, run.history, request.dataset_dir, request.output_dir, verdict
    )
    return evaluation, figures


def detect_evaluation(request: Request, run: TrainedRun, device: str) -> Evaluation:
    """mAP, per-class AP, precision-recall curves and training curves."""
    evaluation = evaluate_detector(
        run.checkpoint,
        training_data("detect", request.dataset_dir, request.work_dir),
        run.image_size,
        request.params.batch_size,
        device,
        run.run_dir.parent / "eval",
    )
    verdict = judge(evaluation, request.dataset_dir)
    return evaluation, write_detection_report(evaluation, run.history, request.output_dir, verdict)


EVALUATIONS: dict[str, Callable[[Request, TrainedRun, str], Evaluation]] = {
    "classify": classify_evaluation,
    "detect": detect_evaluation,
}
REPORT_FIGURE = {"classify": "confusion_matrix", "detect": "pr_curve"}  # beside the curves
HEADLINE: dict[str, tuple[str, ...]] = {
    "classify": ("accuracy", "macro_f1", "val_loss"),
    "detect": ("map50", "map50_95", "precision", "recall"),
}


def yolo_architecture(name: str) -> YoloArchitecture:
    """The catalog entry `name`, which must be an ultralytics model."""
    arch = get_architecture(name)
    if not isinstance(arch, YoloArchitecture):
        raise ValueError(f"{name} is not trained by the ultralytics engine")
    return arch


def start_description(request: Request, arch: YoloArchitecture) -> str:
    """Where the weights started from, for the README."""
    if INIT_WEIGHTS in request.inputs:
        return "fine-tuned from an earlier Konstruktor model"
    if request.params.pretrained:
        return f"fine-tuned from the publisher's {arch.weights_file}"
    return "trained from scratch"


@ENGINES.register("ultralytics")
class UltralyticsEngine(Engine[TrainConfig, TrainedRun]):
    """Ultralytics' own trainer, validator and predictor behind Konstruktor's outputs."""

    recipe = EngineRecipe(
        learning_rate=1e-3,
        warm_learning_rate=5e-4,
        label_smoothing=0.0,
        loss_weights=False,
        weight_decay=5e-4,  # ultralytics' own default
    )

    def train(self, request: Request) -> TrainedRun:
        arch = yolo_architecture(request.params.model)
        data = training_data(arch.family.task, request.dataset_dir, request.work_dir)
        return train(request, arch, data, ultralytics_device(pick_device()))

    def evaluate(self, request: Request, trained: TrainedRun) -> Evaluated:
        task = trained.task
        device = ultralytics_device(pick_device())
        evaluation, figures = EVALUATIONS[task](request, trained, device)
        headline = {name: float(evaluation[name]) for name in HEADLINE[task]}
        return Evaluated(evaluation, headline, figures, ("training_curves", REPORT_FIGURE[task]))

    def package_inputs(
        self,
        request: Request,
        trained: TrainedRun,
        evaluated: Evaluated,
        metrics: dict[str, float],
    ) -> PackageInputs:
        task, arch = trained.task, yolo_architecture(request.params.model)
        facts = yolo_facts(
            request.params,
            task,
            start_description(request, arch),
            evaluated.evaluation,
            metrics,
            trained.image_size,
            ultralytics.__version__,
        )
        images, labels = VAL_IMAGES[task](request.dataset_dir, evaluated.classes)
        return PackageInputs(PREPROCESS[task](trained.image_size), images, labels, facts)

    def architecture(self, request: Request) -> str:
        return request.params.model

    def info(self, request: Request, trained: TrainedRun, evaluated: Evaluated) -> dict[str, Any]:
        return {
            "device": ultralytics_device(pick_device()),
            "ultralytics": ultralytics.__version__,
            "not_applied": not_applied(request.params, trained.task),
        }
