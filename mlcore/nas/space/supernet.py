"""The one-shot supernet: every edge mixes all ops with weights given at forward time."""

from __future__ import annotations

import torch
from torch import nn

from mlcore.nas.space.search_space import SearchSpace
from mlcore.package.runtime.nas_network import (
    CellInputs,
    Macro,
    cell_output,
    create_op,
    output_norm,
)


class MixedOp(nn.Module):
    """sum_m w_m * o_m(x) over the space's candidate ops."""

    def __init__(self, ops: tuple[str, ...], channels: int) -> None:
        super().__init__()
        self.ops = nn.ModuleList(create_op(name, channels) for name in ops)

    def forward(self, x: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        outputs = torch.stack([op(x) for op in self.ops], dim=-1)
        return outputs @ weights


class MixedCell(nn.Module):
    """A cell with a mixed op on every edge; forward takes weights (edges, k)."""

    def __init__(self, space: SearchSpace) -> None:
        super().__init__()
        self.space = space
        self.inputs = CellInputs(space)
        self.norm = output_norm(space)
        self.edges = nn.ModuleList(MixedOp(space.ops, space.channels) for _ in space.edges)

    def forward(self, s0: torch.Tensor, s1: torch.Tensor, gamma: torch.Tensor) -> torch.Tensor:
        s0, s1 = self.inputs(s0, s1)
        return self.norm(cell_output(self.space, s0, s1, lambda e, x: self.edges[e](x, gamma[e])))


class SuperNet(Macro):
    """forward(x, gamma) with gamma shaped (rows, edges, k): per-edge op weights of each
    architecture row, which every cell of that row uses."""

    def __init__(self, space: SearchSpace) -> None:
        super().__init__(space)
        self.space = space
        self.cells = nn.ModuleList(MixedCell(space) for _ in range(space.cells))

    def forward(self, x: torch.Tensor, gamma: torch.Tensor) -> torch.Tensor:
        if gamma.shape != self.space.alpha_shape:
            raise ValueError(f"gamma must be {self.space.alpha_shape}, got {tuple(gamma.shape)}")
        rows = self.space.cell_rows
        return self.chain(x, lambda c, s0, s1: self.cells[c](s0, s1, gamma[rows[c]]))
