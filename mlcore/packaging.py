"""Model package: weights in every deployed format, parity, labels, predict.py, README."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader

from mlcore.data import ImageFolderSplit
from mlcore.export import OPSET, export_onnx, export_torchscript
from mlcore.outputs import write_json, zip_flat
from mlcore.package_template.predict import BACKENDS
from mlcore.parity import Runner, check_fp32_parity, measure_parity
from mlcore.plots import package_report_png
from mlcore.quantize import quantize_int8
from mlcore.readme import render_readme
from mlcore.spec import TrainConfig
from mlcore.training import TrainOutcome

TEMPLATE_DIR = Path(__file__).with_name("package_template")
PREDICT_TEMPLATE = TEMPLATE_DIR / "predict.py"
# copied into every package as they are: the CLI/Predictor and the starter snippets using it
TEMPLATE_FILES = ("predict.py", "serve.py", "batch_predict.py")
REQUIREMENTS = {
    "requirements.txt": ("onnxruntime", "numpy", "pillow"),
    "requirements-torch.txt": ("torch", "torchvision", "numpy", "pillow"),
    "requirements-serve.txt": (
        "fastapi",
        "uvicorn",
        "python-multipart",
        "onnxruntime",
        "numpy",
        "pillow",
    ),
}
FORMAT_FILES = {
    "onnx": "model.onnx",
    "torchscript": "model.torchscript",
    "onnx_int8": "model_int8.onnx",
}
SAMPLE_IMAGES = 8  # the trace / export example batch
CALIBRATION_IMAGES = 64
BATCH_SIZE = 32


@dataclass(frozen=True)
class PackageInfo:
    """The written zip and what export parity measured."""

    path: Path
    onnx_max_abs_diff: float
    opset: int
    parity: dict[str, Any]


def requirement_line(name: str) -> str:
    """`name>=major.minor` as installed where the package was built; bare `name` if absent."""
    try:
        installed = version(name)
    except PackageNotFoundError:
        return f"{name}\n"
    return f"{name}>={'.'.join(installed.split('.')[:2])}\n"


def requirement_lines(packages: tuple[str, ...]) -> str:
    """One `requirement_line` per package."""
    return "".join(requirement_line(name) for name in packages)


def _images(val_set: ImageFolderSplit, count: int, batch_size: int) -> list[np.ndarray]:
    loader = DataLoader(torch.utils.data.Subset(val_set, range(count)), batch_size=batch_size)
    return [images.numpy() for images, _ in loader]


def _quantize(staging: Path, val_set: ImageFolderSplit) -> tuple[dict[str, Any], Runner | None]:
    """model_int8.onnx and its runner, or the reason it could not be made (file removed)."""
    target = staging / FORMAT_FILES["onnx_int8"]
    calibration = _images(val_set, min(CALIBRATION_IMAGES, len(val_set)), SAMPLE_IMAGES)
    try:
        method = quantize_int8(staging / FORMAT_FILES["onnx"], target, calibration)
        return {"quantization": method}, BACKENDS["onnx_int8"](staging)
    except Exception as error:  # INT8 is optional: record why, keep exporting
        target.unlink(missing_ok=True)
        return {"quantization": None, "error": f"{type(error).__name__}: {error}"}, None


def export_formats(
    outcome: TrainOutcome, val_set: ImageFolderSplit, staging: Path
) -> dict[str, Any]:
    """Write every model format into `staging`; their parity with PyTorch on all of `val_set`.

    Raises ExportMismatch when an fp32 format's top-1 agreement is below 99.5 %.
    """
    sample = torch.from_numpy(_images(val_set, min(SAMPLE_IMAGES, len(val_set)), SAMPLE_IMAGES)[0])
    export_onnx(outcome.model, sample, staging / FORMAT_FILES["onnx"])
    export_torchscript(outcome.model, sample, staging / FORMAT_FILES["torchscript"])
    runners = {name: BACKENDS[name](staging) for name in ("onnx", "torchscript")}
    int8, int8_runner = _quantize(staging, val_set)
    if int8_runner is not None:
        runners["onnx_int8"] = int8_runner
    parity = measure_parity(outcome.model, runners, DataLoader(val_set, batch_size=BATCH_SIZE))
    formats = parity["formats"]
    formats["onnx_int8"] = {**formats.get("onnx_int8", {}), **int8}
    for name, entry in formats.items():
        entry["file"] = FORMAT_FILES[name] if name in runners else None
    check_fp32_parity(parity)
    return parity


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
    parity = export_formats(outcome, val_set, staging)
    spec = {**outcome.spec, "opset": OPSET}

    shutil.copyfile(outcome.checkpoint, staging / "model.pt")
    for name in TEMPLATE_FILES:
        shutil.copyfile(TEMPLATE_DIR / name, staging / name)
    write_json(staging / "labels.json", outcome.classes)
    write_json(staging / "preprocess.json", spec)
    write_json(staging / "parity.json", parity)
    for name, packages in REQUIREMENTS.items():
        (staging / name).write_text(requirement_lines(packages), encoding="utf-8")
    package_report_png(
        outcome.history, evaluation["confusion_matrix"], outcome.classes, staging / "report.png"
    )
    readme = render_readme(params, evaluation, spec, parity)
    (staging / "README.md").write_text(readme, encoding="utf-8")

    onnx_diff = parity["formats"]["onnx"]["max_abs_logit_diff"]
    return PackageInfo(zip_flat(staging, zip_path), onnx_diff, OPSET, parity)
