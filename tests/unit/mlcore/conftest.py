"""Fixtures: a tiny real-image dataset and one trained job shared by the end-to-end tests."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests.support.paths import shared_dataset

CLASSES = ["bluebell", "daisy", "sunflower"]
PER_SPLIT = {"train": 4, "val": 3}


def build_flowers_subset(root: Path) -> Path:
    """manifest.json + train/ + val/ with a few real flower photos per class."""
    with zipfile.ZipFile(shared_dataset("flowers12_fewshot.zip")) as archive:
        names = sorted(archive.namelist())
        for split, count in PER_SPLIT.items():
            for cls in CLASSES:
                prefix = f"flowers12_fewshot/{split}/{cls}/"
                for name in [n for n in names if n.startswith(prefix)][:count]:
                    target = root / split / cls / Path(name).name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(archive.read(name))
    (root / "manifest.json").write_text(json.dumps({"classes": CLASSES}), encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def flowers_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_flowers_subset(tmp_path_factory.mktemp("flowers"))
