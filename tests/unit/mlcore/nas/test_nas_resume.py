"""A search resumed from its checkpoint ends exactly where an uninterrupted one does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import torch

from mlcore.nas.data import SearchData
from mlcore.nas.evaluators.retrain import retrain
from mlcore.nas.space.genotype import Genotype
from mlcore.nas.space.search_space import SearchSpace
from mlcore.nas.strategies.one_shot import OneShotConfig
from mlcore.nas.strategies.one_shot_loop import run_family_search
from mlcore.nas.strategies.one_shot_result import EpochReport


@pytest.mark.parametrize("strategy", ["hyper_darts", "gdas"])
def test_resumed_search_equals_uninterrupted(
    strategy: str, tiny_space: SearchSpace, tiny_data: SearchData, tmp_path: Path
) -> None:
    config = OneShotConfig(name=strategy, batch_size=64)
    whole = run_family_search(tiny_space, config, tiny_data, epochs=2, seed=3)

    seen: list[EpochReport] = []

    def stop_after_first(report: EpochReport) -> bool:
        seen.append(report)
        return False

    checkpoint = tmp_path / "search.pt"
    run_family_search(
        tiny_space, config, tiny_data, 2, 3, callback=stop_after_first, checkpoint=checkpoint
    )
    assert [report.epoch for report in seen] == [1]
    resumed = run_family_search(tiny_space, config, tiny_data, 2, 3, checkpoint=checkpoint)

    assert [r.train_loss for r in resumed.history] == [r.train_loss for r in whole.history]
    for a, b in zip(
        whole.arch.state_dict().values(), resumed.arch.state_dict().values(), strict=True
    ):
        assert torch.equal(a, b)


def test_checkpoint_of_another_config_is_refused(
    tiny_space: SearchSpace, tiny_data: SearchData, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "search.pt"
    run_family_search(
        tiny_space, OneShotConfig(batch_size=128), tiny_data, 1, 0, checkpoint=checkpoint
    )
    with pytest.raises(ValueError, match="another"):
        run_family_search(
            tiny_space,
            OneShotConfig(batch_size=128, kappa=2.0),
            tiny_data,
            1,
            0,
            checkpoint=checkpoint,
        )


class Interrupted(Exception):
    """Stands for a cancelled or killed job."""


def stop_after(epochs: int) -> Callable[[int, float, bool], None]:
    def callback(epoch: int, loss: float, restored: bool) -> None:
        if epoch == epochs:
            raise Interrupted

    return callback


@pytest.fixture
def steps(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts optimizer steps taken: one entry per Adam.step call."""
    taken: list[int] = []
    real_step = torch.optim.Adam.step

    def step(self: torch.optim.Adam, *args: Any, **kwargs: Any) -> Any:
        taken.append(1)
        return real_step(self, *args, **kwargs)

    monkeypatch.setattr(torch.optim.Adam, "step", step)
    return taken


def test_an_interrupted_retraining_continues_where_it_stopped(
    tiny_space: SearchSpace, tiny_data: SearchData, tmp_path: Path, steps: list[int]
) -> None:
    genotype = Genotype.from_alpha(tiny_space.ops, torch.zeros(tiny_space.alpha_shape))
    train, test = tiny_data.train, tiny_data.val
    whole = retrain(tiny_space, genotype, train, test, 3, seed=0, batch_size=64)
    checkpoint = tmp_path / "retrain.pt"
    with pytest.raises(Interrupted):
        retrain(
            tiny_space, genotype, train, test, 3, 0, batch_size=64,
            callback=stop_after(2), checkpoint=checkpoint,
        )  # fmt: skip
    seen: list[int] = []
    steps.clear()
    resumed = retrain(
        tiny_space, genotype, train, test, 3, 0, batch_size=64,
        callback=lambda epoch, loss, restored: seen.append(epoch), checkpoint=checkpoint,
    )  # fmt: skip
    assert seen == [1, 2, 3]  # the restored epochs are reported too
    assert len(steps) == len(train) // 64  # one epoch trained: the third
    assert resumed.losses == whole.losses
    assert resumed.accuracy == whole.accuracy
    for name, value in whole.model.state_dict().items():
        assert torch.equal(value, resumed.model.state_dict()[name]), name


def test_a_retraining_checkpoint_of_another_genotype_is_ignored(
    tiny_space: SearchSpace, tiny_data: SearchData, tmp_path: Path
) -> None:
    pools = Genotype.from_alpha(tiny_space.ops, torch.zeros(tiny_space.alpha_shape))
    convs = Genotype(tiny_space.ops, ((2,) * tiny_space.num_edges,))
    checkpoint = tmp_path / "retrain.pt"
    data = (tiny_data.train, tiny_data.val)
    retrain(tiny_space, pools, *data, 1, 0, batch_size=64, checkpoint=checkpoint)
    seen: list[int] = []
    retrain(
        tiny_space, convs, *data, 1, 0, batch_size=64,
        callback=lambda epoch, loss, restored: seen.append(epoch), checkpoint=checkpoint,
    )  # fmt: skip
    assert seen == [1]


def test_a_retraining_checkpoint_of_another_space_is_ignored(
    tiny_space: SearchSpace, tiny_data: SearchData, tmp_path: Path, steps: list[int]
) -> None:
    """Same genotype, but saved by a network without input convolutions."""
    genotype = Genotype.from_alpha(tiny_space.ops, torch.zeros(tiny_space.alpha_shape))
    checkpoint = tmp_path / "retrain.pt"
    data = (tiny_data.train, tiny_data.val)
    bare = replace(tiny_space, preprocess=False)
    retrain(bare, genotype, *data, 2, 0, batch_size=64, checkpoint=checkpoint)
    seen: list[int] = []
    retrain(
        tiny_space, genotype, *data, 2, 0, batch_size=64,
        callback=lambda epoch, loss, restored: seen.append(epoch), checkpoint=checkpoint,
    )  # fmt: skip
    assert seen == [1, 2]
    steps.clear()
    again: list[int] = []
    retrain(
        tiny_space, genotype, *data, 2, 0, batch_size=64,
        callback=lambda epoch, loss, restored: again.append(epoch), checkpoint=checkpoint,
    )  # fmt: skip
    assert again == [1, 2] and steps == []  # its own finished run: nothing left to train
