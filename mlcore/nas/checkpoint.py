"""Save and restore a search between epochs so it resumes exactly where it stopped."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import torch

from mlcore.nas.result import EpochReport
from mlcore.nas.strategies import Strategy


def save_search(
    path: Path,
    strategy: Strategy,
    generator: torch.Generator,
    epoch: int,
    history: list[EpochReport],
) -> None:
    """Networks, optimisers, random state and progress after `epoch` epochs (atomic write)."""
    state = {
        "space": strategy.space.to_dict(),
        "config": asdict(strategy.config),
        "epoch": epoch,
        "strategy": strategy.state_dict(),
        "generator": generator.get_state(),
        "history": [asdict(report) for report in history],
    }
    partial = path.with_name(path.name + ".partial")
    torch.save(state, partial)
    partial.replace(path)


def load_search(
    path: Path, strategy: Strategy, generator: torch.Generator
) -> tuple[int, list[EpochReport]]:
    """Restore `strategy` and `generator` in place; returns (epochs done, history)."""
    state = torch.load(path, map_location="cpu", weights_only=False)
    if state["space"] != strategy.space.to_dict() or state["config"] != asdict(strategy.config):
        raise ValueError(f"checkpoint {path} belongs to another search space or config")
    strategy.load_state_dict(state["strategy"])
    generator.set_state(state["generator"])
    return state["epoch"], [EpochReport(**report) for report in state["history"]]
