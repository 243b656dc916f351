"""What every engine leaves in a job's output folder, under the same names."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from mlcore.contract.results import ARTIFACTS, write_json


def run_metrics(
    headline: dict[str, float], history: list[dict[str, float]], best_epoch: int
) -> dict[str, float]:
    """A model's metrics: the engine's headline figures plus how the run went."""
    return {**headline, "epochs_run": float(len(history)), "best_epoch": float(best_epoch)}


def write_outputs(
    output: Path,
    evaluation: dict[str, Any],
    metrics: dict[str, float],
    history: list[dict[str, float]],
    weights: Path,
) -> None:
    """evaluation.json, metrics.json (with the epoch history) and model.pt."""
    write_json(output / ARTIFACTS["evaluation"], evaluation)
    write_json(output / ARTIFACTS["metrics"], {"metrics": metrics, "history": history})
    shutil.copyfile(weights, output / ARTIFACTS["weights"])
