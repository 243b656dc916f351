"""Benchmark: YOLO11 jobs through Konstruktor's ultralytics engine, end to end.

Detection on COCO128 (128 train / 128 val images) and classification on the flowers
few-shot set, from scratch (no weights can be downloaded here): wall time of the whole
job, training images/s from the engine's progress events, and the final metrics.

    python benchmarks/yolo_train.py --detect-epochs 30 --classify-epochs 30
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from statistics import median
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_env import (
    environment,
    shared_zip,
    unpack_image_folder,
    write_result,
)
from mlcore.contract.catalog import get_model_info
from mlcore.contract.results import ProgressEvent
from mlcore.contract.train import TrainParams, resolve
from mlcore.engines.base import EngineRequest
from mlcore.engines.data_profile import profile_folder
from mlcore.engines.registry import run_job


def unpack_coco128(dest: Path) -> Path:
    """COCO128 in the layout a detection dataset version has (data.yaml + manifest.json)."""
    with zipfile.ZipFile(shared_zip("coco128.zip")) as archive:
        archive.extractall(dest)
    root = dest / "coco128"
    import yaml

    names = yaml.safe_load((root / "data.yaml").read_text())["names"]
    classes = [names[i] for i in sorted(names)] if isinstance(names, dict) else list(names)
    manifest = {"task": "detect", "classes": classes}
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return root


def timed_job(name: str, params: TrainParams, dataset: Path, work: Path) -> dict[str, Any]:
    assert params.model is not None  # every job here names its model
    config = resolve(params, get_model_info(params.model), profile_folder(dataset))
    speeds: list[float] = []
    start = time.perf_counter()

    def record(event: ProgressEvent) -> None:
        if "images_per_s" in event.metrics:
            speeds.append(event.metrics["images_per_s"])
        if event.type == "epoch":
            print(name, event.epoch, {k: round(v, 4) for k, v in event.metrics.items()}, flush=True)

    result = run_job(EngineRequest(config, dataset, work, record))
    return {
        "name": name,
        "config": config.model_dump(),
        "job_seconds": time.perf_counter() - start,
        "median_train_images_per_s": median(speeds) if speeds else None,
        "metrics": result.metrics,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--detect-model", default="yolo11n")
    parser.add_argument("--classify-model", default="yolo11n-cls")
    parser.add_argument("--detect-epochs", type=int, default=30)
    parser.add_argument("--classify-epochs", type=int, default=30)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        jobs = [
            timed_job(
                "coco128-detect",
                TrainParams(model=args.detect_model, epochs=args.detect_epochs),
                unpack_coco128(root / "coco"),
                root / "job-detect",
            ),
            timed_job(
                "flowers-classify",
                TrainParams(model=args.classify_model, epochs=args.classify_epochs),
                unpack_image_folder("flowers12_fewshot.zip", root / "flowers"),
                root / "job-classify",
            ),
        ]
        shutil.rmtree(root, ignore_errors=True)
    print(write_result(args.out, "yolo-train", {**environment(), "jobs": jobs}))


if __name__ == "__main__":
    main()
