"""The dataset health report: counts, sizes, duplicates and leakage, imbalance, advice."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from statistics import median
from typing import Any, Literal

import numpy as np

from backend.datasets.images import ImageInfo
from backend.datasets.layouts import RawSample, listed

NEAR_DUPLICATE_BITS = 4
NEAR_DUPLICATE_MEAN_DIFF = 12.0  # mean |grey difference| on 16x16 copies that confirms a pair
MAX_BUCKET = 500
HASH_BANDS = 5  # pigeonhole: <= 4 differing bits leave at least one of 5 bands equal
MIN_IMAGES_ADVISED = 20
IMBALANCE_WARN = 3.0
TINY_SIDE = 32
MAX_REPORTED = 50
SIZE_BUCKETS = ((0, "<64"), (64, "64-223"), (224, "224-511"), (512, "512-1023"), (1024, ">=1024"))

Severity = Literal["error", "warning", "info"]
UNITS = {"classify": "image", "detect": "box"}
PLURALS = {"image": "images", "box": "boxes"}


@dataclass(frozen=True, slots=True)
class Sample:
    raw: RawSample
    split: str
    info: ImageInfo

    @property
    def path(self) -> str:
        return self.raw.entry.path


def issue(severity: Severity, code: str, message: str) -> dict[str, str]:
    return {"severity": severity, "code": code, "message": message}


def near_duplicate_pairs(hashes: list[int]) -> list[tuple[int, int]]:
    """Index pairs whose hashes differ in at most NEAR_DUPLICATE_BITS bits (banded, not O(n^2))."""
    width = 64 // HASH_BANDS + 1
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, value in enumerate(hashes):
        for band in range(HASH_BANDS):
            buckets[(band, (value >> (band * width)) & ((1 << width) - 1))].append(index)
    pairs: set[tuple[int, int]] = set()
    for members in buckets.values():
        if len(members) > MAX_BUCKET:  # a featureless hash band: too common to mean anything
            continue
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if (hashes[a] ^ hashes[b]).bit_count() <= NEAR_DUPLICATE_BITS:
                    pairs.add((min(a, b), max(a, b)))
    return sorted(pairs)


def looks_alike(a: ImageInfo, b: ImageInfo) -> bool:
    """Confirm a hash match on pixels: smooth images share hashes without being alike."""
    diff = np.abs(
        np.frombuffer(a.tiny, np.uint8).astype(np.int16) - np.frombuffer(b.tiny, np.uint8)
    )
    return float(diff.mean()) <= NEAR_DUPLICATE_MEAN_DIFF


def _size_stats(samples: list[Sample]) -> dict[str, Any]:
    widths = [s.info.width for s in samples]
    heights = [s.info.height for s in samples]
    buckets: Counter[str] = Counter()
    for s in samples:
        side = min(s.info.width, s.info.height)
        buckets[next(name for low, name in reversed(SIZE_BUCKETS) if side >= low)] += 1
    return {
        "width": {"min": min(widths), "median": median(widths), "max": max(widths)},
        "height": {"min": min(heights), "median": median(heights), "max": max(heights)},
        "shortest_side": {name: buckets[name] for _, name in SIZE_BUCKETS},
        "modes": dict(Counter(s.info.mode for s in samples)),
        "formats": dict(Counter(s.info.format for s in samples)),
    }


def _duplicates(samples: list[Sample]) -> tuple[dict[str, Any], list[dict[str, str]]]:
    groups: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        groups[s.info.sha256].append(s)
    exact = [g for g in groups.values() if len(g) > 1]
    unique = [g[0] for g in groups.values()]  # near pairs between distinct images only
    near = [
        (unique[a], unique[b])
        for a, b in near_duplicate_pairs([s.info.dhash for s in unique])
        if looks_alike(unique[a].info, unique[b].info)
    ]
    leaked: list[tuple[Sample, Sample]] = []
    for group in exact:  # every validation copy of an image that is also in train
        trains = [s for s in group if s.split == "train"]
        leaked += [(trains[0], s) for s in group if s.split == "val"] if trains else []
    leaked += [
        (a, b) if a.split == "train" else (b, a)
        for a, b in near
        if {a.split, b.split} == {"train", "val"}
    ]
    leakage = sorted((a.path, b.path) for a, b in leaked)
    conflicting = []
    for group in exact:
        first_of = {s.raw.label: s for s in reversed(group)}
        if len(first_of) > 1:
            labelled = sorted(first_of.values(), key=lambda s: s.raw.label)
            conflicting += [(labelled[0].path, other.path) for other in labelled[1:]]
    issues = []
    if exact:
        issues.append(
            issue(
                "warning",
                "exact_duplicates",
                f"{sum(len(g) - 1 for g in exact)} image(s) are exact copies of "
                "others; remove the copies",
            )
        )
    if near:
        issues.append(
            issue(
                "warning",
                "near_duplicates",
                f"{len(near)} pair(s) of images look nearly identical (resized or "
                "recompressed copies); check them",
            )
        )
    if leakage:
        issues.append(
            issue(
                "warning",
                "train_val_leakage",
                f"{len(leakage)} validation image(s) also appear in train (exact or "
                "near copies): this inflates validation accuracy; remove them from "
                "one split",
            )
        )
    if conflicting:
        issues.append(
            issue(
                "warning",
                "conflicting_labels",
                f"{len(conflicting)} identical image pair(s) carry different labels",
            )
        )
    report = {
        "exact": [[s.path for s in g] for g in exact][:MAX_REPORTED],
        "near": [[a.path, b.path] for a, b in near][:MAX_REPORTED],
        "leakage": [list(p) for p in leakage][:MAX_REPORTED],
        "conflicting_labels": [list(p) for p in conflicting][:MAX_REPORTED],
    }
    return report, issues


def _balance(counts: dict[str, int], unit: str) -> tuple[float, list[dict[str, str]], list[str]]:
    """Imbalance over the classes present; absent and small classes with advice."""
    units = PLURALS[unit]
    present = {c: n for c, n in counts.items() if n > 0}
    absent = sorted(c for c, n in counts.items() if n == 0)
    ratio = max(present.values()) / min(present.values()) if present else 1.0
    issues, advice = [], []
    if absent:
        issues.append(
            issue(
                "warning",
                "absent_classes",
                f"{len(absent)} class(es) have no training {units}: {listed(absent)}",
            )
        )
        advice.append(
            f"The model cannot learn {listed(absent)} without training {units}; "
            "label some or remove the class."
        )
    if ratio > IMBALANCE_WARN:
        big = max(present, key=lambda c: present[c])
        small = min(present, key=lambda c: present[c])
        issues.append(
            issue(
                "warning",
                "class_imbalance",
                f"classes are imbalanced {ratio:.1f}:1 (`{big}` {present[big]} vs "
                f"`{small}` {present[small]} training {units})",
            )
        )
        advice.append(
            f"Add {units} of `{small}` or use class-balanced sampling; accuracy alone will "
            "hide errors on small classes, so watch per-class recall."
        )
    few = sorted(c for c, n in present.items() if n < MIN_IMAGES_ADVISED)
    if few:
        issues.append(
            issue(
                "warning",
                "small_classes",
                f"{len(few)} class(es) have fewer than {MIN_IMAGES_ADVISED} training "
                f"{units}: {listed(few)}",
            )
        )
        advice.extend(
            f"Class `{c}` has {present[c]} training {unit if present[c] == 1 else units}; "
            f"{MIN_IMAGES_ADVISED}+ recommended for few-shot fine-tuning (start from "
            "pretrained weights)."
            for c in few[:MAX_REPORTED]
        )
    return ratio, issues, advice


def build_report(
    layout: str,
    task: str,
    split_source: str,
    counts: dict[str, dict[str, int]],
    samples: list[Sample],
    unreadable: list[dict[str, str]],
    layout_warnings: list[str],
    extra: dict[str, Any],
) -> dict[str, Any]:
    """Everything a person should know about the data before spending GPU time on it."""
    issues = [issue("warning", "layout", w) for w in layout_warnings]
    if unreadable:
        issues.append(
            issue(
                "warning",
                "unreadable_images",
                f"{len(unreadable)} file(s) could not be read as images and were "
                f"skipped: {listed([u['file'] for u in unreadable])}",
            )
        )
    if split_source == "generated":
        issues.append(
            issue(
                "info",
                "split_generated",
                "no train/val split was given; a stratified 80/20 split was made",
            )
        )
    duplicates, dup_issues = _duplicates(samples)
    ratio, balance_issues, advice = _balance(counts["train"], UNITS[task])
    sizes = _size_stats(samples)
    if sizes["width"]["min"] < TINY_SIDE or sizes["height"]["min"] < TINY_SIDE:
        issues.append(
            issue(
                "info",
                "tiny_images",
                f"some images are smaller than {TINY_SIDE}px on a side; pick a small "
                "training image size",
            )
        )
    issues += dup_issues + balance_issues
    if not advice:
        advice.append("The data looks healthy: every class has enough images and no leakage.")
    return {
        "layout": layout,
        "task": task,
        "split_source": split_source,
        "images": len(samples),
        "classes": list(counts["train"]),
        "counts": counts,
        **extra,
        "image_sizes": sizes,
        "unreadable": unreadable[: MAX_REPORTED * 2],
        "duplicates": duplicates,
        "imbalance_ratio": round(ratio, 3),
        "issues": issues,
        "advice": advice,
        "thumbnails": {},
    }


def verdict(report: dict[str, Any]) -> dict[str, Any]:
    """Whether the version can train, first: `blocked` (a job on it would fail, and why),
    `warnings` (the report's warnings), or `ready`."""
    counts = report.get("counts", {})
    train, val = counts.get("train", {}), counts.get("val", {})
    unit = UNITS.get(report.get("task", "classify"), "image")
    reasons = []
    if report.get("task") == "classify" and sum(1 for count in train.values() if count) < 2:
        reasons.append("a classifier needs training images of at least two classes; add another")
    if not sum(val.values()):
        reasons.append(f"the validation split has no {unit}s; add a val/ folder or more data")
    if reasons:
        return {"status": "blocked", "reasons": reasons}
    warnings = [i["message"] for i in report.get("issues", []) if i.get("severity") == "warning"]
    return {"status": "warnings" if warnings else "ready", "reasons": warnings}
