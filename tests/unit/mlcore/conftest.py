"""Fixtures: a tiny real-image dataset and one trained job shared by the end-to-end tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import image_folder_subset

CLASSES = ["bluebell", "daisy", "sunflower"]
PER_SPLIT = {"train": 4, "val": 3}


def build_flowers_subset(root: Path) -> Path:
    """manifest.json + train/ + val/ with a few real flower photos per class."""
    return image_folder_subset(
        "flowers12_fewshot.zip", "flowers12_fewshot/", CLASSES, PER_SPLIT, root
    )


@pytest.fixture(scope="session")
def flowers_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_flowers_subset(tmp_path_factory.mktemp("flowers"))
