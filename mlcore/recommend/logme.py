"""LogME (You et al., 2021): the log marginal evidence of a Bayesian linear model on a
network's features, a training-free estimate of how well its features fit the labels."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


def logme(features: np.ndarray, labels: np.ndarray, iterations: int = 11) -> float:
    """Mean per-class evidence per sample of `features` (n, d) for integer `labels`."""
    f = features.astype(np.float64)
    n, d = f.shape
    u, s, _ = np.linalg.svd(f, full_matrices=False)
    sigma = s**2
    evidences = []
    for cls in np.unique(labels):
        y = (labels == cls).astype(np.float64)
        x = u.T @ y
        x2 = x**2
        residual_x2 = float(y @ y - x2.sum())
        alpha, beta = 1.0, 1.0
        for _ in range(iterations):
            t = alpha / beta
            gamma = float((sigma / (sigma + t)).sum())
            m2 = float((sigma * x2 / (t + sigma) ** 2).sum())
            res2 = float((x2 / (1 + sigma / t) ** 2).sum()) + residual_x2
            alpha, beta = gamma / (m2 + 1e-5), (n - gamma) / (res2 + 1e-5)
        t = alpha / beta
        m2 = float((sigma * x2 / (t + sigma) ** 2).sum())
        res2 = float((x2 / (1 + sigma / t) ** 2).sum()) + residual_x2
        evidence = (
            d / 2 * np.log(alpha)
            + n / 2 * np.log(beta)
            - 0.5 * np.sum(np.log(alpha + beta * sigma))
            - (d - len(sigma)) / 2 * np.log(alpha)
            - beta / 2 * res2
            - alpha / 2 * m2
            - n / 2 * np.log(2 * np.pi)
        )
        evidences.append(evidence / n)
    return float(np.mean(evidences))


def penultimate(model: nn.Module, images: torch.Tensor) -> np.ndarray:
    """The input of the model's last linear or convolution layer (spatially averaged)."""
    last = [m for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))][-1]
    seen: list[torch.Tensor] = []
    handle = last.register_forward_hook(lambda _m, inputs, _o: seen.append(inputs[0]))
    try:
        with torch.inference_mode():
            model(images)
    finally:
        handle.remove()
    features = seen[-1]
    if features.dim() == 4:
        features = features.mean(dim=(2, 3))
    return features.flatten(1).float().numpy()
