"""Image -> tensor transforms; evaluation uses the package's own `preprocess` verbatim."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from PIL import Image

from mlcore.augment import Preset, albumentations_pipeline
from mlcore.package_template.predict import preprocess

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


class EvalTransform:
    """Exactly what predict.py does to an image."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec

    @classmethod
    def for_size(cls, image_size: int) -> EvalTransform:
        return cls(preprocess_spec(image_size))

    def __call__(self, image: Image.Image) -> torch.Tensor:
        return torch.from_numpy(preprocess(image, self.spec))


class TrainTransform(EvalTransform):
    """The preset's albumentations pipeline, then predict.py's own normalisation."""

    def __init__(self, image_size: int, preset: Preset) -> None:
        super().__init__(preprocess_spec(image_size))
        self.pipeline = None if preset.is_identity else albumentations_pipeline(preset, image_size)

    def seed(self, seed: int) -> None:
        """Reseed the pipeline's own random generators."""
        if self.pipeline is not None:
            self.pipeline.set_random_seed(seed)

    def __call__(self, image: Image.Image) -> torch.Tensor:
        if self.pipeline is not None:
            augmented = self.pipeline(image=np.asarray(image.convert("RGB")))["image"]
            image = Image.fromarray(augmented)  # already input_size: preprocess won't resize
        return super().__call__(image)
