"""What differs between classification and detection datasets (registry by task)."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from abc import ABC, abstractmethod
from collections import defaultdict
from pathlib import PurePosixPath
from typing import Any

import yaml
from PIL import Image, ImageDraw

from backend.datasets.errors import DatasetError
from backend.datasets.health import Sample
from backend.datasets.images import ImageInfo
from backend.datasets.layouts import LayoutResult, RawSample, listed
from mlcore.contract.imagefolder import stratified_split

MIN_IMAGES_PER_CLASS = 2
MAX_CLASSES = 10_000
SPLITS = ("train", "val")
BOX_COLOUR = (255, 64, 0)


def split_groups(
    items: list[tuple[RawSample, ImageInfo]], stratum: str | None, seed: int = 0
) -> list[Sample]:
    """80/20 split per stratum (class, or the whole set); identical images stay together
    (mlcore.contract.imagefolder.stratified_split, which the CLI uses too)."""
    split = stratified_split(
        items,
        stratum=lambda item: item[0].label if stratum is None else stratum,
        group=lambda item: item[1].sha256,
        path=lambda item: item[0].entry.path,
        seed=seed,
    )
    return [Sample(raw, name, info) for (raw, info), name in split]


class UniqueNames:
    """Flat file names, unique per folder by stem (case-insensitively), so `a.jpg` and
    `a.png`, or two `a.jpg` from different folders, never overwrite each other."""

    def __init__(self) -> None:
        self.used: set[tuple[str, str]] = set()

    def take(self, folder: str, sample: Sample) -> str:
        name = PurePosixPath(sample.raw.file_name)
        salt = sample.raw.entry.path
        while (folder, name.stem.lower()) in self.used:
            salt = hashlib.sha1(salt.encode()).hexdigest()
            name = name.with_stem(f"{PurePosixPath(sample.raw.file_name).stem}-{salt[:8]}")
        self.used.add((folder, name.stem.lower()))
        return name.name


def _copy(zf: zipfile.ZipFile, sample: Sample, zout: zipfile.ZipFile, target: str) -> None:
    with zf.open(sample.raw.entry.info) as src, zout.open(target, "w") as dst:
        shutil.copyfileobj(src, dst, 1024 * 1024)


class TaskRules(ABC):
    task: str
    output_format: str  # the normalised layout, recorded in manifest.json

    @abstractmethod
    def split(self, items: list[tuple[RawSample, ImageInfo]]) -> list[Sample]:
        """Samples with a split made here (no split was given)."""

    @abstractmethod
    def classes(self, samples: list[Sample], given: bool, layout: LayoutResult) -> list[str]:
        """The class names; raises DatasetError when the data cannot be trained on."""

    @abstractmethod
    def counts(self, samples: list[Sample], classes: list[str]) -> dict[str, dict[str, int]]:
        """split -> class -> images (classification) or boxes (detection)."""

    def extra(self, samples: list[Sample], classes: list[str]) -> dict[str, Any]:
        return {}

    @abstractmethod
    def thumbnail_classes(self, raw: RawSample, classes: list[str]) -> list[str]:
        """The classes an image can illustrate."""

    def draw(self, thumb: Image.Image, raw: RawSample) -> Image.Image:
        return thumb

    def write(
        self,
        zf: zipfile.ZipFile,
        samples: list[Sample],
        manifest: dict[str, Any],
        out: zipfile.ZipFile,
    ) -> None:
        """The normalised layout the training engine reads, with its manifest.json."""
        full = {**manifest, "format": self.output_format}
        out.writestr("manifest.json", json.dumps(full, indent=2))
        self.write_files(zf, samples, full, out)

    @abstractmethod
    def write_files(
        self,
        zf: zipfile.ZipFile,
        samples: list[Sample],
        manifest: dict[str, Any],
        out: zipfile.ZipFile,
    ) -> None:
        """Everything but the manifest."""


class ClassificationRules(TaskRules):
    """ImageFolder out: `train|val/CLASS/...`."""

    task = "classify"
    output_format = "imagefolder"

    def split(self, items: list[tuple[RawSample, ImageInfo]]) -> list[Sample]:
        return split_groups(items, stratum=None)

    def classes(self, samples: list[Sample], given: bool, layout: LayoutResult) -> list[str]:
        train = {s.raw.label for s in samples if s.split == "train"}
        classes = sorted(train if given else {s.raw.label for s in samples})
        if len(classes) < 2:
            raise DatasetError(
                f"found {len(classes)} class(es) with readable images; a classification "
                "dataset needs at least 2"
            )
        if len(classes) > MAX_CLASSES:
            raise DatasetError(f"found {len(classes)} classes; at most {MAX_CLASSES} are supported")
        totals: dict[str, int] = defaultdict(int)
        for s in samples:
            totals[s.raw.label] += 1
        too_few = [c for c in classes if totals[c] < MIN_IMAGES_PER_CLASS]
        if too_few:
            raise DatasetError(
                f"class(es) {listed(too_few)} have fewer than {MIN_IMAGES_PER_CLASS} readable "
                "images; add images so each class has at least one to train and one to validate"
            )
        if given:
            unknown = sorted({s.raw.label for s in samples} - train)
            if unknown:
                raise DatasetError(f"val/ has class(es) not in train/: {listed(unknown)}")
            val = {s.raw.label for s in samples if s.split == "val"}
            missing = [c for c in classes if c not in val]
            if missing:
                raise DatasetError(
                    f"class(es) {listed(missing)} have no validation images; add them under "
                    "val/CLASS/ or upload without train/ and val/ to have them split"
                )
        return classes

    def counts(self, samples: list[Sample], classes: list[str]) -> dict[str, dict[str, int]]:
        out = {split: dict.fromkeys(classes, 0) for split in SPLITS}
        for s in samples:
            out[s.split][s.raw.label] += 1
        return out

    def thumbnail_classes(self, raw: RawSample, classes: list[str]) -> list[str]:
        return [raw.label]

    def write_files(
        self,
        zf: zipfile.ZipFile,
        samples: list[Sample],
        manifest: dict[str, Any],
        out: zipfile.ZipFile,
    ) -> None:
        names = UniqueNames()
        for s in samples:
            folder = f"{s.split}/{s.raw.label}"
            _copy(zf, s, out, f"{folder}/{names.take(folder, s)}")


class DetectionRules(TaskRules):
    """YOLO out: `images/SPLIT/...`, `labels/SPLIT/*.txt`, `data.yaml`."""

    task = "detect"
    output_format = "yolo"

    def split(self, items: list[tuple[RawSample, ImageInfo]]) -> list[Sample]:
        return split_groups(items, stratum="all")

    def classes(self, samples: list[Sample], given: bool, layout: LayoutResult) -> list[str]:
        assert layout.classes is not None
        for split in SPLITS:
            if not any(s.split == split for s in samples):
                raise DatasetError(
                    f"no readable images in the {split} split; add some (images/{split}/ for "
                    "YOLO, an annotations file with `" + split + "` in its name for COCO)"
                )
        if not any(s.raw.boxes for s in samples if s.split == "train"):
            raise DatasetError("no training image has a box; label some objects first")
        return layout.classes

    def counts(self, samples: list[Sample], classes: list[str]) -> dict[str, dict[str, int]]:
        out = {split: dict.fromkeys(classes, 0) for split in SPLITS}
        for s in samples:
            for box in s.raw.boxes or ():
                out[s.split][classes[box.cls]] += 1
        return out

    def extra(self, samples: list[Sample], classes: list[str]) -> dict[str, Any]:
        return {
            "images_per_split": {p: sum(s.split == p for s in samples) for p in SPLITS},
            "background_images": {
                p: sum(s.split == p and not s.raw.boxes for s in samples) for p in SPLITS
            },
            "boxes": sum(len(s.raw.boxes or ()) for s in samples),
        }

    def thumbnail_classes(self, raw: RawSample, classes: list[str]) -> list[str]:
        return sorted({classes[b.cls] for b in raw.boxes or ()})

    def draw(self, thumb: Image.Image, raw: RawSample) -> Image.Image:
        canvas = thumb.copy()
        pen = ImageDraw.Draw(canvas)
        w, h = canvas.size
        for b in raw.boxes or ():
            pen.rectangle(
                [
                    (b.cx - b.w / 2) * w,
                    (b.cy - b.h / 2) * h,
                    (b.cx + b.w / 2) * w,
                    (b.cy + b.h / 2) * h,
                ],
                outline=BOX_COLOUR,
                width=2,
            )
        return canvas

    def write_files(
        self,
        zf: zipfile.ZipFile,
        samples: list[Sample],
        manifest: dict[str, Any],
        out: zipfile.ZipFile,
    ) -> None:
        names = dict(enumerate(manifest["classes"]))
        config = {"path": ".", "train": "images/train", "val": "images/val", "names": names}
        out.writestr("data.yaml", yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
        unique = UniqueNames()
        for s in samples:
            name = PurePosixPath(unique.take(s.split, s))
            _copy(zf, s, out, f"images/{s.split}/{name}")
            lines = "".join(box.yolo() + "\n" for box in s.raw.boxes or ())
            out.writestr(f"labels/{s.split}/{name.with_suffix('.txt')}", lines)


RULES: dict[str, TaskRules] = {r.task: r for r in (ClassificationRules(), DetectionRules())}
