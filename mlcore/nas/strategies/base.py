"""The one strategy base every search runs through (as NNI's `Strategy`): `run` explores the
space on a `SearchContext` and returns every architecture it scored; `state_dict` is what a
resumed job continues from, saved in the context's resume folder as the search goes.

Strategies register with `register_strategy(name, cls)` under a name `mlcore.contract.search`
declares, so the API knows every strategy without importing torch.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from mlcore.contract.registry import Registry
from mlcore.contract.search import STRATEGIES as DECLARED
from mlcore.contract.search import SearchConfig
from mlcore.engines.atomic import save_atomically
from mlcore.nas.data import SearchData
from mlcore.nas.family import Member
from mlcore.nas.space.latency import LatencyTable
from mlcore.nas.space.search_space import SearchSpace

# (step from 1, metrics, structured details) after every search step
SearchProgress = Callable[[int, dict[str, float], dict[str, Any]], None]
STATE_FILE = "search_state.pt"  # a strategy's state_dict in the job's resume folder


@dataclass(frozen=True)
class SearchContext:
    """What every strategy runs on."""

    config: SearchConfig
    space: SearchSpace
    data: SearchData
    table: LatencyTable
    device: torch.device
    resume_dir: Path  # where the strategy keeps what a resumed job continues from
    progress: SearchProgress
    llm_api_key: str | None = None  # the key of the config's LLM endpoint (mutator llm)


@dataclass(frozen=True)
class Found:
    """A strategy's scored members, and what else it records for the family file and the
    job result (black-box searches that vary parents: "variation", per `BlackBoxResult`)."""

    members: list[Member]
    record: dict[str, Any] = field(default_factory=dict)


class Strategy(ABC):
    """A search strategy on one context; `STATE_FILE` holds its state between steps."""

    def __init__(self, context: SearchContext) -> None:
        self.context = context

    @property
    def state_path(self) -> Path:
        return self.context.resume_dir / STATE_FILE

    @property
    def owner(self) -> dict[str, Any]:
        """What a saved state must have been saved by to be restored: this strategy, space
        and seed."""
        config = self.context.config
        return {
            "strategy": config.strategy,
            "space": self.context.space.to_dict(),
            "seed": config.seed,
        }

    @abstractmethod
    def run(self) -> Found:
        """Search (continuing from the saved state, if any); every architecture scored."""

    @abstractmethod
    def state_dict(self) -> dict[str, Any]:
        """Everything a resumed search needs."""

    @abstractmethod
    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Inverse of `state_dict`."""

    def save(self) -> None:
        """Write `state_dict()` to the resume folder."""
        save_atomically({"owner": self.owner, "state": self.state_dict()}, self.state_path)

    def restore(self) -> bool:
        """Load the saved state when there is one of this strategy, space and seed."""
        if not self.state_path.exists():
            return False
        saved = torch.load(self.state_path, map_location="cpu", weights_only=False)
        if saved.get("owner") != self.owner:
            return False
        self.load_state_dict(saved["state"])
        return True


StrategyFactory = Callable[[SearchContext], Strategy]
STRATEGIES: Registry[StrategyFactory] = Registry(
    "search strategy",
    providers=("mlcore.nas.strategies.differentiable", "mlcore.nas.strategies.blackbox"),
)


def register_strategy(name: str, factory: StrategyFactory) -> None:
    """Register `factory` under `name`, which mlcore.contract.search must declare."""
    if name not in DECLARED:
        raise ValueError(f"strategy {name!r} is not declared in mlcore.contract.search")
    STRATEGIES.add(name, factory)
