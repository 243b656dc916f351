"""preprocess.json of square-resize classifiers: the preprocessing contract a package's
predict.py applies (and training and evaluation apply with the same code)."""

from __future__ import annotations

from typing import Any

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
TO_TENSOR = {"op": "to_tensor", "color": "RGB", "divisor": 255.0, "layout": "CHW"}


def preprocess_spec(
    image_size: int,
    checkpoint: str = "torchvision",
    mean: tuple[float, ...] = IMAGENET_MEAN,
    std: tuple[float, ...] = IMAGENET_STD,
) -> dict[str, Any]:
    """The preprocessing contract of a square-resize classifier, written to preprocess.json
    (export adds the opset); `checkpoint` names how predict.py rebuilds model.pt."""
    return {
        "task": "classify",
        "checkpoint": checkpoint,
        "input_size": image_size,
        "steps": [
            {"op": "resize", "size": [image_size, image_size], "interpolation": "bilinear"},
            TO_TENSOR,
            {"op": "normalize", "mean": list(mean), "std": list(std)},
        ],
        "output": "class logits in labels.json order (softmax gives probabilities)",
    }
