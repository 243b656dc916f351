"""The defaults' data profile of a dataset folder as a job receives it (manifest.json and
images), for runs without the service's health report: the CLI and the benchmarks."""

from __future__ import annotations

import json
from pathlib import Path
from statistics import median

from PIL import Image

from mlcore.contract.profile import DataProfile
from mlcore.package.runtime.predict import IMAGE_EXTENSIONS

SIZE_SAMPLE = 200  # images whose headers the folder profiler reads


def class_counts(folder: Path, classes: list[str]) -> list[int]:
    """Images in each class's subfolder of `folder`, in class order (0 where it has none)."""
    return [
        sum(1 for path in (folder / name).glob("*") if path.suffix.lower() in IMAGE_EXTENSIONS)
        for name in classes
    ]


def profile_folder(dataset_dir: Path) -> DataProfile:
    """What `DataProfile.from_report` reads from a health report, measured on the folder."""
    manifest = json.loads((dataset_dir / "manifest.json").read_text(encoding="utf-8"))
    classes: list[str] = manifest["classes"]
    task = manifest.get("task", "classify")
    root = dataset_dir / ("images/train" if task == "detect" else "train")
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_EXTENSIONS)
    per_class = [count for count in class_counts(root, classes) if count]
    sides = []
    for path in files[:: max(len(files) // SIZE_SAMPLE, 1)]:
        with Image.open(path) as image:
            sides.append(min(image.size))
    return DataProfile(
        task=task,
        train_images=len(files),
        classes=len(classes),
        imbalance_ratio=max(per_class) / max(min(per_class), 1) if per_class else 1.0,
        median_side=int(median(sides)) if sides else 0,
    )
