"""What every engine leaves in a job's output folder, under the same names."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

from mlcore.spec import JobResult

FILES = {
    "package": "package.zip",
    "evaluation": "evaluation.json",
    "metrics": "metrics.json",
    "weights": "model.pt",
    "parity": "parity.json",  # the package's export parity, also served by the API
}


def write_json(path: Path, data: Any) -> None:
    """Indented JSON with a final newline."""
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


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
    write_json(output / FILES["evaluation"], evaluation)
    write_json(output / FILES["metrics"], {"metrics": metrics, "history": history})
    shutil.copyfile(weights, output / FILES["weights"])


def job_result(
    metrics: dict[str, float], figures: dict[str, str], info: dict[str, Any]
) -> JobResult:
    """The result naming the standard files and the engine's figures."""
    return JobResult(metrics=metrics, files={**FILES, **figures}, info=info)


def zip_flat(staging: Path, zip_path: Path) -> Path:
    """Zip the files of `staging` (no folders) into `zip_path`, in name order."""
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(staging.iterdir()):
            archive.write(file, arcname=file.name)
    return zip_path
