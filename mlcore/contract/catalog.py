"""The model catalog the API may offer, read from `catalog.json` (torch-free)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mlcore.contract.registry import UnknownName

CATALOG_PATH = Path(__file__).with_name("catalog.json")


Optimizer = Literal["adamw", "sgd"]


class EngineRecipe(BaseModel):
    """Training defaults of an engine (`Engine.recipe`) or of one architecture family that
    trains differently (`Family.recipe`), copied into each of its models."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    learning_rate: float = Field(description="from scratch")
    warm_learning_rate: float = Field(description="from pretrained or earlier weights")
    label_smoothing: float = Field(description="0 where the engine has none")
    loss_weights: bool = Field(description="whether it can weight the loss by class")
    optimizer: Optimizer = "adamw"
    weight_decay: float = 0.05
    reference_batch: int | None = Field(
        None,
        description="the batch size the learning rates are for, scaled linearly to the job's "
        "batch (SGD); null: used as they are",
    )
    warmup_share: float = Field(
        0.1, description="share of the epochs spent warming up, from scratch"
    )
    smallest_image_share: float = Field(
        0.5,
        description="small images are upsampled to at least this share of the model's own "
        "size (0: trained at their native size)",
    )


class ModelInfo(BaseModel):
    """Metadata of one catalog model; regenerate with `python -m mlcore catalog --write`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    family: str
    task: str
    source: str = Field(description="the library that defines the network")
    engine: str = Field(description="the Konstruktor training engine that runs it")
    recipe: EngineRecipe = Field(description="the engine's training defaults")
    builder: str
    default_image_size: int
    year: int
    licence: str
    weights_file: str | None = Field(
        description="pretrained weights file as its publisher names it; null: the model has "
        "no publisher weights (it trains from scratch only)"
    )
    weights_url: str | None = Field(description="where the publisher serves the weights file")
    weights_sha256_prefix: str | None = Field(
        description="leading hex digits of the file's SHA-256 (in torchvision's file names); "
        "null: none published, the file is checked as a loadable checkpoint"
    )
    params: int
    gflops: float = Field(description="2 x multiply-adds for one image at default_image_size")
    depth: int = Field(description="convolution and linear layers")
    width: int = Field(description="most channels of any convolution")
    normalisation: list[str]
    residual_connections: int = Field(description="same-shape feature-map additions")
    concat_connections: int = Field(description="feature-map concatenations")
    attention_layers: int = Field(description="softmaxes over token or window scores")
    channel_gates: int = Field(description="feature maps scaled per channel (squeeze-excitation)")
    depthwise_convolutions: int
    grouped_convolutions: int = Field(description="grouped convolutions that are not depthwise")
    activations: list[str]
    min_image_size: int = Field(description="the smallest input side it trains at")
    pretrained_weights: str | None = None
    imagenet_top1: float | None = None

    @property
    def has_weights(self) -> bool:
        """Whether its publisher released weights a run may start from."""
        return self.weights_file is not None and self.weights_url is not None


class UnknownModel(UnknownName):
    """A model name that is not in the catalog."""

    def __init__(self, name: str, valid: list[str]) -> None:
        super().__init__("model", name, valid)


@cache
def load_catalog() -> dict[str, ModelInfo]:
    """Catalog models by name, in catalog order."""
    entries = json.loads(CATALOG_PATH.read_text(encoding="utf-8"))
    return {entry["name"]: ModelInfo(**entry) for entry in entries}


def get_model_info(name: str) -> ModelInfo:
    """Metadata of `name`; raises UnknownModel listing the valid names."""
    catalog = load_catalog()
    if name not in catalog:
        raise UnknownModel(name, list(catalog))
    return catalog[name]
