"""The three data paths feed the trainer the same way."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from mlcore.classify.data import read_classes
from mlcore.classify.feeds import build_feeds, pick_mode
from tests.support.configs import tiny_config

CPU = torch.device("cpu")


def batches(feed: object) -> list[tuple[torch.Tensor, torch.Tensor]]:
    return [(x.clone(), y.clone()) for x, y in feed]  # type: ignore[attr-defined]


@pytest.mark.parametrize("balance", ["none", "sampler"])
def test_resident_and_streamed_give_identical_batches(flowers_dir: Path, balance: str) -> None:
    config = tiny_config(augmentation="strong", class_balance=balance)
    classes = read_classes(flowers_dir)
    resident = build_feeds(config, flowers_dir, classes, CPU, "resident")
    streamed = build_feeds(config, flowers_dir, classes, CPU, "streamed")
    assert (resident.mode, streamed.mode) == ("resident", "streamed")
    for a, b in ((resident.train, streamed.train), (resident.val, streamed.val)):
        assert len(a) == len(b)
        for (xa, ya), (xb, yb) in zip(batches(a), batches(b), strict=True):
            assert torch.equal(ya, yb)
            torch.testing.assert_close(xa, xb, rtol=0, atol=1e-6)


def test_every_path_validates_on_predict_py_preprocessing(flowers_dir: Path) -> None:
    config = tiny_config(augmentation="none")
    classes = read_classes(flowers_dir)
    loader = batches(build_feeds(config, flowers_dir, classes, CPU, "loader").val)
    for mode in ("resident", "streamed"):
        other = batches(build_feeds(config, flowers_dir, classes, CPU, mode).val)
        for (xa, ya), (xb, yb) in zip(loader, other, strict=True):
            assert torch.equal(ya, yb) and torch.equal(xa, xb)


def test_auto_mode_keeps_what_fits_and_streams_the_rest() -> None:
    assert pick_mode("auto", 100, 32, CPU) == "resident"
    assert pick_mode("auto", 10**7, 224, CPU) == "loader"  # 1.5 TB does not fit
    assert pick_mode("streamed", 100, 32, CPU) == "streamed"
