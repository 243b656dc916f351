"""The YOLO11 catalog entries: classifiers and detectors built from ultralytics' YAML configs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from torch import nn

from mlcore.models.architecture import Architecture, Family
from mlcore.models.registry import register_architecture
from mlcore.yolo import offline

# isort: split
from ultralytics.nn.tasks import ClassificationModel, DetectionModel

SCALES = "nsmlx"
COCO_CLASSES = 80


@dataclass(frozen=True)
class YoloTask:
    """How one ultralytics task names its configs and what it was published at."""

    suffix: str  # "-cls" for classify, "" for detect
    model_class: type[nn.Module]
    image_size: int
    classes: int


TASKS: dict[str, YoloTask] = {
    "classify": YoloTask("-cls", ClassificationModel, image_size=224, classes=1000),
    "detect": YoloTask("", DetectionModel, image_size=640, classes=COCO_CLASSES),
}


def yolo_family(task: str, version: str = "yolo11", year: int = 2024) -> Family:
    """One YOLO generation's family for one task."""
    return Family(
        version,
        task=task,
        year=year,
        licence="AGPL-3.0",
        source="ultralytics",
        engine="ultralytics",
    )


YOLO11_CLASSIFY = yolo_family("classify")
YOLO11_DETECT = yolo_family("detect")
YOLOV8_CLASSIFY = yolo_family("classify", "yolov8", 2023)
YOLO26_CLASSIFY = yolo_family("classify", "yolo26", 2025)


@contextmanager
def quiet_ultralytics() -> Iterator[None]:
    """Silence ultralytics' console model summaries."""
    logger = logging.getLogger("ultralytics")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


@dataclass(frozen=True)
class YoloArchitecture(Architecture):
    """One ultralytics YOLO11 network; `name` is its config stem, e.g. yolo11n-cls."""

    @property
    def task(self) -> YoloTask:
        """Naming and published facts of this architecture's task."""
        return TASKS[self.family.task]

    @property
    def builder(self) -> str:
        return f"{self.name}.yaml"

    @property
    def default_image_size(self) -> int:
        return self.task.image_size

    @property
    def weights_file(self) -> str:
        return f"{self.name}.pt"

    @property
    def weights_url(self) -> str:
        return f"{offline.ASSETS_URL}/{self.weights_file}"

    @property
    def published_classes(self) -> int:
        return self.task.classes

    def build(self, num_classes: int) -> nn.Module:
        with quiet_ultralytics():
            module: nn.Module = self.task.model_class(self.builder, nc=num_classes, verbose=False)
        return module


for _family in (YOLO11_CLASSIFY, YOLO11_DETECT, YOLOV8_CLASSIFY, YOLO26_CLASSIFY):
    for _scale in SCALES:
        register_architecture(
            YoloArchitecture(f"{_family.name}{_scale}{TASKS[_family.task].suffix}", _family)
        )
