"""The architecture registry and factory (timm style): one place that knows every network.

Each source subclasses `Architecture` and registers its networks where it defines them
(`mlcore.models.torchvision_classifiers`, `mlcore.yolo.architectures`, `mlcore.nas.members`);
`create_model` builds any of them by name.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from mlcore.contract.catalog import UnknownModel
from mlcore.contract.registry import Registry, UnknownName
from mlcore.contract.weights import WeightsSource
from mlcore.engines.progress import Report
from mlcore.models.architecture import IMAGENET_CLASSES, Architecture
from mlcore.models.weights import fetch_weights, no_report

ARCHITECTURES: Registry[Architecture] = Registry(
    "architecture",
    providers=(
        "mlcore.models.torchvision_classifiers",
        "mlcore.yolo.architectures",
        "mlcore.nas.members",
    ),
)


def register_architecture(arch: Architecture) -> Architecture:
    """Add `arch` to the registry under its name."""
    return ARCHITECTURES.add(arch.name, arch)


def list_models() -> list[str]:
    """Every registered architecture name, in registration order."""
    return ARCHITECTURES.names()


def get_architecture(name: str) -> Architecture:
    """Registry entry for `name`; raises UnknownModel listing the valid names."""
    try:
        return ARCHITECTURES.get(name)
    except UnknownName as exc:
        raise UnknownModel(name, exc.valid) from None


def arch_config(name: str, classes: list[str]) -> dict[str, Any]:
    """The architecture record stored in model.pt next to the state dict."""
    return get_architecture(name).arch_record(classes)


def replace_head(model: nn.Module, num_classes: int, fresh: bool = False) -> nn.Module:
    """Swap the model's last Linear layer for a new one with `num_classes` outputs (kept
    when it already has that many, unless `fresh`)."""
    name, last = [(n, m) for n, m in model.named_modules() if isinstance(m, nn.Linear)][-1]
    if fresh or last.out_features != num_classes:
        model.set_submodule(name, nn.Linear(last.in_features, num_classes))
    return model


def create_model(
    name: str,
    num_classes: int,
    pretrained: bool = False,
    weights: WeightsSource | None = None,
    report: Report = no_report,
) -> nn.Module:
    """Build catalog model `name` with `num_classes` outputs, optionally from ImageNet weights
    (fetched into `weights`' cache on first use, progress to `report`)."""
    arch = get_architecture(name)
    if not pretrained:
        return arch.build(num_classes)
    published = arch.publisher_weights  # NoPublisherWeights where there are none
    model = arch.build(IMAGENET_CLASSES)
    path = fetch_weights(published, weights or WeightsSource(), report)
    state = torch.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict(arch.published_state(state))
    return replace_head(model, num_classes)
