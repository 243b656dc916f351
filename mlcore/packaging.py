"""Model package: model.pt, verified model.onnx, labels, preprocessing, predict.py, README."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from mlcore.data import ImageFolderSplit
from mlcore.export import OPSET, export_onnx, verify_onnx
from mlcore.outputs import write_json, zip_flat
from mlcore.readme import render_readme
from mlcore.spec import TrainConfig
from mlcore.training import TrainOutcome

PREDICT_TEMPLATE = Path(__file__).with_name("package_template") / "predict.py"
REQUIREMENTS = {
    "requirements.txt": "onnxruntime\nnumpy\npillow\n",
    "requirements-torch.txt": "torch\ntorchvision\nnumpy\npillow\n",
}
VERIFY_IMAGES = 8


@dataclass(frozen=True)
class PackageInfo:
    """The written zip and what export verification measured."""

    path: Path
    onnx_max_abs_diff: float
    opset: int


def build_package(
    outcome: TrainOutcome,
    params: TrainConfig,
    evaluation: dict[str, Any],
    val_set: ImageFolderSplit,
    staging: Path,
    zip_path: Path,
) -> PackageInfo:
    """Assemble the package in `staging` and zip its files (flat) into `zip_path`."""
    staging.mkdir(parents=True, exist_ok=True)
    batch = torch.stack([val_set[i][0] for i in range(min(VERIFY_IMAGES, len(val_set)))])
    onnx_path = staging / "model.onnx"
    export_onnx(outcome.model, batch, onnx_path)
    max_abs_diff = verify_onnx(onnx_path, outcome.model, batch)
    spec = {**outcome.spec, "opset": OPSET}

    shutil.copyfile(outcome.checkpoint, staging / "model.pt")
    shutil.copyfile(PREDICT_TEMPLATE, staging / "predict.py")
    write_json(staging / "labels.json", outcome.classes)
    write_json(staging / "preprocess.json", spec)
    for name, text in REQUIREMENTS.items():
        (staging / name).write_text(text, encoding="utf-8")
    readme = render_readme(params, evaluation, spec, max_abs_diff)
    (staging / "README.md").write_text(readme, encoding="utf-8")

    return PackageInfo(zip_flat(staging, zip_path), max_abs_diff, OPSET)
