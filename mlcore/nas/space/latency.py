"""FBNet-style latency lookup table: every op timed alone at every cell's resolution.

A network's latency is predicted, without building or running it, as the fixed cost (the
real network with a free identity on every edge: stem, each cell's input convolutions, sums
and norm, reductions, head and the Python dispatch between them) plus, per cell and edge,
the chosen op's entry.
"""

from __future__ import annotations

import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import torch
from torch import nn

from mlcore.nas.space.discrete import build_discrete
from mlcore.nas.space.genotype import Genotype, check_genotype
from mlcore.nas.space.search_space import SearchSpace
from mlcore.package.runtime.nas_network import (
    REDUCTIONS,
    CellInputs,
    Macro,
    cell_output,
    create_op,
    output_norm,
)

CPUINFO = Path("/proc/cpuinfo")

# Waits for queued kernels before reading the clock; devices absent here run synchronously.
SYNCHRONIZE: dict[str, Callable[[torch.device], None]] = {
    "cuda": torch.cuda.synchronize,
}


def cpu_name() -> str:
    """The CPU model from /proc/cpuinfo, else what `platform` knows."""
    if CPUINFO.is_file():
        for line in CPUINFO.read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and value.strip():
                return value.strip()
    return platform.processor() or platform.machine() or "unknown CPU"


DEVICE_NAMES: dict[str, Callable[[torch.device], str]] = {
    "cpu": lambda device: f"{cpu_name()} ({torch.get_num_threads()} threads)",
    "cuda": lambda device: torch.cuda.get_device_name(device),
}


def device_name(device: torch.device) -> str:
    """A human-readable name of the hardware behind `device`."""
    return DEVICE_NAMES.get(device.type, str)(device)


def median_ms(run: Callable[[], object], device: torch.device, repeats: int, warmup: int) -> float:
    """Median wall time of `run()` in milliseconds, synchronising `device` around each call."""
    sync = SYNCHRONIZE.get(device.type, lambda _: None)
    times = []
    with torch.inference_mode():
        for _ in range(warmup):
            run()
        for _ in range(repeats):
            sync(device)
            began = time.perf_counter()
            run()
            sync(device)
            times.append((time.perf_counter() - began) * 1000.0)
    return statistics.median(times)


def cell_sizes(space: SearchSpace, image_size: int) -> tuple[int, ...]:
    """Height (= width) of each cell's input: the stem keeps image_size, every reduction
    between cells applies as in the network."""
    reduce = REDUCTIONS[space.reduction]()
    x = torch.zeros(1, 1, image_size, image_size)
    sizes = [image_size]
    for _ in range(space.cells - 1):
        x = reduce(x)
        sizes.append(int(x.shape[-1]))
    return tuple(sizes)


@dataclass(frozen=True)
class LatencyTable:
    """`op_ms[c][m]`: ms of op `space.ops[m]` alone on cell c's input (`sizes[c]` pixels
    square); `fixed_ms`: the all-identity network, what every genotype pays besides its ops;
    `parts_ms`: its parts timed alone (stem, cell_<c> input convolutions + sums + norm,
    reduce_<c> after cell c, head), whose sum falls short of `fixed_ms` by the dispatch
    between them."""

    space: SearchSpace
    image_size: int
    batch_size: int
    sizes: tuple[int, ...]
    op_ms: tuple[tuple[float, ...], ...]
    fixed_ms: float
    parts_ms: dict[str, float]
    device: str
    torch_version: str
    repeats: int
    warmup: int
    date: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "space": self.space.to_dict(),
            "image_size": self.image_size,
            "batch_size": self.batch_size,
            "sizes": list(self.sizes),
            "op_ms": [list(row) for row in self.op_ms],
            "fixed_ms": self.fixed_ms,
            "parts_ms": dict(self.parts_ms),
            "device": self.device,
            "torch_version": self.torch_version,
            "repeats": self.repeats,
            "warmup": self.warmup,
            "date": self.date,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LatencyTable:
        """Inverse of `to_dict`."""
        return cls(
            **{
                **data,
                "space": SearchSpace.from_dict(data["space"]),
                "sizes": tuple(data["sizes"]),
                "op_ms": tuple(tuple(row) for row in data["op_ms"]),
                "parts_ms": dict(data["parts_ms"]),
            }
        )


def cell_glue(
    space: SearchSpace, inputs: CellInputs, norm: nn.Module, x: torch.Tensor
) -> torch.Tensor:
    """A cell's work besides its ops: its input convolutions (`space.preprocess`), the sums
    over edges, the mean and the output norm."""
    s0, s1 = inputs(x, x)
    return norm(cell_output(space, s0, s1, lambda _, v: v))


