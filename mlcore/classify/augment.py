"""Augmentation presets, each realised twice from the same numbers.

- `albumentations_pipeline`: per-image on the CPU, for the DataLoader path;
- `BatchAugment`: one batch at a time on the training device, for datasets decoded once
  and kept resident (uint8 NCHW) — one `grid_sample` does crop, rotation and flip.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")  # its import would ask PyPI otherwise

import albumentations as A
import torch
from torch import nn
from torch.nn import functional as F

from mlcore.contract.train import Augmentation


@dataclass(frozen=True)
class Preset:
    """Random resized crop, flip, rotation, colour jitter and erasing strengths."""

    scale: tuple[float, float] = (1.0, 1.0)  # crop area as a share of the image
    ratio: tuple[float, float] = (1.0, 1.0)  # crop aspect ratio
    hflip: float = 0.0  # probability
    rotate: float = 0.0  # degrees, both ways
    brightness: float = 0.0  # factor drawn from [1 - b, 1 + b]
    contrast: float = 0.0
    saturation: float = 0.0
    jitter_p: float = 0.0  # probability of the colour jitter
    erase_p: float = 0.0  # probability of erasing one rectangle
    erase_scale: tuple[float, float] = (0.02, 0.2)
    erase_ratio: tuple[float, float] = (0.3, 3.3)  # aspect ratio of the erased rectangle

    @property
    def is_identity(self) -> bool:
        return self == Preset()


PRESETS: dict[Augmentation, Preset] = {
    "none": Preset(),
    "light": Preset(scale=(0.6, 1.0), ratio=(3 / 4, 4 / 3), hflip=0.5),
    "strong": Preset(
        scale=(0.25, 1.0),
        ratio=(3 / 4, 4 / 3),
        hflip=0.5,
        rotate=15.0,
        brightness=0.4,
        contrast=0.4,
        saturation=0.4,
        jitter_p=0.8,
        erase_p=0.25,
    ),
}
# Stored size of resident training images relative to the input size: crops keep detail.
RESIDENT_OVERSIZE = {True: 1.0, False: 1.25}  # by preset.is_identity


def albumentations_pipeline(preset: Preset, size: int) -> A.Compose:
    """The preset as an albumentations pipeline: uint8 HWC RGB in, uint8 size x size out."""
    steps: list[A.BasicTransform] = [
        A.RandomResizedCrop(size=(size, size), scale=preset.scale, ratio=preset.ratio)
    ]
    if preset.hflip:
        steps.append(A.HorizontalFlip(p=preset.hflip))
    if preset.rotate:
        steps.append(A.Affine(rotate=(-preset.rotate, preset.rotate), p=1.0))
    if preset.jitter_p:
        steps.append(
            A.ColorJitter(
                brightness=preset.brightness,
                contrast=preset.contrast,
                saturation=preset.saturation,
                hue=0.0,
                p=preset.jitter_p,
            )
        )
    if preset.erase_p:
        steps.append(
            A.Erasing(scale=preset.erase_scale, ratio=preset.erase_ratio, p=preset.erase_p)
        )
    return A.Compose(steps)


def _uniform(
    n: int, low: float, high: float, g: torch.Generator, dev: torch.device
) -> torch.Tensor:
    return torch.rand(n, generator=g, device=dev) * (high - low) + low


class BatchAugment(nn.Module):
    """A preset applied to a whole uint8 NCHW batch on its device; returns normalised floats."""

    mean: torch.Tensor
    std: torch.Tensor

    def __init__(
        self,
        preset: Preset,
        size: int,
        mean: tuple[float, ...],
        std: tuple[float, ...],
        generator: torch.Generator,
    ) -> None:
        super().__init__()
        self.preset = preset
        self.size = size
        self.generator = generator
        self.register_buffer("mean", torch.tensor(mean).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(std).view(1, 3, 1, 1), persistent=False)

    def _rand(self, n: int, low: float, high: float, device: torch.device) -> torch.Tensor:
        return _uniform(n, low, high, self.generator, device)

    def _geometry(self, images: torch.Tensor) -> torch.Tensor:
        """Random resized crop + rotation + horizontal flip as one affine resampling."""
        n, device, p = images.shape[0], images.device, self.preset
        area = self._rand(n, *p.scale, device)
        log_ratio = self._rand(n, math.log(p.ratio[0]), math.log(p.ratio[1]), device)
        ratio = log_ratio.exp()
        width = (area * ratio).sqrt().clamp(max=1.0)  # crop size as a share of the side
        height = (area / ratio).sqrt().clamp(max=1.0)
        cx = (self._rand(n, 0.0, 1.0, device) * 2 - 1) * (1 - width)  # centre in [-1, 1]
        cy = (self._rand(n, 0.0, 1.0, device) * 2 - 1) * (1 - height)
        angle = self._rand(n, -p.rotate, p.rotate, device) * (math.pi / 180)
        flip = torch.where(self._rand(n, 0.0, 1.0, device) < p.hflip, -1.0, 1.0)
        cos, sin = angle.cos(), angle.sin()
        theta = torch.stack(
            [
                torch.stack([width * cos * flip, -height * sin, cx], dim=1),
                torch.stack([width * sin * flip, height * cos, cy], dim=1),
            ],
            dim=1,
        )
        grid = F.affine_grid(theta, [n, 3, self.size, self.size], align_corners=False)
        return F.grid_sample(
            images, grid, mode="bilinear", padding_mode="reflection", align_corners=False
        )

    def _colour(self, x: torch.Tensor) -> torch.Tensor:
        """Brightness, contrast and saturation factors per image, on [0, 1] pixels."""
        n, device, p = x.shape[0], x.device, self.preset
        apply = (self._rand(n, 0.0, 1.0, device) < p.jitter_p).view(n, 1, 1, 1)

        def factor(strength: float) -> torch.Tensor:
            return self._rand(n, 1 - strength, 1 + strength, device).view(n, 1, 1, 1)

        luma = x.new_tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)
        jittered = x * factor(p.brightness)
        mean = (jittered * luma).sum(1, keepdim=True).mean((2, 3), keepdim=True)
        jittered = (jittered - mean) * factor(p.contrast) + mean
        grey = (jittered * luma).sum(1, keepdim=True)
        jittered = (jittered - grey) * factor(p.saturation) + grey
        return torch.where(apply, jittered.clamp(0, 1), x)

    def _erase(self, x: torch.Tensor) -> torch.Tensor:
        """Zero one random rectangle per image with probability erase_p."""
        n, device, p, s = x.shape[0], x.device, self.preset, self.size
        area = self._rand(n, *p.erase_scale, device)
        log_ratio = self._rand(n, math.log(p.erase_ratio[0]), math.log(p.erase_ratio[1]), device)
        width = (area * log_ratio.exp()).sqrt().clamp(max=1.0)
        height = (area / log_ratio.exp()).sqrt().clamp(max=1.0)
        x0 = self._rand(n, 0.0, 1.0, device) * (1 - width)
        y0 = self._rand(n, 0.0, 1.0, device) * (1 - height)
        coords = (torch.arange(s, device=device, dtype=x.dtype) + 0.5) / s
        inside_x = (coords.view(1, -1) >= x0.view(-1, 1)) & (
            coords.view(1, -1) < (x0 + width).view(-1, 1)
        )
        inside_y = (coords.view(1, -1) >= y0.view(-1, 1)) & (
            coords.view(1, -1) < (y0 + height).view(-1, 1)
        )
        box = inside_y.view(n, 1, s, 1) & inside_x.view(n, 1, 1, s)
        erase = (self._rand(n, 0.0, 1.0, device) < p.erase_p).view(n, 1, 1, 1)
        return x.masked_fill(box & erase, 0.0)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        x = images.float().div_(255)
        if not self.preset.is_identity:
            x = self._geometry(x)
        elif x.shape[-1] != self.size:
            x = F.interpolate(x, size=(self.size, self.size), mode="bilinear", antialias=True)
        if self.preset.jitter_p:
            x = self._colour(x)
        if self.preset.erase_p:
            x = self._erase(x)
        return (x - self.mean) / self.std


def normalise(images: torch.Tensor, mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """uint8 NCHW -> (x / 255 - mean) / std, exactly predict.py's arithmetic in float32."""
    return (images.float() / 255.0 - mean) / std
