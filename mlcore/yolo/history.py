"""Per-epoch numbers of an ultralytics run under the names every Konstruktor engine uses."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path

METRIC_NAMES = {
    "metrics/accuracy_top1": "val_accuracy",
    "metrics/accuracy_top5": "val_top5_accuracy",
    "metrics/precision(B)": "precision",
    "metrics/recall(B)": "recall",
    "metrics/mAP50(B)": "map50",
    "metrics/mAP50-95(B)": "map50_95",
    "lr/pg0": "lr",  # the weights' group; pg1 (no decay) follows it, pg2 (biases) warms from 0.1
}
LOSS_SPLITS = ("train", "val")


def konstruktor_metrics(raw: Mapping[str, float]) -> dict[str, float]:
    """Rename ultralytics' metrics; losses become train_*/val_* and their sums *_loss."""
    metrics: dict[str, float] = {}
    totals: dict[str, float] = {}
    for key, value in raw.items():
        split, _, part = key.partition("/")
        if key in METRIC_NAMES:
            metrics[METRIC_NAMES[key]] = float(value)
        elif split in LOSS_SPLITS and part.endswith("loss"):
            metrics[f"{split}_{part}"] = float(value)
            totals[f"{split}_loss"] = totals.get(f"{split}_loss", 0.0) + float(value)
    return {**metrics, **totals}


def read_history(results_csv: Path) -> list[dict[str, float]]:
    """The run's results.csv as history rows ({"epoch": n, ...}), one per epoch, in order.

    A run resumed after a kill may have logged an epoch twice; the later row wins.
    """
    if not results_csv.is_file():
        return []
    rows: dict[int, dict[str, float]] = {}
    with results_csv.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            epoch = int(float(row["epoch"]))
            values = {k: float(v) for k, v in row.items() if k not in ("epoch", "time")}
            rows[epoch] = {"epoch": float(epoch), **konstruktor_metrics(values)}
    return [rows[epoch] for epoch in sorted(rows)]
