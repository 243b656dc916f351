"""YOLO model packages: ONNX/TorchScript/INT8 exports with parity, and predict.py's letterbox,
NMS and box mapping reproduce ultralytics' own predictions."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
import torchvision
from PIL import Image

from benchmarks.int8_agreement import boost_class_scores
from mlcore.contract.verdict import detection_verdict
from mlcore.package import build as packaging
from mlcore.package.build import PackageInfo, PackageSource, build_package
from mlcore.package.export import ExportMismatch
from mlcore.package.notices import WeightsOrigin
from mlcore.package.readme import ReadmeFacts
from mlcore.package.runtime import predict
from mlcore.yolo.evaluation import detect_val_images
from mlcore.yolo.preprocess import PREPROCESS
from tests.integration.test_package_clean_venv import install_requirements, predict_in_venv
from tests.support.yolo import Job
from tests.unit.mlcore.test_mlcore_pipeline import import_predict

# isort: split
import cv2
from ultralytics import YOLO
from ultralytics.data.augment import LetterBox
from ultralytics.utils.ops import scale_boxes

pytestmark = pytest.mark.slow  # trains models

LOW_CONF = 0.01  # the boosted model's scores are about 0.05


@dataclass
class Detector:
    """A packaged detector whose class scores are high enough to give boxes."""

    weights: Path
    info: PackageInfo
    package: Path
    images: list[Path]
    source: PackageSource


@pytest.fixture(scope="module")
def detector(detect_job: Job, coco_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Detector:
    root = tmp_path_factory.mktemp("detector")
    weights = boost_class_scores(detect_job.output / "model.pt", root / "boosted.pt")
    classes = detect_job.result.classes
    images, labels = detect_val_images(coco_dir, classes)
    curves = detect_job.output / "training_curves.png"
    origin = WeightsOrigin(publisher_model="yolo11n")
    facts = ReadmeFacts("boosted yolo11n detector", "class scores raised", classes, "", "", origin)
    spec = PREPROCESS["detect"](64)
    verdict = detection_verdict(map50=0.5, found_boxes=True)
    source = PackageSource(weights, classes, spec, images, labels, [curves], facts, verdict)
    info = build_package(source, root / "staging", root / "package.zip")
    with zipfile.ZipFile(info.path) as archive:
        archive.extractall(root / "package")
    return Detector(weights, info, root / "package", images, source)


def ultralytics_boxes(weights: Path, image: Path, conf: float) -> list[dict[str, Any]]:
    """ultralytics' own prediction, square letterbox (rect=False) like the exported model's."""
    results: Any = YOLO(str(weights)).predict(
        str(image), imgsz=64, rect=False, conf=conf, device="cpu", verbose=False
    )
    result = results[0]
    return [
        {"label": result.names[int(c)], "confidence": float(s), "box": [float(v) for v in box]}
        for box, s, c in zip(result.boxes.xyxy, result.boxes.conf, result.boxes.cls, strict=True)
    ]


def matched_share(ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> float:
    """Share of `ours` with a same-label box in `theirs` at IoU > 0.95 and confidence +-1e-3."""
    if not ours:
        return 1.0 if not theirs else 0.0
    boxes = np.asarray([t["box"] for t in theirs]).reshape(-1, 4)
    hits = 0
    for box in ours:
        ious = predict.box_iou(np.asarray(box["box"]), boxes) if len(boxes) else np.zeros(0)
        hits += any(
            iou > 0.95
            and t["label"] == box["label"]
            and abs(t["confidence"] - box["confidence"]) < 1e-3
            for iou, t in zip(ious, theirs, strict=True)
        )
    return hits / len(ours)


def test_trained_detector_package_has_every_format(detect_job: Job) -> None:
    parity = detect_job.result.parity
    assert set(parity["formats"]) == {"onnx", "torchscript", "onnx_int8"}
    assert all(parity["formats"][name]["agreement"] >= 0.995 for name in ("onnx", "torchscript"))
    assert parity["formats"]["onnx_int8"]["quantization"] in ("static_qdq", "dynamic")


def test_readme_shows_a_real_detection(detector: Detector) -> None:
    readme = (detector.package / "README.md").read_text()
    image = detector.images[0].name
    assert f"$ python predict.py {image}\n{image}\n```" in readme  # no box reaches 0.25
    assert "| box agreement |" in readme and "Letterbox: scale so the longer side" in readme


def test_detector_package_notice_names_ultralytics_agpl(detector: Detector) -> None:
    notice = (detector.package / "NOTICE.md").read_text()
    assert "## ultralytics checkpoint (AGPL-3.0)" in notice
    assert "started from the pretrained `yolo11n.pt` ultralytics publishes" in notice
    readme = (detector.package / "README.md").read_text()
    assert "- `NOTICE.md`:" in readme and "`yolo11n.pt` ultralytics publishes" in readme


def test_detector_parity_compares_real_boxes(detector: Detector) -> None:
    parity = json.loads((detector.package / "parity.json").read_text())
    assert parity == detector.info.parity and parity["images"] == len(detector.images)
    for name in ("onnx", "torchscript"):
        fp32 = parity["formats"][name]
        assert fp32["boxes"] > 10 * len(detector.images), "too few boxes to prove parity"
        assert fp32["agreement"] == 1.0 and fp32["min_iou"] > 0.999
        assert fp32["max_abs_score_diff"] < 1e-4 and fp32["max_abs_output_diff"] < 1e-2
        after = fp32["after_nms"]
        assert after["matched"] >= 0.9 * fp32["boxes"]
    int8 = parity["formats"]["onnx_int8"]  # measured on the same boxes, shipped or not
    assert int8["boxes"] == parity["formats"]["onnx"]["boxes"]
    assert int8["shipped"] == (detector.package / "model_int8.onnx").is_file()


def test_predict_py_reproduces_ultralytics_boxes(detector: Detector) -> None:
    predictor = import_predict(detector.package).Predictor(detector.package)
    total = 0
    for image in detector.images:
        ours = predictor.predict(image, conf=LOW_CONF)
        theirs = ultralytics_boxes(detector.weights, image, LOW_CONF)
        total += len(ours)
        assert abs(len(ours) - len(theirs)) <= 1, image.name  # an NMS near-tie may flip
        assert matched_share(ours, theirs) >= 0.9, image.name
        assert matched_share(theirs, ours) >= 0.9, image.name
        with Image.open(image) as picture:
            width, height = picture.size
        assert all(0 <= b["box"][0] <= b["box"][2] <= width for b in ours)
        assert all(0 <= b["box"][1] <= b["box"][3] <= height for b in ours)
    assert total > 0, "the boosted detector found nothing: this test would prove nothing"


def test_default_conf_comes_from_preprocess_json(detector: Detector) -> None:
    predictor = import_predict(detector.package).Predictor(detector.package)
    assert predictor.spec["nms"]["conf"] == 0.25
    for image in detector.images:  # scores are about 0.05: nothing passes 0.25
        assert predictor.predict(image) == []
        assert len(predictor.predict(image, conf=LOW_CONF, topk=3)) == 3


def test_cli_json_save_vis_and_csv(detector: Detector, tmp_path: Path) -> None:
    folder = detector.images[0].parent
    vis = tmp_path / "vis"
    args = [str(folder), "--json", "--conf", str(LOW_CONF), "--save-vis", str(vis)]
    out = subprocess.run(
        [sys.executable, "predict.py", *args],
        cwd=detector.package,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [Path(line["file"]).name for line in lines] == [p.name for p in detector.images]
    for line, image in zip(lines, detector.images, strict=True):
        with Image.open(vis / f"{image.stem}.jpg") as drawn, Image.open(image) as original:
            assert drawn.size == original.size
            assert (
                np.abs(np.asarray(drawn, dtype=int) - np.asarray(original, dtype=int)).max() > 100
            )
        assert line["boxes"] and set(line["boxes"][0]) == {"label", "confidence", "box"}
    table = tmp_path / "boxes.csv"
    subprocess.run(
        [sys.executable, "batch_predict.py", str(folder), "--out", str(table), "--conf", "0.01"],
        cwd=detector.package,
        check=True,
        capture_output=True,
    )
    with open(table, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["file", "label", "confidence", "x1", "y1", "x2", "y2"]
    assert len(rows) == sum(len(line["boxes"]) for line in lines)


def test_detector_package_runs_in_a_clean_venv(detector: Detector, tmp_path: Path) -> None:
    """Only requirements.txt (onnxruntime, numpy, pillow): predict.py gives ultralytics' boxes."""
    python = install_requirements(tmp_path / "venv", detector.package / "requirements.txt")
    folder = str(detector.images[0].parent)
    lines = predict_in_venv(python, detector.package, folder, "--conf", str(LOW_CONF))
    assert len(lines) == len(detector.images)
    for line, image in zip(lines, detector.images, strict=True):
        theirs = ultralytics_boxes(detector.weights, image, LOW_CONF)
        assert line["boxes"] and matched_share(line["boxes"], theirs) >= 0.9, image.name
        assert matched_share(theirs, line["boxes"]) >= 0.9, image.name


