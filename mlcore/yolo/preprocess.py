"""preprocess.json: what ultralytics does to an image before the network, read from ultralytics."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import torch
from torchvision import transforms as T

from mlcore.package.preprocess import TO_TENSOR
from mlcore.yolo import offline  # noqa: F401  (configures ultralytics before its import)

# isort: split
from ultralytics.cfg import DEFAULT_CFG
from ultralytics.data.augment import LetterBox, classify_transforms

PREDICT_CONF = 0.25  # ultralytics' predict default (default.yaml leaves `conf` unset)

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


def classify_preprocess(image_size: int) -> dict[str, Any]:
    """The steps of ultralytics' `classify_transforms`, which val and predict apply."""
    steps = [
        STEP_DESCRIPTIONS[type(step)](step) for step in classify_transforms(image_size).transforms
    ]
    return {
        "task": "classify",
        "checkpoint": "ultralytics",
        "input_size": image_size,
        "steps": steps,
        "output": "class logits in labels.json order (softmax gives probabilities)",
    }


def detect_preprocess(image_size: int) -> dict[str, Any]:
    """Ultralytics' letterbox (aspect kept, grey padding) then RGB scaled to [0, 1]; its NMS."""
    defaults = inspect.signature(LetterBox).parameters
    letterbox = {
        "op": "letterbox",
        "size": image_size,
        "pad_value": defaults["padding_value"].default,
        "interpolation": "linear",
    }
    return {
        "task": "detect",
        "checkpoint": "ultralytics",
        "input_size": image_size,
        "steps": [letterbox, TO_TENSOR],
        "output": "(4 + classes, anchors) per image: box centre x, y, width, height in input "
        "pixels, then each class's score in [0, 1]; predict.py applies class-wise NMS",
        "nms": {
            "conf": PREDICT_CONF,
            "iou": DEFAULT_CFG.iou,
            "max_detections": DEFAULT_CFG.max_det,
        },
    }


PREPROCESS: dict[str, Callable[[int], dict[str, Any]]] = {
    "classify": classify_preprocess,
    "detect": detect_preprocess,
}
