"""One evaluated architecture: its proxy accuracy, size and behaviour descriptors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlcore.nas.space.genotype import Genotype


@dataclass(frozen=True)
class Candidate:
    """accuracy: proxy validation accuracy (0..1); flops: one image's forward pass;
    depth and width: the behaviour descriptors of `descriptors`."""

    genotype: Genotype
    accuracy: float
    params: int
    flops: int
    depth: int
    width: float

    @property
    def metrics(self) -> dict[str, float]:
        """Every score by name (what archive axes and LLM prompts refer to)."""
        return {
            "accuracy": self.accuracy,
            "params": self.params,
            "flops": self.flops,
            "depth": self.depth,
            "width": self.width,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"genotype": self.genotype.to_dict(), **self.metrics}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Candidate:
        """Inverse of `to_dict`."""
        return cls(
            genotype=Genotype.from_dict(data["genotype"]),
            accuracy=float(data["accuracy"]),
            params=int(data["params"]),
            flops=int(data["flops"]),
            depth=int(data["depth"]),
            width=float(data["width"]),
        )
