"""Warm-up + cosine schedule, class balancing and early stopping."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest
import torch

from mlcore.classify.schedule import (
    EarlyStop,
    balanced_sampler,
    inverse_frequency,
    warmup_cosine,
    warmup_steps,
)
from mlcore.classify.training import train_classifier
from mlcore.contract.results import ProgressEvent
from tests.support.configs import tiny_config


def test_warmup_then_cosine() -> None:
    factor = warmup_cosine(warmup=4, total=14)
    values = [factor(step) for step in range(15)]
    assert values[:4] == [0.25, 0.5, 0.75, 1.0]
    assert values[4] == 1.0 and values[9] == pytest.approx(0.5) and values[14] == 0.0
    assert all(a >= b for a, b in pairwise(values[4:]))


@pytest.mark.parametrize(
    ("epochs", "warmup_epochs", "expected"),
    [(20, 1.0, 10), (5, 0.5, 5), (20, 0.0, 0), (3, 9, 29)],
)
def test_warmup_steps(epochs: int, warmup_epochs: float, expected: int) -> None:
    assert warmup_steps(warmup_epochs, steps_per_epoch=10, total_steps=epochs * 10) == expected


def test_class_balance() -> None:
    labels = [0] * 90 + [1] * 10
    weights = inverse_frequency(labels, classes=3)
    assert weights.tolist() == pytest.approx([100 / 270, 100 / 30, 0.0])
    sampler = balanced_sampler(labels, 2, torch.Generator().manual_seed(0))
    drawn = Counter(labels[i] for _ in range(20) for i in sampler)
    assert abs(drawn[0] - drawn[1]) / sum(drawn.values()) < 0.05


def test_early_stop_counts_epochs_without_improvement() -> None:
    stopper = EarlyStop(patience=2)
    assert [stopper.update(i) for i in (True, False, True, False, False)] == [
        False,
        False,
        False,
        False,
        True,
    ]
    assert not any(EarlyStop(patience=None).update(False) for _ in range(10))


@pytest.mark.slow  # trains
@pytest.mark.parametrize("balance", ["loss_weights", "sampler"])
def test_training_with_balancing_and_early_stopping(
    flowers_dir: Path, tmp_path: Path, balance: str
) -> None:
    events: list[ProgressEvent] = []
    params = tiny_config(epochs=6, class_balance=balance, early_stopping_patience=1)
    outcome = train_classifier(params, flowers_dir, tmp_path, events.append)
    stopped = [e for e in events if e.message.startswith("early stop")]
    assert len(outcome.history) < 6 and len(stopped) == 1  # a plateau within six epochs
    assert (
        outcome.best_epoch
        == max(range(len(outcome.history)), key=lambda i: outcome.history[i]["val_accuracy"]) + 1
    )
    # A job that stopped early and then failed later resumes without training any further.
    resumed: list[ProgressEvent] = []
    again = train_classifier(params, flowers_dir, tmp_path, resumed.append, resume=True)
    assert not [e for e in resumed if e.type == "progress" or e.message.endswith("done")]
    assert len(again.history) == len(outcome.history) and again.best_epoch == outcome.best_epoch
