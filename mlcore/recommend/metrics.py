"""How well a ranking of the portfolio matches the measured one, per task."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import weightedtau


@dataclass(frozen=True)
class RankQuality:
    """One task: weighted Kendall tau (hyperbolic weights, the top matters most) and the
    accuracy points lost by taking the top-1 / best of the top-3 instead of the best."""

    weighted_tau: float
    top1_regret: float
    top3_regret: float


def rank_quality(measured: np.ndarray, predicted: np.ndarray) -> RankQuality:
    """Compare `predicted` scores with `measured` accuracies (NaN: not measured, skipped)."""
    keep = ~np.isnan(measured)
    measured, predicted = measured[keep], predicted[keep]
    best = float(measured.max())
    order = np.argsort(-predicted, kind="stable")
    tau = float(weightedtau(measured, predicted).statistic)
    return RankQuality(
        weighted_tau=0.0 if math.isnan(tau) else tau,  # a constant column: no information
        top1_regret=100 * (best - float(measured[order[0]])),
        top3_regret=100 * (best - float(measured[order[:3]].max())),
    )


def summarise(qualities: list[RankQuality]) -> dict[str, float]:
    """Mean and median of each metric over tasks."""
    out: dict[str, float] = {}
    for field in ("weighted_tau", "top1_regret", "top3_regret"):
        values = np.array([getattr(q, field) for q in qualities])
        out[f"{field}_mean"] = round(float(values.mean()), 4)
        out[f"{field}_median"] = round(float(np.median(values)), 4)
    out["tasks"] = len(qualities)
    return out
