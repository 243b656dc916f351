"""Evaluators score a genotype; the proxy one trains it briefly and measures it."""

from __future__ import annotations

from typing import Protocol

import torch

from mlcore.nas.data import SearchData
from mlcore.nas.evaluators.candidate import Candidate
from mlcore.nas.evaluators.retrain import retrain
from mlcore.nas.space.cost import network_cost
from mlcore.nas.space.descriptors import depth, width
from mlcore.nas.space.genotype import Genotype, uniform_genotype
from mlcore.nas.space.search_space import SearchSpace


class Evaluator(Protocol):
    """Scores architectures; FLOPs are those of one image_size x image_size image."""

    @property
    def image_size(self) -> int: ...

    def evaluate(self, genotype: Genotype) -> Candidate: ...


def flops_range(space: SearchSpace, image_size: int) -> tuple[int, int]:
    """(min, max) FLOPs over the space: every edge sees the same shapes whatever its op, so
    the extremes are networks with one op everywhere."""
    flops = [
        network_cost(space, uniform_genotype(space, op), image_size).flops for op in range(space.k)
    ]
    return min(flops), max(flops)


def describe(space: SearchSpace, genotype: Genotype, accuracy: float, image_size: int) -> Candidate:
    """`genotype` with `accuracy`, its network's parameters and FLOPs (`network_cost`) and
    its behaviour descriptors."""
    params, flops = network_cost(space, genotype, image_size)
    return Candidate(
        genotype, accuracy, params, flops, depth(space, genotype), width(space, genotype)
    )


class ProxyEvaluator:
    """Trains each architecture from scratch for a few epochs on `data.train` and scores it
    on `data.val` (`retrain`); results are cached by genotype, and `cache` is what a resumed
    search restores (`BlackBox.state_dict`). image_size defaults to the data's."""

    def __init__(
        self,
        space: SearchSpace,
        data: SearchData,
        epochs: int = 1,
        seed: int = 0,
        device: torch.device | str = "cpu",
        image_size: int | None = None,
        *,
        lr: float = 3e-3,
        batch_size: int = 128,
    ) -> None:
        self.space = space
        self.data = data
        self.epochs = epochs
        self.seed = seed
        self.device = torch.device(device)
        self._image_size = image_size or int(data.train.images.shape[-1])
        self.lr = lr
        self.batch_size = batch_size
        self.cache: dict[Genotype, Candidate] = {}

    @property
    def image_size(self) -> int:
        return self._image_size

    def evaluate(self, genotype: Genotype) -> Candidate:
        if genotype not in self.cache:
            trained = retrain(
                self.space,
                genotype,
                self.data.train,
                self.data.val,
                self.epochs,
                self.seed,
                lr=self.lr,
                batch_size=self.batch_size,
                device=self.device,
            )
            self.cache[genotype] = describe(self.space, genotype, trained.accuracy, self.image_size)
        return self.cache[genotype]
