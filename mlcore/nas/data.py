"""Image data as uint8 tensors kept whole (batches are drawn by index, no DataLoader): the
benchmark sets, a search job's splits and the search's own train / validation halves."""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import torch
from PIL import Image

from mlcore.classify.data import ImageFolderSplit, read_classes
from mlcore.classify.transforms import EvalTransform
from mlcore.contract.search import STRATEGIES
from mlcore.package.preprocess import preprocess_spec
from mlcore.package.runtime.predict import to_rgb

FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_MNIST_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
IDX_DTYPES = {0x08: np.uint8}
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp"})


@dataclass(frozen=True)
class ImageTensors:
    """images: uint8 (N, C, H, W); labels: int64 (N,); classes: names by label."""

    images: torch.Tensor
    labels: torch.Tensor
    classes: tuple[str, ...]

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def subset(self, indices: torch.Tensor) -> ImageTensors:
        """The samples at `indices`."""
        return ImageTensors(self.images[indices], self.labels[indices], self.classes)

    def to(self, device: torch.device) -> ImageTensors:
        """The same data on `device`."""
        return ImageTensors(self.images.to(device), self.labels.to(device), self.classes)


def as_input(images: torch.Tensor) -> torch.Tensor:
    """uint8 images -> float network input in [-1, 1]."""
    return images.float().div_(127.5).sub_(1.0)


def flip_and_shift(x: torch.Tensor, generator: torch.Generator, pad: int = 4) -> torch.Tensor:
    """The standard small-image augmentation on a float batch (N, C, H, W): each image
    mirrored left-right with probability 1/2 and shifted by up to `pad` pixels each way
    (zero padding, as a random crop of the padded image); draws come from `generator`."""
    n, _, h, w = x.shape
    flip = torch.rand(n, generator=generator) < 0.5
    dy, dx = (torch.randint(0, 2 * pad + 1, (n,), generator=generator) for _ in range(2))
    x = torch.where(flip.to(x.device)[:, None, None, None], x.flip(-1), x)
    padded = torch.nn.functional.pad(x, (pad, pad, pad, pad))
    rows = (dy[:, None] + torch.arange(h)).to(x.device)
    cols = (dx[:, None] + torch.arange(w)).to(x.device)
    batch = torch.arange(n, device=x.device)[:, None, None]
    return padded.permute(0, 2, 3, 1)[batch, rows[:, :, None], cols[:, None, :]].permute(0, 3, 1, 2)


def read_idx(path: Path) -> np.ndarray:
    """An unsigned-byte array from a gzipped idx file (the MNIST format)."""
    raw = gzip.decompress(path.read_bytes())
    if raw[:2] != b"\x00\x00" or raw[2] not in IDX_DTYPES:
        raise ValueError(f"{path} is not an unsigned-byte idx file")
    dims = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * d : 8 + 4 * d], "big") for d in range(dims))
    return np.frombuffer(raw, dtype=IDX_DTYPES[raw[2]], offset=4 + 4 * dims).reshape(shape)


def load_fashion_mnist(root: Path = FASHION_MNIST_DIR) -> dict[str, ImageTensors]:
    """{"train": 60,000, "test": 10,000} 1 x 28 x 28 images from the official idx files."""
    missing = [
        name
        for pair in FASHION_MNIST_FILES.values()
        for name in pair
        if not (root / name).is_file()
    ]
    if missing:
        raise FileNotFoundError(
            f"Fashion-MNIST files {missing} not found in {root}: install the Debian package "
            "dataset-fashion-mnist (apt-get install dataset-fashion-mnist)"
        )
    splits = {}
    for split, (images, labels) in FASHION_MNIST_FILES.items():
        pixels = torch.from_numpy(read_idx(root / images).copy()).unsqueeze(1)
        targets = torch.from_numpy(read_idx(root / labels).astype(np.int64))
        splits[split] = ImageTensors(pixels, targets, FASHION_MNIST_CLASSES)
    return splits


def folder_members(source: Path) -> Iterator[tuple[PurePosixPath, bytes]]:
    """(relative path, file bytes) of every image in a folder or a zip archive."""
    if source.is_dir():
        for file in sorted(source.rglob("*")):
            if file.suffix.lower() in IMAGE_SUFFIXES:
                yield PurePosixPath(file.relative_to(source).as_posix()), file.read_bytes()
        return
    with zipfile.ZipFile(source) as archive:
        for name in sorted(archive.namelist()):
            if PurePosixPath(name).suffix.lower() in IMAGE_SUFFIXES:
                yield PurePosixPath(name), archive.read(name)


def decode(data: bytes, size: int) -> np.ndarray:
    """RGB uint8 HWC pixels (upright, as predict.py reads images) resized (bilinear) to
    size x size."""
    with Image.open(io.BytesIO(data)) as image:
        rgb = to_rgb(image)
    if rgb.size != (size, size):
        rgb = rgb.resize((size, size), Image.Resampling.BILINEAR)
    return np.asarray(rgb, dtype=np.uint8)


def load_image_folder(source: Path, split: str, size: int = 32) -> ImageTensors:
    """`<split>/<class>/<image>` of an ImageFolder folder or zip (any wrapper folder above),
    decoded once into 3 x size x size uint8 tensors; classes in name order."""
    found = [
        (path.parent.name, data)
        for path, data in folder_members(source)
        if len(path.parts) >= 3 and path.parts[-3] == split
    ]
    if not found:
        raise FileNotFoundError(f"no images under {split}/<class>/ in {source}")
    classes = tuple(sorted({name for name, _ in found}))
    index = {name: i for i, name in enumerate(classes)}
    pixels = np.stack([decode(data, size) for _, data in found]).transpose(0, 3, 1, 2)
    labels = torch.tensor([index[name] for name, _ in found], dtype=torch.int64)
    return ImageTensors(torch.from_numpy(pixels.copy()), labels, classes)


@dataclass(frozen=True)
class SearchData:
    """The search split: `train` updates weights (and the hypernet), `val` the baselines'
    alpha, the progress probes and the candidates' proxy accuracy."""

    train: ImageTensors
    val: ImageTensors


def search_split(data: ImageTensors, choice_share: float, seed: int) -> SearchData:
    """A random split (drawn from `seed`): `choice_share` of `data` (at least one image) for
    the choices, the rest for the weights."""
    if not 0.0 < choice_share < 1.0 or len(data) < 2:
        raise ValueError(f"cannot hold out {choice_share} of {len(data)} images")
    order = torch.randperm(len(data), generator=torch.Generator().manual_seed(seed))
    held = min(max(round(len(data) * choice_share), 1), len(data) - 1)
    return SearchData(data.subset(order[held:]), data.subset(order[:held]))


def strategy_split(data: ImageTensors, strategy: str, seed: int) -> SearchData:
    """The split a search with `strategy` runs on (`StrategyCard.choice_share` says why a
    strategy holds out what)."""
    return search_split(data, STRATEGIES[strategy].choice_share, seed)


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
