"""Where meta-dataset tasks draw their images: the real datasets on the machine and a
procedural generator, each a pool of labelled uint8 images (N, 3, H, W) split into train
and test images by the source's own split.

- cifar10: `cifar10_small.zip` (10 classes, 32 px colour; train / val folders);
- flowers: `flowers12_fewshot.zip` (12 classes, photos downscaled to 64 px);
- coco_crops: objects cut from COCO128's YOLO boxes (classes with enough crops, 64 px);
- fashion: Fashion-MNIST from Debian's dataset-fashion-mnist (10 classes, 28 px grey);
- shapes: procedurally drawn classes (a shape, a texture and a colour family per class,
  random position, scale, rotation and background), 32 px.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath

import numpy as np
import torch
from PIL import Image

from mlcore.nas.data import FASHION_MNIST_DIR, load_fashion_mnist, load_image_folder

DATASETS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
POOL_SIDE = 64  # photos are kept at this side; tasks resize down
MIN_CROP_SIDE = 12  # COCO boxes smaller than this (in the 320 px images) are left out
MIN_CROPS = 15  # COCO classes with fewer crops are left out


@dataclass(frozen=True)
class Pool:
    """A source's images by split: uint8 (N, 3, H, W), labels (N,), class names."""

    name: str
    classes: tuple[str, ...]
    train: tuple[torch.Tensor, torch.Tensor]
    test: tuple[torch.Tensor, torch.Tensor]
    grey: bool = False

    def counts(self) -> list[int]:
        """Images per class across both splits."""
        both = torch.cat([self.train[1], self.test[1]])
        return torch.bincount(both, minlength=len(self.classes)).tolist()


def stack(images: list[np.ndarray], labels: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
    """HWC uint8 arrays and labels as (N, 3, H, W) and (N,) tensors."""
    pixels = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).contiguous()
    return pixels, torch.tensor(labels, dtype=torch.int64)


def image_folder_pool(name: str, archive: Path, side: int) -> Pool:
    """An ImageFolder zip (`[root/]train|val/<class>/*`) as a pool at `side` px."""
    train, test = (load_image_folder(archive, split, side) for split in ("train", "val"))
    if train.classes != test.classes:
        raise ValueError(f"{archive}: train/ and val/ hold different classes")
    return Pool(name, train.classes, (train.images, train.labels), (test.images, test.labels))


def coco_crops_pool(archive: Path, side: int = POOL_SIDE) -> Pool:
    """Objects cut from COCO128's boxes, one class per COCO category with enough crops;
    the train images' objects train, the val images' objects test."""
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        yaml_text = zf.read(next(n for n in names if n.endswith("data.yaml"))).decode()
        category = parse_yolo_names(yaml_text)
        images = {PurePosixPath(n).stem: n for n in names if "images" in PurePosixPath(n).parts}
        crops: dict[str, list[tuple[np.ndarray, int]]] = defaultdict(list)
        for name in names:
            path = PurePosixPath(name)
            if path.suffix != ".txt" or "labels" not in path.parts:
                continue
            split = "train" if "train" in path.parts else "test"
            image_name = images.get(path.stem)
            if image_name is None:
                continue
            with Image.open(io.BytesIO(zf.read(image_name))) as opened:
                image = opened.convert("RGB")
            for line in zf.read(name).decode().splitlines():
                fields = line.split()
                if len(fields) != 5:
                    continue
                cls, cx, cy, w, h = int(fields[0]), *map(float, fields[1:])
                box_w, box_h = w * image.width, h * image.height
                if min(box_w, box_h) < MIN_CROP_SIDE:
                    continue
                left, top = (cx * image.width - box_w / 2), (cy * image.height - box_h / 2)
                crop = image.crop((int(left), int(top), int(left + box_w), int(top + box_h)))
                pixels = np.asarray(crop.resize((side, side), Image.Resampling.BILINEAR))
                crops[split].append((pixels, cls))
    counts = np.bincount([c for split in crops.values() for _, c in split], minlength=len(category))
    kept = [c for c in range(len(category)) if counts[c] >= MIN_CROPS]
    index = {c: i for i, c in enumerate(kept)}
    train, test = (
        stack([p for p, c in crops[s] if c in index], [index[c] for _, c in crops[s] if c in index])
        for s in ("train", "test")
    )
    return Pool("coco_crops", tuple(category[c] for c in kept), train, test)


def parse_yolo_names(text: str) -> list[str]:
    """Class names from a YOLO data.yaml (`names:` as a list or an index map)."""
    import yaml

    names = yaml.safe_load(text)["names"]
    return [names[i] for i in sorted(names)] if isinstance(names, dict) else list(names)


