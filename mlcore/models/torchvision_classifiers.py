"""torchvision's classifiers in the catalog, and the ImageNet weights they may start from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from torch import nn
from torchvision import models as tv_models
from torchvision.models import WeightsEnum

from mlcore.contract.catalog import EngineRecipe
from mlcore.contract.weights import hash_prefix
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

    @property
    def weights_sha256_prefix(self) -> str | None:
        return hash_prefix(self.weights_file)  # torch.hub checks the same prefix

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

# SGD with Nesterov momentum and a one-cycle-like schedule (a quarter of the epochs warming
# up, then cosine), at the images' native size: the recipe that reached the most accuracy per
# second from scratch (benchmarks/results/time-to-accuracy-cpu-*.json).
RESNET = Family(
    "resnet",
    task="classify",
    year=2015,
    licence="BSD-3-Clause",
    source="torchvision",
    engine="classifier",
    recipe=EngineRecipe(
        learning_rate=0.2,
        warm_learning_rate=0.02,
        label_smoothing=0.1,
        loss_weights=True,
        optimizer="sgd",
        weight_decay=5e-4,
        reference_batch=512,
        warmup_share=0.25,
        smallest_image_share=0.0,
    ),
)

for _depth in (18, 34, 50):
    register_architecture(TorchvisionArchitecture(f"resnet{_depth}", RESNET))
