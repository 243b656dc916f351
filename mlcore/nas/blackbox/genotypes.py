"""Drawing genotypes of a search space."""

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
