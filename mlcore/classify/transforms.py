"""Image -> tensor transforms; evaluation uses the package's own `preprocess` verbatim."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from PIL import Image

from mlcore.classify.augment import Preset, albumentations_pipeline
from mlcore.package.preprocess import preprocess_spec
from mlcore.package.runtime.predict import preprocess


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
