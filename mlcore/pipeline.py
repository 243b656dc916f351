"""The classifier engine's whole job: train, evaluate, report, package into `output/`."""

from __future__ import annotations

from mlcore.data import ImageFolderSplit
from mlcore.engines import TrainRequest
from mlcore.evaluation import evaluate
from mlcore.outputs import job_result, run_metrics, write_outputs
from mlcore.packaging import PackageSource, build_package
from mlcore.progress import EXPORT_START, PACKAGED, TRAIN_SHARE
from mlcore.readme import torchvision_facts
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
    figures = write_classification_report(evaluation, outcome.history, request.dataset_dir, output)
    metrics = run_metrics(
        {name: evaluation[name] for name in ("accuracy", "macro_f1", "val_loss")},
        outcome.history,
        outcome.best_epoch,
    )
    write_outputs(output, evaluation, metrics, outcome.history, outcome.checkpoint)

    report(ProgressEvent(type="log", progress=EXPORT_START, message="exporting"))
    source = PackageSource(
        checkpoint=outcome.checkpoint,
        classes=outcome.classes,
        spec=outcome.spec,
        images=[request.dataset_dir / file for file, _ in val_set.samples],
        labels=[label for _, label in val_set.samples],
        figures=[output / figures[name] for name in ("training_curves", "confusion_matrix")],
        facts=torchvision_facts(config, evaluation),
    )
    package = build_package(source, request.work_dir / "package", output / "package.zip")
    report(ProgressEvent(type="log", progress=PACKAGED, message="packaged", metrics=metrics))
    return job_result(
        metrics,
        figures,
        {
            "classes": outcome.classes,
            "model": config.model,
            "task": "classify",
            "image_size": config.image_size,
            "data_mode": outcome.data_mode,
            "onnx_opset": package.opset,
            "parity": package.parity,
        },
    )
