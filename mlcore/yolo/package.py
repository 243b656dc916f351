"""The YOLO model package: model.pt, labels, preprocessing, README and requirements, zipped."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

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
    (staging / "labels.json").write_text(json.dumps(classes, indent=2) + "\n", encoding="utf-8")
    (staging / "preprocess.json").write_text(
        json.dumps(preprocess, indent=2) + "\n", encoding="utf-8"
    )
    (staging / "README.md").write_text(readme, encoding="utf-8")
    (staging / "requirements.txt").write_text(requirements(), encoding="utf-8")
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(staging.iterdir()):
            archive.write(file, file.name)
    return zip_path
