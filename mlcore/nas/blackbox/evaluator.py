"""Evaluators score a genotype; the proxy one trains it briefly and measures it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

import torch

from mlcore.nas.blackbox.candidate import Candidate
from mlcore.nas.blackbox.descriptors import depth, width
from mlcore.nas.blackbox.genotypes import uniform_genotype
from mlcore.nas.genotype import Genotype
from mlcore.nas.measure import network_cost
from mlcore.nas.retrain import retrain
from mlcore.nas.search import SearchData
from mlcore.nas.space import SearchSpace


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
    on `data.val` (`retrain`); results are cached by genotype. image_size defaults to the
    data's. With `journal` (JSON lines, each with its space), every result is also appended
    there and the ones already in it for this space are not trained again: a resumed search
    replays them."""

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
        journal: Path | None = None,
    ) -> None:
        self.space = space
        self.data = data
        self.epochs = epochs
        self.seed = seed
        self.device = torch.device(device)
        self._image_size = image_size or int(data.train.images.shape[-1])
        self.lr = lr
        self.batch_size = batch_size
        self.journal = journal
        self.cache: dict[str, Candidate] = {}
        if journal is not None and journal.exists():
            for line in journal.read_text(encoding="utf-8").splitlines():
                entry = json.loads(line)
                if entry.get("space") == space.to_dict():  # else measured in another space
                    candidate = Candidate.from_dict(entry)
                    self.cache[candidate.genotype.to_json()] = candidate

    @property
    def image_size(self) -> int:
        return self._image_size

    def evaluate(self, genotype: Genotype) -> Candidate:
        key = genotype.to_json()
        if key not in self.cache:
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
            self.cache[key] = describe(self.space, genotype, trained.accuracy, self.image_size)
            if self.journal is not None:
                with self.journal.open("a", encoding="utf-8") as f:
                    entry = {"space": self.space.to_dict(), **self.cache[key].to_dict()}
                    f.write(json.dumps(entry) + "\n")
        return self.cache[key]
