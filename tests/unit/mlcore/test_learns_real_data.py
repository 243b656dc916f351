"""Both catalog engines learn from real images: an EfficientNet and a YOLO11 classifier,
trained from scratch on 1,000 CIFAR-10 photos, beat chance on 500 unseen ones."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from mlcore.engines.base import EngineRequest
from mlcore.engines.registry import run_job
from tests.support.configs import tiny_config
from tests.support.paths import image_folder_subset

pytestmark = pytest.mark.slow
CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
PER_SPLIT = {"train": 100, "val": 50}
MAX_P_VALUE = 1e-4  # of scoring this well by answering at random


@pytest.fixture(scope="module")
def cifar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cifar")
    return image_folder_subset("cifar10_small.zip", "", CLASSES, PER_SPLIT, root)


def chance_p_value(correct: int, total: int, classes: int) -> float:
    """P(at least `correct` of `total` right) for a model guessing among `classes` at random:
    the binomial tail, computed exactly."""
    p = 1 / classes
    return sum(
        math.comb(total, k) * p**k * (1 - p) ** (total - k) for k in range(correct, total + 1)
    )


@pytest.mark.parametrize("model", ["efficientnet_b0", "yolo11n-cls"])
def test_a_model_from_scratch_beats_chance(model: str, cifar: Path, tmp_path: Path) -> None:
    config = tiny_config(model=model, epochs=4, image_size=32, batch_size=32, warmup_epochs=0.5)
    result = run_job(EngineRequest(config, cifar, tmp_path, lambda event: None))
    total = PER_SPLIT["val"] * len(CLASSES)
    correct = round(result.metrics["accuracy"] * total)
    assert chance_p_value(correct, total, len(CLASSES)) < MAX_P_VALUE, result.metrics
