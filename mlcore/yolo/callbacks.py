"""Ultralytics trainer callbacks that send Konstruktor progress events."""

from __future__ import annotations

from typing import Any

from mlcore.engines.progress import Report, TrainingProgress
from mlcore.yolo.history import konstruktor_metrics

Trainer = Any  # an ultralytics BaseTrainer subclass (untyped)


class ProgressCallbacks:
    """Step events (loss, lr, images/s, ETA) and one event per finished epoch.

    `finished` holds the history of epochs done before a resume; they are replayed so the
    job's charts stay whole.
    """

    def __init__(self, report: Report, finished: list[dict[str, float]]) -> None:
        self.report = report
        self.finished = finished
        self.progress: TrainingProgress | None = None
        self.seen = 0  # images of the running epoch

    def attach(self, trainer: Trainer) -> None:
        """Register on `trainer`'s events."""
        trainer.add_callback("on_train_start", self.on_train_start)
        trainer.add_callback("on_train_epoch_start", self.on_train_epoch_start)
        trainer.add_callback("on_train_batch_end", self.on_train_batch_end)
        trainer.add_callback("on_fit_epoch_end", self.on_fit_epoch_end)

    @property
    def tracker(self) -> TrainingProgress:
        """The progress tracker (exists from the start of training)."""
        if self.progress is None:
            raise RuntimeError("training has not started")
        return self.progress

    def on_train_start(self, trainer: Trainer) -> None:
        self.progress = TrainingProgress(self.report, trainer.epochs, len(trainer.train_loader))
        if trainer.start_epoch:
            self.progress.resume_at(trainer.start_epoch)
            self.progress.replay(self.finished)
            self.progress.emit("log", f"resumed after epoch {trainer.start_epoch}")

    def on_train_epoch_start(self, trainer: Trainer) -> None:
        self.tracker.start_epoch(trainer.epoch + 1)
        self.seen = 0

    def on_train_batch_end(self, trainer: Trainer) -> None:
        images = min(trainer.batch_size, len(trainer.train_loader.dataset) - self.seen)
        self.seen += images
        metrics = None
        if self.tracker.due():
            metrics = {
                "loss": float(sum(trainer.tloss.values())),
                "lr": float(trainer.optimizer.param_groups[0]["lr"]),
            }
        self.tracker.advance(images, metrics)

    def on_fit_epoch_end(self, trainer: Trainer) -> None:
        if not trainer.validator.training:
            return  # ultralytics' closing re-validation of best.pt, not an epoch
        raw = {**trainer.label_loss_items(trainer.tloss), **trainer.metrics, **trainer.lr}
        self.tracker.emit(
            "epoch", f"epoch {trainer.epoch + 1}/{trainer.epochs} done", konstruktor_metrics(raw)
        )
