"""Training configurations for tests."""

from __future__ import annotations

from typing import Any

from mlcore.contract.train import TrainConfig


def tiny_config(**overrides: Any) -> TrainConfig:
    """A resolved configuration small enough for CPU tests."""
    base: dict[str, Any] = {
        "model": "efficientnet_b0",
        "epochs": 1,
        "image_size": 32,
        "batch_size": 4,
        "learning_rate": 1e-3,
        "warmup_epochs": 0.1,
        "augmentation": "light",
    }
    return TrainConfig(**{**base, **overrides})
