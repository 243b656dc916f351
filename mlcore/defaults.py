"""Training defaults chosen from the data: every blank in TrainParams gets a value here.

Torch-free: the API resolves a job's configuration at submission from the dataset
version's health report, so the job record shows exactly what will run; the CLI profiles
a dataset folder instead. A user's explicit value always wins.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from math import inf
from pathlib import Path
from statistics import median
from typing import Any

from PIL import Image

from mlcore.catalog import ModelInfo
from mlcore.package_template.predict import IMAGE_EXTENSIONS
from mlcore.spec import (
    BLACKBOX_SEARCHES,
    SearchConfig,
    SearchParams,
    TrainConfig,
    TrainParams,
)

STRIDE = 32  # image sizes are multiples of the networks' largest stride
SMALLEST_SHARE = 0.5  # never below half the model's own size: deep nets need pixels
# (most training images, epochs from scratch, epochs when starting from weights)
EPOCHS = ((500, 40, 20), (5_000, 30, 15), (20_000, 20, 10), (inf, 12, 6))
# (largest image side, batch size)
BATCH = ((64, 128), (160, 64), (320, 32), (640, 16), (inf, 8))
# engine -> (learning rate from scratch, learning rate when starting from weights)
LEARNING_RATE = {"classifier": (1e-3, 3e-4), "ultralytics": (1e-3, 5e-4)}
STRONG_AUGMENTATION_BELOW = 100  # training images per class
IMBALANCE_FOR_LOSS_WEIGHTS = 3.0  # largest / smallest class
EARLY_STOPPING_FROM_EPOCHS = 20
LABEL_SMOOTHING = {"classifier": 0.1, "ultralytics": 0.0}  # by engine: ultralytics has none
LOSS_WEIGHTS_ENGINES = frozenset({"classifier"})  # engines that weight the loss by class
SIZE_SAMPLE = 200  # images whose headers the folder profiler reads
# (most training images, search epochs, retraining epochs) of a neural architecture search
SEARCH_EPOCHS = ((500, 30, 60), (5_000, 20, 40), (20_000, 15, 30), (inf, 10, 20))
SEARCH_IMAGE_SIZE = 32  # cell networks are searched and trained small
CANDIDATE_EPOCHS = 2  # black-box searches: a short training ranks candidates


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


def _first(table: tuple[tuple[float, ...], ...], value: float) -> tuple[float, ...]:
    return next(row for row in table if value <= row[0])


def default_image_size(info: ModelInfo, profile: DataProfile) -> int:
    """The model's own size, lowered for small images, but not below about half of it.

    A network that downsamples 32x leaves a 1x1 map of a 32 px image: CIFAR-sized data
    learns far better upsampled to half the model's size (a multiple of 32).
    """
    if not profile.median_side:  # sizes unknown
        return info.default_image_size
    floor = max(STRIDE, int(info.default_image_size * SMALLEST_SHARE) // STRIDE * STRIDE)
    wanted = -(-profile.median_side // STRIDE) * STRIDE
    return min(info.default_image_size, max(floor, wanted))


def resolve(params: TrainParams, info: ModelInfo, profile: DataProfile) -> TrainConfig:
    """A complete configuration: the user's values, and a data-driven choice for each blank."""
    warm_start = params.pretrained or params.init_model_id is not None
    image_size = params.image_size or default_image_size(info, profile)
    _, scratch_epochs, warm_epochs = _first(EPOCHS, profile.train_images)
    epochs = params.epochs or int(warm_epochs if warm_start else scratch_epochs)
    batch = int(_first(BATCH, image_size)[1])
    batch = max(1, min(batch, profile.train_images // 2))  # at least two steps an epoch
    scratch_lr, warm_lr = LEARNING_RATE[info.engine]
    imbalanced = (
        profile.imbalance_ratio > IMBALANCE_FOR_LOSS_WEIGHTS and info.engine in LOSS_WEIGHTS_ENGINES
    )
    few = profile.images_per_class < STRONG_AUGMENTATION_BELOW
    choices: dict[str, Any] = {
        "image_size": image_size,
        "epochs": epochs,
        "batch_size": batch,
        "learning_rate": warm_lr if warm_start else scratch_lr,
        "warmup_epochs": min(1.0, epochs / 10),
        "label_smoothing": LABEL_SMOOTHING[info.engine],
        "augmentation": "strong" if few else "light",
        "class_balance": "loss_weights" if imbalanced else "none",
        "early_stopping_patience": (
            max(5, epochs // 4) if epochs >= EARLY_STOPPING_FROM_EPOCHS else None
        ),
    }
    given = params.model_dump(exclude_none=True)
    chosen = sorted(k for k in choices if k not in given)
    return TrainConfig(**{**choices, **given, "chosen": chosen})


def resolve_search(params: SearchParams, profile: DataProfile) -> SearchConfig:
    """Fill a search's blanks: 32 px (smaller images stay as they are), epochs by data size
    (a black-box search's candidates train CANDIDATE_EPOCHS each)."""
    _, search_epochs, retrain_epochs = _first(SEARCH_EPOCHS, profile.train_images)
    blackbox = params.strategy in BLACKBOX_SEARCHES
    chosen = {
        "image_size": min(SEARCH_IMAGE_SIZE, max(profile.median_side or SEARCH_IMAGE_SIZE, 16)),
        "search_epochs": CANDIDATE_EPOCHS if blackbox else int(search_epochs),
        "retrain_epochs": int(retrain_epochs),
    }
    given = params.model_dump(exclude_none=True)
    picked = [name for name in chosen if name not in given]
    return SearchConfig(**{**chosen, **given, "chosen": picked})
