"""preprocess.json: what ultralytics does to an image before the network, read from ultralytics."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import torch
from torchvision import transforms as T

from mlcore.yolo import offline  # noqa: F401  (configures ultralytics before its import)

# isort: split
from ultralytics.data.augment import LetterBox, classify_transforms

TO_TENSOR = {"op": "to_tensor", "color": "RGB", "scale": 1 / 255, "layout": "CHW"}

STEP_DESCRIPTIONS: dict[type, Callable[[Any], dict[str, Any]]] = {
    T.Resize: lambda t: {
        "op": "resize_shorter_side",
        "size": t.size,
        "interpolation": t.interpolation.value,
    },
    T.CenterCrop: lambda t: {"op": "center_crop", "size": list(t.size)},
    T.ToTensor: lambda t: TO_TENSOR,
    T.Normalize: lambda t: {
        "op": "normalize",
        "mean": torch.as_tensor(t.mean).tolist(),
        "std": torch.as_tensor(t.std).tolist(),
    },
}


def classify_preprocess(image_size: int, stride: int) -> dict[str, Any]:
    """The steps of ultralytics' `classify_transforms`, which val and predict apply."""
    steps = [
        STEP_DESCRIPTIONS[type(step)](step) for step in classify_transforms(image_size).transforms
    ]
    return {
        "task": "classify",
        "input_size": image_size,
        "steps": steps,
        "output": "class probabilities (softmax), in labels.json order",
    }


def detect_preprocess(image_size: int, stride: int) -> dict[str, Any]:
    """Ultralytics' letterbox (aspect kept, grey padding) then RGB scaled to [0, 1]."""
    defaults = inspect.signature(LetterBox).parameters
    letterbox = {
        "op": "letterbox",
        "size": image_size,
        "pad_value": defaults["padding_value"].default,
        "stride": stride,
        "note": "scale the long side to size keeping the aspect ratio, pad to size x size; "
        "ultralytics' predict pads a .pt model's input only to a multiple of stride",
    }
    return {
        "task": "detect",
        "input_size": image_size,
        "steps": [letterbox, TO_TENSOR],
        "output": "boxes after non-maximum suppression (Results.boxes: xyxy, conf, cls)",
    }


PREPROCESS: dict[str, Callable[[int, int], dict[str, Any]]] = {
    "classify": classify_preprocess,
    "detect": detect_preprocess,
}
