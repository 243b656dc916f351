"""What every architecture of the catalog is, whichever library defines it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

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
    def weights_file(self) -> str:
        """File name of the pretrained weights as their publisher names it."""

    @property
    @abstractmethod
    def weights_url(self) -> str:
        """Where the publisher serves the pretrained weights."""

    @property
    def weights_sha256_prefix(self) -> str | None:
        """The leading hex digits of the weights file's SHA-256, where the publisher names
        them; None: the file is checked as a loadable checkpoint instead."""
        return None

    @property
    def publisher_weights(self) -> PublisherWeights:
        """The pretrained weights file, for `mlcore.models.weights.fetch_weights`."""
        return PublisherWeights(
            self.name, self.weights_file, self.weights_url, self.weights_sha256_prefix
        )

    @abstractmethod
    def build(self, num_classes: int) -> nn.Module:
        """A randomly initialised network with `num_classes` outputs."""

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
