"""Resuming an interrupted YOLO job from ultralytics' last.pt."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from mlcore.contract.results import ProgressEvent
from mlcore.engines.base import EngineRequest
from mlcore.engines.progress import Report
from mlcore.engines.registry import run_job as run_engine
from tests.support.yolo import copy_flowers, run_job, tiny_config

pytestmark = pytest.mark.slow  # trains models

EPOCHS = 3


class Killed(Exception):
    """Stands in for the worker killing the job's process."""


def stop_after_epoch(epoch: int, events: list[ProgressEvent]) -> Report:
    def report(event: ProgressEvent) -> None:
        events.append(event)
        if event.type == "epoch" and event.epoch == epoch:
            raise Killed

    return report


def keep_only_resume(work: Path) -> None:
    """What the worker keeps of a failed attempt: the resume folder."""
    for path in work.iterdir():
        if path.name != "resume":
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def test_an_interrupted_job_resumes_and_finishes(flowers_dir: Path, tmp_path: Path) -> None:
    dataset = copy_flowers(flowers_dir, tmp_path / "data")
    work = tmp_path / "work"
    # one image per step: 12 steps an epoch, so the resumed epoch reports a step (every 10th)
    config = tiny_config("yolo11n-cls", epochs=EPOCHS, batch_size=1, image_size=64)
    first: list[ProgressEvent] = []
    with pytest.raises(Killed):
        run_engine(EngineRequest(config, dataset, work, stop_after_epoch(2, first)))
    run = work / "resume" / "ultralytics"
    assert (run / "weights" / "last.pt").is_file()
    with (run / "results.csv").open(encoding="utf-8") as file:
        assert len(list(csv.DictReader(file))) == 2
    assert not (work / "output" / "metrics.json").exists()
    keep_only_resume(work)  # what the worker keeps of a failed attempt
    assert not (work / "output").exists() and (run / "results.csv").is_file()

    job = run_job(config, dataset, work, resume=True)

    assert job.result.metrics["epochs_run"] == EPOCHS
    history = job.read_json("metrics")["history"]
    assert [row["epoch"] for row in history] == [1.0, 2.0, 3.0]
    assert [e.epoch for e in job.events if e.type == "epoch"] == [1, 2, 3]
    kinds = [(e.type, e.epoch) for e in job.events]
    resumed = [e.message for e in job.events].index("resumed after epoch 2")
    assert kinds[:resumed] == [("epoch", 1), ("epoch", 2)]  # the finished epochs, replayed
    trained = [e for e in job.events if e.type == "progress"]
    assert trained and all(e.epoch == EPOCHS for e in trained)
    assert min(e.progress for e in trained) > 0.9 * 2 / EPOCHS

    keep_only_resume(work)
    again = run_job(config, dataset, work, resume=True)  # stopped later, while packaging
    assert again.events[0].message == f"training had finished after {EPOCHS} epoch(s)"
    assert not any(e.type in ("progress", "epoch") for e in again.events)
    assert again.result.metrics == pytest.approx(job.result.metrics)


def test_resume_without_a_checkpoint_trains_from_the_start(
    flowers_dir: Path, tmp_path: Path
) -> None:
    dataset = copy_flowers(flowers_dir, tmp_path / "data")
    job = run_job(tiny_config("yolo11n-cls", epochs=1), dataset, tmp_path / "work", resume=True)
    assert job.result.metrics["epochs_run"] == 1
    assert not any("resumed" in e.message for e in job.events)
