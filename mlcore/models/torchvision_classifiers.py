"""torchvision's classifiers in the catalog, and the ImageNet weights they may start from.

Every family torchvision publishes ImageNet weights for is here; the family's year (of its
paper) and licence are the only facts typed by hand: everything else about a network is
measured from it (`mlcore.models.metadata`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torchvision import models as tv_models
from torchvision.models import WeightsEnum

from mlcore.contract.catalog import EngineRecipe
from mlcore.contract.weights import hash_prefix
from mlcore.models.architecture import Architecture, Family
from mlcore.models.registry import register_architecture

# ViT and MaxViT are built for one input size (position embeddings, attention windows):
# they always train at their published size
FIXED_SIZE = EngineRecipe(
    learning_rate=0.001,
    warm_learning_rate=0.0003,
    label_smoothing=0.1,
    loss_weights=True,
    smallest_image_share=1.0,
)


@dataclass(frozen=True)
class TorchvisionArchitecture(Architecture):
    """A torchvision classifier and the ImageNet weights it may start from."""

    weights_tag: str = "IMAGENET1K_V1"
    # constructor arguments beyond num_classes (e.g. no auxiliary heads), recorded in model.pt
    options: tuple[tuple[str, Any], ...] = ()
    smallest_input: int = 32  # the least input side that keeps a pixel after every stride

    @property
    def builder(self) -> str:
        return f"torchvision.models.{self.name}"

    @property
    def builder_options(self) -> dict[str, Any]:
        return dict(self.options)

    @property
    def weights(self) -> WeightsEnum:
        """The torchvision weights entry that names the pretrained file."""
        return tv_models.get_model_weights(self.name)[self.weights_tag]

    @property
    def default_image_size(self) -> int:
        return int(self.weights.transforms().crop_size[0])

    @property
    def min_image_size(self) -> int:
        if self.family.recipe is FIXED_SIZE:
            return self.default_image_size
        return self.smallest_input

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
        module: nn.Module = tv_models.get_model(
            self.name, weights=None, num_classes=num_classes, **self.builder_options
        )
        return module

    def published_state(self, state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        if not self.builder_options.get("aux_logits", True):  # the auxiliary heads left out
            return {k: v for k, v in state.items() if not k.startswith(("AuxLogits.", "aux"))}
        return state

    def published(self) -> dict[str, Any]:
        meta = self.weights.meta
        return {
            "pretrained_weights": self.weights_tag,
            "imagenet_top1": float(meta["_metrics"]["ImageNet-1K"]["acc@1"]),
        }


def family(name: str, year: int, recipe: EngineRecipe | None = None) -> Family:
    """A torchvision family (BSD-3-Clause code) trained by the classifier engine."""
    return Family(
        name,
        task="classify",
        year=year,
        licence="BSD-3-Clause",
        source="torchvision",
        engine="classifier",
        recipe=recipe,
    )


def register(fam: Family, *names: str, **fields: Any) -> None:
    """Register torchvision's networks `names` as members of `fam`."""
    for name in names:
        register_architecture(TorchvisionArchitecture(name, fam, **fields))


EFFICIENTNET = Family(
    "efficientnet",
    task="classify",
    year=2019,
    licence="Apache-2.0",
    source="torchvision",
    engine="classifier",
)
register(EFFICIENTNET, *(f"efficientnet_b{scale}" for scale in range(8)))

# SGD with Nesterov momentum and a one-cycle-like schedule (a quarter of the epochs warming
# up, then cosine), at the images' native size: the recipe that reached the most accuracy per
# second from scratch (benchmarks/results/time-to-accuracy-cpu-*.json).
RESNET_RECIPE = EngineRecipe(
    learning_rate=0.2,
    warm_learning_rate=0.02,
    label_smoothing=0.1,
    loss_weights=True,
    optimizer="sgd",
    weight_decay=5e-4,
    reference_batch=512,
    warmup_share=0.25,
    smallest_image_share=0.0,
)
RESNET = family("resnet", 2015, RESNET_RECIPE)
register(RESNET, "resnet18", "resnet34", "resnet50", "resnet101", "resnet152")

NO_AUX = (("aux_logits", False), ("init_weights", False), ("transform_input", False))
register(family("alexnet", 2012), "alexnet", smallest_input=64)
register(
    family("vgg", 2014),
    *(f"vgg{depth}{bn}" for depth in (11, 13, 16, 19) for bn in ("", "_bn")),
)
register(family("googlenet", 2014), "googlenet", options=NO_AUX)
register(family("inception_v3", 2015), "inception_v3", options=NO_AUX, smallest_input=96)
register(family("wide_resnet", 2016), "wide_resnet50_2", "wide_resnet101_2")
register(family("resnext", 2016), "resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d")
register(family("squeezenet", 2016), "squeezenet1_0", "squeezenet1_1")
register(family("densenet", 2016), "densenet121", "densenet161", "densenet169", "densenet201")
register(family("mobilenet_v2", 2018), "mobilenet_v2")
register(family("mobilenet_v3", 2019), "mobilenet_v3_small", "mobilenet_v3_large")
register(
    family("shufflenet_v2", 2018),
    "shufflenet_v2_x0_5",
    "shufflenet_v2_x1_0",
    "shufflenet_v2_x1_5",
    "shufflenet_v2_x2_0",
)
register(family("mnasnet", 2018), "mnasnet0_5", "mnasnet0_75", "mnasnet1_0", "mnasnet1_3")
REGNET_SIZES = ("400mf", "800mf", "1_6gf", "3_2gf", "8gf", "16gf", "32gf")
register(family("regnet_x", 2020), *(f"regnet_x_{size}" for size in REGNET_SIZES))
register(family("regnet_y", 2020), *(f"regnet_y_{size}" for size in REGNET_SIZES))
register(family("regnet_y", 2020), "regnet_y_128gf", weights_tag="IMAGENET1K_SWAG_LINEAR_V1")
register(
    family("efficientnet_v2", 2021), "efficientnet_v2_s", "efficientnet_v2_m", "efficientnet_v2_l"
)
register(
    family("convnext", 2022), "convnext_tiny", "convnext_small", "convnext_base", "convnext_large"
)
register(family("swin", 2021), "swin_t", "swin_s", "swin_b")
register(family("swin_v2", 2021), "swin_v2_t", "swin_v2_s", "swin_v2_b")
VIT = family("vit", 2020, FIXED_SIZE)
register(VIT, "vit_b_16", "vit_b_32", "vit_l_16", "vit_l_32")
register(VIT, "vit_h_14", weights_tag="IMAGENET1K_SWAG_LINEAR_V1")
register(family("maxvit", 2022, FIXED_SIZE), "maxvit_t")
