"""What every engine leaves in a job's output folder, under the same names."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from mlcore.contract.results import ARTIFACTS, write_json
from mlcore.contract.verdict import Verdict, classification_verdict, detection_verdict
from mlcore.engines.data_profile import class_counts

VERDICT = "verdict"  # evaluation.json's key of the model's Verdict


def judge(evaluation: dict[str, Any], dataset_dir: Path) -> Verdict:
    """The model against the majority-class baseline (mlcore.contract.verdict), from a
    classification (confusion matrix) or detection (mAP50) evaluation; also recorded in
    `evaluation["verdict"]`. The baseline class is counted in `dataset_dir/train/`."""
    if "confusion_matrix" in evaluation:
        classes = evaluation["classes"]
        counts = class_counts(dataset_dir / "train", classes)
        verdict = classification_verdict(evaluation["confusion_matrix"], classes, counts)
    else:  # ultralytics reports 0 precision and recall when no box was predicted
        found = evaluation["precision"] > 0 or evaluation["recall"] > 0
        verdict = detection_verdict(evaluation["map50"], found)
    evaluation[VERDICT] = verdict.model_dump()
    return verdict


def run_metrics(
    headline: dict[str, float], history: list[dict[str, float]], best_epoch: int, verdict: Verdict
) -> dict[str, float]:
    """A model's metrics: the engine's headline figures, its baseline and whether it is
    clearly better (1.0) or not (0.0), plus how the run went."""
    return {
        **headline,
        f"baseline_{verdict.metric}": verdict.baseline,
        "better_than_baseline": float(verdict.better),
        "epochs_run": float(len(history)),
        "best_epoch": float(best_epoch),
    }


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
