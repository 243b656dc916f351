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
from scipy.stats import ttest_ind

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.nas_common import (
    CHANNELS,
    ExperimentData,
    add_common_flags,
    apply_smoke,
    control_monotonicity,
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
    """Each row's ops on randomly permuted edges of that row: the same ops in every cell, so
    the same parameter count (a reduction-row op is built in every later cell)."""
    rows = tuple(
        tuple(row[i] for i in torch.randperm(len(row), generator=generator).tolist())
        for row in genotype.choices
    )
    return Genotype(genotype.ops, rows)


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
    space = experiment.space(args.channels, args.preprocess, args.cell_sharing)
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
        "control_monotonicity": control_monotonicity(searches["hyper_darts"], seed=seed),
        "search_seconds": timings,
        "search_history": {name: history(result) for name, result in searches.items()},
        "methods": methods,
    }


def spread(values: list[float]) -> dict[str, float]:
    """Mean and sample standard deviation (0 for one value)."""
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return {"mean": statistics.mean(values), "std": std}


def welch_p(a: list[float], b: list[float]) -> float | None:
    """Two-sided Welch's t-test p-value of a against b (None below 2 values each or when
    both are constant)."""
    if min(len(a), len(b)) < 2 or statistics.pvariance(a) + statistics.pvariance(b) == 0:
        return None
    return float(ttest_ind(a, b, equal_var=False).pvalue)


def summarise(runs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """{method: {member: test accuracy and parameters as mean +- std over seeds, and for
    every other method the Welch p-value of hyper_darts' accuracy against it}}; plus the
    control monotonicity's mean over seeds."""
    summary: dict[str, dict[str, Any]] = {}

    def accuracies(method: str, label: str) -> list[float]:
        return [run["methods"][method][label]["test_accuracy"] for run in runs]

    for method, members in runs[0]["methods"].items():
        summary[method] = {
            label: {
                **{
                    key: spread([run["methods"][method][label][key] for run in runs])
                    for key in ("test_accuracy", "params")
                },
                **(
                    {}
                    if method == "hyper_darts"
                    else {
                        "p_hyper_darts": welch_p(
                            accuracies("hyper_darts", label), accuracies(method, label)
                        )
                    }
                ),
            }
            for label in members
        }
    rose = [run["control_monotonicity"]["count_rose"] for run in runs]
    summary["control_monotonicity"] = {"count_rose": spread(rose)}
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
        "space": experiment.space(args.channels, args.preprocess, args.cell_sharing).to_dict(),
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
        if method == "control_monotonicity":
            rose = members["count_rose"]
            lines.append(
                f"  raising s_m by 0.1 raised op m's count in {100 * rose['mean']:.1f} +- "
                f"{100 * rose['std']:.1f} % of cases"
            )
            continue
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
