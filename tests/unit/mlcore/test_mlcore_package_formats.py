"""Every packaged model format loads in predict.py and matches PyTorch, or export fails."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn

from mlcore.classify.data import ImageFolderSplit, read_classes
from mlcore.classify.evaluation import evaluate
from mlcore.classify.readme import classifier_facts
from mlcore.classify.report import write_classification_report
from mlcore.classify.transforms import EvalTransform
from mlcore.engines.outputs import judge
from mlcore.models.registry import arch_config
from mlcore.package import build as packaging
from mlcore.package.build import FORMAT_FILES, PackageInfo, PackageSource, build_package
from mlcore.package.export import ExportMismatch, save_checkpoint
from mlcore.package.parity import int8_gate
from mlcore.package.preprocess import preprocess_spec
from tests.unit.mlcore.test_mlcore_pipeline import (
    PARAMS,
    assert_package_reproduces,
    calibrated_model,
    import_predict,
    unzip,
)

pytestmark = pytest.mark.slow  # trains models

BACKENDS = ("onnx", "torch", "torchscript")  # onnx_int8 ships only through its gate
FP32 = ("onnx", "torchscript")


@dataclass
class Built:
    model: nn.Module
    classes: list[str]
    source: PackageSource
    evaluation: dict[str, Any]
    info: PackageInfo
    package: Path


@pytest.fixture(scope="module")
def built(flowers_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """A package of an image-dependent tiny model (no training needed)."""
    work = tmp_path_factory.mktemp("formats")
    classes = read_classes(flowers_dir)
    spec = preprocess_spec(PARAMS.image_size)
    model = calibrated_model(flowers_dir, classes, spec)
    checkpoint = work / "model.pt"
    save_checkpoint(model, arch_config(PARAMS.model, classes), checkpoint)
    val = ImageFolderSplit(flowers_dir, "val", classes, EvalTransform(spec))
    evaluation = evaluate(model, val, classes, 4, torch.device("cpu"))
    verdict = judge(evaluation, flowers_dir)
    figures = write_classification_report(evaluation, [], flowers_dir, work, verdict)
    source = PackageSource(
        checkpoint=checkpoint,
        classes=classes,
        spec=spec,
        images=[flowers_dir / file for file, _ in val.samples],
        labels=[label for _, label in val.samples],
        figures=[work / figures["training_curves"], work / figures["confusion_matrix"]],
        facts=classifier_facts(PARAMS, evaluation),
        verdict=verdict,
    )
    info = build_package(source, work / "pkg", work / "package.zip")
    return Built(model, classes, source, evaluation, info, unzip(info.path, work / "unzipped"))


def test_package_reproduces_an_image_dependent_model(built: Built, flowers_dir: Path) -> None:
    # A 1-epoch scratch model predicts nearly the same for every image, which would hide
    # a preprocessing mismatch; this model's outputs depend on the image.
    confidences = [p["confidence"] for p in built.evaluation["predictions"]]
    assert max(confidences) - min(confidences) > 1e-3, "model output does not depend on image"
    assert_package_reproduces(built.package, flowers_dir, built.evaluation)


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_backend_predicts(built: Built, flowers_dir: Path, backend: str) -> None:
    predictor = import_predict(built.package).Predictor(built.package, backend=backend)
    for want in built.evaluation["predictions"]:
        top = predictor.predict(flowers_dir / want["file"], topk=2)
        assert len(top) == 2 and {t["label"] for t in top} <= set(built.classes)
        assert 0 <= top[1]["probability"] <= top[0]["probability"] <= 1
        assert top[0]["label"] == want["predicted"], want["file"]
        assert top[0]["probability"] == pytest.approx(want["confidence"], abs=1e-4)


def test_parity_json(built: Built) -> None:
    parity = json.loads((built.package / "parity.json").read_text())
    assert parity == built.info.parity
    assert parity["images"] == len(built.source.images)
    assert parity["pytorch_accuracy"] == pytest.approx(built.evaluation["accuracy"])
    formats = parity["formats"]
    assert set(formats) == {"onnx", "torchscript", "onnx_int8"}
    for name, measured in formats.items():
        assert measured["shipped"] == (built.package / FORMAT_FILES[name]).is_file(), name
        assert 0 <= measured["agreement"] <= 1 and 0 <= measured["accuracy"] <= 1
        assert measured["max_abs_logit_diff"] >= 0 and 0 <= measured["max_abs_prob_diff"] <= 1
    assert all(formats[name]["agreement"] >= 0.995 for name in FP32)
    assert all(formats[name]["max_abs_prob_diff"] < 1e-4 for name in FP32)
    assert all(formats[name]["shipped"] for name in FP32)
    int8 = formats["onnx_int8"]
    assert int8["quantization"] in ("static_qdq", "dynamic")
    assert int8["shipped"] == (int8_gate(int8) is None)  # the gate, on what was measured
    readme = (built.package / "README.md").read_text()
    assert "## Parity with PyTorch" in readme
    shipped = [m["file"] for m in formats.values() if m["shipped"]]
    assert all(f"`{file}`" in readme for file in shipped)


def test_requirements_pin_lower_bounds(built: Built) -> None:
    onnx = (built.package / "requirements.txt").read_text().split()
    assert [line.split(">=")[0] for line in onnx] == ["onnxruntime", "numpy", "pillow"]
    torch_reqs = (built.package / "requirements-torch.txt").read_text().split()
    assert torch_reqs[0].startswith("torch>=") and all(">=" in line for line in torch_reqs)


def shuffled_classes(model: nn.Module) -> nn.Module:
    """A copy whose classifier rows are rolled by one: every top-1 answer changes."""
    wrong = copy.deepcopy(model)
    head = [m for m in wrong.modules() if isinstance(m, nn.Linear)][-1]
    with torch.no_grad():
        head.weight.copy_(head.weight.roll(1, dims=0))
        head.bias.copy_(head.bias.roll(1, dims=0))
    return wrong


@pytest.mark.parametrize("fmt", FP32)
def test_wrong_export_fails_loudly(
    built: Built, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fmt: str
) -> None:
    name = f"export_{fmt}"
    real_export = getattr(packaging, name)
    wrong = shuffled_classes(built.model)
    monkeypatch.setattr(
        packaging, name, lambda _model, sample, path, *rest: real_export(wrong, sample, path, *rest)
    )
    packaging.stage(built.source, tmp_path)
    with pytest.raises(ExportMismatch, match=rf"^{fmt}: agreement 0\.0000 < 0\.995"):
        packaging.export_formats(tmp_path, built.source)
