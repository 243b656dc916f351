"""The `data` argument ultralytics trains on, made from a validated Konstruktor dataset."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

DataSource = Callable[[Path, Path], str]


def classify_data(dataset_dir: Path, work_dir: Path) -> str:
    """Classification: the dataset folder itself (train/CLASS/*, val/CLASS/*)."""
    return str(dataset_dir.resolve())


def detect_data(dataset_dir: Path, work_dir: Path) -> str:
    """Detection: a job-local copy of data.yaml whose `path` is absolute.

    The dataset's own `path: .` would resolve against the process's working directory.
    """
    spec: dict[str, Any] = yaml.safe_load((dataset_dir / "data.yaml").read_text(encoding="utf-8"))
    spec["path"] = str((dataset_dir / spec.get("path", ".")).resolve())
    target = work_dir / "data.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return str(target)


DATA_SOURCES: dict[str, DataSource] = {"classify": classify_data, "detect": detect_data}


def training_data(task: str, dataset_dir: Path, work_dir: Path) -> str:
    """What to pass as ultralytics' `data` for a dataset of `task`."""
    return DATA_SOURCES[task](dataset_dir, work_dir)
