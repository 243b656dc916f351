"""The YOLO catalog entries (YOLO11 classify and detect, YOLOv8 and YOLO26 classify): names,
facts, quiet builds and measured metadata."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from mlcore.models.catalog import describe
from mlcore.models.registry import get_architecture, list_models

# isort: split
from ultralytics.nn.tasks import ClassificationModel, DetectionModel
from ultralytics.utils.downloads import GITHUB_ASSETS_NAMES

EXPECTED = {  # name: (family, year, task, published size, published classes)
    **{f"yolo11{s}-cls": ("yolo11", 2024, "classify", 224, 1000) for s in "nsmlx"},
    **{f"yolo11{s}": ("yolo11", 2024, "detect", 640, 80) for s in "nsmlx"},
    **{f"yolov8{s}-cls": ("yolov8", 2023, "classify", 224, 1000) for s in "nsmlx"},
    **{f"yolo26{s}-cls": ("yolo26", 2025, "classify", 224, 1000) for s in "nsmlx"},
}


@pytest.fixture(scope="module")
def described() -> dict[str, dict[str, Any]]:
    names = ("yolo11n-cls", "yolo11s-cls", "yolo11n", "yolo11s")
    return {name: describe(get_architecture(name)) for name in names}


def test_every_yolo_entry_is_registered_with_its_facts() -> None:
    assert {name for name in list_models() if name.startswith("yolo")} == set(EXPECTED)
    for name, (version, year, task, size, classes) in EXPECTED.items():
        arch = get_architecture(name)
        family = arch.family
        assert (family.name, family.task, family.engine, family.source) == (
            version,
            task,
            "ultralytics",
            "ultralytics",
        )
        assert (family.year, family.licence) == (year, "AGPL-3.0")
        assert (arch.default_image_size, arch.published_classes) == (size, classes)
        assert arch.builder == f"{name}.yaml"
        assert arch.weights_file == f"{name}.pt"
        assert arch.weights_file in GITHUB_ASSETS_NAMES, "an asset ultralytics publishes"
        url = arch.weights_url or ""
        assert url.startswith("https://github.com/ultralytics/assets/releases/")
        assert url.endswith(f"/{arch.weights_file}")
        assert arch.published() == {}


def test_build_gives_the_asked_classes_quietly(capfd: pytest.CaptureFixture[str]) -> None:
    classifier = get_architecture("yolo11n-cls").build(7)
    detector: Any = get_architecture("yolo11n").build(5)  # an ultralytics DetectionModel
    out, err = capfd.readouterr()
    assert "summary" not in out + err and "Overriding" not in out + err
    assert detector.yaml["nc"] == 5 and detector.model[-1].nc == 5  # the Detect head
    assert isinstance(classifier, ClassificationModel) and isinstance(detector, DetectionModel)
    with torch.inference_mode():
        probabilities, _ = classifier.eval()(torch.zeros(1, 3, 64, 64))  # (softmax, logits)
    assert probabilities.shape == (1, 7)
    assert probabilities.sum().item() == pytest.approx(1.0)


def test_measured_metadata_is_plausible(described: dict[str, dict[str, Any]]) -> None:
    for small, larger in (("yolo11n-cls", "yolo11s-cls"), ("yolo11n", "yolo11s")):
        assert described[small]["params"] < described[larger]["params"]
        assert described[small]["gflops"] < described[larger]["gflops"]
    for name, entry in described.items():
        assert entry["gflops"] > 0, name
        assert entry["residual_connections"] > 0, name
        assert entry["concat_connections"] > 0, name
        assert entry["normalisation"] == ["batch"], name
        assert entry["depth"] > 20, name
    assert described["yolo11n"]["gflops"] > described["yolo11n-cls"]["gflops"]
    assert (described["yolo11n"]["task"], described["yolo11n-cls"]["task"]) == (
        "detect",
        "classify",
    )
