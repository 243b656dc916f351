"""The ultralytics engine's whole job: train a YOLO11 model, evaluate, report, package.

Artifacts land in `request.output_dir` under the same names as every engine's
(package.zip, evaluation.json, metrics.json, model.pt and PNG figures).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from mlcore.engines import TrainRequest
from mlcore.models import get_architecture
from mlcore.outputs import job_result, run_metrics, write_outputs
from mlcore.packaging import PackageSource, build_package
from mlcore.progress import EXPORT_START, PACKAGED, TRAIN_SHARE
from mlcore.reports import write_classification_report
from mlcore.spec import JobResult, ProgressEvent
from mlcore.yolo import offline  # noqa: F401  (configures ultralytics before its import)

# isort: split
import ultralytics

from mlcore.yolo.architectures import YoloArchitecture
from mlcore.yolo.arguments import not_applied
from mlcore.yolo.datasets import training_data
from mlcore.yolo.evaluation import VAL_IMAGES, evaluate_classifier, evaluate_detector
from mlcore.yolo.preprocess import PREPROCESS
from mlcore.yolo.readme import yolo_facts
from mlcore.yolo.reports import write_detection_report
from mlcore.yolo.training import TrainedRun, train

Evaluation = tuple[dict[str, Any], dict[str, str]]  # (evaluation.json, figure name -> file)


def classify_evaluation(
    request: TrainRequest, run: TrainedRun, data: str, device: str
) -> Evaluation:
    """Per-image predictions, metrics, confusion matrix, curves and error gallery."""
    evaluation = evaluate_classifier(
        run.best, request.dataset_dir, run.image_size, request.params.batch_size, device
    )
    figures = write_classification_report(
        evaluation, run.history, request.dataset_dir, request.output_dir
    )
    return evaluation, figures


def detect_evaluation(request: TrainRequest, run: TrainedRun, data: str, device: str) -> Evaluation:
    """mAP, per-class AP, precision-recall curves and training curves."""
    evaluation = evaluate_detector(
        run.best,
        data,
        run.image_size,
        request.params.batch_size,
        device,
        run.run_dir.parent / "eval",
    )
    return evaluation, write_detection_report(evaluation, run.history, request.output_dir)


EVALUATIONS: dict[str, Callable[[TrainRequest, TrainedRun, str, str], Evaluation]] = {
    "classify": classify_evaluation,
    "detect": detect_evaluation,
}
REPORT_FIGURE = {"classify": "confusion_matrix", "detect": "pr_curve"}  # beside the curves
HEADLINE: dict[str, tuple[str, ...]] = {
    "classify": ("accuracy", "macro_f1", "val_loss"),
    "detect": ("map50", "map50_95", "precision", "recall"),
}


def pick_device() -> str:
    """Ultralytics' device argument: the first GPU when there is one."""
    return "0" if torch.cuda.is_available() else "cpu"


def yolo_architecture(name: str) -> YoloArchitecture:
    """The catalog entry `name`, which must be an ultralytics model."""
    arch = get_architecture(name)
    if not isinstance(arch, YoloArchitecture):
        raise ValueError(f"{name} is not trained by the ultralytics engine")
    return arch


def start_description(request: TrainRequest, arch: YoloArchitecture) -> str:
    """Where the weights started from, for the README."""
    if request.init_weights is not None:
        return "fine-tuned from an earlier Konstruktor model"
    if request.params.pretrained:
        return f"fine-tuned from the publisher's {arch.weights_file}"
    return "trained from scratch"


def run_yolo_job(request: TrainRequest) -> JobResult:
    """Train, evaluate and package; writes package.zip, evaluation.json, metrics.json, plots."""
    config, report, output = request.params, request.report, request.output_dir
    arch = yolo_architecture(config.model)
    task, device = arch.family.task, pick_device()
    data = training_data(task, request.dataset_dir, request.work_dir)
    run = train(request, arch, data, device)

    report(ProgressEvent(type="log", progress=TRAIN_SHARE, message="evaluating"))
    evaluation, figures = EVALUATIONS[task](request, run, data, device)
    headline = {name: float(evaluation[name]) for name in HEADLINE[task]}
    metrics = run_metrics(headline, run.history, run.best_epoch)
    write_outputs(output, evaluation, metrics, run.history, run.best)

    report(ProgressEvent(type="log", progress=EXPORT_START, message="exporting"))
    facts = yolo_facts(
        config,
        task,
        start_description(request, arch),
        evaluation,
        metrics,
        run.image_size,
        ultralytics.__version__,
    )
    classes = evaluation["classes"]
    images, labels = VAL_IMAGES[task](request.dataset_dir, classes)
    source = PackageSource(
        checkpoint=run.best,
        classes=classes,
        spec=PREPROCESS[task](run.image_size),
        images=images,
        labels=labels,
        figures=[output / figures[name] for name in ("training_curves", REPORT_FIGURE[task])],
        facts=facts,
    )
    package = build_package(source, request.work_dir / "package", output / "package.zip")
    report(ProgressEvent(type="log", progress=PACKAGED, message="packaged", metrics=metrics))
    return job_result(
        metrics,
        figures,
        {
            "classes": evaluation["classes"],
            "model": config.model,
            "task": task,
            "image_size": run.image_size,
            "device": device,
            "ultralytics": ultralytics.__version__,
            "not_applied": not_applied(config, task),
            "onnx_opset": package.opset,
            "parity": package.parity,
        },
    )
