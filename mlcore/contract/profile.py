"""What the defaults of every job kind depend on: a profile of the dataset (torch-free)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

from PIL import Image

from mlcore.package.runtime.predict import IMAGE_EXTENSIONS

SIZE_SAMPLE = 200  # images whose headers the folder profiler reads


@dataclass(frozen=True)
class DataProfile:
    """What the defaults depend on."""

    task: str
    train_images: int
    classes: int
    imbalance_ratio: float
    median_side: int

    @property
    def images_per_class(self) -> float:
        return self.train_images / max(self.classes, 1)

    @classmethod
    def from_report(cls, report: dict[str, Any]) -> DataProfile:
        """From a dataset version's health report."""
        task = report["task"]
        train = report["counts"]["train"]
        images = report.get("images_per_split", {}).get("train", sum(train.values()))
        sizes = report["image_sizes"]
        return cls(
            task=task,
            train_images=int(images),
            classes=len(train),
            imbalance_ratio=float(report.get("imbalance_ratio", 1.0)),
            median_side=int(min(sizes["width"]["median"], sizes["height"]["median"])),
        )

    @classmethod
    def from_dir(cls, dataset_dir: Path) -> DataProfile:
        """From a dataset folder as the worker receives it (manifest.json + images)."""
        manifest = json.loads((dataset_dir / "manifest.json").read_text(encoding="utf-8"))
        classes: list[str] = manifest["classes"]
        task = manifest.get("task", "classify")
        root = dataset_dir / ("images/train" if task == "detect" else "train")
        files = sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_EXTENSIONS)
        per_class = [
            sum(1 for _ in (root / name).glob("*")) for name in classes if (root / name).is_dir()
        ]
        sides = []
        for path in files[:: max(len(files) // SIZE_SAMPLE, 1)]:
            with Image.open(path) as image:
                sides.append(min(image.size))
        return cls(
            task=task,
            train_images=len(files),
            classes=len(classes),
            imbalance_ratio=max(per_class) / max(min(per_class), 1) if per_class else 1.0,
            median_side=int(median(sides)) if sides else 0,
        )


def by_size(table: tuple[tuple[float, ...], ...], value: float) -> tuple[float, ...]:
    """The first row of a defaults table whose bound (its first entry) `value` is within."""
    return next(row for row in table if value <= row[0])
