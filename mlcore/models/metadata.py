"""Facts about a network measured from the module itself, never typed by hand.

One eval-mode forward pass at the model's default input size is watched by a dispatch
mode: FLOPs come from torch's own flop counter; same-shape 4-D tensor additions
(`x + f(x)`) and channel concatenations are counted as skip connections, softmaxes over
token or window scores (3-D and up) as attention, activation ops by kind, and products of a
feature map with a per-channel (N, C, 1, 1) tensor as channel gating (squeeze-excitation).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import FlopCounterMode

ADD_OPS = frozenset({torch.ops.aten.add.Tensor, torch.ops.aten.add_.Tensor})
CAT_OPS = frozenset({torch.ops.aten.cat.default})
MUL_OPS = frozenset({torch.ops.aten.mul.Tensor, torch.ops.aten.mul_.Tensor})
ATTENTION_OPS = frozenset(
    {
        torch.ops.aten.softmax.int,
        torch.ops.aten._softmax.default,
        torch.ops.aten._native_multi_head_attention.default,
        torch.ops.aten._scaled_dot_product_flash_attention_for_cpu.default,
        torch.ops.aten._scaled_dot_product_efficient_attention.default,
        torch.ops.aten._scaled_dot_product_flash_attention.default,
    }
)
NORMALISATIONS: dict[type[nn.Module], str] = {
    nn.BatchNorm2d: "batch",
    nn.GroupNorm: "group",
    nn.LayerNorm: "layer",
    nn.InstanceNorm2d: "instance",
}
WEIGHT_LAYERS = (nn.Conv2d, nn.Linear)
ACTIVATION_OPS: dict[str, str] = {  # aten op name (in-place forms too) -> activation
    "relu": "relu",
    "hardtanh": "relu6",
    "silu": "silu",
    "gelu": "gelu",
    "hardswish": "hardswish",
    "leaky_relu": "leaky_relu",
    "mish": "mish",
}


def is_gate(a: Any, b: Any) -> bool:
    """Whether `a * b` scales a feature map by one value per channel."""
    if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)):
        return False
    if a.dim() != 4 or b.dim() != 4:
        return False
    small, large = (a, b) if a.shape[-2:].numel() < b.shape[-2:].numel() else (b, a)
    return (
        small.shape[-2:].numel() == 1
        and large.shape[-2:].numel() > 1
        and (small.shape[1] == large.shape[1] > 1)
    )


class SkipCounter(TorchDispatchMode):
    """Counts residual additions, feature-map concatenations, attention softmaxes and
    channel gates in the ops it sees."""

    def __init__(self) -> None:
        super().__init__()
        self.residual_adds = 0
        self.concatenations = 0
        self.attention = 0
        self.gates = 0
        self.activations: set[str] = set()

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
        elif func in ATTENTION_OPS and args and args[0].dim() >= 3:
            self.attention += 1
        elif func in MUL_OPS and len(args) >= 2 and is_gate(args[0], args[1]):
            self.gates += 1
        base = func.__name__.split(".")[0].rstrip("_")
        if base in ACTIVATION_OPS:
            self.activations.add(ACTIVATION_OPS[base])
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


def grouped_convolutions(layers: list[nn.Module]) -> tuple[int, int]:
    """(depthwise, other grouped) convolutions among `layers`."""
    convs = [m for m in layers if isinstance(m, nn.Conv2d) and m.groups > 1]
    depthwise = sum(1 for m in convs if m.groups == m.in_channels)
    return depthwise, len(convs) - depthwise


def describe_module(model: nn.Module, image_size: int) -> dict[str, Any]:
    """Parameters, GFLOPs (2 x multiply-adds, one image), depth, width, and the features:
    normalisation, activations, skips, attention, gating, depthwise and grouped convolutions."""
    model = model.eval()
    layers = weight_layers(model)
    sample = torch.zeros(1, 3, image_size, image_size)
    flops = FlopCounterMode(display=False)
    skips = SkipCounter()
    # with autograd on: in inference mode nn.MultiheadAttention takes a fused kernel that the
    # FLOP counter cannot see (ViT's attention would count as nothing)
    with flops, skips:
        model(sample)
    depthwise, grouped = grouped_convolutions(layers)
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
        "attention_layers": skips.attention,
        "channel_gates": skips.gates,
        "depthwise_convolutions": depthwise,
        "grouped_convolutions": grouped,
        "activations": sorted(skips.activations),
    }
