"""The ultralytics engine end to end: tiny YOLO11 classify and detect jobs on real images, CPU."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from mlcore.yolo.evaluation import NO_VALIDATION_BOXES
from tests.support.flowers import CLASSES, PER_SPLIT
from tests.support.package import expected_files
from tests.support.yolo import Job, build_coco_subset, run_job, tiny_config

# isort: split
import ultralytics
from ultralytics import YOLO

pytestmark = pytest.mark.slow  # trains models

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def check_common_outputs(job: Job, headline: set[str]) -> None:
    """Artifacts named in the result exist; metrics are complete, finite and in range."""
    for file in job.result.files.values():
        assert (job.output / file).is_file(), file
    for name in ("package", "evaluation", "metrics", "weights", "training_curves"):
        assert name in job.result.files
    for name, file in job.result.files.items():
        if file.endswith(".png"):
            assert (job.output / file).read_bytes()[:8] == PNG_MAGIC, name
    metrics = job.result.metrics
    (baseline,) = [name for name in metrics if name.startswith("baseline_")]
    assert set(metrics) == headline | {"epochs_run", "best_epoch", baseline, "better_than_baseline"}
    assert 0.0 <= metrics[baseline] <= 1.0 and metrics["better_than_baseline"] in (0.0, 1.0)
    assert metrics["epochs_run"] == 2
    assert 1 <= metrics["best_epoch"] <= 2
    for name in headline - {"val_loss"}:
        assert 0.0 <= metrics[name] <= 1.0, name
    saved = job.read_json("metrics")
    assert saved["metrics"] == metrics
    assert [row["epoch"] for row in saved["history"]] == [1.0, 2.0]
    assert all(
        "train_loss" in row and "val_loss" in row and "lr" in row for row in saved["history"]
    )
    assert job.network_attempts == []
    assert YOLO(str(job.output / "model.pt")).task == job.result.task


def package_files(job: Job) -> dict[str, bytes]:
    with zipfile.ZipFile(job.output / job.result.files["package"]) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_classify_job_leaves_every_output(classify_job: Job) -> None:
    check_common_outputs(classify_job, {"accuracy", "macro_f1", "val_loss"})
    assert {"confusion_matrix", "errors"} <= set(classify_job.result.files)
    assert classify_job.result.metrics["val_loss"] > 0
    result = classify_job.result
    assert result.classes == CLASSES
    assert (result.architecture, result.task, result.image_size) == ("yolo11n-cls", "classify", 32)


def test_classify_evaluation_has_the_classifier_engines_shape(classify_job: Job) -> None:
    evaluation = classify_job.read_json("evaluation")
    predictions = evaluation["predictions"]
    assert len(predictions) == PER_SPLIT["val"] * len(CLASSES)
    assert all(set(p) >= {"file", "label", "predicted", "confidence"} for p in predictions)
    assert all(p["file"].startswith("val/") and 0 <= p["confidence"] <= 1 for p in predictions)
    correct = sum(p["label"] == p["predicted"] for p in predictions)
    assert evaluation["accuracy"] == pytest.approx(correct / len(predictions))
    matrix = evaluation["confusion_matrix"]
    assert len(matrix) == len(CLASSES) and sum(map(sum, matrix)) == len(predictions)
    assert set(evaluation["per_class"]) == set(CLASSES)
    assert {"top_errors", "confused_pairs", "macro_f1", "val_loss"} <= set(evaluation)


def test_classify_job_reports_steps_and_epochs(classify_job: Job) -> None:
    events = classify_job.events
    epochs = [e for e in events if e.type == "epoch"]
    assert [e.epoch for e in epochs] == [1, 2]
    assert all({"train_loss", "val_accuracy", "val_loss", "lr"} <= set(e.metrics) for e in epochs)
    steps = [e for e in events if e.type == "progress"]
    assert steps, "12 training steps must give at least one step event"
    assert all({"loss", "lr", "images_per_s", "eta_s"} <= set(e.metrics) for e in steps)
    fractions = [e.progress for e in events]
    assert fractions == sorted(fractions)
    assert events[-1].message == "packaged"


def test_classify_package_describes_ultralytics_preprocessing(classify_job: Job) -> None:
    files = package_files(classify_job)
    assert set(files) == expected_files(json.loads(files["parity.json"]))
    torch_requirements = files["requirements-torch.txt"].decode().splitlines()
    assert torch_requirements[0] == f"ultralytics=={ultralytics.__version__}"
    assert json.loads(files["preprocess.json"])["checkpoint"] == "ultralytics"
    assert json.loads(files["labels.json"]) == CLASSES
    preprocess = json.loads(files["preprocess.json"])
    assert [step["op"] for step in preprocess["steps"]] == [
        "resize_shorter_side",
        "center_crop",
        "to_tensor",
        "normalize",
    ]
    assert preprocess["steps"][0]["size"] == 32
    readme = files["README.md"].decode()
    assert 'YOLO("model.pt")' in readme and all(name in readme for name in CLASSES)


def test_classify_model_pt_predicts_with_ultralytics(classify_job: Job, flowers_dir: Path) -> None:
    model = YOLO(str(classify_job.output / "model.pt"))
    image = next((flowers_dir / "val" / CLASSES[0]).glob("*.jpg"))
    results: Any = model.predict(str(image), imgsz=32, device="cpu", verbose=False)
    result = results[0]
    assert list(model.names.values()) == CLASSES
    assert result.probs is not None
    assert result.probs.data.shape == (len(CLASSES),)


def val_instances(coco_dir: Path, names: list[str]) -> dict[str, int]:
    """Boxes per class name in the val labels."""
    counts: dict[str, int] = {}
    for label in (coco_dir / "labels" / "val").glob("*.txt"):
        for line in label.read_text(encoding="utf-8").splitlines():
            name = names[int(line.split()[0])]
            counts[name] = counts.get(name, 0) + 1
    return counts


def test_detect_job_leaves_every_output(detect_job: Job) -> None:
    check_common_outputs(detect_job, {"map50", "map50_95", "precision", "recall"})
    assert "pr_curve" in detect_job.result.files
    result = detect_job.result
    assert (result.architecture, result.task, result.image_size) == ("yolo11n", "detect", 64)
    assert len(result.classes) == 80


def test_detect_evaluation_has_per_class_ap_and_pr_curves(detect_job: Job, coco_dir: Path) -> None:
    evaluation = detect_job.read_json("evaluation")
    expected = val_instances(coco_dir, evaluation["classes"])
    assert {name: row["instances"] for name, row in evaluation["per_class"].items()} == expected
    assert evaluation["instances"] == sum(expected.values()) and evaluation["warnings"] == []
    for row in evaluation["per_class"].values():
        assert 0 <= row["ap50_95"] <= row["ap50"] <= 1
    assert set(evaluation["pr_curves"]) == set(expected)
    for curve in evaluation["pr_curves"].values():
        assert len(curve["recall"]) == len(curve["precision"]) == 101
        assert all(0 <= p <= 1 for p in curve["precision"])


def test_detect_package_describes_the_letterbox(detect_job: Job) -> None:
    files = package_files(detect_job)
    assert set(files) == expected_files(json.loads(files["parity.json"]))
    spec = json.loads(files["preprocess.json"])
    letterbox, to_tensor = spec["steps"]
    assert (letterbox["op"], letterbox["size"], letterbox["pad_value"]) == ("letterbox", 64, 114)
    assert (to_tensor["divisor"], spec["nms"]["iou"]) == (255, 0.7)
    assert "AP50-95" in files["README.md"].decode()


def test_validation_without_boxes_is_flagged(tmp_path: Path) -> None:
    dataset = build_coco_subset(tmp_path / "data")
    for label in (dataset / "labels" / "val").glob("*.txt"):
        label.write_text("")  # every validation image is background
    job = run_job(tiny_config("yolo11n", image_size=32, batch_size=4), dataset, tmp_path / "w")
    evaluation = job.read_json("evaluation")
    assert evaluation["instances"] == 0 and evaluation["warnings"] == [NO_VALIDATION_BOXES]
