"""The ImageFolder layout, read the same way by the service's ingest and by the CLI
(torch-free, pure): class folders `CLASS/image.jpg`, or split folders
`train|val/CLASS/image.jpg`, inside any number of wrapper folders; and the deterministic,
stratified train/val split of images given without one.

Paths are tuples of their parts, so an archive's entries and a folder's files read alike.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TypeVar

Parts = tuple[str, ...]
T = TypeVar("T")

# what predict.py reads (mlcore.package.runtime.predict, which stands alone, lists them too)
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})
SPLIT_ALIASES = {"train": "train", "val": "val", "valid": "val", "validation": "val"}
VAL_FRACTION = 0.2
MAX_LISTED = 20
MAX_CLASS_NAME = 100
DATASET_FILES = IMAGE_EXTENSIONS | {".csv", ".yaml", ".yml", ".json"}


class DatasetError(ValueError):
    """The dataset cannot be accepted as it is; the message tells the user what to fix."""


@dataclass(frozen=True)
class FolderImage:
    """An image of the layout: its split when the folders give one, and its class."""

    parts: Parts
    split: str | None
    label: str


def suffix(parts: Parts) -> str:
    """The lower-case extension of a path's file name."""
    return PurePosixPath(parts[-1]).suffix.lower()


def is_image_path(parts: Parts) -> bool:
    return suffix(parts) in IMAGE_EXTENSIONS


def listed(names: list[str]) -> str:
    """At most MAX_LISTED names, comma-separated, saying how many more there are."""
    more = f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else ""
    return ", ".join(names[:MAX_LISTED]) + more


def check_label(label: str) -> str:
    """A class name, stripped; DatasetError unless printable, short and without slashes."""
    label = label.strip()
    if (
        not label
        or len(label) > MAX_CLASS_NAME
        or any(ord(c) < 32 or c in "/\\" for c in label)
        or label in (".", "..")
    ):
        raise DatasetError(
            f"invalid class name {label[:40]!r}: use 1-{MAX_CLASS_NAME} printable characters, "
            "without slashes"
        )
    return label


def wrapper_depth(files: Sequence[Parts]) -> int:
    """How many leading folders every dataset file shares that are neither split nor class
    folders; loose top-level files (a README, say) do not count."""
    paths = [p for p in files if len(p) > 1 or suffix(p) in DATASET_FILES]
    depth = 0
    while paths and any(len(p) >= depth + 3 for p in paths):
        first = {p[depth] for p in paths}
        if len(first) != 1 or any(len(p) <= depth + 1 for p in paths):
            break
        if next(iter(first)).lower() in SPLIT_ALIASES:
            break
        depth += 1
    return depth


def _image(parts: Parts, given: bool) -> FolderImage:
    depth = 2 if given else 1
    if len(parts) <= depth:
        where = f"{parts[0]}/CLASS/image.jpg" if given else "CLASS/image.jpg"
        path = "/".join(parts)
        raise DatasetError(f"image {path!r} is not inside a class folder: use {where}")
    split = SPLIT_ALIASES[parts[0].lower()] if given else None
    return FolderImage(parts, split, check_label(parts[depth - 1]))


def _check_empty_dirs(dirs: Iterable[Parts], given: bool, labels: set[str]) -> None:
    level = 2 if given else 1
    empty = sorted(
        d[-1]
        for d in dirs
        if len(d) == level
        and d[-1].strip() not in labels
        and (not given or SPLIT_ALIASES.get(d[0].lower()) == "train")
    )
    if empty:
        raise DatasetError(f"class folder(s) with no images: {listed(empty)}")


def read_imagefolder(images: Sequence[Parts], dirs: Iterable[Parts]) -> list[FolderImage]:
    """The images (in the given order) with their splits and classes; `dirs` are the
    folders, to find class folders without images. DatasetError for a mixed layout."""
    firsts = {p[0].lower() for p in images if len(p) > 1}
    given = bool(firsts & SPLIT_ALIASES.keys())
    if given and not firsts <= SPLIT_ALIASES.keys():
        raise DatasetError(
            "mixing split folders (train/, val/) with other top-level folders "
            f"({listed(sorted(firsts - SPLIT_ALIASES.keys()))}); use one layout"
        )
    if given and "train" not in {SPLIT_ALIASES[f] for f in firsts}:
        raise DatasetError("split folders were found but no train/ folder")
    if given and {p[1] for p in images if len(p) > 2} & {"images", "labels"}:
        raise DatasetError(
            "this looks like a YOLO export with SPLIT/images and SPLIT/labels folders; "
            "arrange it as images/SPLIT, labels/SPLIT with a data.yaml listing `names`"
        )
    found = [_image(p, given) for p in images]
    _check_empty_dirs(dirs, given, {f.label for f in found})
    return found


def stratified_split(
    items: Sequence[T],
    stratum: Callable[[T], str],
    group: Callable[[T], str],
    path: Callable[[T], str],
    seed: int = 0,
) -> list[tuple[T, str]]:
    """(item, "train" | "val"): VAL_FRACTION of each stratum (at least one group of it, when
    it has two or more) to val, at random but the same for the same items; the items of one
    group (identical images) stay together. Groups are ordered by their first item's `path`."""
    strata: dict[str, dict[str, list[T]]] = defaultdict(dict)
    for item in items:
        strata[stratum(item)].setdefault(group(item), []).append(item)
    rng = random.Random(seed)
    out: list[tuple[T, str]] = []
    for key in sorted(strata):
        groups = sorted(strata[key].values(), key=lambda g: path(g[0]))
        rng.shuffle(groups)
        target = max(1, round(sum(len(g) for g in groups) * VAL_FRACTION))
        in_val = 0
        for members in groups:
            split = "val" if in_val < target and len(groups) > 1 else "train"
            in_val += len(members) if split == "val" else 0
            out.extend((item, split) for item in members)
    return out
