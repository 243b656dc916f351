"""Images decoded to uint8 tensors and augmented on the training device.

Resident: decoding and resizing happen once (PIL, exactly as predict.py resizes); every
epoch then draws batches by index and augments them on the device, so a GPU never waits
for JPEGs. Streamed (data too large to keep): workers decode uint8 batches every epoch and
the device augments them, so the CPU does only the decoding.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, Sampler

from mlcore.classify.data import ImageFolderSplit
from mlcore.package.runtime.predict import RESAMPLING, load_image

CPU_BUDGET_BYTES = 2 << 30  # resident data allowed in host memory
GPU_BUDGET_SHARE = 0.25  # share of free GPU memory resident data may take
DECODE_WORKERS_MAX = 16  # processes decoding JPEGs once, before training
DECODE_BATCH = 64


def resident_budget(device: torch.device) -> int:
    """Bytes of decoded images the device may hold for training."""
    if device.type == "cuda":
        free, _total = torch.cuda.mem_get_info(device)
        return int(free * GPU_BUDGET_SHARE)
    return CPU_BUDGET_BYTES


def decoded_bytes(images: int, size: int) -> int:
    """Memory of `images` uint8 RGB images of size x size."""
    return images * 3 * size * size


class DecodedImages(Dataset[tuple[torch.Tensor, int]]):
    """A split's images resized to size x size as (uint8 CHW tensor, label), as predict.py
    resizes them; decoded by DataLoader workers once (resident) or every epoch (streamed)."""

    def __init__(self, split: ImageFolderSplit, size: int) -> None:
        self.root = split.root
        self.samples = split.samples
        self.size = size

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        file, label = self.samples[index]
        image = load_image(self.root / file)
        resized = image.resize((self.size, self.size), RESAMPLING["bilinear"])
        pixels = np.array(resized, dtype=np.uint8).transpose(2, 0, 1).copy()
        return torch.from_numpy(pixels), label


def decode_workers() -> int:
    """Worker processes for decoding."""
    return min(DECODE_WORKERS_MAX, os.cpu_count() or 1)


def decode_split(split: ImageFolderSplit, size: int, device: torch.device) -> torch.Tensor:
    """Every image of `split`, resized to size x size, as one uint8 NCHW tensor on device."""
    images = DecodedImages(split, size)
    loader = DataLoader(images, batch_size=DECODE_BATCH, num_workers=decode_workers())
    return torch.cat([batch.to(device) for batch, _labels in loader])


class DeviceBatches:
    """uint8 batches decoded every epoch by DataLoader workers, transformed on the device."""

    def __init__(
        self,
        loader: DataLoader[tuple[torch.Tensor, int]],
        transform: nn.Module,
        device: torch.device,
    ) -> None:
        self.loader = loader
        self.transform = transform
        self.device = device

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        for images, labels in self.loader:
            batch = images.to(self.device, non_blocking=True)
            yield self.transform(batch), labels.to(self.device, non_blocking=True)


class ResidentBatches:
    """Batches of (transformed images, labels) drawn from resident tensors on one device."""

    def __init__(
        self,
        images: torch.Tensor,
        labels: torch.Tensor,
        batch_size: int,
        transform: nn.Module,
        drop_last: bool = False,
        sampler: Sampler[int] | None = None,
    ) -> None:
        """Drawn in the order of `sampler`, or in order without one."""
        self.images = images
        self.labels = labels.to(images.device)
        self.batch_size = batch_size
        self.transform = transform
        self.drop_last = drop_last
        self.sampler = sampler

    def __len__(self) -> int:
        n = len(self.labels)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def _order(self) -> torch.Tensor:
        if self.sampler is not None:
            return torch.tensor(list(self.sampler))
        return torch.arange(len(self.labels))

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        order = self._order().to(self.images.device)
        for b in range(len(self)):
            index = order[b * self.batch_size : (b + 1) * self.batch_size]
            yield self.transform(self.images[index]), self.labels[index]
