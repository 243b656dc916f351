"""Model package: weights in every deployed format, parity, labels, predict.py, README."""

from __future__ import annotations

import shlex
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import torch

from mlcore.contract.results import ARTIFACTS, write_json
from mlcore.contract.verdict import Verdict
from mlcore.package.export import OPSET, export_onnx, export_torchscript
from mlcore.package.markdown import md_code, md_code_block, md_text
from mlcore.package.notices import NOTICE_FILE, notice_text
from mlcore.package.parity import (
    INT8_FORMATS,
    Batch,
    Runner,
    check_fp32_parity,
    int8_gate,
    measure_parity,
)
from mlcore.package.plots import package_report_png, warning_text
from mlcore.package.quantize import quantize_int8
from mlcore.package.readme import ReadmeFacts, render_readme
from mlcore.package.runtime.predict import (
    BACKEND_FILES,
    BACKENDS,
    Predictor,
    load_image,
    load_model,
    preprocess,
    torch_runner,
)

RUNTIME_DIR = Path(__file__).with_name("runtime")
# copied into every package as they are: the CLI/Predictor and the starter snippets using it
RUNTIME_FILES = ("predict.py", "serve.py", "batch_predict.py")
NETWORK_FILES = {"konstruktor_nas": ("nas_network.py",)}  # by checkpoint: code load_model runs
ONNX_RUNTIME = ("onnxruntime", "numpy", "pillow")
SERVE = ("fastapi", "uvicorn", "python-multipart")
# what rebuilds model.pt for the torch backend, by preprocess.json's "checkpoint"
TORCH_PACKAGES = {
    "torchvision": ("torch", "torchvision"),
    "ultralytics": ("ultralytics",),
    "konstruktor_nas": ("torch",),
}
EXACT_PINS = frozenset({"ultralytics"})  # the checkpoint format changes between releases
FORMAT_FILES = {name: BACKEND_FILES[name] for name in ("onnx", "torchscript", "onnx_int8")}
OUTPUT_NAMES = {"classify": "logits", "detect": "predictions"}
SAMPLE_IMAGES = 8  # the trace / export example batch
CALIBRATION_IMAGES = 64
BATCH_SIZE = 32


@dataclass(frozen=True)
class PackageSource:
    """What a trained model's package is made from."""

    checkpoint: Path  # model.pt as the engine wrote it
    classes: list[str]
    spec: dict[str, Any]  # preprocess.json (the opset is added here)
    images: list[Path]  # validation images: parity and INT8 calibration
    labels: list[int] | None  # their class indices (classification), None for detection
    figures: list[Path]  # joined side by side into report.png
    facts: ReadmeFacts
    verdict: Verdict  # the model against the baseline: README and report.png say it first


@dataclass(frozen=True)
class PackageInfo:
    """The written zip and what export parity measured."""

    path: Path
    opset: int
    parity: dict[str, Any]

    @property
    def warnings(self) -> list[str]:
        """What the job should warn about: each format left out of the package, and why."""
        return list(self.parity["warnings"])


def requirement_line(name: str) -> str:
    """`name>=major.minor` as installed where the package was built (`==` for exact pins)."""
    try:
        installed = version(name)
    except PackageNotFoundError:
        return f"{name}\n"
    if name in EXACT_PINS:
        return f"{name}=={installed}\n"
    return f"{name}>={'.'.join(installed.split('.')[:2])}\n"


def requirement_lines(packages: tuple[str, ...]) -> str:
    """One `requirement_line` per package."""
    return "".join(requirement_line(name) for name in packages)


def requirements(checkpoint: str) -> dict[str, str]:
    """requirements*.txt: ONNX Runtime backends, torch backends, the HTTP starter service."""
    return {
        "requirements.txt": requirement_lines(ONNX_RUNTIME),
        "requirements-torch.txt": requirement_lines(
            (*TORCH_PACKAGES[checkpoint], "numpy", "pillow")
        ),
        "requirements-serve.txt": requirement_lines((*SERVE, *ONNX_RUNTIME)),
    }


def batches(
    source: PackageSource, limit: int | None = None, size: int = BATCH_SIZE
) -> Iterator[Batch]:
    """Preprocessed validation images (with predict.py's own preprocessing) and their labels."""
    count = len(source.images) if limit is None else min(limit, len(source.images))
    for start in range(0, count, size):
        chunk = source.images[start : min(start + size, count)]
        inputs = np.stack([preprocess(load_image(path), source.spec) for path in chunk])
        labels = (
            None if source.labels is None else np.asarray(source.labels[start : start + len(chunk)])
        )
        yield inputs, labels


