"""Benchmark: time to accuracy of Konstruktor's defaults against a plain PyTorch loop, in
one run on one device.

1. `cifar10-default`: the CIFAR-10 subset (10k training images, 32 px), every setting left to
   Konstruktor without publisher weights (its from-scratch recipe): the whole job (decode,
   train, evaluate, report, export), wall time from its start.
2. `cifar10-plain-resnet18`: the plain reference loop (benchmarks/reference_loop.py) on the
   same images, its clock including its decoding too; `--plain-epochs N`, or by default as
   many epochs as fit job 1's training time at the loop's measured speed (equal wall time).
3. `flowers-from-cifar`: the flowers set (12 classes, 20 images each) from job 1's model.
4. `flowers-default`: the flowers set, every setting left to Konstruktor (the README example).
   Then `flowers-from-cifar-scratch-schedule`: 3 with 4's epochs, learning rate and warm-up
   and no early stopping.
5. with `--compare-image-size N`: job 1 again with only its image size changed to N px.

`--flowers-sizes 32 64` runs 3 and 4 at those image sizes instead of the default's;
`--skip-plain` leaves out 2.

Each epoch's validation accuracy is recorded with its wall time, so the result shows how soon
each threshold is reached, and `at_equal_time` compares 1 and 2 at the shorter run's end.

    .venv/bin/python benchmarks/time_to_accuracy.py
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import reference_loop
from benchmarks.bench_env import environment, unpack_image_folder, write_result
from mlcore.contract.catalog import get_model_info
from mlcore.contract.results import ProgressEvent
from mlcore.contract.train import INIT_WEIGHTS, TrainParams, choose_start, resolve
from mlcore.engines.base import EngineRequest
from mlcore.engines.data_profile import profile_folder
from mlcore.engines.device import pick_device
from mlcore.engines.registry import run_job

SCRATCH_SCHEDULE = ("epochs", "learning_rate", "warmup_epochs")  # what a transfer may borrow
THRESHOLDS = (0.3, 0.5, 0.6, 0.7, 0.8, 0.9)


def thresholds(curve: list[dict[str, float]]) -> dict[str, float | None]:
    """Seconds until the validation accuracy first reached each threshold."""
    return {
        f"{t:.0%}": next((p["seconds"] for p in curve if p["val_accuracy"] >= t), None)
        for t in THRESHOLDS
    }


def best_by(curve: list[dict[str, float]], seconds: float) -> float:
    """The best validation accuracy reached within `seconds`."""
    return max((p["val_accuracy"] for p in curve if p["seconds"] <= seconds), default=0.0)


def timed_job(
    name: str, params: TrainParams, dataset: Path, work: Path, init: Path | None = None
) -> dict[str, Any]:
    """Run one job; its configuration, epoch curve with wall times, and final metrics."""
    profile = profile_folder(dataset)
    params, reasons = choose_start(params, profile.task, None)  # no publisher weights
    assert params.model is not None
    config = resolve(params, get_model_info(params.model), profile, reasons)
    curve: list[dict[str, float]] = []
    speeds: list[float] = []
    start = time.perf_counter()

    def record(event: ProgressEvent) -> None:
        if event.type == "progress" and "images_per_s" in event.metrics:
            speeds.append(event.metrics["images_per_s"])
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
    return {
        "name": name,
        "config": config.model_dump(),
        "job_seconds": time.perf_counter() - start,
        "train_seconds": curve[-1]["seconds"] if curve else None,
        "median_images_per_s": statistics.median(speeds) if speeds else None,
        "seconds_to_val_accuracy": thresholds(curve),
        "metrics": result.metrics,
        "verdict": result.verdict.model_dump() if result.verdict else None,
        "curve": curve,
    }


def plain_loop(dataset: Path, budget_s: float, epochs: int | None) -> dict[str, Any]:
    """The reference loop, with `epochs` or as many as fit `budget_s` at its speed."""
    device = pick_device()
    speed = reference_loop.images_per_second(10, 32, device)
    train_images = profile_folder(dataset).train_images
    fitted = epochs or max(1, round(budget_s * speed / train_images))
    curve: list[dict[str, float]] = []
    start = time.perf_counter()

    def on_epoch(epoch: int, accuracy: float) -> None:
        curve.append(
            {"epoch": epoch, "seconds": time.perf_counter() - start, "val_accuracy": accuracy}
        )
        print(f"plain epoch {epoch} acc {accuracy:.4f} t {curve[-1]['seconds']:.1f}s", flush=True)

    reference_loop.train(dataset, fitted, device, on_epoch)
    return {
        "name": "cifar10-plain-resnet18",
        "epochs": fitted,
        "epochs_from": "given" if epochs else f"fitted to {budget_s:.0f} s at the measured speed",
        "images_per_s": speed,
        "train_seconds": curve[-1]["seconds"],
        "seconds_to_val_accuracy": thresholds(curve),
        "val_accuracy": curve[-1]["val_accuracy"],
        "curve": curve,
    }


def flowers_jobs(root: Path, model: str, sizes: list[int | None]) -> list[dict[str, Any]]:
    """Flowers from the CIFAR model (transfer) with the fine-tuning defaults, with every
    default (from scratch), and from the CIFAR model with the from-scratch job's schedule,
    at each size (None: the default's)."""
    flowers = unpack_image_folder("flowers12_fewshot.zip", root / "flowers")
    weights = root / "job-cifar" / "output" / "model.pt"
    jobs = []
    for size in sizes:
        tag = f"-{size}px" if size else ""
        transfer = TrainParams(model=model, init_model_id="cifar10-default", image_size=size)
        work = root / f"job-transfer{tag}"
        jobs.append(timed_job(f"flowers-from-cifar{tag}", transfer, flowers, work, init=weights))
        scratch, work = TrainParams(image_size=size), root / f"job-flowers{tag}"
        jobs.append(timed_job(f"flowers-default{tag}", scratch, flowers, work))
        schedule = {k: jobs[-1]["config"][k] for k in SCRATCH_SCHEDULE}
        transfer = transfer.model_copy(update={**schedule, "early_stopping_patience": 0})
        work = root / f"job-transfer-schedule{tag}"
        name = f"flowers-from-cifar-scratch-schedule{tag}"
        jobs.append(timed_job(name, transfer, flowers, work, init=weights))
    return jobs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--plain-epochs", type=int, default=None)
    parser.add_argument("--skip-plain", action="store_true", help="no reference loop")
    parser.add_argument("--skip-flowers", action="store_true")
    parser.add_argument(
        "--flowers-sizes", type=int, nargs="*", default=[], help="flowers jobs at these sizes"
    )
    parser.add_argument("--compare-image-size", type=int, default=None)
    parser.add_argument("--name", default="time-to-accuracy", help="the result file's name")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    result: dict[str, Any] = environment()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cifar = unpack_image_folder("cifar10_small.zip", root / "cifar")
        default = timed_job("cifar10-default", TrainParams(), cifar, root / "job-cifar")
        jobs = [default]
        if not args.skip_plain:
            plain = plain_loop(cifar, default["train_seconds"], args.plain_epochs)
            equal = min(default["train_seconds"], plain["train_seconds"])
            jobs.append(plain)
            result["at_equal_time"] = {
                "seconds": equal,
                "default_val_accuracy": best_by(default["curve"], equal),
                "plain_val_accuracy": best_by(plain["curve"], equal),
            }
        if not args.skip_flowers:
            sizes: list[int | None] = args.flowers_sizes or [None]  # None: the default's
            jobs += flowers_jobs(root, default["config"]["model"], sizes)
        if args.compare_image_size:
            size = args.compare_image_size
            params = TrainParams(image_size=size)
            jobs.append(timed_job(f"cifar10-default-{size}px", params, cifar, root / "job-size"))
    result["jobs"] = jobs
    print(write_result(args.out, args.name, result))


if __name__ == "__main__":
    main()
