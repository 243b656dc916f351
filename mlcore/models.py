"""Model registry and factory: one place that knows every architecture and its metadata.

Each source (torchvision here, ultralytics in `mlcore.yolo.architectures`) subclasses
`Architecture`; `REGISTRY` holds them all, and `build_catalog` measures each one with
`mlcore.metadata` to write the torch-free `catalog.json` the API serves.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torchvision import models as tv_models
from torchvision.models import WeightsEnum

from mlcore.architecture import (
    IMAGENET_CLASSES,
    Architecture,
    Family,
)
from mlcore.catalog import UnknownModel
from mlcore.metadata import describe_module


@dataclass(frozen=True)
class TorchvisionArchitecture(Architecture):
    """A torchvision classifier and the ImageNet weights it may start from."""

    weights_tag: str = "IMAGENET1K_V1"

    @property
    def builder(self) -> str:
        return f"torchvision.models.{self.name}"

    @property
    def weights(self) -> WeightsEnum:
        """The torchvision weights entry that names the pretrained file."""
        return tv_models.get_model_weights(self.name)[self.weights_tag]

    @property
    def default_image_size(self) -> int:
        return int(self.weights.transforms().crop_size[0])

    @property
    def weights_file(self) -> str:
        return Path(self.weights.url).name

    @property
    def weights_url(self) -> str:
        return str(self.weights.url)

    def build(self, num_classes: int) -> nn.Module:
        module: nn.Module = tv_models.get_model(self.name, weights=None, num_classes=num_classes)
        return module

    def published(self) -> dict[str, Any]:
        meta = self.weights.meta
        return {
            "pretrained_weights": self.weights_tag,
            "imagenet_top1": float(meta["_metrics"]["ImageNet-1K"]["acc@1"]),
        }


EFFICIENTNET = Family(
    "efficientnet",
    task="classify",
    year=2019,
    licence="Apache-2.0",
    source="torchvision",
    engine="classifier",
)


def _registry() -> dict[str, Architecture]:
    from mlcore.yolo.architectures import YOLO_ARCHITECTURES

    archs: list[Architecture] = [
        TorchvisionArchitecture(f"efficientnet_b{i}", EFFICIENTNET) for i in range(8)
    ]
    archs += YOLO_ARCHITECTURES
    return {arch.name: arch for arch in archs}


REGISTRY: dict[str, Architecture] = _registry()


def get_architecture(name: str) -> Architecture:
    """Registry entry for `name`; raises UnknownModel listing the valid names."""
    if name not in REGISTRY:
        raise UnknownModel(name, list(REGISTRY))
    return REGISTRY[name]


def arch_config(name: str, classes: list[str]) -> dict[str, Any]:
    """The architecture record stored in model.pt next to the state dict."""
    return {
        "name": name,
        "num_classes": len(classes),
        "classes": classes,
        "builder": get_architecture(name).builder,
    }


def replace_head(model: nn.Module, num_classes: int, fresh: bool = False) -> nn.Module:
    """Swap the model's last Linear layer for a new one with `num_classes` outputs (kept
    when it already has that many, unless `fresh`)."""
    name, last = [(n, m) for n, m in model.named_modules() if isinstance(m, nn.Linear)][-1]
    if fresh or last.out_features != num_classes:
        model.set_submodule(name, nn.Linear(last.in_features, num_classes))
    return model


def create_model(
    name: str, num_classes: int, pretrained: bool = False, weights_dir: Path | None = None
) -> nn.Module:
    """Build catalog model `name` with `num_classes` outputs, optionally from ImageNet weights."""
    arch = get_architecture(name)
    if not pretrained:
        return arch.build(num_classes)
    model = arch.build(IMAGENET_CLASSES)
    state = torch.load(arch.weights_path(weights_dir), map_location="cpu", weights_only=True)
    model.load_state_dict(state)
    return replace_head(model, num_classes)


def describe(arch: Architecture) -> dict[str, Any]:
    """Catalog entry of one architecture, measured on its published form."""
    family = arch.family
    return {
        "name": arch.name,
        "family": family.name,
        "task": family.task,
        "source": family.source,
        "engine": family.engine,
        "builder": arch.builder,
        "default_image_size": arch.default_image_size,
        "year": family.year,
        "licence": family.licence,
        "weights_file": arch.weights_file,
        **describe_module(arch.build(arch.published_classes), arch.default_image_size),
        **arch.published(),
    }


def build_catalog() -> list[dict[str, Any]]:
    """The catalog as written to catalog.json."""
    return [describe(arch) for arch in REGISTRY.values()]
