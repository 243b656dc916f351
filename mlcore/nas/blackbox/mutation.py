"""Mutators propose a child genotype from a parent; the rule-based one re-draws edges."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from mlcore.nas.genotype import Genotype, check_genotype
from mlcore.nas.space import SearchSpace


class Mutator(Protocol):
    """`scores`: the parent's metrics (`Candidate.metrics`), for mutators that use them."""

    def mutate(
        self,
        genotype: Genotype,
        space: SearchSpace,
        rng: random.Random,
        scores: Mapping[str, float] | None = None,
    ) -> Genotype: ...


@dataclass(frozen=True)
class RuleMutator:
    """Re-draws the op of 1..`edges` random edges, each to a different op, so the child
    always differs from its parent."""

    edges: int = 1

    def __post_init__(self) -> None:
        if self.edges < 1:
            raise ValueError("edges must be >= 1")

    def mutate(
        self,
        genotype: Genotype,
        space: SearchSpace,
        rng: random.Random,
        scores: Mapping[str, float] | None = None,
    ) -> Genotype:
        check_genotype(space, genotype)
        if space.k < 2:
            raise ValueError("a space with one op has a single genotype: nothing to mutate")
        positions = [(c, e) for c in range(space.cells) for e in range(space.num_edges)]
        choices = [list(cell) for cell in genotype.choices]
        for c, e in rng.sample(positions, min(rng.randint(1, self.edges), len(positions))):
            choices[c][e] = rng.choice([op for op in range(space.k) if op != choices[c][e]])
        return Genotype(space.ops, tuple(tuple(cell) for cell in choices))
