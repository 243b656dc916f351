"""What every architecture of the catalog is, whichever library defines it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from torch import nn

from mlcore.contract.train import STRIDE


@dataclass(frozen=True)
class Family:
    """Facts shared by all members of an architecture family."""

    name: str
    task: str
    year: int
    licence: str
    source: str  # the library that defines the network
    engine: str  # the training engine that runs it (mlcore.engines.base)


IMAGENET_CLASSES = 1000


class PretrainedWeightsMissing(FileNotFoundError):
    """The operator has not placed the pretrained weights file in the weights directory."""


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
        """Where an operator downloads the pretrained weights from."""

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

    def weights_path(self, weights_dir: Path | None) -> Path:
        """Where the pretrained weights must be; raises if they are not there."""
        path = Path(weights_dir) / self.weights_file if weights_dir else None
        if path is None or not path.is_file():
            where = (
                Path(weights_dir).resolve() if weights_dir else "a weights directory (none is set)"
            )
            raise PretrainedWeightsMissing(
                f"pretrained weights for {self.name} not found: put {self.weights_file} "
                f"(from {self.weights_url}) into {where}, or train with pretrained=false"
            )
        return path
