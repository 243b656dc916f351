"""The network of a Konstruktor NAS model, in plain PyTorch (needs torch only).

A stem conv, then `cells` cells (down-sampled between them), then global average pooling
and a linear head. A cell is a DAG: vertices 0 and 1 are the outputs of the two previous
cells (both the stem output for the first cell; with `preprocess`, each through its own
1x1 ReLU-conv-BN, as in DARTS), every later vertex sums one operation per earlier vertex,
and the cell outputs the mean of its later vertices, batch-normalised.

    import torch
    from nas_network import build
    checkpoint = torch.load("model.pt", weights_only=True)
    model = build(checkpoint["arch"]); model.load_state_dict(checkpoint["state_dict"])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, Protocol

import torch
from torch import nn

OpFactory = Callable[[int, int], nn.Module]  # (channels, stride) -> op


def relu_conv_bn(channels: int, stride: int, kernel: int, dilation: int = 1) -> nn.Sequential:
    """ReLU -> Conv(kernel x kernel) -> BatchNorm, shape-preserving at stride 1."""
    return nn.Sequential(
        nn.ReLU(),
        nn.Conv2d(
            channels,
            channels,
            kernel,
            stride=stride,
            padding=dilation * (kernel - 1) // 2,
            dilation=dilation,
            bias=False,
        ),
        nn.BatchNorm2d(channels),
    )


def sep_conv(channels: int, stride: int) -> nn.Sequential:
    """ReLU -> depthwise 3x3 -> pointwise 1x1 -> BatchNorm."""
    return nn.Sequential(
        nn.ReLU(),
        nn.Conv2d(channels, channels, 3, stride=stride, padding=1, groups=channels, bias=False),
        nn.Conv2d(channels, channels, 1, bias=False),
        nn.BatchNorm2d(channels),
    )


def identity(channels: int, stride: int) -> nn.Module:
    """The input itself; at stride > 1 a strided 1x1 conv + BatchNorm (DARTS' skip)."""
    if stride == 1:
        return nn.Identity()
    return nn.Sequential(
        nn.Conv2d(channels, channels, 1, stride=stride, bias=False), nn.BatchNorm2d(channels)
    )


OPERATIONS: dict[str, OpFactory] = {
    "conv3": lambda c, s: relu_conv_bn(c, s, 3),
    "conv5": lambda c, s: relu_conv_bn(c, s, 5),
    "dilconv3": lambda c, s: relu_conv_bn(c, s, 3, dilation=2),
    "sepconv3": lambda c, s: sep_conv(c, s),
    "maxpool3": lambda c, s: nn.MaxPool2d(3, stride=s, padding=1),
    "avgpool3": lambda c, s: nn.AvgPool2d(3, stride=s, padding=1, count_include_pad=False),
    "identity": identity,
}

REDUCTIONS: dict[str, Callable[[], nn.Module]] = {
    "maxpool": lambda: nn.MaxPool2d(2),
    "avgpool": lambda: nn.AvgPool2d(2),
    "none": nn.Identity,
}


def create_op(name: str, channels: int, stride: int = 1) -> nn.Module:
    """The operation `name` for `channels` in = out channels."""
    return OPERATIONS[name](channels, stride)


class Layout(Protocol):
    """The macro structure every network of a search space shares."""

    @property
    def ops(self) -> tuple[str, ...]: ...
    @property
    def cells(self) -> int: ...
    @property
    def nodes(self) -> int: ...
    @property
    def channels(self) -> int: ...
    @property
    def in_channels(self) -> int: ...
    @property
    def classes(self) -> int: ...
    @property
    def reduction(self) -> str: ...
    @property
    def preprocess(self) -> bool: ...


@dataclass(frozen=True)
class NetworkLayout:
    """A `Layout` read from model.pt's "arch" (one without "preprocess" has none)."""

    ops: tuple[str, ...]
    cells: int
    nodes: int
    channels: int
    in_channels: int
    classes: int
    reduction: str
    preprocess: bool = False


CellCall = Callable[[int, torch.Tensor, torch.Tensor], torch.Tensor]


class Macro(nn.Module):
    """Stem conv + BN, `reduction` between cells, global average pool + linear head."""

    def __init__(self, layout: Layout) -> None:
        super().__init__()
        self.layout = layout
        self.stem = nn.Sequential(
            nn.Conv2d(layout.in_channels, layout.channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(layout.channels),
        )
        self.reduce = REDUCTIONS[layout.reduction]()
        self.head = nn.Linear(layout.channels, layout.classes)

    def chain(self, x: torch.Tensor, cell: CellCall) -> torch.Tensor:
        """Logits of `x`; `cell(index, s0, s1)` computes one cell from the two previous states."""
        s0 = s1 = self.stem(x)
        last = self.layout.cells - 1
        for index in range(self.layout.cells):
            s0, s1 = s1, cell(index, s0, s1)
            if index < last:
                s0, s1 = self.reduce(s0), self.reduce(s1)
        return self.head(s1.mean(dim=(2, 3)))


class CellInputs(nn.Module):
    """A cell's two inputs as its DAG sees them: with `layout.preprocess` each through its
    own 1x1 ReLU-conv-BN (channel mixing that a cell of parameter-free ops learns through
    too), else unchanged."""

    def __init__(self, layout: Layout) -> None:
        super().__init__()
        channels = layout.channels
        self.s0: nn.Module = relu_conv_bn(channels, 1, 1) if layout.preprocess else nn.Identity()
        self.s1: nn.Module = relu_conv_bn(channels, 1, 1) if layout.preprocess else nn.Identity()

    def forward(self, s0: torch.Tensor, s1: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.s0(s0), self.s1(s1)


def output_norm(layout: Layout) -> nn.BatchNorm2d:
    """Parameter-free BatchNorm of a cell's output: sums over edges would otherwise grow
    the activations several-fold per cell."""
    return nn.BatchNorm2d(layout.channels, affine=False)


def cell_output(
    layout: Layout,
    s0: torch.Tensor,
    s1: torch.Tensor,
    edge: Callable[[int, torch.Tensor], torch.Tensor],
) -> torch.Tensor:
    """Mean of the intermediate vertices; `edge(e, x)` applies edge e to its source vertex."""
    states = [s0, s1]
    index = 0
    for j in range(2, layout.nodes + 2):
        total = edge(index, states[0])
        for i in range(1, j):
            total = total + edge(index + i, states[i])
        index += j
        states.append(total)
    return torch.stack(states[2:]).mean(dim=0)


class DiscreteCell(nn.Module):
    """A cell with one chosen op per edge (`choices` index the layout's ops)."""

    def __init__(self, layout: Layout, choices: tuple[int, ...]) -> None:
        super().__init__()
        self.layout = layout
        self.inputs = CellInputs(layout)
        self.norm = output_norm(layout)
        self.edges = nn.ModuleList(create_op(layout.ops[i], layout.channels) for i in choices)

    def forward(self, s0: torch.Tensor, s1: torch.Tensor) -> torch.Tensor:
        s0, s1 = self.inputs(s0, s1)
        return self.norm(cell_output(self.layout, s0, s1, lambda e, x: self.edges[e](x)))


class DiscreteNet(Macro):
    """The layout's skeleton with the chosen op on every edge: choices[cell][edge]."""

    def __init__(self, layout: Layout, choices: tuple[tuple[int, ...], ...]) -> None:
        super().__init__(layout)
        self.choices = choices
        self.cells = nn.ModuleList(DiscreteCell(layout, cell) for cell in choices)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.chain(x, lambda c, s0, s1: self.cells[c](s0, s1))


def build(arch: dict[str, Any]) -> DiscreteNet:
    """The untrained network model.pt's "arch" describes (its "layout" and "choices")."""
    names = {field.name for field in fields(NetworkLayout)}
    values = {k: v for k, v in arch["layout"].items() if k in names}
    layout = NetworkLayout(**{**values, "ops": tuple(values["ops"])})
    return DiscreteNet(layout, tuple(tuple(cell) for cell in arch["choices"]))
