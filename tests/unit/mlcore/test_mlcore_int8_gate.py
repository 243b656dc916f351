"""INT8 ships only through its gate (agreement with PyTorch >= 98 % and at most one point of
accuracy lost, on the validation images): a copy that fails is left out of the package, with
the reason in parity.json, the README and the build's warnings; the quantiser keeps the
output tail float, so a detector's scores survive quantisation."""

from __future__ import annotations

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
from torch import nn

from mlcore.engines.base import EngineRequest
from mlcore.engines.registry import run_job
from mlcore.package import build as packaging
from mlcore.package.build import PackageInfo, batches, spread
from mlcore.package.export import export_onnx
from mlcore.package.parity import (
    MAX_INT8_ACCURACY_DROP,
    MIN_INT8_AGREEMENT,
    ClassifyParity,
    int8_gate,
    measure_parity,
)
from mlcore.package.quantize import quantize_int8
from mlcore.package.runtime.predict import load_model, onnx_session, torch_runner
from tests.support.configs import tiny_config
from tests.support.package import INT8_FILE as INT8
from tests.support.paths import image_folder_subset
from tests.unit.mlcore import test_mlcore_package_formats as formats
from tests.unit.mlcore import test_yolo_package as yolo_package
from tests.unit.mlcore.test_mlcore_pipeline import import_predict

Built = formats.Built
built = formats.built  # the same module-scoped fixture: a package of an image-dependent model


def test_the_gate_passes_at_its_thresholds_and_fails_just_beyond_them() -> None:
    at_limits = {"agreement": MIN_INT8_AGREEMENT, "accuracy_drop": MAX_INT8_ACCURACY_DROP}
    assert int8_gate(at_limits) is None
    low = int8_gate({"agreement": 0.9795, "accuracy_drop": -0.002})
    assert low is not None and "97.95%" in low and ">= 98%" in low and "-0.20 points" in low
    lossy = int8_gate({"agreement": 1.0, "accuracy_drop": 0.0105})
    assert lossy is not None and "1.05 points (allowed <= 1)" in lossy


def test_a_detector_is_gated_on_its_box_agreement() -> None:
    assert int8_gate({"agreement": 0.99, "boxes": 120}) is None
    reason = int8_gate({"agreement": 0.5, "boxes": 120})
    assert reason is not None and "50.00%" in reason and "accuracy" not in reason


def one_hot(classes: np.ndarray) -> np.ndarray:
    return np.eye(10)[classes] * 5.0


def test_twenty_images_lost_of_two_thousand_are_exactly_one_point() -> None:
    labels = np.arange(2000) % 10
    pytorch = np.where(np.arange(2000) < 1000, labels, (labels + 1) % 10)  # right on 1000
    copy = pytorch.copy()
    copy[:20] = (labels[:20] + 1) % 10  # wrong on 20 more
    measured = ClassifyParity({})
    measured.add(one_hot(pytorch), one_hot(copy), labels)
    result = measured.result()
    assert result["agreement"] == 0.99 and result["accuracy_drop"] == MAX_INT8_ACCURACY_DROP
    assert int8_gate(result) is None


@dataclass
class Packaged:
    info: PackageInfo
    names: set[str]
    package: Path

    @property
    def int8(self) -> dict[str, Any]:
        entry: dict[str, Any] = self.info.parity["formats"]["onnx_int8"]
        return entry

    def text(self, name: str) -> str:
        return (self.package / name).read_text(encoding="utf-8")

    def help(self) -> str:
        """predict.py --help run in the package."""
        return subprocess.run(
            [sys.executable, "predict.py", "--help"],
            cwd=self.package,
            capture_output=True,
            text=True,
            check=True,
        ).stdout


def package_with_int8(built: Built, root: Path, int8_model: nn.Module) -> Packaged:
    """The package built with `quantize_int8` replaced by an export of `int8_model`."""

    def stand_in(source: Path, target: Path, calibration: list[np.ndarray]) -> str:
        export_onnx(int8_model, torch.from_numpy(calibration[0]), target, "logits")
        return "static_qdq"

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(packaging, "quantize_int8", stand_in)
        info = packaging.build_package(built.source, root / "staging", root / "package.zip")
    with zipfile.ZipFile(info.path) as archive:
        archive.extractall(root / "package")
        return Packaged(info, set(archive.namelist()), root / "package")


