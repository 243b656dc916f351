"""Meta-dataset tasks: small classification problems cut from the sources, each one fully
determined by its index (so any machine regenerates the same task).

A task picks a source, a subset of its classes, shots per class (5, 10, 20 or 50), a
resolution, colour or grey, and a corruption; its test images are up to 20 per class from
the source's test split.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from typing import Any

import torch
import torch.nn.functional as F

from mlcore.recommend.sources import SOURCES, load_pool

SHOTS = (5, 10, 20, 50)
RESOLUTIONS = (32, 32, 32, 40)  # weighted towards the cheapest
CORRUPTIONS = ("none", "none", "noise", "blur", "low_contrast", "pixelate")
TEST_PER_CLASS = 20
MAX_CLASSES = 6


@dataclass(frozen=True)
class TaskSpec:
    """One task of the meta-dataset."""

    index: int
    source: str
    classes: tuple[int, ...]  # indices into the source's classes
    shots: int
    resolution: int
    grey: bool
    corruption: str

    @property
    def id(self) -> str:
        """Stable name, e.g. t0007-cifar10."""
        return f"t{self.index:04d}-{self.source}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {**asdict(self), "id": self.id}


def task_spec(index: int, sources: tuple[str, ...] = tuple(SOURCES)) -> TaskSpec:
    """Task number `index`: sources in turn, everything else drawn from a seeded RNG."""
    rng = random.Random(index)
    source = sources[index % len(sources)]
    pool = load_pool(source)
    counts = pool.counts()
    shots = rng.choice(SHOTS)
    usable = [c for c, n in enumerate(counts) if n >= 2 + min(shots, 5)]
    ways = rng.randint(2, min(MAX_CLASSES, len(usable)))
    return TaskSpec(
        index=index,
        source=source,
        classes=tuple(sorted(rng.sample(usable, ways))),
        shots=shots,
        resolution=rng.choice(RESOLUTIONS),
        grey=pool.grey or rng.random() < 0.2,
        corruption=rng.choice(CORRUPTIONS),
    )


def corrupt(images: torch.Tensor, kind: str, generator: torch.Generator) -> torch.Tensor:
    """Float images in [-1, 1] with one corruption applied."""
    if kind == "noise":
        return (images + 0.25 * torch.randn(images.shape, generator=generator)).clamp(-1, 1)
    if kind == "blur":
        return F.avg_pool2d(F.pad(images, (1, 1, 1, 1), mode="replicate"), 3, stride=1)
    if kind == "low_contrast":
        return images * 0.35
    if kind == "pixelate":
        side = images.shape[-1]
        small = F.interpolate(images, size=(side // 4, side // 4), mode="area")
        return F.interpolate(small, size=(side, side), mode="nearest")
    return images


def prepare(images: torch.Tensor, spec: TaskSpec, generator: torch.Generator) -> torch.Tensor:
    """uint8 pool images as the task sees them: float in [-1, 1] at its resolution, grey if
    it is grey, corrupted."""
    x = images.float().div(127.5).sub(1.0)
    x = F.interpolate(x, size=(spec.resolution, spec.resolution), mode="bilinear", antialias=True)
    if spec.grey:
        x = x.mean(dim=1, keepdim=True).expand(-1, 3, -1, -1)
    return corrupt(x, spec.corruption, generator)


@dataclass(frozen=True)
class TaskData:
    """A task's images, ready to train on: float (N, 3, R, R) in [-1, 1] and labels 0..k-1."""

    spec: TaskSpec
    train: tuple[torch.Tensor, torch.Tensor]
    test: tuple[torch.Tensor, torch.Tensor]
    class_names: tuple[str, ...]

    @property
    def classes(self) -> int:
        """Number of classes."""
        return len(self.spec.classes)


def split_of(
    pixels: torch.Tensor, labels: torch.Tensor, classes: tuple[int, ...], per_class: int, seed: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Up to `per_class` images of each of `classes`, relabelled 0..k-1."""
    generator = torch.Generator().manual_seed(seed)
    picks, targets = [], []
    for new, old in enumerate(classes):
        found = torch.nonzero(labels == old)[:, 0]
        chosen = found[torch.randperm(len(found), generator=generator)[:per_class]]
        picks.append(chosen)
        targets.append(torch.full((len(chosen),), new, dtype=torch.int64))
    return pixels[torch.cat(picks)], torch.cat(targets)


def load_task(spec: TaskSpec) -> TaskData:
    """The task's train and test images."""
    pool = load_pool(spec.source)
    generator = torch.Generator().manual_seed(spec.index)
    train_px, train_y = split_of(*pool.train, spec.classes, spec.shots, spec.index)
    test_px, test_y = split_of(*pool.test, spec.classes, TEST_PER_CLASS, spec.index + 1)
    return TaskData(
        spec,
        (prepare(train_px, spec, generator), train_y),
        (prepare(test_px, spec, generator), test_y),
        tuple(pool.classes[c] for c in spec.classes),
    )
