"""Detection archive layouts: YOLO (`data.yaml`, images/ + labels/) and COCO JSON.

Both become one representation: per image, YOLO boxes (class index, normalised
centre-x, centre-y, width, height) with the user's class names in their order.
"""

from __future__ import annotations

import math
import zipfile
from collections import Counter
from pathlib import PurePosixPath
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, Field, PositiveInt, ValidationError

from backend.datasets.archive import ArchiveListing, Entry, read_entry
from backend.datasets.errors import DatasetError
from backend.datasets.layouts import (
    SPLIT_ALIASES,
    Box,
    Layout,
    LayoutResult,
    RawSample,
    check_label,
    is_image,
    listed,
)

MAX_CLASSES = 10_000


def _split_of(file_name: str) -> str | None:
    lower = file_name.lower()
    return next((split for alias, split in SPLIT_ALIASES.items() if alias in lower), None)


EDGE_TOLERANCE = 0.01  # boxes this far outside the image are clipped silently


class BoxProblems:
    """Counts boxes that were clipped or dropped, with a few file names to show."""

    def __init__(self) -> None:
        self.clipped: list[str] = []
        self.degenerate: list[str] = []

    def check(self, box: Box, where: str) -> Box | None:
        """The box clipped to the image, or None when nothing of it is left."""
        x0, y0 = box.cx - box.w / 2, box.cy - box.h / 2
        x1, y1 = box.cx + box.w / 2, box.cy + box.h / 2
        cx0, cy0, cx1, cy1 = max(x0, 0.0), max(y0, 0.0), min(x1, 1.0), min(y1, 1.0)
        if cx1 - cx0 <= 1e-6 or cy1 - cy0 <= 1e-6:
            self.degenerate.append(where)
            return None
        if max(-x0, -y0, x1 - 1, y1 - 1) > EDGE_TOLERANCE:
            self.clipped.append(where)
        return Box(box.cls, (cx0 + cx1) / 2, (cy0 + cy1) / 2, cx1 - cx0, cy1 - cy0)

    def warnings(self) -> list[str]:
        out = []
        if self.clipped:
            out.append(
                f"{len(self.clipped)} box(es) reached outside their image and were "
                f"clipped: {listed(self.clipped)}"
            )
        if self.degenerate:
            out.append(
                f"{len(self.degenerate)} box(es) had no area (or lay outside the image) "
                f"and were dropped: {listed(self.degenerate)}"
            )
        return out


def _finite(values: list[str], where: str) -> list[float]:
    try:
        numbers = [float(v) for v in values]
    except ValueError as exc:
        raise DatasetError(f"{where}: {' '.join(values)!r} is not a list of numbers") from exc
    if not all(math.isfinite(v) for v in numbers):
        raise DatasetError(f"{where}: NaN or infinite values are not allowed")
    return numbers


def _class_id(value: float, count: int, where: str) -> int:
    if value != int(value) or not 0 <= value < count:
        raise DatasetError(
            f"{where}: class id {value:g} is out of range 0..{count - 1} ({count} class names)"
        )
    return int(value)


