"""Behaviour descriptors of an architecture (LLMatic's depth and width; FLOPs are its cost).

A layer is any op other than those in `SKIP_OPS`: convolutions and poolings transform their
input, identity passes it on. Every network of the space has the same stem, reductions and
head, so the descriptors look at the searched cells only.
"""

from __future__ import annotations

from mlcore.nas.space.genotype import Genotype
from mlcore.nas.space.search_space import SearchSpace

SKIP_OPS = frozenset({"identity"})


def is_layer(space: SearchSpace, op: int) -> int:
    """1 when the op with index `op` is a layer, else 0."""
    return int(space.ops[op] not in SKIP_OPS)


def depth(space: SearchSpace, genotype: Genotype) -> int:
    """Most layers on any path from the stem to the head: a vertex is as deep as its deepest
    incoming edge, a cell's output as its deepest intermediate vertex."""
    s0 = s1 = 0
    for cell in space.cell_choices(genotype.choices):
        states = [s0, s1]
        for (source, target), op in zip(space.edges, cell, strict=True):
            if target == len(states):
                states.append(0)
            states[target] = max(states[target], states[source] + is_layer(space, op))
        s0, s1 = s1, max(states[2:])
    return s1


def width(space: SearchSpace, genotype: Genotype) -> float:
    """Mean number of layers entering an intermediate vertex, over all cells.

    Channels are the same on every edge of this space, so width counts parallel layers
    rather than channels: 0 for an all-identity network, (nodes + 3) / 2 when every edge
    is a layer."""
    cells = space.cell_choices(genotype.choices)
    layers = sum(is_layer(space, op) for cell in cells for op in cell)
    return layers / (space.cells * space.nodes)
