"""ImageFolder classification datasets: layout detection, image checks, stratified split.

Accepted layouts (optionally inside one wrapper folder):
  `CLASS/*.jpg`                                -> split made here (stratified)
  `train/CLASS/*.jpg` + `val/CLASS/*.jpg`      -> split as given
The result is a normalised archive `train|val/CLASS/...` plus `manifest.json`.
"""

from __future__ import annotations

import json
import random
import shutil
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from PIL import Image

from backend.datasets.archive import Entry, list_archive, open_zip
from backend.datasets.errors import DatasetError

IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})
SPLIT_ALIASES = {"train": "train", "val": "val", "valid": "val", "validation": "val"}
VAL_FRACTION = 0.2
MIN_IMAGES_PER_CLASS = 2
MAX_IMAGE_PIXELS = 64_000_000
MAX_LISTED = 20


@dataclass
class ImageRef:
    """One accepted image: its archive entry and where it goes in the normalised layout."""

    entry: Entry
    split: str
    label: str
    relpath: str


@dataclass
class IngestReport:
    class_names: list[str]
    split_source: str
    stats: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def _strip_wrapper(files: list[Entry]) -> int:
    """How many leading folders every image shares that are neither split nor class folders."""
    depth = 0
    while files and all(len(e.parts) >= depth + 3 for e in files):
        first = {e.parts[depth] for e in files}
        if len(first) != 1 or next(iter(first)).lower() in SPLIT_ALIASES:
            break
        depth += 1
    return depth


def _is_image(entry: Entry) -> bool:
    return PurePosixPath(entry.parts[-1]).suffix.lower() in IMAGE_EXTENSIONS


def _locate(parts: tuple[str, ...], given_split: bool) -> tuple[str | None, str, str]:
    if given_split:
        if len(parts) < 3:
            raise DatasetError(
                f"{'/'.join(parts)!r} must be inside a class folder: use {parts[0]}/CLASS/image.jpg"
            )
        return SPLIT_ALIASES[parts[0].lower()], parts[1], "/".join(parts[2:])
    if len(parts) < 2:
        raise DatasetError(
            f"image {parts[0]!r} is not inside a class folder: use CLASS/image.jpg "
            "or train/CLASS/image.jpg + val/CLASS/image.jpg"
        )
    return None, parts[0], "/".join(parts[1:])


def _image_is_readable(zf: zipfile.ZipFile, entry: Entry) -> bool:
    try:
        with zf.open(entry.info) as stream, Image.open(stream) as img:
            if img.width * img.height > MAX_IMAGE_PIXELS:
                return False
            img.verify()
        return True
    except Exception:
        return False


def _check_class_dirs(
    dirs: set[tuple[str, ...]], depth: int, given: bool, labels: set[str]
) -> None:
    level = depth + (2 if given else 1)
    empty = sorted(
        d[-1]
        for d in dirs
        if len(d) == level and d[-1] not in labels and (not given or d[depth].lower() == "train")
    )
    if empty:
        raise DatasetError(f"class folder(s) with no images: {', '.join(empty[:MAX_LISTED])}")


def _split(refs_by_class: dict[str, list[tuple[Entry, str]]], seed: int) -> list[ImageRef]:
    out: list[ImageRef] = []
    rng = random.Random(seed)
    for label, items in sorted(refs_by_class.items()):
        items = sorted(items, key=lambda it: it[1])
        rng.shuffle(items)
        n_val = max(1, round(len(items) * VAL_FRACTION))
        for i, (entry, rel) in enumerate(items):
            out.append(ImageRef(entry, "val" if i < n_val else "train", label, rel))
    return out


def _counts(refs: list[ImageRef], split: str, classes: list[str]) -> dict[str, int]:
    counts = dict.fromkeys(classes, 0)
    for ref in refs:
        if ref.split == split:
            counts[ref.label] += 1
    return counts