def fashion_pool(root: Path = FASHION_MNIST_DIR) -> Pool:
    """Fashion-MNIST's official splits, grey replicated to three channels."""
    splits = load_fashion_mnist(root)
    parts = {s: (t.images.expand(-1, 3, -1, -1).contiguous(), t.labels) for s, t in splits.items()}
    return Pool("fashion", splits["train"].classes, parts["train"], parts["test"], grey=True)


SHAPES = ("disc", "square", "triangle", "ring", "cross", "bar")
TEXTURES = ("flat", "stripes", "checks", "dots")


def draw_shape(
    kind: str, texture: str, hue: float, rng: np.random.Generator, side: int
) -> np.ndarray:
    """One procedural image: a textured shape of colour family `hue` on a noisy background."""
    yy, xx = np.mgrid[0:side, 0:side].astype(np.float32) / side
    cx, cy = rng.uniform(0.3, 0.7, 2)
    scale = rng.uniform(0.18, 0.32)
    angle = rng.uniform(0, math.pi)
    u = ((xx - cx) * math.cos(angle) + (yy - cy) * math.sin(angle)) / scale
    v = (-(xx - cx) * math.sin(angle) + (yy - cy) * math.cos(angle)) / scale
    r = np.sqrt(u**2 + v**2)
    mask = {
        "disc": r < 1,
        "square": (abs(u) < 0.9) & (abs(v) < 0.9),
        "triangle": (v > -0.8) & (v < 1.6 * (0.9 - abs(u)) - 0.8),
        "ring": (r < 1) & (r > 0.55),
        "cross": ((abs(u) < 0.3) | (abs(v) < 0.3)) & (abs(u) < 1) & (abs(v) < 1),
        "bar": (abs(u) < 1.1) & (abs(v) < 0.35),
    }[kind]
    pattern = {
        "flat": np.ones_like(u),
        "stripes": (np.sin(u * 6) > 0).astype(np.float32),
        "checks": ((np.floor(u * 2.5) + np.floor(v * 2.5)) % 2).astype(np.float32),
        "dots": (np.sin(u * 7) * np.sin(v * 7) > 0.3).astype(np.float32),
    }[texture]
    colour = hsv_to_rgb((hue + rng.normal(0, 0.03)) % 1.0, rng.uniform(0.5, 1), rng.uniform(0.6, 1))
    background = rng.uniform(0, 0.5, 3)
    image = np.empty((side, side, 3), np.float32)
    shade = 0.55 + 0.45 * pattern
    for c in range(3):
        image[..., c] = np.where(mask, colour[c] * shade, background[c])
    image += rng.normal(0, 0.06, image.shape)
    return (np.clip(image, 0, 1) * 255).astype(np.uint8)


def hsv_to_rgb(h: float, s: float, v: float) -> tuple[float, float, float]:
    """One HSV colour as RGB in [0, 1]."""
    i = int(h * 6) % 6
    f = h * 6 - int(h * 6)
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    return [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i]


def shapes_pool(classes: int = 24, per_class: int = 120, side: int = 32, seed: int = 0) -> Pool:
    """Procedural classes: each a (shape, texture, colour family) of its own, drawn with
    random position, scale, rotation, shade and background; 100 train / 20 test each."""
    rng = np.random.default_rng(seed)
    combos = [(s, t) for s in SHAPES for t in TEXTURES]
    picks = rng.permutation(len(combos))[:classes]
    names, images, labels = [], [], []
    for label, pick in enumerate(picks):
        shape, texture = combos[pick]
        hue = float(rng.uniform())
        names.append(f"{texture}-{shape}-{int(hue * 360)}")
        for _ in range(per_class):
            images.append(draw_shape(shape, texture, hue, rng, side))
            labels.append(label)
    pixels, targets = stack(images, labels)
    test = torch.zeros(len(targets), dtype=torch.bool)
    for label in range(classes):
        test[torch.nonzero(targets == label)[-20:, 0]] = True
    return Pool(
        "shapes", tuple(names), (pixels[~test], targets[~test]), (pixels[test], targets[test])
    )


SOURCES: dict[str, Callable[[], Pool]] = {
    "cifar10": lambda: image_folder_pool("cifar10", DATASETS_DIR / "cifar10_small.zip", 32),
    "flowers": lambda: image_folder_pool(
        "flowers", DATASETS_DIR / "flowers12_fewshot.zip", POOL_SIDE
    ),
    "coco_crops": lambda: coco_crops_pool(DATASETS_DIR / "coco128.zip"),
    "fashion": fashion_pool,
    "shapes": shapes_pool,
}


@cache
def load_pool(name: str) -> Pool:
    """Source `name`'s pool, read once per process."""
    return SOURCES[name]()
