"""Benchmark: time-to-accuracy of whole training jobs, and what transfer learning buys.

1. CIFAR-10 subset from scratch, every setting chosen by Konstruktor's defaults.
2. Flowers (12 classes, 20 images each) starting from the CIFAR model (transfer).
3. Flowers from scratch with the same configuration, for comparison.

Each job is the full engine (train, evaluate, report, export); the time of every epoch's
validation accuracy is recorded, so the result shows how soon each threshold is reached.

    .venv/bin/python benchmarks/time_to_accuracy.py [--model efficientnet_b0]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_env import environment, unpack_image_folder, write_result
from mlcore.contract.catalog import get_model_info
from mlcore.contract.results import ProgressEvent
from mlcore.contract.train import INIT_WEIGHTS, TrainParams, resolve
from mlcore.engines.base import EngineRequest
from mlcore.engines.data_profile import profile_folder
from mlcore.engines.registry import run_job

THRESHOLDS = (0.3, 0.5, 0.6, 0.7, 0.8, 0.9)


def timed_job(
    name: str, params: TrainParams, dataset: Path, work: Path, init: Path | None = None
) -> dict[str, Any]:
    """Run one job; its configuration, epoch curve with wall times, and final metrics."""
    config = resolve(params, get_model_info(params.model), profile_folder(dataset))
    curve: list[dict[str, float]] = []
    start = time.perf_counter()

    def record(event: ProgressEvent) -> None:
        if event.type == "epoch":
            accuracy = event.metrics["val_accuracy"]
            curve.append(
                {
                    "epoch": event.epoch,
                    "seconds": time.perf_counter() - start,
                    "val_accuracy": accuracy,
                }
            )
            print(
                f"{name} epoch {event.epoch} acc {accuracy:.4f} t {curve[-1]['seconds']:.1f}s",
                flush=True,
            )

    result = run_job(
        EngineRequest(config, dataset, work, record, {} if init is None else {INIT_WEIGHTS: init})
    )
    total = time.perf_counter() - start
    reached = {
        f"{t:.0%}": next((p["seconds"] for p in curve if p["val_accuracy"] >= t), None)
        for t in THRESHOLDS
    }
    return {
        "name": name,
        "config": config.model_dump(),
        "job_seconds": total,
        "train_seconds": curve[-1]["seconds"] if curve else None,
        "seconds_to_val_accuracy": reached,
        "metrics": result.metrics,
        "curve": curve,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="efficientnet_b0")
    parser.add_argument("--cifar-image-size", type=int, default=None)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cifar = unpack_image_folder("cifar10_small.zip", root / "cifar")
        flowers = unpack_image_folder("flowers12_fewshot.zip", root / "flowers")
        scratch = timed_job(
            "cifar10-scratch",
            TrainParams(model=args.model, image_size=args.cifar_image_size),
            cifar,
            root / "job-cifar",
        )
        weights = root / "job-cifar" / "output" / "model.pt"
        transfer = timed_job(
            "flowers-from-cifar",
            TrainParams(model=args.model, init_model_id="cifar10-scratch"),
            flowers,
            root / "job-transfer",
            init=weights,
        )
        same = {
            k: transfer["config"][k]
            for k in ("epochs", "image_size", "batch_size", "learning_rate")
        }
        baseline = timed_job(
            "flowers-scratch-same-config",
            TrainParams(model=args.model, **same),
            flowers,
            root / "job-flowers-scratch",
        )
    result = {**environment(), "jobs": [scratch, transfer, baseline]}
    print(write_result(args.out, "time-to-accuracy", result))


if __name__ == "__main__":
    main()
