"""Augmentation presets: the on-device batch version and the albumentations version."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from mlcore.classify.augment import (
    PRESETS,
    BatchAugment,
    Preset,
    albumentations_pipeline,
    normalise,
)
from mlcore.contract.train import Augmentation
from mlcore.package.preprocess import IMAGENET_MEAN, IMAGENET_STD, preprocess_spec
from mlcore.package.runtime.predict import preprocess

MEAN = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
STD = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)


def augment(preset: Preset, size: int, seed: int = 0) -> BatchAugment:
    g = torch.Generator().manual_seed(seed)
    return BatchAugment(preset, size, IMAGENET_MEAN, IMAGENET_STD, g)


def pixels(n: int = 4, size: int = 16, seed: int = 0) -> torch.Tensor:
    return torch.randint(0, 256, (n, 3, size, size), generator=torch.Generator().manual_seed(seed))


def test_resident_normalisation_is_predict_py_arithmetic() -> None:
    image = Image.fromarray(np.random.default_rng(0).integers(0, 256, (16, 16, 3), np.uint8))
    expected = preprocess(image, preprocess_spec(16))
    batch = torch.from_numpy(np.asarray(image).transpose(2, 0, 1).copy())[None]
    assert torch.equal(normalise(batch, MEAN, STD)[0], torch.from_numpy(expected))
    assert torch.equal(augment(PRESETS["none"], 16)(batch), normalise(batch, MEAN, STD))


def test_horizontal_flip_with_full_crop_mirrors_exactly() -> None:
    batch = pixels()
    flipped = augment(Preset(hflip=1.0, scale=(1.0, 1.0)), 16)(batch)
    torch.testing.assert_close(flipped, normalise(batch.flip(-1), MEAN, STD), atol=1e-5, rtol=0)


def test_the_same_seed_gives_the_same_batch_and_another_seed_another() -> None:
    batch = pixels()
    strong = PRESETS["strong"]
    first, again = augment(strong, 12, seed=1)(batch), augment(strong, 12, seed=1)(batch)
    assert first.shape == (4, 3, 12, 12) and torch.equal(first, again)
    assert not torch.equal(first, augment(strong, 12, seed=2)(batch))


def test_erasing_blanks_the_asked_share_of_pixels() -> None:
    batch = torch.full((8, 3, 32, 32), 200, dtype=torch.uint8)
    preset = Preset(erase_p=1.0, erase_scale=(0.25, 0.25), scale=(1.0, 1.0), erase_ratio=(1, 1))
    out = augment(preset, 32)(batch)
    black = normalise(torch.zeros(1, 3, 1, 1, dtype=torch.uint8), MEAN, STD)
    share = (out == black).all(dim=1).float().mean().item()
    assert share == pytest.approx(0.25, abs=0.04)


def test_colour_jitter_changes_colours_only_when_asked() -> None:
    batch = pixels(8)
    plain = augment(Preset(scale=(1.0, 1.0)), 16)(batch)
    jitter = Preset(scale=(1.0, 1.0), brightness=0.5, contrast=0.5, saturation=0.5, jitter_p=1.0)
    jittered = augment(jitter, 16)(batch)
    assert torch.equal(plain, normalise(batch, MEAN, STD))
    assert (jittered - plain).abs().mean() > 0.05


def test_crops_zoom_in() -> None:
    # A left-to-right ramp: a quarter-area crop spans about half the ramp's range.
    ramp = torch.linspace(0, 255, 64).round().to(torch.uint8).expand(4, 3, 64, 64).clone()
    out = augment(Preset(scale=(0.25, 0.25)), 64)(ramp)
    spread = out[:, 0, 32, -1] - out[:, 0, 32, 0]
    full = normalise(ramp, MEAN, STD)[0, 0, 32]
    assert torch.all(spread < 0.6 * (full[-1] - full[0]))


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_albumentations_pipelines_give_the_input_size(name: Augmentation) -> None:
    image = np.random.default_rng(0).integers(0, 256, (40, 30, 3), np.uint8)
    out = albumentations_pipeline(PRESETS[name], 24)(image=image)["image"]
    assert out.shape == (24, 24, 3) and out.dtype == np.uint8
