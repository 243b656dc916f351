"""Where training batches come from: resident tensors when the data fits, else a DataLoader."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Literal, Protocol

import torch
from torch import nn
from torch.utils.data import DataLoader, Sampler

from mlcore.augment import PRESETS, RESIDENT_OVERSIZE, BatchAugment, normalise
from mlcore.data import ImageFolderSplit
from mlcore.resident import ResidentBatches, decode_split, decoded_bytes, resident_budget
from mlcore.schedule import balanced_sampler
from mlcore.spec import TrainConfig
from mlcore.transforms import IMAGENET_MEAN, IMAGENET_STD, EvalTransform, TrainTransform

DataMode = Literal["auto", "resident", "loader"]
LOADER_WORKERS_MAX = 8


class Batches(Protocol):
    """An epoch's worth of (images, labels) batches with a known length."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]: ...


@dataclass
class Feeds:
    """Training and validation batches, and the generators whose state a checkpoint keeps."""

    train: Batches
    val: Batches
    mode: Literal["resident", "loader"]
    generators: dict[str, torch.Generator]
    train_labels: list[int]


class Normalise(nn.Module):
    """uint8 NCHW -> normalised float, predict.py's arithmetic."""

    mean: torch.Tensor
    std: torch.Tensor

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), False)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return normalise(images, self.mean, self.std)


def _sampler(
    config: TrainConfig, labels: list[int], classes: int, g: torch.Generator
) -> Sampler[int] | None:
    return balanced_sampler(labels, classes, g) if config.class_balance == "sampler" else None


def pick_mode(mode: DataMode, images: int, size: int, device: torch.device) -> str:
    """`auto` keeps the data resident when its decoded training copy fits the budget."""
    if mode != "auto":
        return mode
    return "resident" if decoded_bytes(images, size) <= resident_budget(device) else "loader"


def _loader_feeds(
    config: TrainConfig,
    train_set: ImageFolderSplit,
    val_set: ImageFolderSplit,
    classes: int,
    device: torch.device,
    generator: torch.Generator,
) -> tuple[Batches, Batches]:
    workers = min(LOADER_WORKERS_MAX, os.cpu_count() or 1) if device.type == "cuda" else 0
    loader = partial(
        DataLoader,
        batch_size=config.batch_size,
        num_workers=workers,
        pin_memory=device.type == "cuda",
        persistent_workers=workers > 0,
    )
    labels = [label for _f, label in train_set.samples]
    sampler = _sampler(config, labels, classes, generator)
    train = loader(
        train_set,
        shuffle=sampler is None,
        sampler=sampler,
        generator=generator,
        drop_last=len(train_set) > config.batch_size,  # BatchNorm needs batches of two+
    )
    return train, loader(val_set, shuffle=False)


def build_feeds(
    config: TrainConfig,
    dataset_dir: Path,
    classes: list[str],
    device: torch.device,
    mode: DataMode = "auto",
) -> Feeds:
    """Training (augmented by config.augmentation) and validation batches for one run."""
    root = Path(dataset_dir)
    preset = PRESETS[config.augmentation]
    spec_size = config.image_size
    train_set = ImageFolderSplit(root, "train", classes, TrainTransform(spec_size, preset))
    val_set = ImageFolderSplit(root, "val", classes, EvalTransform.for_size(spec_size))
    labels = [label for _f, label in train_set.samples]
    loader_gen = torch.Generator().manual_seed(config.seed)
    stored = round(spec_size * RESIDENT_OVERSIZE[preset.is_identity])
    chosen = pick_mode(mode, len(train_set) + len(val_set), stored, device)
    if chosen == "loader":
        train, val = _loader_feeds(config, train_set, val_set, len(classes), device, loader_gen)
        return Feeds(train, val, "loader", {"loader": loader_gen}, labels)
    augment_gen = torch.Generator(device).manual_seed(config.seed)
    augment = BatchAugment(preset, spec_size, IMAGENET_MEAN, IMAGENET_STD, augment_gen).to(device)
    train = ResidentBatches(
        decode_split(train_set, stored, device),
        torch.tensor(labels),
        config.batch_size,
        augment,
        generator=loader_gen,
        drop_last=len(train_set) > config.batch_size,
        sampler=_sampler(config, labels, len(classes), loader_gen),
    )
    val = ResidentBatches(
        decode_split(val_set, spec_size, device),
        torch.tensor([label for _f, label in val_set.samples]),
        config.batch_size,
        Normalise().to(device),
    )
    generators = {"loader": loader_gen, "augment": augment_gen}
    return Feeds(train, val, "resident", generators, labels)
