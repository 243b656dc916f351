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
from mlcore.contract.imagefolder import (
    IMAGE_EXTENSIONS,
    SPLIT_ALIASES,
    check_label,
    listed,
    read_imagefolder,
)
from mlcore.contract.imagefolder import wrapper_depth as folder_wrapper_depth


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
        found = read_imagefolder([e.parts for e in images], listing.dirs)
        samples = [
            RawSample(entry, image.split, image.label, entry.parts[-1])
            for entry, image in zip(images, found, strict=True)
        ]
        warnings = [f"{len(others)} non-image file(s) ignored: {listed(others)}"] if others else []
        return LayoutResult(samples, warnings)


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
    folders (mlcore.contract.imagefolder.wrapper_depth)."""
    return folder_wrapper_depth([e.parts for e in listing.files])
