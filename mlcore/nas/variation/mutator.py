"""Mutators propose children: a variant of one parent, or a mix of two (crossover). The
rule-based one re-draws edges and mixes uniformly."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from mlcore.nas.space.genotype import Genotype, check_genotype
from mlcore.nas.space.search_space import SearchSpace
from mlcore.nas.variation.crossover import uniform_crossover

Scores = Mapping[str, float]


class Mutator(Protocol):
    """`scores`: a parent's metrics (`Candidate.metrics`), for mutators that use them."""

    def mutate(
        self,
        genotype: Genotype,
        space: SearchSpace,
        rng: random.Random,
        scores: Scores | None = None,
    ) -> Genotype:
        """A child of one parent, different from it."""
        ...

    def crossover(
        self,
        parents: tuple[Genotype, Genotype],
        space: SearchSpace,
        rng: random.Random,
        scores: tuple[Scores, Scores] | None = None,
    ) -> Genotype:
        """A child mixing two parents."""
        ...

    def observe(self, child: Genotype, success: bool) -> None:
        """What became of a child this mutator proposed (mutators that learn use it)."""
        ...

    def report(self) -> dict[str, Any]:
        """JSON-ready: which mutator this is and what it did."""
        ...


@dataclass(frozen=True)
class RuleMutator:
    """Re-draws the op of 1..`edges` random edges, each to a different op, so the child
    always differs from its parent; crossover is `uniform_crossover`, or a mutation of the
    first parent when the two differ in fewer than two edges."""

    edges: int = 1

    def __post_init__(self) -> None:
        if self.edges < 1:
            raise ValueError("edges must be >= 1")

    def mutate(
        self,
        genotype: Genotype,
        space: SearchSpace,
        rng: random.Random,
        scores: Scores | None = None,
    ) -> Genotype:
        check_genotype(space, genotype)
        if space.k < 2:
            raise ValueError("a space with one op has a single genotype: nothing to mutate")
        positions = [(r, e) for r in range(space.rows) for e in range(space.num_edges)]
        choices = [list(cell) for cell in genotype.choices]
        for c, e in rng.sample(positions, min(rng.randint(1, self.edges), len(positions))):
            choices[c][e] = rng.choice([op for op in range(space.k) if op != choices[c][e]])
        return Genotype(space.ops, tuple(tuple(cell) for cell in choices))

    def crossover(
        self,
        parents: tuple[Genotype, Genotype],
        space: SearchSpace,
        rng: random.Random,
        scores: tuple[Scores, Scores] | None = None,
    ) -> Genotype:
        for parent in parents:
            check_genotype(space, parent)
        child = uniform_crossover(*parents, rng)
        return child or self.mutate(parents[0], space, rng, None if scores is None else scores[0])

    def observe(self, child: Genotype, success: bool) -> None:
        """The rules do not learn."""

    def report(self) -> dict[str, Any]:
        return {"kind": "rules", "edges": self.edges}
