"""Rule-based crossover: a child mixing two parents' edges."""

from __future__ import annotations

import random

from mlcore.nas.space.genotype import Genotype


def uniform_crossover(a: Genotype, b: Genotype, rng: random.Random) -> Genotype | None:
    """A child taking a random non-empty, proper subset of the edges where the parents
    differ from `b` and the rest from `a`, so it equals neither; None when they differ in
    fewer than two edges (no such child exists)."""
    if a.ops != b.ops or len(a.choices) != len(b.choices):
        raise ValueError("crossover needs two genotypes of the same space")
    differ = [
        (c, e)
        for c, (cell_a, cell_b) in enumerate(zip(a.choices, b.choices, strict=True))
        for e, (op_a, op_b) in enumerate(zip(cell_a, cell_b, strict=True))
        if op_a != op_b
    ]
    if len(differ) < 2:
        return None
    from_b = rng.sample(differ, rng.randint(1, len(differ) - 1))
    choices = [list(cell) for cell in a.choices]
    for c, e in from_b:
        choices[c][e] = b.choices[c][e]
    return Genotype(a.ops, tuple(tuple(cell) for cell in choices))
