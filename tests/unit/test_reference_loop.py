"""The plain reference loop of the time-to-accuracy benchmark augments as it says: each
image becomes a 4-px-shifted window of its reflect-padded self, flipped or not."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from benchmarks.reference_loop import PAD, crop_flip, resnet18_small_stem


def windows(image: torch.Tensor) -> list[torch.Tensor]:
    """Every crop the loop may draw from `image`, flipped and not."""
    padded = F.pad(image[None].float(), (PAD,) * 4, mode="reflect")[0]
    size = image.shape[-1]
    crops = [
        padded[:, dy : dy + size, dx : dx + size]
        for dy in range(2 * PAD + 1)
        for dx in range(2 * PAD + 1)
    ]
    return crops + [crop.flip(2) for crop in crops]


def test_crops_are_shifted_windows_of_the_padded_image_and_some_are_flipped() -> None:
    torch.manual_seed(0)
    images = torch.randint(0, 256, (64, 3, 12, 12), dtype=torch.uint8)
    out = crop_flip(images)
    assert out.shape == (64, 3, 12, 12)
    for image, crop in zip(images, out, strict=True):
        assert any(torch.equal(crop, window) for window in windows(image))
    assert not torch.equal(out, images.float())  # it did move or flip something


def test_the_reference_network_keeps_full_resolution_in_its_stem() -> None:
    model = resnet18_small_stem(10)
    stem = torch.nn.Sequential(*list(model.children())[:5])  # conv1 bn1 relu maxpool layer1
    assert stem(torch.zeros(1, 3, 32, 32)).shape[-1] == 32
    assert model(torch.zeros(2, 3, 32, 32)).shape == (2, 10)
