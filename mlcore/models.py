"""Model registry and factory: one place that knows every architecture and its metadata."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torchvision import models as tv_models
from torchvision.models import WeightsEnum

from mlcore.catalog import UnknownModel


@dataclass(frozen=True)
class Family:
    """Facts shared by all members of an architecture family."""

    task: str
    year: int
    licence: str


@dataclass(frozen=True)
class Architecture:
    """A torchvision architecture and the ImageNet weights it may start from."""

    name: str
    family: str
    weights_tag: str = "IMAGENET1K_V1"

    @property
    def builder(self) -> str:
        """Dotted path of the torchvision builder (rebuildable without Konstruktor)."""
        return f"torchvision.models.{self.name}"

    @property
    def weights(self) -> WeightsEnum:
        """The torchvision weights entry that names the pretrained file."""
        return tv_models.get_model_weights(self.name)[self.weights_tag]

    @property
    def weights_file(self) -> str:
        """File name of the pretrained weights as torchvision publishes them."""
        return Path(self.weights.url).name

    def build(self, num_classes: int) -> nn.Module:
        """A randomly initialised model with `num_classes` outputs."""
        module: nn.Module = tv_models.get_model(self.name, weights=None, num_classes=num_classes)
        return module


FAMILIES: dict[str, Family] = {
    "efficientnet": Family(task="classify", year=2019, licence="Apache-2.0"),
}

REGISTRY: dict[str, Architecture] = {
    arch.name: arch
    for arch in (Architecture(f"efficientnet_b{i}", "efficientnet") for i in range(8))
}

IMAGENET_CLASSES = 1000


class PretrainedWeightsMissing(FileNotFoundError):
    """The operator has not placed the pretrained weights file in the weights directory."""


def get_architecture(name: str) -> Architecture:
    """Registry entry for `name`; raises UnknownModel listing the valid names."""
    if name not in REGISTRY:
        raise UnknownModel(name, list(REGISTRY))
    return REGISTRY[name]


def arch_config(name: str, num_classes: int) -> dict[str, Any]:
    """The architecture record stored in model.pt next to the state dict."""
    return {"name": name, "num_classes": num_classes, "builder": get_architecture(name).builder}


def weights_path(name: str, weights_dir: Path | None) -> Path:
    """Where the pretrained weights of `name` must be; raises if they are not there."""
    arch = get_architecture(name)
    path = Path(weights_dir) / arch.weights_file if weights_dir else None
    if path is None or not path.is_file():
        where = Path(weights_dir).resolve() if weights_dir else "a weights directory (none is set)"
        raise PretrainedWeightsMissing(
            f"pretrained weights for {name} not found: put {arch.weights_file} "
            f"(from {arch.weights.url}) into {where}, or train with pretrained=false"
        )
    return path


def replace_head(model: nn.Module, num_classes: int) -> nn.Module:
    """Swap the model's last Linear layer for a fresh one with `num_classes` outputs."""
    name, last = [(n, m) for n, m in model.named_modules() if isinstance(m, nn.Linear)][-1]
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
    state = torch.load(weights_path(name, weights_dir), map_location="cpu", weights_only=True)
    model.load_state_dict(state)
    return replace_head(model, num_classes)


def count_params(model: nn.Module) -> int:
    """Number of parameters."""
    return sum(p.numel() for p in model.parameters())


def describe(arch: Architecture) -> dict[str, Any]:
    """Catalog entry of one architecture; params are counted on the real 1000-class model."""
    family = FAMILIES[arch.family]
    meta = arch.weights.meta
    return {
        "name": arch.name,
        "family": arch.family,
        "task": family.task,
        "source": "torchvision",
        "builder": arch.builder,
        "default_image_size": int(arch.weights.transforms().crop_size[0]),
        "params": count_params(arch.build(IMAGENET_CLASSES)),
        "year": family.year,
        "licence": family.licence,
        "pretrained_weights": arch.weights_tag,
        "weights_file": arch.weights_file,
        "imagenet_top1": float(meta["_metrics"]["ImageNet-1K"]["acc@1"]),
        "gflops": float(meta["_ops"]),
    }


def build_catalog() -> list[dict[str, Any]]:
    """The catalog as written to catalog.json."""
    return [describe(arch) for arch in REGISTRY.values()]
