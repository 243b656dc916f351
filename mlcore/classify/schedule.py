"""Optimizer, learning-rate schedule and class balancing for the classification trainer."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import nn
from torch.utils.data import WeightedRandomSampler

from mlcore.contract.train import TrainConfig

MOMENTUM = 0.9


def build_optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    """AdamW, or SGD with Nesterov momentum, at the config's learning rate and weight decay."""
    if config.optimizer == "sgd":
        return torch.optim.SGD(
            model.parameters(),
            lr=config.learning_rate,
            momentum=MOMENTUM,
            nesterov=True,
            weight_decay=config.weight_decay,
        )
    return torch.optim.AdamW(
        model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )


def warmup_steps(warmup_epochs: float, steps_per_epoch: int, total_steps: int) -> int:
    """Steps of linear warm-up, leaving at least one step of decay."""
    return max(0, min(int(warmup_epochs * steps_per_epoch), total_steps - 1))


def warmup_cosine(warmup: int, total: int) -> Callable[[int], float]:
    """LR factor per step: linear from 1/warmup up to 1, then a cosine down to 0."""

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(total - warmup, 1)
        return 0.5 * (1.0 + math.cos(math.pi * min(progress, 1.0)))

    return factor


def inverse_frequency(labels: Sequence[int], classes: int) -> torch.Tensor:
    """Per-class loss weights n / (k * count), so every class weighs the same in total."""
    counts = Counter(labels)
    return torch.tensor(
        [len(labels) / (classes * counts[c]) if counts[c] else 0.0 for c in range(classes)],
        dtype=torch.float32,
    )


def balanced_sampler(
    labels: Sequence[int], classes: int, generator: torch.Generator
) -> WeightedRandomSampler:
    """Draws training images so that each class comes up equally often."""
    weights = inverse_frequency(labels, classes)
    return WeightedRandomSampler(
        [float(weights[label]) for label in labels],
        num_samples=len(labels),
        replacement=True,
        generator=generator,
    )


@dataclass
class EarlyStop:
    """Counts epochs without a better validation metric; says when to stop."""

    patience: int | None
    stale: int = 0

    @property
    def stopped(self) -> bool:
        """Whether the last update said to stop."""
        return self.patience is not None and self.stale >= self.patience

    def update(self, improved: bool) -> bool:
        self.stale = 0 if improved else self.stale + 1
        return self.stopped
