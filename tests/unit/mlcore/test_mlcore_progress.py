"""Step events carry throughput and ETA; resumed runs replay their finished epochs."""

from __future__ import annotations

import pytest

from mlcore.contract.results import ProgressEvent
from mlcore.engines.progress import TRAIN_SHARE, TrainingProgress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_throughput_and_eta_from_the_last_report() -> None:
    events: list[ProgressEvent] = []
    clock = Clock()
    progress = TrainingProgress(events.append, epochs=2, steps_per_epoch=20, every=10, clock=clock)
    progress.start_epoch(1)
    for step in range(20):
        clock.now += 0.5  # 0.5 s per step of 8 images
        due = progress.due()
        progress.advance(8, {"loss": 1.0} if due else None)
        assert due == ((step + 1) % 10 == 0)
    assert [e.type for e in events] == ["progress", "progress"]
    last = events[-1]
    assert last.metrics["images_per_s"] == pytest.approx(16.0)
    assert last.metrics["eta_s"] == pytest.approx(20 * 0.5)  # 20 steps left
    assert last.metrics["loss"] == 1.0 and last.progress == pytest.approx(TRAIN_SHARE / 2)


def test_short_epochs_still_report() -> None:
    events: list[ProgressEvent] = []
    progress = TrainingProgress(events.append, epochs=1, steps_per_epoch=3, every=10)
    for _ in range(3):
        progress.advance(4)
    assert len(events) == 3


def test_replay_resends_finished_epochs() -> None:
    events: list[ProgressEvent] = []
    progress = TrainingProgress(events.append, epochs=5, steps_per_epoch=4)
    progress.resume_at(2)
    progress.replay([{"epoch": 1.0, "val_accuracy": 0.5}, {"epoch": 2.0, "val_accuracy": 0.6}])
    assert [(e.type, e.epoch, e.metrics) for e in events] == [
        ("epoch", 1, {"val_accuracy": 0.5}),
        ("epoch", 2, {"val_accuracy": 0.6}),
    ]
    assert events[-1].progress == pytest.approx(TRAIN_SHARE * 2 / 5)
