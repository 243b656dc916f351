"""Benchmark: the hypernetwork-DARTS family against baselines at matched parameter counts.

Per seed: one hyper_darts search gives members A-D (the thesis' s vectors); each is
compared with
- random: the member's own ops placed on the edges in a random order (same parameters),
- darts / gdas: the architecture one first-order DARTS or GDAS search (no cost term) finds in
  the same space, retrained at the width whose parameter count is nearest the member's.
Every architecture is retrained from scratch; test accuracy is reported as mean +- std.

    .venv/bin/python benchmarks/nas_baselines.py --experiment 1 [--smoke --out /tmp]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.nas_common import (
    CHANNELS,
    ExperimentData,
    add_common_flags,
    apply_smoke,
    evaluate,
    history,
    load_data,
    matched_width,
    params_of,
    run_and_record,
    search,
    strategy_config,
)
from mlcore.nas.paper import S_VECTORS, Experiment
from mlcore.nas.space.genotype import Genotype

BASELINE_SEARCHES = ("darts", "gdas")


def shuffled(genotype: Genotype, generator: torch.Generator) -> Genotype:
    """The same multiset of ops on randomly permuted edges."""
    flat = [op for cell in genotype.choices for op in cell]
    picks = [flat[i] for i in torch.randperm(len(flat), generator=generator).tolist()]
    width = len(genotype.choices[0])
    cells = tuple(tuple(picks[c : c + width]) for c in range(0, len(picks), width))
    return Genotype(genotype.ops, cells)


def run_seed(
    experiment: Experiment,
    args: argparse.Namespace,
    data: ExperimentData,
    seed: int,
    device: torch.device,
) -> dict[str, Any]:
    """One seed's searches and retrains: {method: {member: evaluation}}, plus timings."""
    epochs = args.epochs or experiment.epochs
    retrain_epochs = args.retrain_epochs or epochs
    space = experiment.space(args.channels, args.preprocess)
    tag = f"{experiment.name} seed {seed}"
    searches, timings = {}, {}
    for name in ("hyper_darts", *BASELINE_SEARCHES):
        searches[name], timings[name] = search(
            f"{tag} {name}", space, strategy_config(args, name), data, epochs, seed, device
        )
    vectors = S_VECTORS[space.ops]
    found = {name: searches[name].derive(vectors["A"]) for name in BASELINE_SEARCHES}
    generator = torch.Generator().manual_seed(seed)
    methods: dict[str, dict[str, Any]] = {}
    for label, s in vectors.items():
        member = searches["hyper_darts"].derive(s)
        arms = {"hyper_darts": (space, member), "random": (space, shuffled(member, generator))}
        for name, genotype in found.items():
            arms[name] = (matched_width(space, genotype, params_of(space, member)), genotype)
        for method, (arm_space, genotype) in arms.items():
            methods.setdefault(method, {})[label] = evaluate(
                f"{tag} {method} {label}", arm_space, genotype, data, retrain_epochs, seed, device
            )
    return {
        "seed": seed,
        "search_seconds": timings,
        "search_history": {name: history(result) for name, result in searches.items()},
        "methods": methods,
    }


def spread(values: list[float]) -> dict[str, float]:
    """Mean and sample standard deviation (0 for one value)."""
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return {"mean": statistics.mean(values), "std": std}


def summarise(runs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """{method: {member: test accuracy and parameters as mean +- std over seeds}}."""
    summary: dict[str, dict[str, Any]] = {}
    for method, members in runs[0]["methods"].items():
        summary[method] = {
            label: {
                key: spread([run["methods"][method][label][key] for run in runs])
                for key in ("test_accuracy", "params")
            }
            for label in members
        }
    return summary


def run_experiment(
    experiment: Experiment, args: argparse.Namespace, device: torch.device
) -> dict[str, Any]:
    """All seeds of one experiment on the same data."""
    data = load_data(experiment, args.train_images, args.test_images, args.seed, device)
    runs = [run_seed(experiment, args, data, args.seed + i, device) for i in range(args.seeds)]
    return {
        "experiment": experiment.name,
        "dataset": experiment.dataset,
        "space": experiment.space(args.channels, args.preprocess).to_dict(),
        "strategy": asdict(strategy_config(args)),
        "search_epochs": args.epochs or experiment.epochs,
        "retrain_epochs": args.retrain_epochs or args.epochs or experiment.epochs,
        "retrain_images": len(data.train),
        "test_images": len(data.test),
        "summary": summarise(runs),
        "runs": runs,
    }


def table(entry: dict[str, Any]) -> str:
    """Test accuracy % (mean +- std) and mean parameters per method and member."""
    lines = [f"{entry['experiment']}: test accuracy % mean +- std (mean params)"]
    for method, members in entry["summary"].items():
        cells = [
            f"{label} {100 * m['test_accuracy']['mean']:.2f} +- "
            f"{100 * m['test_accuracy']['std']:.2f} ({m['params']['mean']:,.0f})"
            for label, m in members.items()
        ]
        lines.append(f"  {method:<11} " + " | ".join(cells))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--experiment", choices=["1", "2", "3", "all"], default="1")
    parser.add_argument("--seeds", type=int, help="seeds --seed, --seed + 1, ... (default 3)")
    add_common_flags(parser)
    args = parser.parse_args()
    apply_smoke(args)
    args.channels = args.channels or CHANNELS
    args.seeds = args.seeds or (1 if args.smoke else 3)
    run_and_record(args, "nas-baselines", run_experiment, table)


if __name__ == "__main__":
    main()
