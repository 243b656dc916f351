"""Where the shared real datasets live (beside the checkout, never committed)."""

from __future__ import annotations

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
