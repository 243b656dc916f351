"""torchvision's classifiers in the catalog, and the ImageNet weights they may start from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from torch import nn
from torchvision import models as tv_models
from torchvision.models import WeightsEnum

from mlcore.models.architecture import Architecture, Family
from mlcore.models.registry import register_architecture


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


for _scale in range(8):
    register_architecture(TorchvisionArchitecture(f"efficientnet_b{_scale}", EFFICIENTNET))
