"""A plain network holding only the ops a genotype chose (the packaged `nas_network`)."""

from __future__ import annotations

from typing import Any

from mlcore.nas.space.genotype import Genotype, check_genotype
from mlcore.nas.space.search_space import SearchSpace
from mlcore.package.runtime.nas_network import DiscreteNet

BUILDER = "nas_network.build"  # model.pt's arch["builder"]: the package's own module


def build_discrete(space: SearchSpace, genotype: Genotype) -> DiscreteNet:
    """The space's skeleton with `genotype`'s op on every edge of every cell."""
    check_genotype(space, genotype)
    return DiscreteNet(space, space.cell_choices(genotype.choices))


def arch_config(space: SearchSpace, genotype: Genotype, classes: list[str]) -> dict[str, Any]:
    """model.pt's "arch": what `nas_network.build` rebuilds the network from (choices per
    cell, so the package's builder needs no notion of shared rows)."""
    return {
        "name": "nas",
        "builder": BUILDER,
        "layout": space.to_dict(),
        "choices": [list(cell) for cell in space.cell_choices(genotype.choices)],
        "num_classes": len(classes),
        "classes": classes,
    }
