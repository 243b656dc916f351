"""Classification archive layouts (registry): ImageFolder and CSV (`filename,label`).

Each layout turns an archive listing into samples: an image entry, its label, and its
split when the archive gives one.
"""

from __future__ import annotations

import csv
import io
import zipfile
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from backend.datasets.archive import ArchiveListing, Entry, read_entry
from backend.datasets.errors import DatasetError

IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})
SPLIT_ALIASES = {"train": "train", "val": "val", "valid": "val", "validation": "val"}
MAX_LISTED = 20
DATASET_FILES = IMAGE_EXTENSIONS | {".csv", ".yaml", ".yml", ".json"}
MAX_CLASS_NAME = 100


@dataclass(frozen=True, slots=True)
class Box:
    """One object: class index and a normalised centre-x, centre-y, width, height box."""

    cls: int
    cx: float
    cy: float
    w: float
    h: float

    def yolo(self) -> str:
        return f"{self.cls} {self.cx:.6f} {self.cy:.6f} {self.w:.6f} {self.h:.6f}"


@dataclass(frozen=True, slots=True)
class RawSample:
    """An image entry with its split (when given) and its label or boxes."""

    entry: Entry
    split: str | None
    label: str
    file_name: str  # the file name it is stored under (made unique when written)
    boxes: tuple[Box, ...] | None = None
    recorded_size: tuple[int, int] | None = None  # (width, height) an annotation file states


@dataclass
class LayoutResult:
    samples: list[RawSample]
    warnings: list[str]
    task: str = "classify"
    classes: list[str] | None = None  # detection: the user's names, in their order
    notes: dict[str, int] = field(default_factory=dict)  # counts for the report


def is_image(entry: Entry) -> bool:
    return entry.suffix in IMAGE_EXTENSIONS


def listed(names: list[str]) -> str:
    more = f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else ""
    return ", ".join(names[:MAX_LISTED]) + more


def check_label(label: str) -> str:
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


class Layout(ABC):
    name: str

    @abstractmethod
    def matches(self, listing: ArchiveListing, zf: zipfile.ZipFile) -> bool: ...

    @abstractmethod
    def read(self, listing: ArchiveListing, zf: zipfile.ZipFile) -> LayoutResult: ...


class ImageFolderLayout(Layout):
    """`CLASS/*.jpg`, or `train/CLASS/*.jpg` + `val/CLASS/*.jpg`."""

    name = "imagefolder"

    def matches(self, listing: ArchiveListing, zf: zipfile.ZipFile) -> bool:
        return any(is_image(e) for e in listing.files)

    def read(self, listing: ArchiveListing, zf: zipfile.ZipFile) -> LayoutResult:
        images = [e for e in listing.files if is_image(e)]
        others = [e.path for e in listing.files if not is_image(e)]
        firsts = {e.parts[0].lower() for e in images if len(e.parts) > 1}
        given = bool(firsts & SPLIT_ALIASES.keys())
        if given and not firsts <= SPLIT_ALIASES.keys():
            raise DatasetError(
                "mixing split folders (train/, val/) with other top-level folders "
                f"({listed(sorted(firsts - SPLIT_ALIASES.keys()))}); use one layout"
            )
        if given and "train" not in {SPLIT_ALIASES[f] for f in firsts}:
            raise DatasetError("split folders were found but no train/ folder")
        if given and {e.parts[1] for e in images if len(e.parts) > 2} & {"images", "labels"}:
            raise DatasetError(
                "this looks like a YOLO export with SPLIT/images and SPLIT/labels folders; "
                "arrange it as images/SPLIT, labels/SPLIT with a data.yaml listing `names`"
            )
        samples = [self._sample(e, given) for e in images]
        self._check_empty_dirs(listing.dirs, given, {s.label for s in samples})
        warnings = [f"{len(others)} non-image file(s) ignored: {listed(others)}"] if others else []
        return LayoutResult(samples, warnings)

    @staticmethod
    def _sample(entry: Entry, given: bool) -> RawSample:
        parts = entry.parts
        depth = 2 if given else 1
        if len(parts) <= depth:
            where = f"{parts[0]}/CLASS/image.jpg" if given else "CLASS/image.jpg"
            raise DatasetError(f"image {entry.path!r} is not inside a class folder: use {where}")
        split = SPLIT_ALIASES[parts[0].lower()] if given else None
        return RawSample(entry, split, check_label(parts[depth - 1]), parts[-1])

    @staticmethod
    def _check_empty_dirs(dirs: set[tuple[str, ...]], given: bool, labels: set[str]) -> None:
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


