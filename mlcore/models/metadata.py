"""Facts about a network measured from the module itself, never typed by hand.

One eval-mode forward pass at the model's default input size is watched by a dispatch
mode: FLOPs come from torch's own flop counter, and same-shape 4-D tensor additions
(`x + f(x)`) and channel concatenations are counted as skip connections.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import FlopCounterMode

ADD_OPS = frozenset({torch.ops.aten.add.Tensor, torch.ops.aten.add_.Tensor})
CAT_OPS = frozenset({torch.ops.aten.cat.default})
NORMALISATIONS: dict[type[nn.Module], str] = {
    nn.BatchNorm2d: "batch",
    nn.GroupNorm: "group",
    nn.LayerNorm: "layer",
    nn.InstanceNorm2d: "instance",
}
WEIGHT_LAYERS = (nn.Conv2d, nn.Linear)


class SkipCounter(TorchDispatchMode):
    """Counts residual additions and feature-map concatenations in the ops it sees."""

    def __init__(self) -> None:
        super().__init__()
        self.residual_adds = 0
        self.concatenations = 0

    def __torch_dispatch__(
        self,
        func: Any,
        types: Any,
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
    ) -> Any:
        if func in ADD_OPS and len(args) >= 2:
            a, b = args[0], args[1]
            if (
                isinstance(a, torch.Tensor)
                and isinstance(b, torch.Tensor)
                and a.dim() == 4
                and a.shape == b.shape
            ):
                self.residual_adds += 1
        elif func in CAT_OPS and args and all(t.dim() == 4 for t in args[0]):
            self.concatenations += 1
        return func(*args, **(kwargs or {}))


def count_params(model: nn.Module) -> int:
    """Number of parameters."""
    return sum(p.numel() for p in model.parameters())


def weight_layers(model: nn.Module) -> list[nn.Module]:
    """Convolution and linear layers, in module order."""
    return [m for m in model.modules() if isinstance(m, WEIGHT_LAYERS)]


def normalisation(model: nn.Module) -> list[str]:
    """Kinds of normalisation layer the model uses, e.g. ["batch"]."""
    found = {
        kind
        for module in model.modules()
        for cls, kind in NORMALISATIONS.items()
        if isinstance(module, cls)
    }
    return sorted(found)


def describe_module(model: nn.Module, image_size: int) -> dict[str, Any]:
    """Parameters, GFLOPs (2 x multiply-adds, one image), depth, width, norms and skips."""
    model = model.eval()
    layers = weight_layers(model)
    sample = torch.zeros(1, 3, image_size, image_size)
    flops = FlopCounterMode(display=False)
    skips = SkipCounter()
    with torch.inference_mode(), flops, skips:
        model(sample)
    return {
        "params": count_params(model),
        "gflops": round(flops.get_total_flops() / 1e9, 3),
        "depth": len(layers),
        "width": max(
            (m.out_channels for m in layers if isinstance(m, nn.Conv2d)),
            default=0,
        ),
        "normalisation": normalisation(model),
        "residual_connections": skips.residual_adds,
        "concat_connections": skips.concatenations,
    }
