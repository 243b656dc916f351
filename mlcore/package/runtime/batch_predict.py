"""Run this model package on every image under a folder into a CSV (starter code).

Usage:
    python batch_predict.py FOLDER [--out predictions.csv] [--topk K] [--conf THRESHOLD]
                            [--backend BACKEND]

BACKEND: as predict.py's, one whose model file is in this package (`--help` lists them).

Classifier columns: file (relative to FOLDER), label and probability (top-1), then label_1,
probability_1, ..., label_K, probability_K (most likely first; K defaults to 3).
Detector columns: one row per box: file, label, confidence, x1, y1, x2, y2 (pixels of the
original image); an image without boxes gets no row.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from predict import Predictor, find_images, package_backends

Row = list[Any]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet runs as a formula


def spreadsheet_safe(row: Row) -> Row:
    """Text cells (class or file names) that a spreadsheet would run as a formula get a
    leading `'`, OWASP's advice against CSV injection; numbers stay numbers."""
    return [f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_START) else v for v in row]


@dataclass(frozen=True)
class CsvLayout:
    """A task's CSV: its header for `topk`, and the rows of one image's results."""

    header: Callable[[int | None, list[str]], list[str]]  # (topk, labels) -> column names
    rows: Callable[[str, list[dict[str, Any]]], list[Row]]
    default_topk: int | None


def classify_header(topk: int | None, labels: list[str]) -> list[str]:
    """file, top-1 label and probability, then every ranked label and probability."""
    count = len(labels) if topk is None else min(topk, len(labels))
    ranked = [f"{name}_{rank}" for rank in range(1, count + 1) for name in ("label", "probability")]
    return ["file", "label", "probability", *ranked]


def classify_rows(name: str, top: list[dict[str, Any]]) -> list[Row]:
    """One row per image (blank label when --conf left none)."""
    ranked = [value for entry in top for value in (entry["label"], entry["probability"])]
    first = [top[0]["label"], top[0]["probability"]] if top else ["", ""]
    return [[name, *first, *ranked]]


def detect_rows(name: str, boxes: list[dict[str, Any]]) -> list[Row]:
    """One row per box."""
    return [[name, box["label"], box["confidence"], *box["box"]] for box in boxes]


LAYOUTS = {
    "classify": CsvLayout(classify_header, classify_rows, default_topk=3),
    "detect": CsvLayout(
        lambda topk, labels: ["file", "label", "confidence", "x1", "y1", "x2", "y2"],
        detect_rows,
        default_topk=None,
    ),
}


def write_predictions(
    predictor: Predictor, folder: Path, out: Path, topk: int | None, conf: float | None
) -> int:
    """Write the CSV of every image under `folder`; returns how many images."""
    layout = LAYOUTS[predictor.spec["task"]]
    images = find_images(folder)
    topk = layout.default_topk if topk is None else topk
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(layout.header(topk, predictor.labels))
        for file in images:
            name = file.relative_to(folder).as_posix() if folder.is_dir() else file.name
            rows = layout.rows(name, predictor.predict(file, topk=topk, conf=conf))
            writer.writerows(map(spreadsheet_safe, rows))
    return len(images)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="Run the model on a folder of images into a CSV.")
    parser.add_argument("folder", type=Path, help="a folder of images (searched recursively)")
    parser.add_argument("--out", type=Path, default=Path("predictions.csv"))
    parser.add_argument("--topk", type=int, help="labels per image (3) / most boxes per image")
    parser.add_argument("--conf", type=float, help="as predict.py's --conf")
    here = Path(__file__).resolve().parent
    parser.add_argument("--backend", choices=package_backends(here), default="onnx")
    args = parser.parse_args(argv)
    if args.topk is not None and args.topk < 1:
        parser.error("--topk must be at least 1")
    predictor = Predictor(here, backend=args.backend)
    count = write_predictions(predictor, args.folder, args.out, args.topk, args.conf)
    if count == 0:
        print(f"no images found in {args.folder}", file=sys.stderr)
        return 1
    print(f"{count} image(s) -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
