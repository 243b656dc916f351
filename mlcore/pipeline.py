"""The classifier engine's whole job: train, evaluate, report, package into `output/`."""

from __future__ import annotations

import json
import shutil

from mlcore.data import ImageFolderSplit
from mlcore.engines import TrainRequest
from mlcore.evaluation import evaluate
from mlcore.packaging import build_package
from mlcore.progress import EXPORT_START, PACKAGED, TRAIN_SHARE
from mlcore.reports import write_classification_report
from mlcore.spec import JobResult, ProgressEvent
from mlcore.training import pick_device, train_classifier
from mlcore.transforms import EvalTransform


def run_classifier_job(request: TrainRequest) -> JobResult:
    """Train, evaluate and export; writes package.zip, evaluation.json, metrics.json, plots."""
    config, report, output = request.params, request.report, request.output_dir
    outcome = train_classifier(
        config,
        request.dataset_dir,
        request.resume_dir,
        report,
        request.weights_dir,
        resume=request.resume,
        init_weights=request.init_weights,
    )

    report(ProgressEvent(type="log", progress=TRAIN_SHARE, message="evaluating"))
    val_set = ImageFolderSplit(
        request.dataset_dir, "val", outcome.classes, EvalTransform(outcome.spec)
    )
    evaluation = evaluate(outcome.model, val_set, outcome.classes, config.batch_size, pick_device())
    plots = write_classification_report(evaluation, outcome.history, request.dataset_dir, output)
    (output / "evaluation.json").write_text(json.dumps(evaluation, indent=2), encoding="utf-8")

    report(ProgressEvent(type="log", progress=EXPORT_START, message="exporting"))
    package = build_package(
        outcome, config, evaluation, val_set, request.work_dir / "package", output / "package.zip"
    )
    shutil.copyfile(outcome.checkpoint, output / "model.pt")
    metrics = {
        "accuracy": evaluation["accuracy"],
        "macro_f1": evaluation["macro_f1"],
        "val_loss": evaluation["val_loss"],
        "epochs_run": float(len(outcome.history)),
        "best_epoch": float(outcome.best_epoch),
    }
    (output / "metrics.json").write_text(
        json.dumps({"metrics": metrics, "history": outcome.history}, indent=2), encoding="utf-8"
    )
    report(ProgressEvent(type="log", progress=PACKAGED, message="packaged", metrics=metrics))
    return JobResult(
        metrics=metrics,
        files={
            "package": "package.zip",
            "evaluation": "evaluation.json",
            "metrics": "metrics.json",
            "weights": "model.pt",
            **plots,
        },
        info={
            "classes": outcome.classes,
            "model": config.model,
            "task": "classify",
            "image_size": config.image_size,
            "data_mode": outcome.data_mode,
            "onnx_max_abs_diff": package.onnx_max_abs_diff,
            "onnx_opset": package.opset,
        },
    )
