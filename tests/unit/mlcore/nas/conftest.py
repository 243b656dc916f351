"""Synthetic class-pattern images: enough signal for a search to learn, no files needed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch

from mlcore.nas.data import ImageTensors, SearchData
from mlcore.nas.space.search_space import SearchSpace

CLASSES = 4


def synthetic(n: int, seed: int, channels: int = 1, size: int = 12) -> ImageTensors:
    """Per-class random prototypes plus Gaussian noise, as uint8 images."""
    generator = torch.Generator().manual_seed(seed)
    prototypes = torch.rand(
        CLASSES, channels, size, size, generator=torch.Generator().manual_seed(0)
    )
    labels = torch.randint(0, CLASSES, (n,), generator=generator)
    noise = torch.randn(n, channels, size, size, generator=generator) * 40
    images = (prototypes[labels] * 255 + noise).clamp(0, 255).to(torch.uint8)
    return ImageTensors(images, labels, tuple(str(c) for c in range(CLASSES)))


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """Tiny convolutions run fastest, and stay fast beside other processes, on one thread."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def tiny_space() -> SearchSpace:
    """1 cell, 2 nodes, 4 channels, the thesis' three ops."""
    return SearchSpace(cells=1, nodes=2, channels=4, classes=CLASSES)


@pytest.fixture
def tiny_data() -> SearchData:
    return SearchData(synthetic(256, seed=1), synthetic(128, seed=2))
