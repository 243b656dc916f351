"""Where the shared real datasets live (beside the checkout, never committed)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED_DATASETS = Path(
    __import__("os").environ.get("KONSTRUKTOR_SHARED_DATASETS", ROOT.parent / "shared" / "datasets")
)


def shared_dataset(name: str) -> Path:
    """The path of a shared dataset archive; fails clearly when `../shared` is missing."""
    path = SHARED_DATASETS / name
    if not path.is_file():
        pytest.fail(
            f"{path} is missing: the tests read the real datasets from ../shared/datasets "
            "(set KONSTRUKTOR_SHARED_DATASETS to point elsewhere)"
        )
    return path


def image_folder_subset(
    archive: str, top: str, classes: list[str], per_split: dict[str, int], root: Path
) -> Path:
    """The first `per_split[split]` images of each class of a shared ImageFolder zip (under
    `top`, e.g. "flowers12_fewshot/") as manifest.json + train/ + val/ in `root`."""
    with zipfile.ZipFile(shared_dataset(archive)) as zf:
        names = sorted(zf.namelist())
        for split, count in per_split.items():
            for cls in classes:
                prefix = f"{top}{split}/{cls}/"
                for name in [n for n in names if n.startswith(prefix)][:count]:
                    target = root / split / cls / Path(name).name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(zf.read(name))
    (root / "manifest.json").write_text(json.dumps({"classes": classes}), encoding="utf-8")
    return root
