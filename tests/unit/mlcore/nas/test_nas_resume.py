"""A search resumed from its checkpoint ends exactly where an uninterrupted one does."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from mlcore.nas.result import EpochReport
from mlcore.nas.search import SearchData, run_family_search
from mlcore.nas.space import SearchSpace
from mlcore.nas.strategies import StrategyConfig


@pytest.mark.parametrize("strategy", ["hyper_darts", "gdas"])
def test_resumed_search_equals_uninterrupted(
    strategy: str, tiny_space: SearchSpace, tiny_data: SearchData, tmp_path: Path
) -> None:
    config = StrategyConfig(name=strategy, batch_size=64)
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
        tiny_space, StrategyConfig(batch_size=128), tiny_data, 1, 0, checkpoint=checkpoint
    )
    with pytest.raises(ValueError, match="another"):
        run_family_search(
            tiny_space,
            StrategyConfig(batch_size=128, kappa=2.0),
            tiny_data,
            1,
            0,
            checkpoint=checkpoint,
        )