def test_every_backend_gives_the_same_top_box(detector: Detector) -> None:
    module = import_predict(detector.package)
    reference = module.Predictor(detector.package, backend="torch")
    for backend in ("onnx", "torchscript"):
        predictor = module.Predictor(detector.package, backend=backend)
        for image in detector.images:
            want, got = (
                reference.predict(image, conf=LOW_CONF),
                predictor.predict(image, conf=LOW_CONF),
            )
            assert matched_share(got, want) >= 0.9, (backend, image.name)


def test_wrong_detector_export_fails_loudly(
    detector: Detector, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    real_export = packaging.export_onnx

    class RolledClasses(torch.nn.Module):
        """The right boxes with every class score moved to the next class."""

        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, batch: torch.Tensor) -> torch.Tensor:
            out = self.model(batch)
            return torch.cat([out[:, :4], out[:, 4:].roll(1, dims=1)], dim=1)

    monkeypatch.setattr(
        packaging,
        "export_onnx",
        lambda model, sample, path, name: real_export(RolledClasses(model), sample, path, name),
    )
    packaging.stage(detector.source, tmp_path)
    with pytest.raises(ExportMismatch, match=r"^onnx: agreement 0\.[0-4]"):
        packaging.export_formats(tmp_path, detector.source)


def test_letterbox_matches_ultralytics_within_one_level(coco_dir: Path) -> None:
    spec = PREPROCESS["detect"](64)
    for image in sorted((coco_dir / "images" / "val").glob("*.jpg")):
        letterboxed: Any = LetterBox(64, auto=False)(image=cv2.imread(str(image)))
        theirs = np.asarray(letterboxed)[..., ::-1]
        ours, geometry = predict.prepare(predict.load_image(image), spec)
        pixels = np.rint(ours.transpose(1, 2, 0) * 255).astype(int)
        assert pixels.shape == theirs.shape
        assert np.abs(pixels - theirs.astype(int)).max() <= 1, image.name  # OpenCV's fixed point
        boxes = np.array([[3.0, 5.0, 40.0, 60.0], [10.5, 0.0, 64.0, 33.3]])
        expected: Any = scale_boxes(
            (64, 64), torch.tensor(boxes), (geometry.height, geometry.width)
        )
        np.testing.assert_allclose(geometry.to_original(boxes), expected.numpy(), atol=1e-4)


