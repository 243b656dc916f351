"""Train a discrete architecture from scratch and measure it on held-out data."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from mlcore.engines.atomic import save_atomically
from mlcore.models.metadata import count_params
from mlcore.nas.data import ImageTensors, as_input, flip_and_shift
from mlcore.nas.evaluators.accuracy import accuracy
from mlcore.nas.space.discrete import build_discrete
from mlcore.nas.space.genotype import Genotype
from mlcore.nas.space.search_space import SearchSpace


@dataclass(frozen=True)
class RetrainResult:
    """Test accuracy (0..1), parameter count, mean training loss per epoch, the trained
    network (eval mode)."""

    accuracy: float
    params: int
    losses: list[float]
    model: nn.Module


# (epoch from 1, its mean training loss, whether it was restored from the checkpoint)
EpochCallback = Callable[[int, float, bool], None]


Stateful = nn.Module | torch.optim.Optimizer | torch.optim.lr_scheduler.LRScheduler


def run_key(space: SearchSpace, genotype: Genotype) -> str:
    """What a retraining checkpoint belongs to: the network's space and genotype."""
    return json.dumps({"space": space.to_dict(), "genotype": genotype.to_json()}, sort_keys=True)


def save_state(
    path: Path,
    key: str,
    parts: dict[str, Stateful],
    generator: torch.Generator,
    losses: list[float],
) -> None:
    """Everything a resumed retraining needs, written atomically; `key` is `run_key`'s."""
    state: dict[str, Any] = {name: part.state_dict() for name, part in parts.items()}
    state |= {"run": key, "generator": generator.get_state(), "losses": losses}
    save_atomically(state, path)


def resume_state(
    path: Path | None, key: str, parts: dict[str, Stateful], generator: torch.Generator
) -> list[float]:
    """Restore `parts` and `generator` from `path` when it holds the run `key` names (same
    space and genotype); the losses of the epochs done (none without a usable checkpoint)."""
    if path is None or not path.exists():
        return []
    state = torch.load(path, map_location="cpu", weights_only=True)
    if state.get("run") != key:
        return []
    for name, part in parts.items():
        part.load_state_dict(state[name])
    generator.set_state(state["generator"])
    return list(state["losses"])


def retrain(
    space: SearchSpace,
    genotype: Genotype,
    train: ImageTensors,
    test: ImageTensors,
    epochs: int,
    seed: int,
    *,
    lr: float = 3e-3,
    batch_size: int = 128,
    augment: bool = True,
    device: torch.device | str = "cpu",
    callback: EpochCallback | None = None,
    checkpoint: Path | None = None,
) -> RetrainResult:
    """Adam with a cosine learning-rate decay to 0 over all steps; with `augment`, every
    batch flipped and shifted (`flip_and_shift`; benchmarks/nas_job_budget.py measured why).

    With `checkpoint`, the state is saved after every epoch and a run of the same genotype
    continues from it (a checkpoint of another genotype is ignored), calling back for the
    epochs it restored first."""
    device = torch.device(device)
    generator = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = build_discrete(space, genotype).to(device)
    steps = math.ceil(len(train) / batch_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * steps)
    parts: dict[str, Stateful] = {"model": model, "optimizer": optimizer, "schedule": schedule}
    key = run_key(space, genotype)
    losses = resume_state(checkpoint, key, parts, generator)
    for epoch, restored_loss in enumerate(losses, start=1):  # what a resumed run restored
        if callback is not None:
            callback(epoch, restored_loss, True)
    model.train()
    for _ in range(len(losses), epochs):
        order = torch.randperm(len(train), generator=generator)
        total = 0.0
        for b in range(steps):
            indices = order[b * batch_size : (b + 1) * batch_size]
            x = as_input(train.images[indices].to(device))
            if augment:
                x = flip_and_shift(x, generator)
            loss = F.cross_entropy(model(x), train.labels[indices].to(device))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            total += float(loss.detach())
        losses.append(total / steps)
        if checkpoint is not None:
            save_state(checkpoint, key, parts, generator, losses)
        if callback is not None:
            callback(len(losses), losses[-1], False)
    model.eval()
    return RetrainResult(accuracy(model, test, device), count_params(model), losses, model)
