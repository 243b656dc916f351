"""Datasets decoded once and kept on the training device as uint8 tensors.

Decoding and resizing happen once (PIL, exactly as predict.py resizes); every epoch then
draws batches by index and augments them on the device, so a GPU never waits for JPEGs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, Sampler

from mlcore.data import ImageFolderSplit
from mlcore.package_template.predict import RESAMPLING, load_image

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


class _Decoded(Dataset[torch.Tensor]):
    """Images of a split resized to size x size as uint8 CHW tensors, for parallel decoding."""

    def __init__(self, split: ImageFolderSplit, size: int) -> None:
        self.paths = [split.root / file for file, _label in split.samples]
        self.size = size

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int) -> torch.Tensor:
        image = load_image(self.paths[index])
        resized = image.resize((self.size, self.size), RESAMPLING["bilinear"])
        return torch.from_numpy(np.array(resized, dtype=np.uint8).transpose(2, 0, 1).copy())


def decode_split(split: ImageFolderSplit, size: int, device: torch.device) -> torch.Tensor:
    """Every image of `split`, resized to size x size, as one uint8 NCHW tensor on device."""
    workers = min(DECODE_WORKERS_MAX, os.cpu_count() or 1)
    loader = DataLoader(_Decoded(split, size), batch_size=DECODE_BATCH, num_workers=workers)
    return torch.cat([batch.to(device) for batch in loader])


class ResidentBatches:
    """Batches of (transformed images, labels) drawn from resident tensors on one device."""

    def __init__(
        self,
        images: torch.Tensor,
        labels: torch.Tensor,
        batch_size: int,
        transform: nn.Module,
        generator: torch.Generator | None = None,
        drop_last: bool = False,
        sampler: Sampler[int] | None = None,
    ) -> None:
        """Shuffled with `generator`, or drawn by `sampler`, or in order when neither."""
        self.images = images
        self.labels = labels.to(images.device)
        self.batch_size = batch_size
        self.transform = transform
        self.generator = generator
        self.drop_last = drop_last
        self.sampler = sampler

    def __len__(self) -> int:
        n = len(self.labels)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def _order(self) -> torch.Tensor:
        if self.sampler is not None:
            return torch.tensor(list(self.sampler))
        if self.generator is not None:
            return torch.randperm(len(self.labels), generator=self.generator)
        return torch.arange(len(self.labels))

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        order = self._order().to(self.images.device)
        for b in range(len(self)):
            index = order[b * self.batch_size : (b + 1) * self.batch_size]
            yield self.transform(self.images[index]), self.labels[index]
