"""Fixtures: a tiny real-image dataset and the tiny YOLO jobs several test modules inspect."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.flowers import CLASSES, PER_SPLIT
from tests.support.paths import image_folder_subset
from tests.support.yolo import Job, build_coco_subset, copy_flowers, run_job, tiny_config

__all__ = ["CLASSES", "PER_SPLIT"]


def build_flowers_subset(root: Path) -> Path:
    """manifest.json + train/ + val/ with a few real flower photos per class."""
    return image_folder_subset(
        "flowers12_fewshot.zip", "flowers12_fewshot/", CLASSES, PER_SPLIT, root
    )


@pytest.fixture(scope="session")
def flowers_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_flowers_subset(tmp_path_factory.mktemp("flowers"))


@pytest.fixture(scope="session")
def classify_job(flowers_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Job:
    root = tmp_path_factory.mktemp("yolo_classify")
    dataset = copy_flowers(flowers_dir, root / "data")
    return run_job(tiny_config("yolo11n-cls"), dataset, root / "work")


@pytest.fixture(scope="session")
def coco_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_coco_subset(tmp_path_factory.mktemp("coco"))


@pytest.fixture(scope="session")
def detect_job(coco_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Job:
    work = tmp_path_factory.mktemp("yolo_detect")
    return run_job(tiny_config("yolo11n", image_size=64, batch_size=4), coco_dir, work)
