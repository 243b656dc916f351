"""What every architecture of the catalog is, whichever library defines it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from mlcore.contract.catalog import EngineRecipe
from mlcore.contract.train import STRIDE
from mlcore.contract.weights import PublisherWeights


@dataclass(frozen=True)
class Family:
    """Facts shared by all members of an architecture family."""

    name: str
    task: str
    year: int
    licence: str
    source: str  # the library that defines the network
    engine: str  # the training engine that runs it (mlcore.engines.base)
    recipe: EngineRecipe | None = None  # where the family trains unlike its engine's others


IMAGENET_CLASSES = 1000


class NoPublisherWeights(ValueError):
    """A pretrained start asked of a network its publisher released no weights for."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"{name} has no publisher weights: it trains from scratch only (pretrained=false)"
        )


class IncompatibleInitModel(ValueError):
    """An earlier model given as the starting point does not fit this architecture."""


@dataclass(frozen=True)
class Architecture(ABC):
    """One trainable network of the catalog."""

    name: str
    family: Family

    @property
    @abstractmethod
    def builder(self) -> str:
        """How to rebuild the network without Konstruktor (dotted path or config name)."""

    @property
    @abstractmethod
    def default_image_size(self) -> int:
        """The input size the network was designed and published for."""

    @property
    @abstractmethod
    def weights_file(self) -> str | None:
        """File name of the pretrained weights as their publisher names it; None: the network
        has no published weights (it trains from scratch only)."""

    @property
    @abstractmethod
    def weights_url(self) -> str | None:
        """Where the publisher serves the pretrained weights (None where there are none)."""

    @property
    def weights_sha256_prefix(self) -> str | None:
        """The leading hex digits of the weights file's SHA-256, where the publisher names
        them; None: the file is checked as a loadable checkpoint instead."""
        return None

    @property
    def publisher_weights(self) -> PublisherWeights:
        """The pretrained weights file, for `mlcore.models.weights.fetch_weights`; raises
        NoPublisherWeights for a network that has none."""
        if self.weights_file is None or self.weights_url is None:
            raise NoPublisherWeights(self.name)
        return PublisherWeights(
            self.name, self.weights_file, self.weights_url, self.weights_sha256_prefix
        )

    @abstractmethod
    def build(self, num_classes: int) -> nn.Module:
        """A randomly initialised network with `num_classes` outputs."""

    @property
    def builder_options(self) -> dict[str, Any]:
        """Arguments `builder` takes beyond the number of classes (recorded in model.pt)."""
        return {}

    def arch_record(self, classes: list[str]) -> dict[str, Any]:
        """model.pt's "arch" next to the state dict: what rebuilds the network."""
        return {
            "name": self.name,
            "num_classes": len(classes),
            "classes": classes,
            "builder": self.builder,
            "options": self.builder_options,
        }

    @property
    def checkpoint_kind(self) -> str:
        """How a package's predict.py rebuilds model.pt (preprocess.json's "checkpoint", one
        of `mlcore.package.runtime.predict.LOADERS`)."""
        return "torchvision"

    @property
    def readme_name(self) -> str:
        """The network as a package's README names it, e.g. torchvision `resnet18`."""
        return f"{self.family.source} `{self.name}`"

    def rebuild_hint(self, num_classes: int) -> str:
        """The README's line on what model.pt holds and how code without Konstruktor
        rebuilds it (`builder` called with the number of classes and `builder_options`)."""
        options = "".join(f", {key}={value!r}" for key, value in self.builder_options.items())
        return (
            '`{"arch": {"name", "num_classes", "builder", "options"}, "state_dict"}`; rebuild '
            f"with `{self.builder}(num_classes={num_classes}{options})` and `load_state_dict`;"
        )

    def published_state(self, state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """The publisher's state dict as this build holds it (e.g. without auxiliary heads)."""
        return state

    @property
    def min_image_size(self) -> int:
        """The smallest input the network takes: one pixel left after its largest stride."""
        return STRIDE

    @property
    def published_classes(self) -> int:
        """Outputs of the published network (ImageNet's 1000 unless overridden)."""
        return IMAGENET_CLASSES

    def published(self) -> dict[str, Any]:
        """Figures the publisher reports (not measurable here), e.g. ImageNet accuracy."""
        return {}
