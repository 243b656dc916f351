"""Tiny ultralytics jobs for tests: configs, a network-blocked runner and real-image datasets."""

from __future__ import annotations

import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mlcore.contract.results import JobResult, ProgressEvent
from mlcore.contract.train import TrainConfig
from mlcore.engines.base import EngineRequest
from mlcore.engines.registry import run_job as run_engine
from tests.support.flowers import CLASSES, PER_SPLIT
from tests.support.paths import shared_dataset
from tests.unit.mlcore.test_yolo_offline import network_guard

COCO_SPLITS = {"train": 8, "val": 4}


def tiny_config(model: str, **changes: Any) -> TrainConfig:
    """A resolved config small enough for two CPU cores."""
    values: dict[str, Any] = {
        "model": model,
        "epochs": 2,
        "image_size": 32,
        "batch_size": 2,
        "learning_rate": 1e-3,
        "warmup_epochs": 0.5,
        "augmentation": "light",
        **changes,
    }
    return TrainConfig(**values)


@dataclass
class Job:
    """A finished job: its result, the events it reported and where it ran."""

    result: JobResult
    events: list[ProgressEvent]
    work_dir: Path
    network_attempts: list[Any]

    @property
    def output(self) -> Path:
        return self.work_dir / "output"

    def read_json(self, name: str) -> Any:
        return json.loads((self.output / self.result.files[name]).read_text(encoding="utf-8"))


def run_job(config: TrainConfig, dataset_dir: Path, work_dir: Path, **request: Any) -> Job:
    """Run the engine with the network blocked, recording events and network attempts."""
    events: list[ProgressEvent] = []
    with network_guard() as attempts:
        result = run_engine(EngineRequest(config, dataset_dir, work_dir, events.append, **request))
    return Job(result, events, work_dir, attempts)


def copy_flowers(flowers_dir: Path, target: Path, classes: list[str] = CLASSES) -> Path:
    """A private copy of the shared flowers subset (ultralytics writes cache files into it)."""
    for split in PER_SPLIT:
        for name in classes:
            shutil.copytree(flowers_dir / split / name, target / split / name)
    manifest = {"task": "classify", "classes": classes}
    (target / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return target


def build_coco_subset(root: Path) -> Path:
    """A few real COCO128 images and their YOLO labels in the detection dataset layout."""
    with zipfile.ZipFile(shared_dataset("coco128.zip")) as archive:
        names: dict[int, str] = yaml.safe_load(archive.read("coco128/data.yaml"))["names"]
        members = set(archive.namelist())
        for split, count in COCO_SPLITS.items():
            images = sorted(
                n
                for n in members
                if n.startswith(f"coco128/images/{split}/") and n.endswith(".jpg")
            )[:count]
            for image in images:
                label = image.replace("/images/", "/labels/").removesuffix(".jpg") + ".txt"
                for member in (image, label):
                    if member in members:
                        target = root / member.removeprefix("coco128/")
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_bytes(archive.read(member))
    data = {"path": ".", "train": "images/train", "val": "images/val", "names": names}
    (root / "data.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    manifest = {"task": "detect", "classes": [names[i] for i in sorted(names)]}
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return root
