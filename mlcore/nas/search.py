"""The search loop: epochs of strategy steps, temperature and cost schedules, progress, resume."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import torch

from mlcore.nas.checkpoint import load_search, save_search
from mlcore.nas.data import ImageTensors, as_input
from mlcore.nas.evaluation import accuracy
from mlcore.nas.result import EpochReport, SearchResult, as_simplex
from mlcore.nas.space import SearchSpace
from mlcore.nas.strategies import Batch, Strategy, StrategyConfig, cost_weight, create_strategy

Callback = Callable[[EpochReport], bool | None]  # returning False stops the search
PROBE_IMAGES = 1000  # validation images scored per probe s after each epoch


@dataclass(frozen=True)
class SearchData:
    """The search split: `train` updates weights (and the hypernet), `val` the baselines'
    alpha and the progress probes."""

    train: ImageTensors
    val: ImageTensors


def progress(step: int, total: int) -> float:
    """Share of the search done at `step` of `total`: 0 at the first step, 1 at the last."""
    return step / max(total - 1, 1)


def temperature(config: StrategyConfig, step: int, total: int) -> float:
    """Linear from t_start at the first step to t_end at the last."""
    return config.t_start + (config.t_end - config.t_start) * progress(step, total)


def batch(data: ImageTensors, indices: torch.Tensor, device: torch.device) -> Batch:
    """Float inputs and labels at `indices`, on `device`."""
    return as_input(data.images[indices].to(device)), data.labels[indices].to(device)


def probe(
    strategy: Strategy,
    data: ImageTensors,
    probes: Mapping[str, Sequence[float]],
    temperature: float,
    device: torch.device,
) -> dict[str, float]:
    """Supernet validation accuracy with the deterministic mixing at each probe s."""
    strategy.net.eval()
    scores = {}
    with torch.no_grad():
        for name, s in probes.items():
            gamma = strategy.mixing(as_simplex(s, strategy.space.k).to(device), temperature)
            scores[name] = accuracy(partial(strategy.net, gamma=gamma), data, device)
    strategy.net.train()
    return scores


def derive_probes(
    strategy: Strategy, probes: Mapping[str, Sequence[float]], device: torch.device
) -> dict[str, list[list[int]]]:
    """The architecture (argmax op per edge) each probe s derives at this point."""
    with torch.no_grad():
        return {
            name: strategy.arch(as_simplex(s, strategy.space.k).to(device)).argmax(-1).tolist()
            for name, s in probes.items()
        }


def run_epoch(
    strategy: Strategy,
    data: SearchData,
    epoch: int,
    epochs: int,
    generator: torch.Generator,
    device: torch.device,
) -> tuple[float, float]:
    """One pass over `train` (val batches wrap around); returns (mean task loss, last t)."""
    size = strategy.config.batch_size
    steps = math.ceil(len(data.train) / size)
    train_order = torch.randperm(len(data.train), generator=generator)
    val_order = torch.randperm(len(data.val), generator=generator)
    losses, t = [], strategy.config.t_start
    for b in range(steps):
        step, total = epoch * steps + b, epochs * steps
        t = temperature(strategy.config, step, total)
        kappa = cost_weight(strategy.config, progress(step, total))
        train_idx = train_order[b * size : (b + 1) * size]
        positions = torch.arange(b * size, b * size + len(train_idx)) % len(data.val)
        train = batch(data.train, train_idx, device)
        val = batch(data.val, val_order[positions], device)
        losses.append(strategy.step(train, val, t, kappa, generator))
    return sum(losses) / len(losses), t


def run_family_search(
    space: SearchSpace,
    config: StrategyConfig,
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
    every epoch. `probes` (default: the uniform s) name the s where progress is scored."""
    device = torch.device(device)
    generator = torch.Generator().manual_seed(seed)
    strategy = create_strategy(space, config, seed, generator, device)
    probes = probes or {"uniform": [1.0 / space.k] * space.k}
    probe_data = data.val.subset(torch.arange(min(PROBE_IMAGES, len(data.val))))
    start, history = 0, list[EpochReport]()
    if checkpoint is not None and checkpoint.exists():
        start, history = load_search(checkpoint, strategy, generator)
    strategy.net.train()
    for epoch in range(start, epochs):
        began = time.perf_counter()
        loss, t = run_epoch(strategy, data, epoch, epochs, generator, device)
        report = EpochReport(
            epoch=epoch + 1,
            temperature=t,
            train_loss=loss,
            val_accuracy=probe(strategy, probe_data, probes, t, device),
            seconds=time.perf_counter() - began,
            choices=derive_probes(strategy, probes, device),
        )
        history.append(report)
        if checkpoint is not None:
            save_search(checkpoint, strategy, generator, epoch + 1, history)
        if callback is not None and callback(report) is False:
            break
    final_t = strategy.config.t_end if history else strategy.config.t_start
    return SearchResult(
        space, config.name, strategy.arch.cpu(), history, strategy.net.cpu(), final_t
    )
