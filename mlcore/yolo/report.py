"""A detection model's figures: training curves and per-class precision-recall curves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlcore.contract.verdict import Verdict
from mlcore.package.plots import pr_curve_png, training_curves_png

DETECTION_FIGURES = {"pr_curve": "pr_curve.png", "training_curves": "training_curves.png"}


def write_detection_report(
    evaluation: dict[str, Any], history: list[dict[str, float]], out_dir: Path, verdict: Verdict
) -> dict[str, str]:
    """Write the figures into `out_dir` (the training curves with the verdict's warning);
    return artifact name -> file name."""
    curves = {
        name: (curve["recall"], curve["precision"])
        for name, curve in evaluation["pr_curves"].items()
    }
    pr_curve_png(curves, out_dir / DETECTION_FIGURES["pr_curve"])
    training_curves_png(history, out_dir / DETECTION_FIGURES["training_curves"], verdict)
    return dict(DETECTION_FIGURES)
