"""The DARTS-style cell search space: which ops, how many cells, nodes and channels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from mlcore.contract.search import CELL_SHARING, CellSharing
from mlcore.package.runtime.nas_network import OPERATIONS, REDUCTIONS

T = TypeVar("T")


@dataclass(frozen=True)
class SearchSpace:
    """Stem conv -> `cells` cells (down-sampled by `reduction` between them) -> GAP + linear.

    A cell is a DAG: vertices 0 and 1 are the outputs of the two previous cells (both the
    stem output for the first cell; with `preprocess`, each through its own 1x1
    ReLU-conv-BN, as in DARTS, so even a cell of parameter-free ops learns), vertices
    2..nodes+1 sum one mixed op per earlier vertex, and the cell outputs the mean of its
    intermediate vertices, batch-normalised without affine parameters (C channels).

    The architecture is a table of rows, one chosen op per edge in each. `cell_sharing`
    "shared" (the thesis' and DARTS' form) has two rows: the normal cell, used by the first
    cell, and the reduction cell, used by every cell after a down-sampling (the reduction
    itself stays the fixed `reduction` op before the cell); each cell keeps its own weights.
    "per_cell" gives every cell a row of its own.
    """

    ops: tuple[str, ...] = ("maxpool3", "identity", "conv3")
    cells: int = 3
    nodes: int = 4
    channels: int = 32
    in_channels: int = 1
    classes: int = 10
    reduction: str = "maxpool"
    preprocess: bool = True
    cell_sharing: CellSharing = "shared"

    def __post_init__(self) -> None:
        unknown = [op for op in self.ops if op not in OPERATIONS]
        if unknown or len(set(self.ops)) != len(self.ops) or not self.ops:
            raise ValueError(f"ops must be distinct names from {sorted(OPERATIONS)}: {self.ops}")
        if self.reduction not in REDUCTIONS:
            raise ValueError(f"reduction must be one of {sorted(REDUCTIONS)}: {self.reduction}")
        if min(self.cells, self.nodes, self.channels, self.in_channels, self.classes) < 1:
            raise ValueError("cells, nodes, channels, in_channels and classes must be >= 1")
        if self.cell_sharing not in CELL_SHARING:
            raise ValueError(f"cell_sharing must be one of {CELL_SHARING}: {self.cell_sharing}")

    @property
    def k(self) -> int:
        """Number of candidate operations per edge."""
        return len(self.ops)

    @property
    def edges(self) -> tuple[tuple[int, int], ...]:
        """(source, target) vertex pairs of one cell, ordered by target then source."""
        return tuple((i, j) for j in range(2, self.nodes + 2) for i in range(j))

    @property
    def num_edges(self) -> int:
        """Edges per cell: nodes * (nodes + 3) / 2."""
        return len(self.edges)

    @property
    def cell_rows(self) -> tuple[int, ...]:
        """The architecture row each cell uses."""
        if self.cell_sharing == "per_cell":
            return tuple(range(self.cells))
        return tuple(min(cell, 1) for cell in range(self.cells))

    @property
    def rows(self) -> int:
        """Rows of the architecture: 2 shared (1 for a single cell), else one per cell."""
        return max(self.cell_rows) + 1

    def cell_choices(self, rows: Sequence[T]) -> tuple[T, ...]:
        """Per-row values (ops, weights) laid out per cell."""
        if len(rows) != self.rows:
            raise ValueError(f"this space has {self.rows} architecture rows, got {len(rows)}")
        return tuple(rows[row] for row in self.cell_rows)

    @property
    def alpha_shape(self) -> tuple[int, int, int]:
        """Shape of the architecture logits and mixing weights: (rows, edges, k)."""
        return (self.rows, self.num_edges, self.k)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {**asdict(self), "ops": list(self.ops)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SearchSpace:
        """Inverse of `to_dict`; a dict without "preprocess" was saved before the space had
        input convolutions (as `nas_network.NetworkLayout` reads it too), one without
        "cell_sharing" before cells shared their architecture."""
        defaults = {"preprocess": False, "cell_sharing": "per_cell"}
        return cls(**{**defaults, **data, "ops": tuple(data["ops"])})