class NoAliasLoader(yaml.SafeLoader):
    """The safe loader without anchors and aliases (no "billion laughs" expansion)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.YAMLError("YAML aliases (*name) are not accepted")
        return super().compose_node(parent, index)


def _names(raw: Any, source: str) -> list[str]:
    """Class names from `names`: a list, or a mapping of ids 0..n-1 to names."""
    if isinstance(raw, dict):
        try:
            by_id = {int(k): v for k, v in raw.items()}
        except (TypeError, ValueError) as exc:
            raise DatasetError(f"{source}: `names` keys must be class ids 0..n-1") from exc
        if sorted(by_id) != list(range(len(by_id))):
            raise DatasetError(f"{source}: `names` must number the classes 0..n-1 without gaps")
        raw = [by_id[k] for k in range(len(by_id))]
    if not isinstance(raw, list) or not raw or len(raw) > MAX_CLASSES:
        raise DatasetError(f"{source}: `names` must list 1 to {MAX_CLASSES} class names")
    if not all(isinstance(n, str | int) and not isinstance(n, bool) for n in raw):
        raise DatasetError(f"{source}: every class name must be plain text")
    names = [check_label(str(n)) for n in raw]
    if len(set(names)) != len(names):
        raise DatasetError(f"{source}: class names repeat: {listed(sorted(names))}")
    return names


class YoloLayout(Layout):
    """`data.yaml` (names) + `images/SPLIT/*` + `labels/SPLIT/*.txt`."""

    name = "yolo"

    @staticmethod
    def _yaml(listing: ArchiveListing) -> Entry | None:
        found = [e for e in listing.files if len(e.parts) == 1 and e.suffix in (".yaml", ".yml")]
        return found[0] if found else None

    def matches(self, listing: ArchiveListing, zf: zipfile.ZipFile) -> bool:
        """A top-level yaml, images under images/SPLIT/, and a labels/ folder."""
        return (
            self._yaml(listing) is not None
            and any(
                len(e.parts) > 2 and e.parts[0] == "images" and e.parts[1].lower() in SPLIT_ALIASES
                for e in listing.files
            )
            and any(e.parts[0] == "labels" for e in listing.files)
        )

    def read(self, listing: ArchiveListing, zf: zipfile.ZipFile) -> LayoutResult:
        config_entry = self._yaml(listing)
        assert config_entry is not None
        try:
            config = yaml.load(read_entry(zf, config_entry), Loader=NoAliasLoader)
        except yaml.YAMLError as exc:
            raise DatasetError(
                f"{config_entry.path} is not plain YAML (Python-specific tags and other "
                f"constructs are refused): {str(exc).splitlines()[0]}"
            ) from exc
        if not isinstance(config, dict) or "names" not in config:
            raise DatasetError(f"{config_entry.path} must be a mapping with `names`")
        names = _names(config["names"], config_entry.path)
        labels = {e.parts[1:]: e for e in listing.files if e.parts[0] == "labels"}
        problems, samples, skipped = BoxProblems(), [], Counter[str]()
        used_labels = set()
        notes = {"images_without_label_file": 0, "empty_label_files": 0}
        for entry in listing.files:
            if entry.parts[0] != "images" or not is_image(entry) or len(entry.parts) < 3:
                continue
            split = SPLIT_ALIASES.get(entry.parts[1].lower())
            if split is None:
                skipped[entry.parts[1]] += 1
                continue
            key = (*entry.parts[1:-1], PurePosixPath(entry.parts[-1]).stem + ".txt")
            label_entry = labels.get(key)
            boxes: tuple[Box, ...] = ()
            if label_entry is None:
                notes["images_without_label_file"] += 1
            else:
                used_labels.add(key)
                boxes = self._boxes(zf, label_entry, len(names), problems)
                notes["empty_label_files"] += not boxes
            samples.append(RawSample(entry, split, "", entry.parts[-1], boxes))
        warnings = problems.warnings()
        if skipped:
            warnings.append(
                f"images in folders other than train/ and val/ were ignored: "
                f"{listed(sorted(skipped))}"
            )
        orphans = sorted(
            "/".join(("labels", *k)) for k in labels.keys() - used_labels if k[-1].endswith(".txt")
        )
        if orphans:
            warnings.append(f"{len(orphans)} label file(s) have no image: {listed(orphans)}")
        return LayoutResult(samples, warnings, "detect", names, notes)

    @staticmethod
    def _boxes(
        zf: zipfile.ZipFile, entry: Entry, classes: int, problems: BoxProblems
    ) -> tuple[Box, ...]:
        try:
            text = read_entry(zf, entry).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DatasetError(f"{entry.path} is not a UTF-8 text file") from exc
        boxes = []
        for number, line in enumerate(text.splitlines(), start=1):
            values = line.split()
            if not values:
                continue
            where = f"{entry.path} line {number}"
            numbers = _finite(values, where)
            if len(numbers) == 5:
                cx, cy, w, h = numbers[1:]
            elif len(numbers) >= 7 and len(numbers) % 2 == 1:  # a polygon: use its bounds
                xs, ys = numbers[1::2], numbers[2::2]
                cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
                w, h = max(xs) - min(xs), max(ys) - min(ys)
            else:
                raise DatasetError(f"{where}: expected `class cx cy w h`, got {line.strip()!r}")
            box = problems.check(Box(_class_id(numbers[0], classes, where), cx, cy, w, h), where)
            if box is not None:
                boxes.append(box)
        return tuple(boxes)


FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]


class CocoImage(BaseModel):
    id: int
    file_name: str
    width: PositiveInt
    height: PositiveInt


class CocoCategory(BaseModel):
    id: int
    name: str | int


class CocoAnnotation(BaseModel):
    image_id: int
    category_id: int
    bbox: Annotated[list[FiniteFloat], Field(min_length=4, max_length=4)] | None = None
    iscrowd: int = 0


class CocoDocument(BaseModel):
    """The parts of a COCO instances file that Konstruktor reads (others are ignored)."""

    images: list[CocoImage]
    annotations: list[CocoAnnotation]
    categories: list[CocoCategory]


class CocoLayout(Layout):
    """`annotations/*.json` (COCO instances) + images; split from the JSON file names."""

    name = "coco"

    @staticmethod
    def _jsons(listing: ArchiveListing) -> list[Entry]:
        return sorted(
            (
                e
                for e in listing.files
                if e.suffix == ".json" and len(e.parts) == 2 and e.parts[0] == "annotations"
            ),
            key=lambda e: e.path,
        )

    def matches(self, listing: ArchiveListing, zf: zipfile.ZipFile) -> bool:
        return bool(self._jsons(listing))

    def read(self, listing: ArchiveListing, zf: zipfile.ZipFile) -> LayoutResult:
        files = self._jsons(listing)
        splits = {e.path: _split_of(e.parts[-1]) for e in files}
        warnings: list[str] = []
        if any(splits.values()):
            ignored = [path for path, split in splits.items() if split is None]
            if ignored:
                warnings.append(
                    f"annotation files named neither train nor val were ignored: {listed(ignored)}"
                )
            files = [e for e in files if splits[e.path]]
        images = {e.path: e for e in listing.files if is_image(e)}
        by_name: dict[str, list[Entry]] = {}
        for e in images.values():
            by_name.setdefault(e.parts[-1], []).append(e)
        documents = [(entry, self._load(zf, entry)) for entry in files]
        categories = sorted({(c.id, str(c.name)) for _e, doc in documents for c in doc.categories})
        ids = [c for c, _n in categories]
        if len(set(ids)) != len(ids):
            raise DatasetError("the COCO files disagree about category ids and names")
        names = _names([n for _c, n in categories], "annotations")
        index = {c: i for i, c in enumerate(ids)}
        problems, samples, missing = BoxProblems(), [], []
        skipped = Counter[str]()
        for entry, doc in documents:
            images_by_id = {img.id: img for img in doc.images}
            boxes_of: dict[int, list[Box]] = {img.id: [] for img in doc.images}
            for number, ann in enumerate(doc.annotations):
                where = f"{entry.path} annotation {number}"
                if ann.iscrowd or ann.bbox is None:
                    skipped["crowd" if ann.iscrowd else "without a bbox"] += 1
                    continue
                image = images_by_id.get(ann.image_id)
                if image is None or ann.category_id not in index:
                    raise DatasetError(f"{where}: unknown image_id or category_id")
                x, y, w, h = ann.bbox
                box = Box(
                    index[ann.category_id],
                    (x + w / 2) / image.width,
                    (y + h / 2) / image.height,
                    w / image.width,
                    h / image.height,
                )
                checked = problems.check(box, where)
                if checked is not None:
                    boxes_of[ann.image_id].append(checked)
            for img in doc.images:
                found = self._find(images, by_name, img.file_name)
                if found is None:
                    missing.append(img.file_name)
                    continue
                boxes = tuple(boxes_of[img.id])
                samples.append(
                    RawSample(
                        found,
                        splits[entry.path],
                        "",
                        found.parts[-1],
                        boxes,
                        (img.width, img.height),
                    )
                )
        warnings += problems.warnings()
        if missing:
            warnings.append(
                f"{len(missing)} image(s) named in the annotations are missing: {listed(missing)}"
            )
        warnings += [f"{n} annotation(s) {why} were skipped" for why, n in sorted(skipped.items())]
        return LayoutResult(samples, warnings, "detect", names)

    @staticmethod
    def _load(zf: zipfile.ZipFile, entry: Entry) -> CocoDocument:
        try:
            return CocoDocument.model_validate_json(read_entry(zf, entry))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise DatasetError(
                f"{entry.path} is not a COCO instances file: {where}: {first['msg']}"
            ) from exc

    @staticmethod
    def _find(
        images: dict[str, Entry], by_name: dict[str, list[Entry]], file_name: str
    ) -> Entry | None:
        for candidate in (file_name, f"images/{file_name}"):
            if candidate in images:
                return images[candidate]
        same = by_name.get(PurePosixPath(file_name).name, [])
        return same[0] if len(same) == 1 else None
