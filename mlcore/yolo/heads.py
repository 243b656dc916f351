"""Transfer between class lists: an earlier model's class-specific head layers are dropped.

Ultralytics loads a starting checkpoint by matching parameter names and shapes, so an
earlier model with as many classes (but other ones) would hand its class rows on as if
they meant the new classes. Widening those layers in a copy of the checkpoint makes their
shapes differ, so the new model keeps its own freshly initialised head.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

from mlcore.yolo import offline  # noqa: F401  (configures ultralytics before its import)

# isort: split
from ultralytics.nn.modules.head import Classify, Detect

Slot = tuple[nn.Module, str]  # (parent module, child name) of a class-specific layer


def _classify_slots(head: nn.Module) -> list[Slot]:
    return [(head, "linear")]


def _detect_slots(head: nn.Module) -> list[Slot]:
    return [(branch, str(len(branch) - 1)) for branch in head.cv3]  # type: ignore[union-attr]


CLASS_SLOTS: dict[type[nn.Module], Callable[[nn.Module], list[Slot]]] = {
    Classify: _classify_slots,
    Detect: _detect_slots,
}


def widened(layer: nn.Module) -> nn.Module:
    """A layer like `layer` with one more output, so no checkpoint loader will match it."""
    if isinstance(layer, nn.Linear):
        return nn.Linear(layer.in_features, layer.out_features + 1)
    if isinstance(layer, nn.Conv2d):
        size = (layer.kernel_size[0], layer.kernel_size[1])
        return nn.Conv2d(layer.in_channels, layer.out_channels + 1, size)
    raise TypeError(f"no class-specific layer type {type(layer).__name__}")


def checkpoint_classes(checkpoint: dict[str, object]) -> list[str]:
    """The class names an ultralytics checkpoint's model predicts, in index order."""
    names: dict[int, str] = checkpoint["model"].names  # type: ignore[attr-defined]
    return [str(names[i]) for i in sorted(names)]


def without_class_head(checkpoint: dict[str, object], path: Path) -> Path:
    """Save `checkpoint` to `path` with its class-specific head layers made unmatchable."""
    head = checkpoint["model"].model[-1]  # type: ignore[attr-defined]
    slots = next(find(head) for kind, find in CLASS_SLOTS.items() if isinstance(head, kind))
    for parent, name in slots:
        parent.add_module(name, widened(parent.get_submodule(name)))
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(checkpoint, path)
    return path