class CsvLayout(Layout):
    """A top-level CSV with `filename,label` (optional `split`) columns, images beside it."""

    name = "csv"
    required = ("filename", "label")

    def _csv(self, listing: ArchiveListing, zf: zipfile.ZipFile) -> Entry | None:
        for entry in sorted(listing.files, key=lambda e: e.path):
            if entry.suffix == ".csv" and len(entry.parts) == 1:
                header = self._header(zf, entry)
                if all(column in header for column in self.required):
                    return entry
        return None

    @staticmethod
    def _header(zf: zipfile.ZipFile, entry: Entry) -> list[str]:
        with zf.open(entry.info) as raw:
            line = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace").readline(4096)
        return [c.strip().lower() for c in next(csv.reader([line]), [])]

    def matches(self, listing: ArchiveListing, zf: zipfile.ZipFile) -> bool:
        return self._csv(listing, zf) is not None

    def read(self, listing: ArchiveListing, zf: zipfile.ZipFile) -> LayoutResult:
        table = self._csv(listing, zf)
        assert table is not None
        by_path = {e.parts: e for e in listing.files if is_image(e)}
        try:
            text = read_entry(zf, table).decode("utf-8-sig")
            rows = list(csv.DictReader(io.StringIO(text)))
        except (UnicodeDecodeError, csv.Error) as exc:
            raise DatasetError(f"{table.path} is not a UTF-8 CSV file: {exc}") from exc
        samples: list[RawSample] = []
        missing: list[str] = []
        listed_at: dict[tuple[str, ...], int] = {}
        for number, row in enumerate(rows, start=2):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
            name, label = row.get("filename", ""), row.get("label", "")
            parts = tuple(p for p in PurePosixPath(name).parts if p not in ("", "."))
            if not parts or ".." in parts or name.startswith(("/", "\\")):
                raise DatasetError(f"{table.path} line {number}: invalid filename {name!r}")
            entry = by_path.get(parts)
            if entry is None:
                missing.append(name)
                continue
            if parts in listed_at:
                raise DatasetError(
                    f"{table.path} lists {name!r} twice (lines {listed_at[parts]} and {number})"
                )
            listed_at[parts] = number
            split_name = row.get("split", "").lower()
            if split_name and split_name not in SPLIT_ALIASES:
                raise DatasetError(
                    f"{table.path} line {number}: split {split_name!r} is not train or val"
                )
            split = SPLIT_ALIASES[split_name] if split_name else None
            samples.append(RawSample(entry, split, check_label(label), parts[-1]))
        splits = {s.split for s in samples}
        if None in splits and len(splits) > 1:
            raise DatasetError(f"{table.path}: give a split for every row or for none")
        warnings = []
        if missing:
            warnings.append(
                f"{len(missing)} file(s) named in {table.path} are missing: {listed(missing)}"
            )
        unlisted = sorted("/".join(p) for p in by_path.keys() - listed_at.keys())
        if unlisted:
            warnings.append(
                f"{len(unlisted)} image(s) are not in {table.path} and were ignored: "
                f"{listed(unlisted)}"
            )
        return LayoutResult(samples, warnings)


def wrapper_depth(listing: ArchiveListing) -> int:
    """How many leading folders every dataset file shares that are neither split nor class
    folders; loose top-level files (a README, say) do not count."""
    files = [e for e in listing.files if len(e.parts) > 1 or e.suffix in DATASET_FILES]
    depth = 0
    while files and any(len(e.parts) >= depth + 3 for e in files):
        first = {e.parts[depth] for e in files}
        if len(first) != 1 or any(len(e.parts) <= depth + 1 for e in files):
            break
        if next(iter(first)).lower() in SPLIT_ALIASES:
            break
        depth += 1
    return depth