def spread(source: PackageSource, count: int = CALIBRATION_IMAGES) -> PackageSource:
    """At most `count` validation images evenly spaced over the list (which is sorted class
    by class), so calibration sees every class rather than the first one or two."""
    step = max(1, len(source.images) // count)
    labels = None if source.labels is None else source.labels[::step][:count]
    return replace(source, images=source.images[::step][:count], labels=labels)


def _quantize(staging: Path, source: PackageSource) -> tuple[dict[str, Any], Runner | None]:
    """model_int8.onnx and its runner, or the reason it could not be made (file removed)."""
    target = staging / FORMAT_FILES["onnx_int8"]
    calibration = [inputs for inputs, _ in batches(spread(source), size=SAMPLE_IMAGES)]
    try:
        method = quantize_int8(staging / FORMAT_FILES["onnx"], target, calibration)
        return {"quantization": method}, BACKENDS["onnx_int8"](staging)
    except Exception as error:  # INT8 is optional: record why, keep exporting
        target.unlink(missing_ok=True)
        return {
            "quantization": None,
            "reason": f"quantisation failed: {type(error).__name__}: {error}",
        }, None


def ship(staging: Path, parity: dict[str, Any]) -> None:
    """Mark each format shipped or not: an INT8 format failing `int8_gate` is left out (its
    file removed), with the reason in its entry and in parity["warnings"]."""
    formats = parity["formats"]
    for name in INT8_FORMATS:
        reason = None if "reason" in formats[name] else int8_gate(formats[name])
        if reason is not None:
            formats[name]["reason"] = f"failed the INT8 gate: {reason}"
    for name, entry in formats.items():
        entry["shipped"] = "reason" not in entry
        entry["file"] = FORMAT_FILES[name] if entry["shipped"] else None
        if not entry["shipped"]:
            (staging / FORMAT_FILES[name]).unlink(missing_ok=True)
    parity["warnings"] = [
        f"{name} ({FORMAT_FILES[name]}) not shipped: {entry['reason']}"
        for name, entry in formats.items()
        if not entry["shipped"]
    ]


def export_formats(staging: Path, source: PackageSource) -> dict[str, Any]:
    """Write every model format into `staging` from the package's own `load_model`; their
    parity with it on all validation images. Raises ExportMismatch when an fp32 format
    agrees below 99.5 %; leaves out an INT8 format that fails its gate (`ship`)."""
    model = load_model(staging)
    sample = torch.from_numpy(next(batches(source, SAMPLE_IMAGES, SAMPLE_IMAGES))[0])
    output_name = OUTPUT_NAMES[source.spec["task"]]
    export_onnx(model, sample, staging / FORMAT_FILES["onnx"], output_name)
    export_torchscript(model, sample, staging / FORMAT_FILES["torchscript"])
    runners = {name: BACKENDS[name](staging) for name in ("onnx", "torchscript")}
    int8, int8_runner = _quantize(staging, source)
    if int8_runner is not None:
        runners["onnx_int8"] = int8_runner
    parity = measure_parity(source.spec, torch_runner(model), runners, batches(source))
    formats = parity["formats"]
    formats["onnx_int8"] = {**formats.get("onnx_int8", {}), **int8}
    check_fp32_parity(parity)
    ship(staging, parity)
    return parity


def stage(source: PackageSource, staging: Path) -> dict[str, Any]:
    """A fresh `staging` with what `load_model` and predict.py read; returns preprocess.json."""
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    spec = {**source.spec, "opset": OPSET}
    shutil.copyfile(source.checkpoint, staging / "model.pt")
    for name in (*RUNTIME_FILES, *NETWORK_FILES.get(spec["checkpoint"], ())):
        shutil.copyfile(RUNTIME_DIR / name, staging / name)
    write_json(staging / "labels.json", source.classes)
    write_json(staging / "preprocess.json", spec)
    return spec


def example_run(staging: Path, source: PackageSource) -> str:
    """The packaged predict.py's output for the first validation image, for the README;
    shown as the output's format only, not as a result, when the model is no better than
    the baseline."""
    image = source.images[0]
    predictor = Predictor(staging)
    lines = predictor.task.lines(predictor.predict(image))
    label = None if source.labels is None else source.classes[source.labels[0]]
    truth = "" if label is None else f" (true class: {md_text(label)})"
    output = "\n".join([f"$ python predict.py {shlex.quote(image.name)}", image.name, *lines])
    name = md_code(image.name)
    caption = (
        f"Example, on validation image {name}{truth}:"
        if source.verdict.better
        else "The output's format only, not a result (this model is no better than the "
        f"baseline, see the warning at the top; validation image {name}{truth}):"
    )
    return f"{caption}\n\n{md_code_block(output)}"


def zip_flat(staging: Path, zip_path: Path) -> Path:
    """Zip the files of `staging` (no folders) into `zip_path`, in name order."""
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(staging.iterdir()):
            archive.write(file, arcname=file.name)
    return zip_path


def build_package(source: PackageSource, staging: Path, zip_path: Path) -> PackageInfo:
    """Assemble the package in `staging` and zip its files (flat) into `zip_path`."""
    spec = stage(source, staging)
    parity = export_formats(staging, source)
    write_json(staging / "parity.json", parity)
    write_json(zip_path.with_name(ARTIFACTS["parity"]), parity)  # a job output of its own
    for name, text in requirements(spec["checkpoint"]).items():
        (staging / name).write_text(text, encoding="utf-8")
    package_report_png(source.figures, staging / "report.png", warning_text(source.verdict))
    example = example_run(staging, source)
    readme = render_readme(source.facts, spec, parity, example, source.verdict)
    (staging / "README.md").write_text(readme, encoding="utf-8")
    notice = notice_text(source.facts.origin, spec["checkpoint"])
    (staging / NOTICE_FILE).write_text(notice, encoding="utf-8")
    return PackageInfo(zip_flat(staging, zip_path), OPSET, parity)