@pytest.mark.parametrize("size", [(1000, 10), (7, 640), (33, 65)])
def test_boxes_map_back_like_ultralytics_at_extreme_aspect_ratios(size: tuple[int, int]) -> None:
    width, height = size
    image = Image.new("RGB", (width, height), (10, 200, 30))
    _, geometry = predict.prepare(image, PREPROCESS["detect"](64))
    boxes = np.array([[0.0, 31.0, 64.0, 33.0], [20.5, 30.0, 40.0, 34.0]])
    expected: Any = scale_boxes((64, 64), torch.tensor(boxes), (height, width))
    np.testing.assert_allclose(geometry.to_original(boxes), expected.numpy(), atol=1e-3)


def test_non_max_suppression_matches_torchvision() -> None:
    generator = np.random.default_rng(0)
    corners = generator.uniform(0, 50, (300, 2))
    boxes = np.concatenate([corners, corners + generator.uniform(5, 30, (300, 2))], axis=1)
    scores = generator.uniform(0, 1, 300)
    for iou in (0.3, 0.5, 0.7):
        expected = torchvision.ops.nms(torch.tensor(boxes), torch.tensor(scores), iou).numpy()
        np.testing.assert_array_equal(predict.non_max_suppression(boxes, scores, iou), expected)


def test_detect_keeps_classes_apart() -> None:
    """Two identical boxes of different classes both survive; a same-class duplicate goes."""
    output = np.zeros((4 + 2, 3))
    output[:4] = [[20, 20, 20], [20, 20, 21], [10, 10, 10], [10, 10, 10]]  # cx, cy, w, h
    output[4:] = [[0.9, 0.0, 0.8], [0.0, 0.6, 0.0]]  # anchor 2 duplicates anchor 0's class 0
    found = predict.detect(output, conf=0.25, iou=0.7, max_detections=10)
    assert found.classes.tolist() == [0, 1] and found.anchors.tolist() == [0, 1]
    np.testing.assert_allclose(found.scores, [0.9, 0.6])


def test_yolo_classifier_package_reproduces_ultralytics(classify_job: Job, tmp_path: Path) -> None:
    with zipfile.ZipFile(classify_job.output / "package.zip") as archive:
        archive.extractall(tmp_path)
    evaluation = classify_job.read_json("evaluation")
    dataset = classify_job.work_dir.parent / "data"
    predictor = import_predict(tmp_path).Predictor(tmp_path)
    for want in evaluation["predictions"]:
        top = predictor.predict(dataset / want["file"], topk=1)[0]
        assert top["label"] == want["predicted"], want["file"]
        assert top["probability"] == pytest.approx(want["confidence"], abs=1e-3), want["file"]
    parity = classify_job.result.parity
    assert parity["formats"]["onnx"]["agreement"] >= 0.995
    assert parity["pytorch_accuracy"] == pytest.approx(evaluation["accuracy"])
