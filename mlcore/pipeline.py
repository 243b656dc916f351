"""A whole training job: train, evaluate, package; artifacts land in `work_dir/output/`."""

from __future__ import annotations

import json
from pathlib import Path

from mlcore.data import ImageFolderSplit
from mlcore.evaluation import evaluate
from mlcore.packaging import build_package
from mlcore.spec import JobResult, ProgressEvent, TrainParams
from mlcore.training import TRAIN_SHARE, Report, pick_device, train_classifier
from mlcore.transforms import EvalTransform

EXPORT_START = 0.93
PACKAGED = 0.97  # the rest is the caller's: uploading artifacts, recording the model


def run_train_job(
    params: TrainParams,
    dataset_dir: Path,
    work_dir: Path,
    report: Report,
    weights_dir: Path | None = None,
    resume: bool = False,
) -> JobResult:
    """Train, evaluate and export; writes package.zip, evaluation.json and metrics.json."""
    output = work_dir / "output"
    output.mkdir(parents=True, exist_ok=True)
    outcome = train_classifier(
        params, dataset_dir, work_dir / "train", report, weights_dir, resume=resume
    )

    report(ProgressEvent(type="log", progress=TRAIN_SHARE, message="evaluating"))
    val_set = ImageFolderSplit(dataset_dir, "val", outcome.classes, EvalTransform(outcome.spec))
    evaluation = evaluate(outcome.model, val_set, outcome.classes, params.batch_size, pick_device())
    (output / "evaluation.json").write_text(json.dumps(evaluation, indent=2), encoding="utf-8")

    report(ProgressEvent(type="log", progress=EXPORT_START, message="exporting"))
    package = build_package(
        outcome, params, evaluation, val_set, work_dir / "package", output / "package.zip"
    )
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
        },
        info={
            "classes": outcome.classes,
            "model": params.model,
            "image_size": params.image_size,
            "onnx_max_abs_diff": package.onnx_max_abs_diff,
            "onnx_opset": package.opset,
        },
    )
