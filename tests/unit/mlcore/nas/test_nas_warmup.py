"""The cost warm-up: kappa ramps linearly from 0 over the first cost_warmup of the steps."""

from __future__ import annotations

import math
from itertools import pairwise
from pathlib import Path

import pytest
import torch

from mlcore.nas.data import SearchData
from mlcore.nas.space.search_space import SearchSpace
from mlcore.nas.strategies.one_shot import Batch, HyperDarts, OneShotConfig, cost_weight
from mlcore.nas.strategies.one_shot_loop import run_family_search
from mlcore.nas.strategies.one_shot_result import EpochReport

EPOCHS = 2


def test_cost_weight_ramps_from_zero_to_kappa() -> None:
    config = OneShotConfig(kappa=4.0, cost_warmup=0.5)
    assert cost_weight(config, 0.0) == 0.0
    assert cost_weight(config, 0.25) == pytest.approx(2.0)
    assert cost_weight(config, 0.5) == pytest.approx(4.0)
    assert cost_weight(config, 1.0) == pytest.approx(4.0)
    assert cost_weight(OneShotConfig(kappa=4.0, cost_warmup=0.0), 0.0) == 4.0
    with pytest.raises(ValueError, match="cost_warmup"):
        OneShotConfig(cost_warmup=1.5)


def record_kappas(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every kappa the search loop hands to HyperDarts.step, in order."""
    seen: list[float] = []
    original = HyperDarts.step

    def spy(
        self: HyperDarts,
        train: Batch,
        val: Batch,
        temperature: float,
        kappa: float,
        generator: torch.Generator,
    ) -> float:
        seen.append(kappa)
        return original(self, train, val, temperature, kappa, generator)

    monkeypatch.setattr(HyperDarts, "step", spy)
    return seen


def test_search_steps_see_the_ramp(
    tiny_space: SearchSpace, tiny_data: SearchData, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = OneShotConfig(kappa=3.0, cost_warmup=0.5, batch_size=32)
    seen = record_kappas(monkeypatch)
    run_family_search(tiny_space, config, tiny_data, EPOCHS, seed=0)

    total = EPOCHS * math.ceil(len(tiny_data.train) / config.batch_size)
    end = round(config.cost_warmup * (total - 1))
    assert len(seen) == total
    assert seen[0] == 0.0
    assert seen[end] == pytest.approx(config.kappa)
    assert seen[end - 1] < config.kappa
    assert all(a < b for a, b in pairwise(seen[: end + 1]))
    assert all(kappa == pytest.approx(config.kappa) for kappa in seen[end:])


def test_resume_inside_the_warmup_matches_uninterrupted(
    tiny_space: SearchSpace,
    tiny_data: SearchData,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = OneShotConfig(kappa=5.0, cost_warmup=0.9, batch_size=64)
    seen = record_kappas(monkeypatch)
    whole = run_family_search(tiny_space, config, tiny_data, EPOCHS, seed=4)
    whole_kappas = list(seen)

    seen.clear()
    checkpoint = tmp_path / "search.pt"

    def stop(report: EpochReport) -> bool:
        return False

    run_family_search(
        tiny_space, config, tiny_data, EPOCHS, 4, callback=stop, checkpoint=checkpoint
    )
    resumed = run_family_search(tiny_space, config, tiny_data, EPOCHS, 4, checkpoint=checkpoint)

    assert seen == whole_kappas  # first epoch, then the second after the resume
    assert [r.train_loss for r in resumed.history] == [r.train_loss for r in whole.history]
    for a, b in zip(
        whole.arch.state_dict().values(), resumed.arch.state_dict().values(), strict=True
    ):
        assert torch.equal(a, b)