@pytest.fixture(scope="module")
def failing(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Packaged:
    """INT8 that answers another class for every image."""
    return package_with_int8(
        built, tmp_path_factory.mktemp("failing"), formats.shuffled_classes(built.model)
    )


@pytest.fixture(scope="module")
def passing(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Packaged:
    """INT8 that is the model itself."""
    return package_with_int8(built, tmp_path_factory.mktemp("passing"), built.model)


@pytest.mark.slow
def test_an_int8_copy_that_fails_its_gate_is_not_shipped(failing: Packaged) -> None:
    int8 = failing.int8
    assert int8["agreement"] < MIN_INT8_AGREEMENT  # measured on the validation images
    assert INT8 not in failing.names and not (failing.info.path.parent / "staging" / INT8).exists()
    assert int8["shipped"] is False and int8["file"] is None
    assert f"agreement with PyTorch {int8['agreement']:.2%} (needs >= 98%)" in int8["reason"]
    assert f"accuracy drop {int8['accuracy_drop'] * 100:.2f} points" in int8["reason"]
    assert json.loads(failing.text("parity.json")) == failing.info.parity
    assert failing.info.warnings == [f"onnx_int8 ({INT8}) not shipped: {int8['reason']}"]


@pytest.mark.slow
def test_the_package_offers_no_backend_it_lacks(failing: Packaged) -> None:
    readme = failing.text("README.md")
    assert failing.int8["reason"] in readme and "slightly less exact" not in readme
    assert (
        "--backend onnx_int8" not in readme and "ONNX Runtime backends: onnx (default)\n" in readme
    )
    assert "onnx_int8 (not shipped)" in readme  # its measures stay in the parity table
    assert "onnx_int8" not in failing.help() and "torchscript" in failing.help()
    predict = import_predict(failing.package)
    with pytest.raises(ValueError, match="'onnx_int8' is not in this package"):
        predict.Predictor(failing.package, backend="onnx_int8")


@pytest.mark.slow
def test_an_int8_copy_that_passes_its_gate_ships(passing: Packaged, built: Built) -> None:
    int8 = passing.int8
    assert (
        int8["agreement"] >= MIN_INT8_AGREEMENT and int8["accuracy_drop"] <= MAX_INT8_ACCURACY_DROP
    )
    assert INT8 in passing.names and int8["shipped"] is True and int8["file"] == INT8
    assert passing.info.warnings == [] and "reason" not in int8
    readme = passing.text("README.md")
    assert "--backend onnx_int8" in readme and "backends: onnx (default), onnx_int8\n" in readme
    assert "onnx_int8" in passing.help()
    predict = import_predict(passing.package)
    image = built.source.images[0]
    int8_top = predict.Predictor(passing.package, backend="onnx_int8").predict(image, topk=1)
    onnx_top = predict.Predictor(passing.package).predict(image, topk=1)
    assert int8_top[0]["label"] == onnx_top[0]["label"]
    assert int8_top[0]["probability"] == pytest.approx(onnx_top[0]["probability"], abs=1e-5)


# --- the real quantiser on real trained models

CIFAR_CLASSES = ["airplane", "frog", "truck"]


@pytest.mark.slow
def test_a_trained_classifier_ships_int8_that_agrees(tmp_path: Path) -> None:
    data = image_folder_subset(
        "cifar10_small.zip", "", CIFAR_CLASSES, {"train": 300, "val": 100}, tmp_path / "data"
    )
    config = tiny_config(model="resnet18", epochs=8, batch_size=32, learning_rate=0.05)
    result = run_job(EngineRequest(config, data, tmp_path / "work", lambda event: None))
    assert result.metrics["accuracy"] > 0.5, result.metrics  # learnt (chance: 1 in 3)
    int8 = result.parity["formats"]["onnx_int8"]
    assert int8["quantization"] == "static_qdq" and int8["shipped"] is True, int8
    assert int8["agreement"] >= MIN_INT8_AGREEMENT, int8
    assert result.parity["warnings"] == []  # the job's result carries the build's warnings


detector = yolo_package.detector  # a packaged detector whose boxes depend on the image


@pytest.mark.slow
def test_a_detectors_scores_survive_quantisation(
    detector: yolo_package.Detector, tmp_path: Path
) -> None:
    # its output puts box pixels and class scores in one tensor: quantised with one scale,
    # every score of about 0.05 became 0 (the quantiser before its output tail stayed float)
    source = detector.source
    calibration = [inputs for inputs, _ in batches(spread(source), size=packaging.SAMPLE_IMAGES)]
    before = tmp_path / "before.onnx"
    quantize_int8(detector.package / "model.onnx", before, calibration, float_tail=False)
    reference = torch_runner(load_model(detector.package))
    measured = measure_parity(
        source.spec, reference, {"before": onnx_session(before)}, batches(source)
    )
    old = measured["formats"]["before"]
    new = detector.info.parity["formats"]["onnx_int8"]
    assert old["boxes"] == new["boxes"] > 10 * len(detector.images)
    assert old["after_nms"]["matched"] == 0 < new["after_nms"]["matched"], (old, new)
    assert new["max_abs_score_diff"] < 0.1 * old["max_abs_score_diff"], (old, new)
    assert new["agreement"] > old["agreement"], (old, new)
