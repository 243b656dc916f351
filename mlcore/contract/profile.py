"""What the defaults of every job kind depend on: a profile of the dataset (torch-free)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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


def by_size(table: tuple[tuple[float, ...], ...], value: float) -> tuple[float, ...]:
    """The first row of a defaults table whose bound (its first entry) `value` is within."""
    return next(row for row in table if value <= row[0])
