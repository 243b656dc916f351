"""Benchmark: does a search job's retrained member learn at the documented default budget?

For each shared dataset (flowers12_fewshot, cifar10_small) and seed, this runs what a
hyper_darts search job with default settings runs (`resolve_search`: the default epochs
for the data's size, 32 px), the default space (shared cells), the strategy's search split,
the family and its chosen member; then retrains the chosen member with each recipe and
scores it on the dataset's val split, beside chance and the member's proxy accuracy.

Recipes: `plain` (Adam 3e-3, cosine, no augmentation: the recipe before this benchmark)
and `augment` (the same with every batch flipped and shifted, `flip_and_shift`).

    .venv/bin/python benchmarks/nas_job_budget.py [--data flowers cifar] [--seeds 0 1 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_env import environment, shared_zip, write_result
from benchmarks.nas_common import RESULTS
from mlcore.contract.profile import DataProfile
from mlcore.contract.search import SEARCH_IMAGE_SIZE, SearchParams, resolve_search
from mlcore.nas.data import load_image_folder, strategy_split
from mlcore.nas.engine import job_space
from mlcore.nas.evaluators.retrain import retrain
from mlcore.nas.selection import search
from mlcore.nas.space.latency import measure_latency_table
from mlcore.nas.strategies.base import SearchContext

DATASETS = {"flowers": "flowers12_fewshot.zip", "cifar": "cifar10_small.zip"}
RECIPES = {"plain": False, "augment": True}  # recipe: flip_and_shift on


def run_once(name: str, seed: int, args: argparse.Namespace) -> dict[str, Any]:
    """One default search job on `name` with `seed`, its chosen member retrained per recipe."""
    source = shared_zip(DATASETS[name])
    train = load_image_folder(source, "train", SEARCH_IMAGE_SIZE)
    val = load_image_folder(source, "val", SEARCH_IMAGE_SIZE)
    params = SearchParams(
        search_epochs=args.search_epochs, retrain_epochs=args.retrain_epochs, seed=seed
    )
    # the images are read at 32 px, so that is their median side
    profile = DataProfile("classify", len(train), len(train.classes), 1.0, SEARCH_IMAGE_SIZE)
    config = resolve_search(params, profile)  # the blanks filled as a job fills them
    space = job_space(config, list(train.classes))
    device = torch.device("cpu")
    table = measure_latency_table(space, config.image_size, device, repeats=5, warmup=1)
    split = strategy_split(train, config.strategy, seed)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as resume:
        context = SearchContext(config, space, split, table, device, Path(resume), lambda *_: None)
        outcome = search(context)
    search_seconds = time.perf_counter() - began
    chosen = outcome.chosen
    entry: dict[str, Any] = {
        "dataset": name,
        "seed": seed,
        "classes": len(train.classes),
        "chance": 1 / len(train.classes),
        "train_images": len(train),
        "val_images": len(val),
        "search_split": {"weights": len(split.train), "choices": len(split.val)},
        "search_epochs": config.search_epochs,
        "retrain_epochs": config.retrain_epochs,
        "space": space.to_dict(),
        "family_size": len(outcome.members),
        "chosen": {
            "counts": chosen.genotype.counts(),
            "params": chosen.params,
            "proxy_accuracy": chosen.proxy_accuracy,
            "genotype": chosen.genotype.to_dict(),
        },
        "search_seconds": search_seconds,
        "recipes": {},
    }
    for recipe in args.recipes:
        began = time.perf_counter()
        trained = retrain(
            space,
            chosen.genotype,
            train,
            val,
            config.retrain_epochs,
            seed,
            batch_size=config.batch_size,
            augment=RECIPES[recipe],
        )
        entry["recipes"][recipe] = {
            "val_accuracy": trained.accuracy,
            "losses": [round(loss, 4) for loss in trained.losses],
            "seconds": time.perf_counter() - began,
        }
        print(
            f"{name} seed {seed} {recipe}: val {trained.accuracy:.3f} (chance "
            f"{entry['chance']:.3f}, proxy {chosen.proxy_accuracy:.3f}, {chosen.params:,} "
            f"params)",
            flush=True,
        )
    return entry


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean and standard deviation of val accuracy per dataset and recipe over seeds."""
    out: dict[str, Any] = {}
    for name in {run["dataset"] for run in runs}:
        mine = [run for run in runs if run["dataset"] == name]
        out[name] = {"chance": mine[0]["chance"], "seeds": len(mine)}
        for recipe in mine[0]["recipes"]:
            values = [run["recipes"][recipe]["val_accuracy"] for run in mine]
            spread = statistics.stdev(values) if len(values) > 1 else 0.0
            out[name][recipe] = {"mean": statistics.fmean(values), "std": spread}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", nargs="+", choices=list(DATASETS), default=list(DATASETS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--recipes", nargs="+", choices=list(RECIPES), default=list(RECIPES))
    parser.add_argument("--search-epochs", type=int, help="default: the job's, by data size")
    parser.add_argument("--retrain-epochs", type=int, help="default: the job's, by data size")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    run = environment()
    runs = [run_once(name, seed, args) for name in args.data for seed in args.seeds]
    result = {**run, "runs": runs, "summary": summary(runs)}
    print(write_result(args.out, f"nas-job-budget-{'-'.join(args.data)}", result))


if __name__ == "__main__":
    main()
