"""Drawing and checking the genotypes of a search space."""

from __future__ import annotations

import random

from mlcore.nas.genotype import Genotype
from mlcore.nas.space import SearchSpace


def random_genotype(space: SearchSpace, rng: random.Random) -> Genotype:
    """Every edge's op drawn uniformly."""
    choices = tuple(
        tuple(rng.randrange(space.k) for _ in range(space.num_edges)) for _ in range(space.cells)
    )
    return Genotype(space.ops, choices)


def uniform_genotype(space: SearchSpace, op: int) -> Genotype:
    """The op with index `op` on every edge."""
    return Genotype(space.ops, ((op,) * space.num_edges,) * space.cells)


def check_genotype(space: SearchSpace, genotype: Genotype) -> None:
    """Raise ValueError unless `genotype` has the space's ops, shape and op indices."""
    shape = (space.cells, space.num_edges)
    if genotype.ops != space.ops or genotype.shape != shape:
        raise ValueError(f"genotype does not fit the space: ops {space.ops}, shape {shape}")
    if any(
        not isinstance(op, int) or isinstance(op, bool) or not 0 <= op < space.k
        for cell in genotype.choices
        for op in cell
    ):
        raise ValueError(f"op indices must be integers in 0..{space.k - 1}")
