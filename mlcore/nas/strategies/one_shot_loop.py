"""The supernet search loop: epochs of one-shot steps, temperature and cost schedules,
progress probes, and a state that resumes the search exactly where it stopped."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Any

import torch

from mlcore.engines.atomic import save_atomically
from mlcore.nas.data import ImageTensors, SearchData, as_input
from mlcore.nas.evaluators.accuracy import accuracy
from mlcore.nas.space.search_space import SearchSpace
from mlcore.nas.strategies.one_shot import (
    Batch,
    OneShot,
    OneShotConfig,
    cost_weight,
    create_one_shot,
)
from mlcore.nas.strategies.one_shot_result import EpochReport, SearchResult, as_simplex

Callback = Callable[[EpochReport], bool | None]  # returning False stops the search
PROBE_IMAGES = 1000  # validation images scored per probe s after each epoch


def progress(step: int, total: int) -> float:
    """Share of the search done at `step` of `total`: 0 at the first step, 1 at the last."""
    return step / max(total - 1, 1)


def temperature(config: OneShotConfig, step: int, total: int) -> float:
    """Linear from t_start at the first step to t_end at the last."""
    return config.t_start + (config.t_end - config.t_start) * progress(step, total)


def batch(data: ImageTensors, indices: torch.Tensor, device: torch.device) -> Batch:
    """Float inputs and labels at `indices`, on `device`."""
    return as_input(data.images[indices].to(device)), data.labels[indices].to(device)


def probe(
    one_shot: OneShot,
    data: ImageTensors,
    probes: Mapping[str, Sequence[float]],
    temperature: float,
    device: torch.device,
) -> dict[str, float]:
    """Supernet validation accuracy with the deterministic mixing at each probe s."""
    one_shot.net.eval()
    scores = {}
    with torch.no_grad():
        for name, s in probes.items():
            gamma = one_shot.mixing(as_simplex(s, one_shot.space.k).to(device), temperature)
            scores[name] = accuracy(partial(one_shot.net, gamma=gamma), data, device)
    one_shot.net.train()
    return scores


def derive_probes(
    one_shot: OneShot, probes: Mapping[str, Sequence[float]], device: torch.device
) -> dict[str, list[list[int]]]:
    """The architecture (argmax op per edge) each probe s derives at this point."""
    with torch.no_grad():
        return {
            name: one_shot.arch(as_simplex(s, one_shot.space.k).to(device)).argmax(-1).tolist()
            for name, s in probes.items()
        }


def run_epoch(
    one_shot: OneShot,
    data: SearchData,
    epoch: int,
    epochs: int,
    generator: torch.Generator,
    device: torch.device,
) -> tuple[float, float]:
    """One pass over `train` (val batches wrap around); returns (mean task loss, last t)."""
    size = one_shot.config.batch_size
    steps = math.ceil(len(data.train) / size)
    train_order = torch.randperm(len(data.train), generator=generator)
    val_order = torch.randperm(len(data.val), generator=generator)
    losses, t = [], one_shot.config.t_start
    for b in range(steps):
        step, total = epoch * steps + b, epochs * steps
        t = temperature(one_shot.config, step, total)
        kappa = cost_weight(one_shot.config, progress(step, total))
        train_idx = train_order[b * size : (b + 1) * size]
        positions = torch.arange(b * size, b * size + len(train_idx)) % len(data.val)
        train = batch(data.train, train_idx, device)
        val = batch(data.val, val_order[positions], device)
        losses.append(one_shot.step(train, val, t, kappa, generator))
    return sum(losses) / len(losses), t


class SupernetSearch:
    """A one-shot search in progress: the supernet with its architecture model, the random
    generator and the epochs done. `probes` (default: the uniform s) name the s where each
    epoch's progress is scored."""

    def __init__(
        self,
        space: SearchSpace,
        config: OneShotConfig,
        data: SearchData,
        epochs: int,
        seed: int,
        probes: Mapping[str, Sequence[float]] | None = None,
        device: torch.device | str = "cpu",
    ) -> None:
        self.space, self.config, self.data, self.epochs = space, config, data, epochs
        self.device = torch.device(device)
        self.generator = torch.Generator().manual_seed(seed)
        self.one_shot = create_one_shot(space, config, seed, self.generator, self.device)
        self.probes = probes or {"uniform": [1.0 / space.k] * space.k}
        self.probe_data = data.val.subset(torch.arange(min(PROBE_IMAGES, len(data.val))))
        self.history: list[EpochReport] = []

    def state_dict(self) -> dict[str, Any]:
        """Networks, optimisers, random state and progress after the epochs done."""
        return {
            "space": self.space.to_dict(),
            "config": asdict(self.config),
            "one_shot": self.one_shot.state_dict(),
            "generator": self.generator.get_state(),
            "history": [asdict(report) for report in self.history],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Inverse of `state_dict`; refuses the state of another space or configuration."""
        if state["space"] != self.space.to_dict() or state["config"] != asdict(self.config):
            raise ValueError("the saved search belongs to another search space or config")
        self.one_shot.load_state_dict(state["one_shot"])
        self.generator.set_state(state["generator"])
        self.history = [EpochReport(**report) for report in state["history"]]

    def remaining_epochs(self) -> Iterator[EpochReport]:
        """Train the epochs not done yet, one at a time."""
        self.one_shot.net.train()
        for epoch in range(len(self.history), self.epochs):
            began = time.perf_counter()
            loss, t = run_epoch(
                self.one_shot, self.data, epoch, self.epochs, self.generator, self.device
            )
            report = EpochReport(
                epoch=epoch + 1,
                temperature=t,
                train_loss=loss,
                val_accuracy=probe(self.one_shot, self.probe_data, self.probes, t, self.device),
                seconds=time.perf_counter() - began,
                choices=derive_probes(self.one_shot, self.probes, self.device),
            )
            self.history.append(report)
            yield report

    def result(self) -> SearchResult:
        """The family alpha(s) the search has learnt so far, on the CPU."""
        final_t = self.config.t_end if self.history else self.config.t_start
        return SearchResult(
            self.space,
            self.config.name,
            self.one_shot.arch.cpu(),
            self.history,
            self.one_shot.net.cpu(),
            final_t,
        )


def run_family_search(
    space: SearchSpace,
    config: OneShotConfig,
    data: SearchData,
    epochs: int,
    seed: int,
    *,
    callback: Callback | None = None,
    checkpoint: Path | None = None,
    probes: Mapping[str, Sequence[float]] | None = None,
    device: torch.device | str = "cpu",
) -> SearchResult:
    """Search `epochs` epochs; with `checkpoint`, resume from it if present and save it after
    every epoch."""
    search = SupernetSearch(space, config, data, epochs, seed, probes, device)
    if checkpoint is not None and checkpoint.exists():
        search.load_state_dict(torch.load(checkpoint, map_location="cpu", weights_only=False))
    for report in search.remaining_epochs():
        if checkpoint is not None:
            save_atomically(search.state_dict(), checkpoint)
        if callback is not None and callback(report) is False:
            break
    return search.result()
