"""Plain PyTorch classification trainer: AdamW or Nesterov SGD, warm-up + cosine,
best-val-accuracy weights.

On a GPU it trains in bf16 autocast with channels_last tensors; the loss is read back
from the device only when a progress event is due, so steps never wait on the host.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from mlcore.classify.checkpoints import load_meta, load_state, save_state
from mlcore.classify.data import read_classes
from mlcore.classify.evaluation import collect_logits
from mlcore.classify.feeds import Batches, DataMode, build_feeds
from mlcore.classify.schedule import (
    EarlyStop,
    build_optimizer,
    inverse_frequency,
    warmup_cosine,
    warmup_steps,
)
from mlcore.contract.train import TrainConfig
from mlcore.contract.weights import WeightsSource
from mlcore.engines.base import Trained
from mlcore.engines.device import pick_device, seed_everything
from mlcore.engines.progress import Report, TrainingProgress
from mlcore.models.architecture import IncompatibleInitModel
from mlcore.models.registry import arch_config, create_model, get_architecture, replace_head
from mlcore.package.export import save_checkpoint
from mlcore.package.preprocess import preprocess_spec

PROGRESS_EVERY = 10  # steps between progress events

Criterion = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


class TrainingDiverged(ArithmeticError):
    """The loss became NaN or infinite."""


@dataclass(frozen=True, kw_only=True)
class TrainOutcome(Trained):
    """The trained model (best epoch's weights, on CPU, eval mode) and how it got there."""

    model: nn.Module
    classes: list[str]
    spec: dict[str, Any]
    data_mode: str = "loader"


@dataclass(frozen=True)
class Precision:
    """How tensors run on the device: bf16 autocast and channels_last on CUDA only."""

    device: torch.device

    @property
    def memory_format(self) -> torch.memory_format:
        cuda = self.device.type == "cuda"
        return torch.channels_last if cuda else torch.contiguous_format

    def autocast(self) -> contextlib.AbstractContextManager[Any]:
        if self.device.type == "cuda":
            return torch.autocast("cuda", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def inputs(self, images: torch.Tensor) -> torch.Tensor:
        return images.to(self.device, non_blocking=True).contiguous(
            memory_format=self.memory_format
        )


def load_init_weights(model: nn.Module, path: Path, name: str, classes: list[str]) -> nn.Module:
    """Start from an earlier Konstruktor model.pt of the same architecture (transfer); its
    classification head is kept only when it predicts exactly these classes in this order."""
    saved = torch.load(path, map_location="cpu", weights_only=True)
    arch = saved.get("arch", {})
    if arch.get("name") != name:
        raise IncompatibleInitModel(
            f"the starting model is a {arch.get('name')!r}, not a {name!r}; "
            f"pick a model trained with {name} or change the architecture"
        )
    replace_head(model, int(arch["num_classes"]))
    model.load_state_dict(saved["state_dict"])
    if arch.get("classes") == classes:
        return model
    return replace_head(model, len(classes), fresh=True)


def config_fingerprint(config: TrainConfig, classes: list[str]) -> str:
    """What a checkpoint must have been trained with to be resumed."""
    text = config.model_dump_json(exclude={"chosen"}) + json.dumps(classes)
    return hashlib.sha256(text.encode()).hexdigest()


def train_one_epoch(
    model: nn.Module,
    batches: Batches,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    precision: Precision,
    criterion: Criterion,
    progress: TrainingProgress,
) -> float:
    """One pass over the training data; mean loss (one host sync at the end)."""
    model.train()
    loss_sum = torch.zeros((), device=precision.device)
    seen = 0
    for images, targets in batches:
        targets = targets.to(precision.device, non_blocking=True)
        with precision.autocast():
            loss = criterion(model(precision.inputs(images)), targets)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        loss_sum += loss.detach() * len(targets)
        seen += len(targets)
        metrics = None
        if progress.due():  # the only per-step host sync
            check_finite(loss)
            metrics = {"loss": float(loss.detach()), "lr": optimizer.param_groups[0]["lr"]}
        progress.advance(len(targets), metrics)
    mean = loss_sum / max(seen, 1)
    check_finite(mean)
    return float(mean)


def check_finite(loss: torch.Tensor) -> None:
    """Raise TrainingDiverged when the loss is NaN or infinite."""
    if not torch.isfinite(loss):
        raise TrainingDiverged(
            "training diverged (the loss is not a finite number); lower learning_rate"
        )


def validate(model: nn.Module, batches: Batches, precision: Precision) -> dict[str, float]:
    """Validation loss (no smoothing) and accuracy."""
    with precision.autocast():
        logits, labels = collect_logits(model, batches, precision.device)
    return {
        "val_loss": float(F.cross_entropy(logits.float(), labels)),
        "val_accuracy": float((logits.argmax(1) == labels).float().mean()),
    }


@dataclass
class RunState:
    """What survives between epochs and into last.pt."""

    best_state: dict[str, torch.Tensor]
    best_accuracy: float = -1.0
    best_epoch: int = 0
    done: int = 0
    history: list[dict[str, float]] = field(default_factory=list)


def train_classifier(
    config: TrainConfig,
    dataset_dir: Path,
    out_dir: Path,
    report: Report,
    weights_source: WeightsSource | None = None,
    resume: bool = False,
    init_weights: Path | None = None,
    data_mode: DataMode = "auto",
) -> TrainOutcome:
    """Train `config.model` on dataset_dir's train split; keep the best val-accuracy weights.

    Every epoch leaves `out_dir/last.pt`; with `resume`, a run continues from it.
    """
    seed_everything(config.seed)
    device = pick_device()
    precision = Precision(device)
    classes = read_classes(dataset_dir)
    fingerprint = config_fingerprint(config, classes)
    meta = load_meta(out_dir) if resume else None
    stale_checkpoint = meta is not None and meta["config"] != fingerprint
    if meta is not None and not stale_checkpoint:
        data_mode = meta["mode"]  # the generators saved are those of that data path
    feeds = build_feeds(config, dataset_dir, classes, device, data_mode)
    weights = (
        inverse_frequency(feeds.train_labels, len(classes)).to(device)
        if config.class_balance == "loss_weights"
        else None
    )
    criterion = partial(F.cross_entropy, weight=weights, label_smoothing=config.label_smoothing)

    model = create_model(config.model, len(classes), config.pretrained, weights_source, report)
    if init_weights is not None:
        model = load_init_weights(model, init_weights, config.model, classes)
    model = model.to(device).to(memory_format=precision.memory_format)
    optimizer = build_optimizer(model, config)
    steps = len(feeds.train)
    total_steps = config.epochs * steps
    warmup = warmup_steps(config.warmup_epochs, steps, total_steps)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine(warmup, total_steps))
    progress = TrainingProgress(report, config.epochs, steps, PROGRESS_EVERY)
    progress.emit("log", f"data: {feeds.mode} on {device.type}")
    if stale_checkpoint:
        progress.emit("log", "the checkpoint is from another configuration; starting over")

    state = RunState(best_state=copy.deepcopy(model.state_dict()))
    stopper = EarlyStop(config.early_stopping_patience)
    saved = load_state(out_dir, feeds.generators) if resume and not stale_checkpoint else None
    if saved is not None:
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        scheduler.load_state_dict(saved["scheduler"])
        state = RunState(saved["best"], saved["best_accuracy"], saved["best_epoch"], saved["epoch"])
        state.history, stopper.stale = saved["history"], saved["stale"]
        progress.resume_at(state.done)
        progress.replay(state.history)
        progress.emit("log", f"resumed after epoch {state.done}")
    last_epoch = state.done if stopper.stopped else config.epochs  # early-stopped already
    for epoch in range(state.done + 1, last_epoch + 1):
        progress.start_epoch(epoch)
        feeds.start_epoch(epoch)
        train_loss = train_one_epoch(
            model, feeds.train, optimizer, scheduler, precision, criterion, progress
        )
        metrics = {"train_loss": train_loss, **validate(model, feeds.val, precision)}
        metrics["lr"] = optimizer.param_groups[0]["lr"]
        state.history.append({"epoch": float(epoch), **metrics})
        improved = metrics["val_accuracy"] > state.best_accuracy
        if improved:
            state.best_accuracy, state.best_epoch = metrics["val_accuracy"], epoch
            state.best_state = copy.deepcopy(model.state_dict())
        stop = stopper.update(improved)
        save_state(
            out_dir,
            feeds.generators,
            {"mode": feeds.mode, "config": fingerprint},
            epoch=epoch,
            model=model.state_dict(),
            optimizer=optimizer.state_dict(),
            scheduler=scheduler.state_dict(),
            best=state.best_state,
            best_accuracy=state.best_accuracy,
            best_epoch=state.best_epoch,
            history=state.history,
            stale=stopper.stale,
        )
        progress.emit("epoch", f"epoch {epoch}/{config.epochs} done", metrics)
        if stop:
            progress.emit(
                "log",
                f"early stop: no better validation accuracy in {stopper.stale} epoch(s); "
                f"keeping epoch {state.best_epoch}",
            )
            break

    model.load_state_dict(state.best_state)
    model = model.cpu().eval().to(memory_format=torch.contiguous_format)
    checkpoint = out_dir / "model.pt"
    save_checkpoint(model, arch_config(config.model, classes), checkpoint)
    return TrainOutcome(
        task="classify",
        checkpoint=checkpoint,
        history=state.history,
        best_epoch=state.best_epoch,
        image_size=config.image_size,
        model=model,
        classes=classes,
        spec=preprocess_spec(config.image_size, get_architecture(config.model).checkpoint_kind),
        data_mode=feeds.mode,
    )
