"""Classify every image under a folder into a CSV (starter code for this model package).

Usage:
    python batch_predict.py FOLDER [--out predictions.csv] [--topk K]
                            [--backend onnx|onnx_int8|torch|torchscript]

Columns: file (relative to FOLDER), label and probability (top-1), then label_1,
probability_1, ..., label_K, probability_K (most likely first).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from pathlib import Path

from predict import BACKENDS, Predictor, find_images


def header(topk: int) -> list[str]:
    """CSV column names for `topk` labels."""
    ranked = [f"{name}_{rank}" for rank in range(1, topk + 1) for name in ("label", "probability")]
    return ["file", "label", "probability", *ranked]


def write_predictions(predictor: Predictor, folder: Path, out: Path, topk: int) -> int:
    """Write the CSV of every image under `folder`; returns how many images."""
    images = find_images(folder)
    topk = min(topk, len(predictor.labels))
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header(topk))
        for file in images:
            top = predictor.predict(file, topk=topk)
            ranked = [value for entry in top for value in (entry["label"], entry["probability"])]
            name = file.relative_to(folder).as_posix() if folder.is_dir() else file.name
            writer.writerow([name, top[0]["label"], top[0]["probability"], *ranked])
    return len(images)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="Classify a folder of images into a CSV.")
    parser.add_argument("folder", type=Path, help="a folder of images (searched recursively)")
    parser.add_argument("--out", type=Path, default=Path("predictions.csv"))
    parser.add_argument("--topk", type=int, default=3)
    parser.add_argument("--backend", choices=sorted(BACKENDS), default="onnx")
    args = parser.parse_args(argv)
    if args.topk < 1:
        parser.error("--topk must be at least 1")
    predictor = Predictor(Path(__file__).resolve().parent, backend=args.backend)
    count = write_predictions(predictor, args.folder, args.out, args.topk)
    if count == 0:
        print(f"no images found in {args.folder}", file=sys.stderr)
        return 1
    print(f"{count} image(s) -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