def reduce_both(reduce: nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The network reduces both states it hands to the next cell."""
    return reduce(x), reduce(x)


def head(macro: Macro, x: torch.Tensor) -> torch.Tensor:
    """Global average pooling + the linear head."""
    return macro.head(x.mean(dim=(2, 3)))


def fixed_parts(
    space: SearchSpace, sizes: tuple[int, ...], batch_size: int, device: torch.device
) -> dict[str, Callable[[], object]]:
    """Callables running each part every genotype shares, on inputs of the network's shapes."""
    macro = Macro(space).to(device).eval()
    inputs = CellInputs(space).to(device).eval()
    norm = output_norm(space).to(device).eval()
    states = [torch.randn(batch_size, space.channels, n, n, device=device) for n in sizes]
    image = torch.randn(batch_size, space.in_channels, sizes[0], sizes[0], device=device)
    parts: dict[str, Callable[[], object]] = {"stem": partial(macro.stem, image)}
    for c, x in enumerate(states):
        parts[f"cell_{c}"] = partial(cell_glue, space, inputs, norm, x)
        if c < len(states) - 1:
            parts[f"reduce_{c}"] = partial(reduce_both, macro.reduce, x)
    parts["head"] = partial(head, macro, states[-1])
    return parts


def forward_call(
    space: SearchSpace, genotype: Genotype, image_size: int, batch_size: int, device: torch.device
) -> Callable[[], object]:
    """One eval-mode forward of the genotype's network on a random batch."""
    net = build_discrete(space, genotype).to(device).eval()
    image = torch.randn(batch_size, space.in_channels, image_size, image_size, device=device)
    return partial(net, image)


def skeleton(
    space: SearchSpace, image_size: int, batch_size: int, device: torch.device
) -> Callable[[], object]:
    """A forward of the space's network with a free identity on every edge."""
    free = replace(space, ops=("identity",))
    zeros = tuple((0,) * space.num_edges for _ in range(space.rows))
    return forward_call(free, Genotype(free.ops, zeros), image_size, batch_size, device)


def op_latencies(
    space: SearchSpace, size: int, batch_size: int, device: torch.device, repeats: int, warmup: int
) -> tuple[float, ...]:
    """ms of each op of `space`, alone, on a (batch_size, channels, size, size) input."""
    x = torch.randn(batch_size, space.channels, size, size, device=device)
    row = []
    for name in space.ops:
        op = create_op(name, space.channels).to(device).eval()
        row.append(median_ms(partial(op, x), device, repeats, warmup))
    return tuple(row)


def measure_latency_table(
    space: SearchSpace,
    image_size: int,
    device: torch.device | str = "cpu",
    batch_size: int = 1,
    repeats: int = 50,
    warmup: int = 10,
) -> LatencyTable:
    """Time every op of `space` at every cell's resolution, and the fixed parts, in eval mode
    (median of `repeats` calls after `warmup`, under inference_mode)."""
    device = torch.device(device)
    sizes = cell_sizes(space, image_size)
    parts = fixed_parts(space, sizes, batch_size, device)
    return LatencyTable(
        space=space,
        image_size=image_size,
        batch_size=batch_size,
        sizes=sizes,
        op_ms=tuple(
            op_latencies(space, size, batch_size, device, repeats, warmup) for size in sizes
        ),
        fixed_ms=median_ms(
            skeleton(space, image_size, batch_size, device), device, repeats, warmup
        ),
        parts_ms={name: median_ms(part, device, repeats, warmup) for name, part in parts.items()},
        device=device_name(device),
        torch_version=torch.__version__,
        repeats=repeats,
        warmup=warmup,
        date=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def predict_latency(table: LatencyTable, genotype: Genotype) -> float:
    """Predicted ms of the genotype's network: `fixed_ms` + the chosen op's entry per edge."""
    check_genotype(table.space, genotype)
    cells = table.space.cell_choices(genotype.choices)
    chosen = sum(table.op_ms[c][m] for c, cell in enumerate(cells) for m in cell)
    return table.fixed_ms + chosen


def latency_vector(table: LatencyTable) -> tuple[float, ...]:
    """A complexity vector s from measured cost: each op's mean ms over cells, normalised to
    sum 1. Every cell has the same edges, so s_m is proportional to what putting op m on
    every edge adds to `predict_latency`. Identity keeps its measured call overhead (a few
    microseconds, so s_identity is near 0 but positive): it is as cheap as it really is."""
    means = [statistics.fmean(row[m] for row in table.op_ms) for m in range(table.space.k)]
    total = sum(means)
    return tuple(mean / total for mean in means)


def measure_network_latency(
    space: SearchSpace,
    genotype: Genotype,
    image_size: int,
    device: torch.device | str = "cpu",
    batch_size: int = 1,
    repeats: int = 50,
    warmup: int = 10,
) -> float:
    """Median ms of the whole built network, to check `predict_latency` against."""
    device = torch.device(device)
    run = forward_call(space, genotype, image_size, batch_size, device)
    return median_ms(run, device, repeats, warmup)