def _validate_classes(refs: list[ImageRef], given: bool) -> list[str]:
    train = {r.label for r in refs if r.split == "train"} if given else {r.label for r in refs}
    classes = sorted(train)
    if len(classes) < 2:
        raise DatasetError(
            f"found {len(classes)} class(es); a classification dataset needs at least 2 "
            "class folders with images"
        )
    totals: dict[str, int] = defaultdict(int)
    for r in refs:
        totals[r.label] += 1
    too_few = [c for c in classes if totals[c] < MIN_IMAGES_PER_CLASS]
    if too_few:
        raise DatasetError(
            f"class(es) {', '.join(too_few[:MAX_LISTED])} have fewer than {MIN_IMAGES_PER_CLASS} "
            "images; add images so each class has at least one to train and one to validate"
        )
    if given:
        unknown = sorted({r.label for r in refs} - train)
        if unknown:
            raise DatasetError(
                f"val/ has class(es) not in train/: {', '.join(unknown[:MAX_LISTED])}"
            )
        val = {r.label for r in refs if r.split == "val"}
        missing = [c for c in classes if c not in val]
        if missing:
            raise DatasetError(
                f"class(es) {', '.join(missing[:MAX_LISTED])} have no validation images; add "
                "them under val/CLASS/ or upload without train/ and val/ to have them split"
            )
    return classes


def ingest_imagefolder(zip_path: Path, out_path: Path, max_total_bytes: int) -> IngestReport:
    """Validate the archive at `zip_path` and write the normalised dataset to `out_path`."""
    warnings: list[str] = []
    with open_zip(zip_path) as zf:
        listing = list_archive(zf, max_total_bytes)
        images = [e for e in listing.files if _is_image(e)]
        skipped = [e for e in listing.files if not _is_image(e)]
        if not images:
            raise DatasetError(
                "the archive holds no images (jpg, jpeg, png, bmp, webp, tif, tiff); "
                "put them in class folders: CLASS/image.jpg"
            )
        if skipped:
            names = ", ".join("/".join(e.parts) for e in skipped[:MAX_LISTED])
            warnings.append(f"{len(skipped)} non-image file(s) ignored: {names}")
        depth = _strip_wrapper(images)
        firsts = {e.parts[depth].lower() for e in images}
        given = bool(firsts & SPLIT_ALIASES.keys())
        if given and not firsts <= SPLIT_ALIASES.keys():
            raise DatasetError(
                "mixing split folders (train/, val/) with other top-level folders "
                f"({', '.join(sorted(firsts - SPLIT_ALIASES.keys())[:MAX_LISTED])}); "
                "use one layout"
            )
        if given and "train" not in {SPLIT_ALIASES[f] for f in firsts}:
            raise DatasetError("split folders were found but no train/ folder")

        unreadable: list[str] = []
        located: list[ImageRef] = []
        by_class: dict[str, list[tuple[Entry, str]]] = defaultdict(list)
        for entry in images:
            split, label, rel = _locate(entry.parts[depth:], given)
            if not _image_is_readable(zf, entry):
                unreadable.append("/".join(entry.parts))
                continue
            if split is None:
                by_class[label].append((entry, rel))
            else:
                located.append(ImageRef(entry, split, label, rel))
        if unreadable:
            warnings.append(
                f"{len(unreadable)} unreadable or oversized image(s) skipped: "
                + ", ".join(unreadable[:MAX_LISTED])
            )
        refs = located if given else _split(by_class, seed=0)
        _check_class_dirs(
            {d for d in listing.dirs if len(d) > depth}, depth, given, {r.label for r in refs}
        )
        classes = _validate_classes(refs, given)
        stats = {
            "images": len(refs),
            "train": _counts(refs, "train", classes),
            "val": _counts(refs, "val", classes),
        }
        manifest = {
            "format": "imagefolder",
            "task": "classify",
            "classes": classes,
            "split_source": "given" if given else "generated",
            "splits": {"train": stats["train"], "val": stats["val"]},
        }
        with zipfile.ZipFile(out_path, "w", zipfile.ZIP_STORED) as zout:
            zout.writestr("manifest.json", json.dumps(manifest, indent=2))
            for ref in refs:
                with (
                    zf.open(ref.entry.info) as src,
                    zout.open(f"{ref.split}/{ref.label}/{ref.relpath}", "w") as dst,
                ):
                    shutil.copyfileobj(src, dst, 1024 * 1024)
    return IngestReport(classes, str(manifest["split_source"]), stats, warnings)
