"""Where training batches come from: resident tensors when the data fits, else a DataLoader."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, RandomSampler, Sampler, get_worker_info

from mlcore.classify.augment import PRESETS, RESIDENT_OVERSIZE, BatchAugment, normalise
from mlcore.classify.data import ImageFolderSplit
from mlcore.classify.resident import (
    DecodedImages,
    DeviceBatches,
    ResidentBatches,
    decode_split,
    decode_workers,
    decoded_bytes,
    resident_budget,
)
from mlcore.classify.schedule import balanced_sampler
from mlcore.classify.transforms import EvalTransform, TrainTransform
from mlcore.contract.train import TrainConfig
from mlcore.package.preprocess import IMAGENET_MEAN, IMAGENET_STD

DataMode = Literal["auto", "resident", "streamed", "loader"]
Mode = Literal["resident", "streamed", "loader"]
EPOCH_SEED_STRIDE = 100_003  # distinct albumentations seeds per (seed, epoch)


class Batches(Protocol):
    """An epoch's worth of (images, labels) batches with a known length."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]: ...


def _no_epoch_hook(epoch: int) -> None:
    return None


@dataclass
class Feeds:
    """Training and validation batches, and the generators whose state a checkpoint keeps."""

    train: Batches
    val: Batches
    mode: Mode
    generators: dict[str, torch.Generator]
    train_labels: list[int]
    start_epoch: Callable[[int], None] = _no_epoch_hook  # called before each training epoch


def seed_worker_augmentation(worker_id: int) -> None:
    """DataLoader worker_init_fn: each worker's albumentations draws differently."""
    info = get_worker_info()
    transform = getattr(info.dataset, "transform", None) if info else None
    if isinstance(transform, TrainTransform):
        transform.seed(torch.initial_seed() % 2**32)


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


def pick_mode(mode: DataMode, images: int, size: int, device: torch.device) -> Mode:
    """`auto`: resident when the decoded data fits the device's budget; otherwise streamed
    to a GPU (decoded by workers, augmented on the GPU) or per-image albumentations on CPU."""
    if mode != "auto":
        return mode
    if decoded_bytes(images, size) <= resident_budget(device):
        return "resident"
    return "streamed" if device.type == "cuda" else "loader"


def _loader(
    config: TrainConfig, device: torch.device, dataset: Dataset[Any], train: bool, **kw: Any
) -> DataLoader[Any]:
    workers = decode_workers() if device.type == "cuda" else 0
    return DataLoader(
        dataset,
        batch_size=config.batch_size,
        num_workers=workers,
        pin_memory=device.type == "cuda",
        persistent_workers=workers > 0,
        drop_last=train and len(dataset) > config.batch_size,  # type: ignore[arg-type]
        **kw,
    )


def _order(
    config: TrainConfig, labels: list[int], classes: int, g: torch.Generator
) -> Sampler[int]:
    """The training order: class-balanced draws, or a shuffle; both driven by `g` alone."""
    return _sampler(config, labels, classes, g) or RandomSampler(labels, generator=g)


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
    order = _order(config, labels, len(classes), loader_gen)
    if chosen == "loader":  # albumentations per image, then predict.py's normalisation
        train_loader = _loader(
            config, device, train_set, True, sampler=order, worker_init_fn=seed_worker_augmentation
        )
        val_loader = _loader(config, device, val_set, False)
        transform = train_set.transform
        assert isinstance(transform, TrainTransform)

        def reseed(epoch: int) -> None:  # per epoch, so a resumed run draws the same
            transform.seed(config.seed * EPOCH_SEED_STRIDE + epoch)

        generators = {"loader": loader_gen}
        return Feeds(train_loader, val_loader, "loader", generators, labels, reseed)
    augment_gen = torch.Generator(device).manual_seed(config.seed)
    augment = BatchAugment(preset, spec_size, IMAGENET_MEAN, IMAGENET_STD, augment_gen).to(device)
    normaliser = Normalise().to(device)
    generators = {"loader": loader_gen, "augment": augment_gen}
    if chosen == "streamed":
        train_images = DecodedImages(train_set, stored)
        val_images = DecodedImages(val_set, spec_size)
        train: Batches = DeviceBatches(
            _loader(config, device, train_images, True, sampler=order), augment, device
        )
        val: Batches = DeviceBatches(_loader(config, device, val_images, False), normaliser, device)
        return Feeds(train, val, "streamed", generators, labels)
    train = ResidentBatches(
        decode_split(train_set, stored, device),
        torch.tensor(labels),
        config.batch_size,
        augment,
        drop_last=len(train_set) > config.batch_size,
        sampler=order,
    )
    val = ResidentBatches(
        decode_split(val_set, spec_size, device),
        torch.tensor([label for _f, label in val_set.samples]),
        config.batch_size,
        normaliser,
    )
    return Feeds(train, val, "resident", generators, labels)
