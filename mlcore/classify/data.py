"""The dataset layout given to mlcore: manifest.json plus train/ and val/ class folders."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import torch
from PIL import Image
from torch.utils.data import Dataset

from mlcore.package.runtime.predict import IMAGE_EXTENSIONS, load_image

Transform = Callable[[Image.Image], torch.Tensor]


def read_classes(dataset_dir: Path) -> list[str]:
    """Ordered class names from `dataset_dir/manifest.json`."""
    manifest = json.loads((dataset_dir / "manifest.json").read_text(encoding="utf-8"))
    classes: list[str] = manifest["classes"]
    if not classes:
        raise ValueError(f"{dataset_dir / 'manifest.json'} lists no classes")
    return classes


class ImageFolderSplit(Dataset[tuple[torch.Tensor, int]]):
    """Images of one split (`train` or `val`): items are (tensor, class index)."""

    def __init__(
        self, dataset_dir: Path, split: str, classes: list[str], transform: Transform
    ) -> None:
        self.root = dataset_dir
        self.transform = transform
        self.samples: list[tuple[str, int]] = [
            (path.relative_to(dataset_dir).as_posix(), index)
            for index, name in enumerate(classes)
            for path in sorted((dataset_dir / split / name).glob("*"))
            if path.suffix.lower() in IMAGE_EXTENSIONS and path.is_file()
        ]
        if not self.samples:
            raise ValueError(f"no images in {dataset_dir / split}")

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        file, label = self.samples[index]
        return self.transform(load_image(self.root / file)), label
