"""Plain PyTorch classification trainer: AdamW, cosine schedule, best-val-accuracy weights."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, Dataset, Sampler

from mlcore.checkpoints import load_state, save_state
from mlcore.data import ImageFolderSplit, read_classes
from mlcore.evaluation import collect_logits
from mlcore.export import save_checkpoint
from mlcore.models import arch_config, create_model
from mlcore.schedule import (
    EarlyStop,
    balanced_sampler,
    inverse_frequency,
    warmup_cosine,
    warmup_steps,
)
from mlcore.spec import ProgressEvent, TrainParams
from mlcore.transforms import EvalTransform, TrainTransform, preprocess_spec

TRAIN_SHARE = 0.9  # fraction of the job's progress spent training
DEFAULT_LR = {False: 1e-3, True: 3e-4}  # by params.pretrained
WEIGHT_DECAY = 0.05
PROGRESS_EVERY = 10  # steps between progress events

Report = Callable[[ProgressEvent], None]


class TrainingDiverged(ArithmeticError):
    """The loss became NaN or infinite."""


@dataclass
class TrainOutcome:
    """The trained model (best epoch's weights, on CPU, eval mode) and how it got there."""

    model: nn.Module
    classes: list[str]
    spec: dict[str, Any]
    checkpoint: Path
    best_epoch: int
    history: list[dict[str, float]] = field(default_factory=list)


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def pick_device() -> torch.device:
    """CUDA when available, else CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def make_loader(
    dataset: Dataset[tuple[torch.Tensor, int]],
    batch_size: int,
    device: torch.device,
    train: bool,
    generator: torch.Generator,
    sampler: Sampler[int] | None = None,
) -> DataLoader[tuple[torch.Tensor, int]]:
    """Deterministically ordered loader; worker processes only when a GPU does the math."""
    size = len(dataset)  # type: ignore[arg-type]
    return DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=train and sampler is None,
        sampler=sampler,
        drop_last=train and size > batch_size,  # BatchNorm cannot train on a batch of one
        generator=generator,
        num_workers=2 if device.type == "cuda" else 0,
        pin_memory=device.type == "cuda",
    )


def train_one_epoch(
    model: nn.Module,
    loader: DataLoader[tuple[torch.Tensor, int]],
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    device: torch.device,
    criterion: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    on_step: Callable[[float], None],
) -> float:
    """One pass over the training data; mean loss."""
    model.train()
    loss_sum, seen = 0.0, 0
    for images, targets in loader:
        images, targets = images.to(device), targets.to(device)
        loss = criterion(model(images), targets)
        if not torch.isfinite(loss):
            raise TrainingDiverged(
                "training diverged (the loss is not a finite number); lower learning_rate"
            )
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        loss_sum += loss.item() * len(targets)
        seen += len(targets)
        on_step(loss.item())
    return loss_sum / max(seen, 1)


def validate(
    model: nn.Module, loader: DataLoader[tuple[torch.Tensor, int]], device: torch.device
) -> dict[str, float]:
    """Validation loss (no smoothing) and accuracy."""
    logits, labels = collect_logits(model, loader, device)
    return {
        "val_loss": float(F.cross_entropy(logits, labels)),
        "val_accuracy": float((logits.argmax(1) == labels).float().mean()),
    }


def train_classifier(
    params: TrainParams,
    dataset_dir: Path,
    out_dir: Path,
    report: Report,
    weights_dir: Path | None = None,
    resume: bool = False,
) -> TrainOutcome:
    """Train `params.model` on dataset_dir's train split; keep the best val-accuracy weights.

    Every epoch leaves `out_dir/last.pt`; with `resume`, a run continues from it.
    """
    seed_everything(params.seed)
    device = pick_device()
    classes = read_classes(dataset_dir)
    spec = preprocess_spec(params.image_size)
    train_set = ImageFolderSplit(dataset_dir, "train", classes, TrainTransform(spec))
    val_set = ImageFolderSplit(dataset_dir, "val", classes, EvalTransform(spec))
    generator = torch.Generator().manual_seed(params.seed)
    labels = [label for _file, label in train_set.samples]
    sampler = (
        balanced_sampler(labels, len(classes), generator)
        if params.class_balance == "sampler"
        else None
    )
    train_loader = make_loader(train_set, params.batch_size, device, True, generator, sampler)
    val_loader = make_loader(
        val_set, params.batch_size, device, False, torch.Generator().manual_seed(params.seed)
    )
    weights = (
        inverse_frequency(labels, len(classes)).to(device)
        if params.class_balance == "loss_weights"
        else None
    )
    criterion = partial(F.cross_entropy, weight=weights, label_smoothing=params.label_smoothing)

    model = create_model(params.model, len(classes), params.pretrained, weights_dir).to(device)
    lr = params.learning_rate or DEFAULT_LR[params.pretrained]
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=WEIGHT_DECAY)
    total_steps = params.epochs * len(train_loader)
    warmup = warmup_steps(params, len(train_loader), total_steps)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine(warmup, total_steps))
    step = 0
    epoch = 0

    def event(
        kind: Literal["progress", "epoch", "log"],
        message: str,
        metrics: dict[str, float] | None = None,
    ) -> None:
        report(
            ProgressEvent(
                type=kind,
                epoch=epoch,
                epochs=params.epochs,
                progress=TRAIN_SHARE * step / total_steps,
                message=message,
                metrics=metrics or {},
            )
        )

    def on_step(loss: float) -> None:
        nonlocal step
        step += 1
        if step % PROGRESS_EVERY == 0:
            event(
                "progress",
                f"epoch {epoch}/{params.epochs} step {step}/{total_steps}",
                {"loss": loss},
            )

    history: list[dict[str, float]] = []
    best_state = copy.deepcopy(model.state_dict())
    best_accuracy, best_epoch, done = -1.0, 0, 0
    stopper = EarlyStop(params.early_stopping_patience)
    assert train_loader.generator is not None
    saved = load_state(out_dir, train_loader.generator) if resume else None
    if saved is not None:
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        scheduler.load_state_dict(saved["scheduler"])
        best_state, best_accuracy, best_epoch = (
            saved["best"],
            saved["best_accuracy"],
            saved["best_epoch"],
        )
        history, done, stopper.stale = saved["history"], saved["epoch"], saved["stale"]
        step, epoch = done * len(train_loader), done
        event("log", f"resumed after epoch {done}")
    for epoch in range(done + 1, params.epochs + 1):
        train_loss = train_one_epoch(
            model, train_loader, optimizer, scheduler, device, criterion, on_step
        )
        metrics = {"train_loss": train_loss, **validate(model, val_loader, device)}
        metrics["lr"] = optimizer.param_groups[0]["lr"]
        history.append({"epoch": float(epoch), **metrics})
        improved = metrics["val_accuracy"] > best_accuracy
        if improved:
            best_accuracy, best_epoch = metrics["val_accuracy"], epoch
            best_state = copy.deepcopy(model.state_dict())
        stop = stopper.update(improved)
        save_state(
            out_dir,
            train_loader.generator,
            epoch=epoch,
            model=model.state_dict(),
            optimizer=optimizer.state_dict(),
            scheduler=scheduler.state_dict(),
            best=best_state,
            best_accuracy=best_accuracy,
            best_epoch=best_epoch,
            history=history,
            stale=stopper.stale,
        )
        event("epoch", f"epoch {epoch}/{params.epochs} done", metrics)
        if stop:
            event(
                "log",
                f"early stop: no better validation accuracy in {stopper.stale} epoch(s); "
                f"keeping epoch {best_epoch}",
            )
            break

    model.load_state_dict(best_state)
    model = model.cpu().eval()
    checkpoint = out_dir / "model.pt"
    save_checkpoint(model, arch_config(params.model, len(classes)), checkpoint)
    return TrainOutcome(model, classes, spec, checkpoint, best_epoch, history)
