"""The YOLO model package: model.pt, labels, preprocessing, README and requirements, zipped."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from mlcore.outputs import write_json, zip_flat
from mlcore.yolo import offline  # noqa: F401  (configures ultralytics before its import)

# isort: split
import ultralytics


def requirements() -> str:
    """requirements.txt: the ultralytics release that trained the model."""
    return f"ultralytics=={ultralytics.__version__}\n"


def build_package(
    weights: Path,
    classes: list[str],
    preprocess: dict[str, Any],
    readme: str,
    staging: Path,
    zip_path: Path,
) -> Path:
    """Assemble the package in `staging` and zip its files (flat) into `zip_path`."""
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    shutil.copyfile(weights, staging / "model.pt")
    write_json(staging / "labels.json", classes)
    write_json(staging / "preprocess.json", preprocess)
    (staging / "README.md").write_text(readme, encoding="utf-8")
    (staging / "requirements.txt").write_text(requirements(), encoding="utf-8")
    return zip_flat(staging, zip_path)
