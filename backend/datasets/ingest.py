"""Ingest an uploaded classification archive: validate, inspect, split, report, normalise.

The normalised archive holds `train|val/CLASS/...` with the original image bytes plus
`manifest.json`; thumbnails for the report are written beside it.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from backend.datasets.archive import ArchiveLimits, list_archive, open_zip
from backend.datasets.errors import DatasetError
from backend.datasets.health import Sample, build_report
from backend.datasets.images import ImageInfo, UnreadableImage, inspect_image
from backend.datasets.layouts import RawSample, listed, read_layout, wrapper_depth

VAL_FRACTION = 0.2
MIN_IMAGES_PER_CLASS = 2
THUMBNAILS_PER_CLASS = 4


@dataclass
class IngestResult:
    class_names: list[str]
    split_source: str
    content_hash: str
    stats: dict[str, Any]
    report: dict[str, Any]
    thumbnails: list[Path]

    @property
    def warnings(self) -> list[str]:
        return [i["message"] for i in self.report["issues"] if i["severity"] == "warning"]


def assign_splits(items: list[tuple[RawSample, ImageInfo]], seed: int = 0) -> list[Sample]:
    """Stratified split per class; identical images always land in the same split."""
    by_class: dict[str, dict[str, list[tuple[RawSample, ImageInfo]]]] = defaultdict(dict)
    for raw, info in items:
        by_class[raw.label].setdefault(info.sha256, []).append((raw, info))
    rng = random.Random(seed)
    out: list[Sample] = []
    for label in sorted(by_class):
        groups = sorted(by_class[label].values(), key=lambda g: g[0][0].entry.path)
        rng.shuffle(groups)
        total = sum(len(g) for g in groups)
        target = max(1, round(total * VAL_FRACTION))
        in_val = 0
        for group in groups:
            split = "val" if in_val < target and len(groups) > 1 else "train"
            in_val += len(group) if split == "val" else 0
            out.extend(Sample(raw, split, info) for raw, info in group)
    return out


def validate_classes(samples: list[Sample], given: bool) -> list[str]:
    """Class names (sorted); raises DatasetError when the classes cannot be trained on."""
    train = {s.raw.label for s in samples if s.split == "train"}
    classes = sorted(train if given else {s.raw.label for s in samples})
    if len(classes) < 2:
        raise DatasetError(
            f"found {len(classes)} class(es) with readable images; a classification dataset "
            "needs at least 2"
        )
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


def content_hash(samples: list[Sample]) -> str:
    """Identifies the data, not the zip: split, label and image bytes of every sample."""
    lines = sorted(f"{s.split}\t{s.raw.label}\t{s.info.sha256}" for s in samples)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _write_archive(
    zf: zipfile.ZipFile, samples: list[Sample], manifest: dict[str, Any], out_path: Path
) -> None:
    with zipfile.ZipFile(out_path, "w", zipfile.ZIP_STORED) as zout:
        zout.writestr("manifest.json", json.dumps(manifest, indent=2))
        for s in samples:
            target = f"{s.split}/{s.raw.label}/{s.raw.relpath}"
            with zf.open(s.raw.entry.info) as src, zout.open(target, "w") as dst:
                shutil.copyfileobj(src, dst, 1024 * 1024)


def ingest_archive(
    zip_path: Path, out_path: Path, thumbs_dir: Path, limits: ArchiveLimits
) -> IngestResult:
    """Validate the archive at `zip_path`; write the normalised dataset and thumbnails."""
    with open_zip(zip_path) as zf:
        listing = list_archive(zf, limits)
        if not listing.files:
            raise DatasetError("the archive is empty; put class folders with images in it")
        listing = listing.strip(wrapper_depth(listing))
        layout, result = read_layout(listing, zf)
        given = any(s.split for s in result.samples)

        readable: list[tuple[RawSample, ImageInfo]] = []
        unreadable: list[dict[str, str]] = []
        thumbs: dict[str, list[Image.Image]] = defaultdict(list)
        for raw in sorted(result.samples, key=lambda r: r.entry.path):
            try:
                info, thumb = inspect_image(zf, raw.entry)
            except UnreadableImage as exc:
                unreadable.append({"file": raw.entry.path, "reason": str(exc)})
                continue
            readable.append((raw, info))
            if len(thumbs[raw.label]) < THUMBNAILS_PER_CLASS:
                thumbs[raw.label].append(thumb)

        if not readable:
            raise DatasetError(
                f"none of the {len(unreadable)} image(s) could be read: "
                + listed([f"{u['file']} ({u['reason']})" for u in unreadable])
            )
        samples = (
            [Sample(raw, raw.split or "train", info) for raw, info in readable]
            if given
            else assign_splits(readable)
        )
        classes = validate_classes(samples, given)
        split_source = "given" if given else "generated"
        report = build_report(layout, split_source, classes, samples, unreadable, result.warnings)
        stats = {"images": len(samples), **report["counts"]}
        manifest = {
            "format": "imagefolder",
            "task": "classify",
            "source_layout": layout,
            "classes": classes,
            "split_source": split_source,
            "splits": report["counts"],
        }
        _write_archive(zf, samples, manifest, out_path)

    written: list[Path] = []
    for index, label in enumerate(classes):
        for n, image in enumerate(thumbs.get(label, [])):
            path = thumbs_dir / str(index) / f"{n}.jpg"
            path.parent.mkdir(parents=True, exist_ok=True)
            image.save(path, "JPEG", quality=85)
            written.append(path)
    return IngestResult(classes, split_source, content_hash(samples), stats, report, written)
