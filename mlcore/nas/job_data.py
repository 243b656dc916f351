"""A search job's data: the dataset's splits as tensors, and the package's preprocessing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from mlcore.data import ImageFolderSplit, read_classes
from mlcore.nas.data import ImageTensors, decode
from mlcore.transforms import EvalTransform, preprocess_spec


def nas_preprocess(image_size: int) -> dict[str, Any]:
    """preprocess.json of a searched network: `decode` + `as_input` (x / 127.5 - 1) written
    as package steps."""
    return preprocess_spec(image_size, "konstruktor_nas", (0.5, 0.5, 0.5), (0.5, 0.5, 0.5))


def as_tensors(split: ImageFolderSplit, classes: list[str], size: int) -> ImageTensors:
    """Every image of `split` decoded once into uint8 3 x size x size, with its label."""
    pixels = [decode((split.root / file).read_bytes(), size) for file, _ in split.samples]
    images = torch.from_numpy(np.stack(pixels).transpose(0, 3, 1, 2).copy())
    labels = torch.tensor([label for _, label in split.samples], dtype=torch.int64)
    return ImageTensors(images, labels, tuple(classes))


@dataclass(frozen=True)
class JobData:
    """Classes, the splits as tensors, and the val split as the package reads it."""

    classes: list[str]
    train: ImageTensors
    val: ImageTensors
    val_split: ImageFolderSplit
    spec: dict[str, Any]


def read_job_data(dataset_dir: Path, image_size: int) -> JobData:
    """The dataset's train and val splits, decoded once at `image_size`."""
    classes = read_classes(dataset_dir)
    spec = nas_preprocess(image_size)
    train, val = (
        ImageFolderSplit(dataset_dir, name, classes, EvalTransform(spec))
        for name in ("train", "val")
    )
    return JobData(
        classes,
        as_tensors(train, classes, image_size),
        as_tensors(val, classes, image_size),
        val,
        spec,
    )
