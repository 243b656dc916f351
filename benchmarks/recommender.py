"""The recommender against its baselines, leave-dataset-family-out.

    python -m benchmarks.recommender [--matrix mlcore/recommend/default/matrix.json.gz]

Every source dataset of the meta-dataset (cifar10, flowers, coco_crops, fashion, shapes) is
held out in turn: the recommenders train on the other sources' tasks only and rank the
portfolio for each held-out task; baselines see the same training tasks. Metrics per
held-out task: weighted Kendall tau over the measured models, top-1 and top-3 regret in
accuracy points against the best measured model; then mean and median over all held-out
tasks. Also: the two losses (InfoNCE, ListMLE), four group towers against one shared tower,
models never seen in training (whole families held out), calibration error of the
predicted accuracy, and the ranking child's wall time for a 1,000-image folder.
Writes benchmarks/results/recommender-cpu-DATE.json and prints a Markdown table.
Run it with nothing else on the machine: the ranking time is a wall time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, get_args

import numpy as np
import torch
from PIL import Image

from benchmarks.bench_env import environment, write_result
from mlcore.recommend import baselines
from mlcore.recommend.bundle import portfolio
from mlcore.recommend.fit import FitSettings, Loss, fit, predict_scores
from mlcore.recommend.metadata import MetaData, load_metadata
from mlcore.recommend.metrics import RankQuality, rank_quality, summarise
from mlcore.recommend.ship import read_matrix
from mlcore.recommend.shipped import DEFAULT_BUNDLE, MATRIX_FILE

RESULTS = Path(__file__).with_name("results")
RANDOM_DRAWS = 20

Ranker = Callable[[MetaData, MetaData], torch.Tensor]  # (train, test) -> (T_test, M) scores


def recommender(settings: FitSettings, errors: list[torch.Tensor] | None = None) -> Ranker:
    """Fit on the training tasks, score the test tasks (and keep the predicted accuracy's
    errors on them in `errors`)."""

    def run(train: MetaData, test: MetaData) -> torch.Tensor:
        model, calibration = fit(train, settings)
        scores = predict_scores(model, test)
        if errors is not None:
            predicted = calibration.predict(scores, test.tasks.chance, test.tasks.statistics)
            errors.append((predicted - test.accuracy)[~torch.isnan(test.accuracy)].abs())
        return scores

    return run


def qualities(test: MetaData, scores: torch.Tensor) -> list[RankQuality]:
    """Rank quality of every test task that measured at least two models."""
    out = []
    for t in range(len(test.tasks.ids)):
        measured = test.accuracy[t].numpy()
        if np.sum(~np.isnan(measured)) >= 2:
            out.append(rank_quality(measured, scores[t].numpy()))
    return out


def source_folds(data: MetaData) -> list[tuple[str, list[int], list[int]]]:
    """(held-out source, training task indices, test task indices)."""
    sources = sorted(set(data.tasks.sources))
    return [
        (
            s,
            [i for i, x in enumerate(data.tasks.sources) if x != s],
            [i for i, x in enumerate(data.tasks.sources) if x == s],
        )
        for s in sources
    ]


def evaluate(data: MetaData, rankers: dict[str, Ranker]) -> dict[str, Any]:
    """Every ranker on every held-out source; summaries overall and per source."""
    per_method: dict[str, list[RankQuality]] = {name: [] for name in rankers}
    per_fold: dict[str, dict[str, Any]] = {}
    for source, train_idx, test_idx in source_folds(data):
        train, test = data.subset(tasks=train_idx), data.subset(tasks=test_idx)
        per_fold[source] = {}
        for name, ranker in rankers.items():
            found = qualities(test, ranker(train, test))
            per_method[name] += found
            per_fold[source][name] = summarise(found)
    return {"overall": {n: summarise(q) for n, q in per_method.items()}, "per_source": per_fold}


def random_ranker(seed: int) -> Ranker:
    generator = torch.Generator().manual_seed(seed)
    return lambda train, test: baselines.random_scores(test, generator)


def unseen_families(data: MetaData, settings: FitSettings) -> dict[str, Any]:
    """Whole model families never seen in training: fold k holds out every k-th measured
    family and the k-th source's tasks; the recommender ranks the whole portfolio of the
    held-out tasks, the unseen families' models included. Against: the best-on-average
    baseline, which can only give an unseen model the average."""
    families = sorted({info["family"] for info in data.models.infos})
    folds = source_folds(data)
    held_out = [families[k :: len(folds)] for k in range(len(folds))]
    found: list[RankQuality] = []
    average: list[RankQuality] = []
    for held, (_, train_idx, test_idx) in zip(held_out, folds, strict=True):
        seen = [i for i, info in enumerate(data.models.infos) if info["family"] not in held]
        train, test = data.subset(tasks=train_idx, models=seen), data.subset(tasks=test_idx)
        model, _ = fit(train, settings)
        found += qualities(test, predict_scores(model, test))
        unseen = torch.tensor([info["family"] in held for info in test.models.infos])
        prior = baselines.best_on_average(data.subset(tasks=train_idx), test)
        average += qualities(test, prior.masked_fill(unseen, 0.0))
    return {
        "held_out_families": held_out,
        "recommender": summarise(found),
        "best_on_average": summarise(average),
    }


def ranking_wall_time(bundle: Path, images: int = 1000, warm_repeats: int = 5) -> dict[str, float]:
    """Wall time of the ranking child as the API runs it (`--serve`, one per API process) on
    a folder of `images` 64 px JPEGs: its start plus the first answer, then warm answers
    (median), each timed from writing the request to reading the answer."""
    with tempfile.TemporaryDirectory() as folder:
        rng = np.random.default_rng(0)
        for i in range(images):
            pixels = rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(Path(folder) / f"{i:04d}.jpg")
        request = json.dumps(
            {"images": folder, "classes": 10, "per_class": images / 10, "side": 64}
        )
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "mlcore.recommend.rank", "--serve", "--bundle", str(bundle)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdin is not None and child.stdout is not None
        times = []
        for _ in range(1 + warm_repeats):
            child.stdin.write(request + "\n")
            child.stdin.flush()
            answer = json.loads(child.stdout.readline())
            assert "ok" in answer, answer
            times.append(time.perf_counter() - start)
            start = time.perf_counter()
        child.stdin.close()
        child.wait()
    return {
        "images": images,
        "cold_start_and_first_answer_s": round(times[0], 3),
        "warm_answer_median_s": round(float(np.median(times[1:])), 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.recommender")
    parser.add_argument("--matrix", type=Path, default=DEFAULT_BUNDLE / MATRIX_FILE)
    parser.add_argument("--bundle", type=Path, default=DEFAULT_BUNDLE)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--epochs", type=int, default=FitSettings().epochs)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    started = time.perf_counter()
    matrix = read_matrix(args.matrix)
    data = load_metadata(matrix, portfolio().families)
    shipped = FitSettings(epochs=args.epochs)
    errors: list[torch.Tensor] = []
    rankers: dict[str, Ranker] = {
        f"recommender_{loss}_4_towers": recommender(
            replace(shipped, loss=loss), errors if loss == shipped.loss else None
        )
        for loss in get_args(Loss)
    }
    rankers |= {
        f"recommender_{shipped.loss}_shared_tower": recommender(
            replace(shipped, separate_groups=False)
        ),
        "best_on_average": lambda train, test: baselines.best_on_average(train, test),
        "largest_model": lambda train, test: baselines.largest(test),
        "nearest_tasks_zap": baselines.nearest_tasks,
        "logme_at_init": lambda train, test: baselines.logme_scores(test),
    }
    for draw in range(RANDOM_DRAWS):
        rankers[f"random_{draw}"] = random_ranker(draw)
    result = evaluate(data, rankers)
    randoms = [result["overall"].pop(f"random_{d}") for d in range(RANDOM_DRAWS)]
    result["overall"]["random"] = {
        k: round(float(np.mean([r[k] for r in randoms])), 4) for k in randoms[0]
    }
    for fold in result["per_source"].values():
        for d in range(RANDOM_DRAWS):
            fold.pop(f"random_{d}")
    document = {
        "benchmark": "recommender",
        **environment(),
        "matrix": {
            "name": matrix["name"],
            "tasks": len(data.tasks.ids),
            "models": len(data.models.names),
            "cells": len(matrix["cells"]),
            "protocol": matrix["protocol"],
            "at_chance_share": round(at_chance(data), 3),
        },
        "shipped_settings": vars(shipped),
        **result,
        "unseen_model_families": unseen_families(data, shipped),
        "predicted_accuracy_error_points": {
            "mean": round(float(torch.cat(errors).mean()) * 100, 2),
            "median": round(float(torch.cat(errors).median()) * 100, 2),
        },
        "ranking_wall_time": ranking_wall_time(args.bundle),
        "seconds": round(time.perf_counter() - started, 1),
    }
    out = write_result(args.out or RESULTS, "recommender", document)
    print(markdown(document["overall"]))
    print(f"wrote {out}")
    return 0


def at_chance(data: MetaData) -> float:
    """Share of measured cells whose accuracy is at most chance."""
    mask = ~torch.isnan(data.accuracy)
    chance = data.tasks.chance[:, None].expand_as(data.accuracy)
    return float(((data.accuracy <= chance + 1e-9) & mask).sum() / mask.sum())


def markdown(overall: dict[str, dict[str, float]]) -> str:
    """The overall table."""
    lines = [
        "| method | weighted τ mean / median | top-1 regret mean / median (pts) "
        "| top-3 regret mean / median (pts) |",
        "|---|---|---|---|",
    ]
    for name, s in overall.items():
        lines.append(
            f"| {name} | {s['weighted_tau_mean']:.3f} / {s['weighted_tau_median']:.3f} | "
            f"{s['top1_regret_mean']:.1f} / {s['top1_regret_median']:.1f} | "
            f"{s['top3_regret_mean']:.1f} / {s['top3_regret_median']:.1f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
