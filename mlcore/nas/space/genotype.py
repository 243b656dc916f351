"""A discrete architecture of a search space: one chosen op per edge of each row (the
shared normal and reduction cells, or every cell of a per-cell space)."""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass
from typing import Any

import torch

from mlcore.nas.space.search_space import SearchSpace


@dataclass(frozen=True)
class Genotype:
    """`choices[r][e]` is the index into `ops` of the op on edge e of architecture row r
    (`SearchSpace.cell_rows` says which cells use it)."""

    ops: tuple[str, ...]
    choices: tuple[tuple[int, ...], ...]

    @classmethod
    def from_alpha(cls, ops: tuple[str, ...], alpha: torch.Tensor) -> Genotype:
        """Argmax per edge of logits shaped (rows, edges, k)."""
        picks = alpha.detach().argmax(dim=-1).tolist()
        return cls(ops=ops, choices=tuple(tuple(cell) for cell in picks))

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, edges); edges is -1 when rows disagree on their edge count."""
        sizes = {len(cell) for cell in self.choices}
        return (len(self.choices), sizes.pop() if len(sizes) == 1 else -1)

    def counts(self) -> dict[str, int]:
        """How many edges of the rows carry each op (every op listed, zeros included): a
        shared architecture counts its normal and reduction cell once each, as the thesis."""
        found = Counter(self.ops[i] for cell in self.choices for i in cell)
        return {op: found[op] for op in self.ops}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"ops": list(self.ops), "choices": [list(cell) for cell in self.choices]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Genotype:
        """Inverse of `to_dict`."""
        return cls(ops=tuple(data["ops"]), choices=tuple(tuple(cell) for cell in data["choices"]))

    def to_json(self) -> str:
        """Compact JSON text."""
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> Genotype:
        """Inverse of `to_json`."""
        return cls.from_dict(json.loads(text))


def check_genotype(space: SearchSpace, genotype: Genotype) -> None:
    """Raise ValueError unless `genotype` has the space's ops, shape and op indices."""
    shape = (space.rows, space.num_edges)
    if genotype.ops != space.ops or genotype.shape != shape:
        raise ValueError(f"genotype does not fit the space: ops {space.ops}, shape {shape}")
    if any(
        not isinstance(op, int) or isinstance(op, bool) or not 0 <= op < space.k
        for cell in genotype.choices
        for op in cell
    ):
        raise ValueError(f"op indices must be integers in 0..{space.k - 1}")


def random_genotype(space: SearchSpace, rng: random.Random) -> Genotype:
    """Every edge's op drawn uniformly."""
    choices = tuple(
        tuple(rng.randrange(space.k) for _ in range(space.num_edges)) for _ in range(space.rows)
    )
    return Genotype(space.ops, choices)


def uniform_genotype(space: SearchSpace, op: int) -> Genotype:
    """The op with index `op` on every edge."""
    return Genotype(space.ops, ((op,) * space.num_edges,) * space.rows)
