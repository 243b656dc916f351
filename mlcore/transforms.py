"""Image -> tensor transforms; evaluation uses the package's own `preprocess` verbatim."""

from __future__ import annotations

from typing import Any

import torch
from PIL import Image
from torchvision.transforms import v2

from mlcore.package_template.predict import preprocess

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def preprocess_spec(image_size: int) -> dict[str, Any]:
    """The preprocessing contract written to preprocess.json (export adds the opset)."""
    return {
        "input_size": image_size,
        "resize": "bilinear",
        "mean": list(IMAGENET_MEAN),
        "std": list(IMAGENET_STD),
        "color": "RGB",
        "layout": "NCHW",
    }


class EvalTransform:
    """Exactly what predict.py does to an image."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec

    def __call__(self, image: Image.Image) -> torch.Tensor:
        return torch.from_numpy(preprocess(image, self.spec))


class TrainTransform(EvalTransform):
    """Light augmentation (random resized crop, horizontal flip), then the eval transform."""

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__(spec)
        size = int(spec["input_size"])
        self.augment = v2.Compose(
            [
                v2.RandomResizedCrop(size, scale=(0.6, 1.0), antialias=True),
                v2.RandomHorizontalFlip(),
            ]
        )

    def __call__(self, image: Image.Image) -> torch.Tensor:
        return super().__call__(self.augment(image))
