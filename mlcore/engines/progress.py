"""Progress reporting shared by the engines: step and epoch events with throughput and ETA."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal

from mlcore.contract.results import ETA, RESTORED, ProgressEvent

Report = Callable[[ProgressEvent], None]
TRAIN_SHARE = 0.9  # fraction of a job's progress spent training; the rest is eval + export
EXPORT_START = 0.93
PACKAGED = 0.97  # the rest is the caller's: uploading artifacts, recording the model


class PaceEta:
    """Seconds of training left at the pace since `start`, for engines that know the
    fraction of the job done rather than its steps (the search engine)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.start(0.0)

    def start(self, done: float) -> None:
        """Measure the pace from now, at `done` of the job (after restored epochs, say)."""
        self._began, self._done = self.clock(), done

    def __call__(self, done: float) -> float | None:
        """The ETA at `done` of the job; None before any progress since `start`."""
        gained = done - self._done
        if gained <= 0:
            return None
        return max(TRAIN_SHARE - done, 0.0) * (self.clock() - self._began) / gained


class TrainingProgress:
    """Turns step counts into ProgressEvents: fraction done, images/s and ETA of training."""

    def __init__(
        self,
        report: Report,
        epochs: int,
        steps_per_epoch: int,
        every: int = 10,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.report = report
        self.epochs = epochs
        self.total_steps = max(epochs * steps_per_epoch, 1)
        self.steps_per_epoch = steps_per_epoch
        self.every = max(1, min(every, steps_per_epoch // 2))  # short epochs still report
        self.clock = clock
        self.step = 0
        self.epoch = 0
        self._mark_step = 0
        self._mark_images = 0
        self._images = 0
        self._mark_time = clock()

    def resume_at(self, epoch: int) -> None:
        """Continue counting after `epoch` finished epochs."""
        self.epoch = epoch
        self.step = self._mark_step = epoch * self.steps_per_epoch
        self._mark_time = self.clock()

    def replay(self, history: list[dict[str, float]]) -> None:
        """Re-send the epoch events of a resumed run's finished epochs, so charts stay whole."""
        for entry in history:
            self.epoch = int(entry["epoch"])
            metrics = {k: v for k, v in entry.items() if k != "epoch"}
            message = f"epoch {self.epoch}/{self.epochs} restored"
            self.emit("epoch", message, metrics, {RESTORED: True})

    def start_epoch(self, epoch: int) -> None:
        """The epoch now running (1-based)."""
        self.epoch = epoch

    def due(self) -> bool:
        """Whether the next `advance` will report (engines read the loss only then)."""
        return (self.step + 1) % self.every == 0

    def advance(self, images: int, metrics: dict[str, float] | None = None) -> None:
        """One optimizer step over `images` images; reports every `every` steps.

        `metrics` (e.g. loss, lr) matter only on the steps where `due()` was true.
        """
        self.step += 1
        self._images += images
        if self.step % self.every == 0:
            self.emit(
                "progress",
                f"epoch {self.epoch}/{self.epochs} step {self.step}/{self.total_steps}",
                {**(metrics or {}), **self.speed()},
            )

    def speed(self) -> dict[str, float]:
        """Images/s since the last report and seconds of training left at that pace."""
        now = self.clock()
        elapsed = max(now - self._mark_time, 1e-9)
        steps = self.step - self._mark_step
        images_per_s = (self._images - self._mark_images) / elapsed
        eta = (self.total_steps - self.step) * elapsed / steps if steps else 0.0
        self._mark_time, self._mark_step, self._mark_images = now, self.step, self._images
        return {"images_per_s": images_per_s, ETA: eta}

    def emit(
        self,
        kind: Literal["progress", "epoch", "log"],
        message: str,
        metrics: dict[str, float] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Send one event at the current position."""
        self.report(
            ProgressEvent(
                type=kind,
                epoch=self.epoch,
                epochs=self.epochs,
                progress=min(TRAIN_SHARE * self.step / self.total_steps, TRAIN_SHARE),
                message=message,
                metrics=metrics or {},
                details=details or {},
            )
        )
