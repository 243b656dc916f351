"""Ingest an uploaded archive: validate, inspect, split, report, normalise.

Classification versions are stored as `train|val/CLASS/...`, detection versions in YOLO
layout (`images/`, `labels/`, `data.yaml`), always with the original image bytes and a
`manifest.json`; thumbnails for the report are written beside them.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend.datasets.archive import ArchiveLimits, list_archive, open_zip
from backend.datasets.errors import DatasetError
from backend.datasets.health import Sample, build_report
from backend.datasets.images import ImageInfo, UnreadableImage, inspect_image
from backend.datasets.layouts import RawSample, listed, wrapper_depth
from backend.datasets.registry import read_layout
from backend.datasets.tasks import RULES, TaskRules

THUMBNAILS_PER_CLASS = 4


@dataclass
class IngestResult:
    task: str
    class_names: list[str]
    split_source: str
    content_hash: str
    stats: dict[str, Any]
    report: dict[str, Any]
    thumbnails: list[Path]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IngestResult:
        return cls(**{**data, "thumbnails": [Path(p) for p in data["thumbnails"]]})

    @property
    def warnings(self) -> list[str]:
        return [i["message"] for i in self.report["issues"] if i["severity"] == "warning"]


def _refuse_repeats(samples: list[RawSample]) -> None:
    seen: set[str] = set()
    for raw in samples:
        if raw.entry.path in seen:
            raise DatasetError(f"{raw.entry.path!r} is listed more than once; list it once")
        seen.add(raw.entry.path)


def content_hash(task: str, samples: list[Sample]) -> str:
    """Identifies the data, not the zip: split, labels/boxes and image bytes of every sample."""
    lines = sorted(
        f"{s.split}\t{s.raw.label}\t{[b.yolo() for b in s.raw.boxes or ()]}\t{s.info.sha256}"
        for s in samples
    )
    return hashlib.sha256("\n".join([task, *lines]).encode()).hexdigest()


def _inspect(
    zf: zipfile.ZipFile, raws: list[RawSample], rules: TaskRules, names: list[str]
) -> tuple[list[tuple[RawSample, ImageInfo]], list[dict[str, str]], dict[str, bytes]]:
    """Decode every image; keep a thumbnail only for the first few images of each class."""
    readable, unreadable = [], []
    thumbs: dict[str, bytes] = {}
    per_class: dict[str, int] = defaultdict(int)
    for raw in sorted(raws, key=lambda r: r.entry.path):
        try:
            info, thumb = inspect_image(zf, raw.entry)
        except UnreadableImage as exc:
            unreadable.append({"file": raw.entry.path, "reason": str(exc)})
            continue
        readable.append((raw, info))
        wanted = [
            c for c in rules.thumbnail_classes(raw, names) if per_class[c] < THUMBNAILS_PER_CLASS
        ]
        if wanted:  # kept as JPEG bytes: a few kB each, whatever the class count
            buffer = io.BytesIO()
            rules.draw(thumb, raw).save(buffer, "JPEG", quality=85)
            thumbs[raw.entry.path] = buffer.getvalue()
            for c in wanted:
                per_class[c] += 1
    if not readable:
        raise DatasetError(
            f"none of the {len(unreadable)} image(s) could be read: "
            + listed([f"{u['file']} ({u['reason']})" for u in unreadable])
        )
    return readable, unreadable, thumbs


def _thumbnails(
    rules: TaskRules,
    samples: list[Sample],
    classes: list[str],
    thumbs: dict[str, bytes],
    out_dir: Path,
) -> list[Path]:
    chosen: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        if s.path not in thumbs:
            continue
        for label in rules.thumbnail_classes(s.raw, classes):
            if len(chosen[label]) < THUMBNAILS_PER_CLASS:
                chosen[label].append(s)
    written: list[Path] = []
    for index, label in enumerate(classes):
        for n, s in enumerate(chosen.get(label, [])):
            path = out_dir / str(index) / f"{n}.jpg"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(thumbs[s.path])
            written.append(path)
    return written


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
        _refuse_repeats(result.samples)
        rules = RULES[result.task]
        given = any(s.split for s in result.samples)
        readable, unreadable, thumbs = _inspect(zf, result.samples, rules, result.classes or [])
        resized = [
            raw.entry.path
            for raw, info in readable
            if raw.recorded_size and raw.recorded_size != (info.width, info.height)
        ]
        if resized:
            result.warnings.append(
                f"{len(resized)} image(s) differ in size from their annotation record; their "
                f"boxes assume the recorded size: {listed(resized)}"
            )
        samples = (
            [Sample(raw, raw.split or "train", info) for raw, info in readable]
            if given
            else rules.split(readable)
        )
        classes = rules.classes(samples, given, result)
        split_source = "given" if given else "generated"
        counts = rules.counts(samples, classes)
        report = build_report(
            layout,
            rules.task,
            split_source,
            counts,
            samples,
            unreadable,
            result.warnings,
            {**rules.extra(samples, classes), **result.notes},
        )
        stats = {"images": len(samples), **counts}
        manifest = {
            "task": rules.task,
            "source_layout": layout,
            "classes": classes,
            "split_source": split_source,
            "splits": counts,
        }
        with zipfile.ZipFile(out_path, "w", zipfile.ZIP_STORED) as out:
            rules.write(zf, samples, manifest, out)
    written = _thumbnails(rules, samples, classes, thumbs, thumbs_dir)
    digest = content_hash(rules.task, samples)
    return IngestResult(rules.task, classes, split_source, digest, stats, report, written)
