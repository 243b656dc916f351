"""Train a discrete architecture from scratch and measure it on held-out data."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from mlcore.metadata import count_params
from mlcore.nas.data import ImageTensors, as_input
from mlcore.nas.discrete import build_discrete
from mlcore.nas.evaluation import accuracy
from mlcore.nas.genotype import Genotype
from mlcore.nas.space import SearchSpace


@dataclass(frozen=True)
class RetrainResult:
    """Test accuracy (0..1), parameter count, mean training loss per epoch, the trained
    network (eval mode)."""

    accuracy: float
    params: int
    losses: list[float]
    model: nn.Module


EpochCallback = Callable[[int, float], None]  # (epoch from 1, its mean training loss)


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
    device: torch.device | str = "cpu",
    callback: EpochCallback | None = None,
) -> RetrainResult:
    """Adam with a cosine learning-rate decay to 0 over all steps; no augmentation."""
    device = torch.device(device)
    generator = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = build_discrete(space, genotype).to(device)
    steps = math.ceil(len(train) / batch_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * steps)
    losses = []
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(train), generator=generator)
        total = 0.0
        for b in range(steps):
            indices = order[b * batch_size : (b + 1) * batch_size]
            x = as_input(train.images[indices].to(device))
            loss = F.cross_entropy(model(x), train.labels[indices].to(device))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            total += float(loss.detach())
        losses.append(total / steps)
        if callback is not None:
            callback(len(losses), losses[-1])
    model.eval()
    return RetrainResult(accuracy(model, test, device), count_params(model), losses, model)
