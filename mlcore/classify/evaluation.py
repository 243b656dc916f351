"""Classification metrics on the validation split, written to evaluation.json."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader

from mlcore.classify.data import ImageFolderSplit

TOP_ERRORS = 12
CONFUSED_PAIRS = 20


@torch.inference_mode()
def collect_logits(
    model: nn.Module, loader: Iterable[tuple[torch.Tensor, torch.Tensor]], device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """Logits and true labels of every item, in loader order, with the model in eval mode."""
    model.to(device).eval()
    logits, labels = [], []
    for images, targets in loader:
        logits.append(model(images.to(device)).float().cpu())
        labels.append(targets.cpu())
    return torch.cat(logits), torch.cat(labels)


def classification_metrics(
    labels: np.ndarray, predicted: np.ndarray, classes: list[str]
) -> dict[str, Any]:
    """Accuracy, macro F1, per-class precision/recall/F1/support and the confusion matrix."""
    n = len(classes)
    confusion = np.zeros((n, n), dtype=np.int64)
    np.add.at(confusion, (labels, predicted), 1)
    hits = np.diag(confusion).astype(np.float64)
    support = confusion.sum(axis=1)
    precision = np.divide(hits, confusion.sum(axis=0), out=np.zeros(n), where=confusion.sum(0) > 0)
    recall = np.divide(hits, support, out=np.zeros(n), where=support > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros(n), where=denom > 0)
    return {
        "accuracy": float(hits.sum() / max(len(labels), 1)),
        "macro_f1": float(f1.mean()),
        "per_class": {
            name: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, name in enumerate(classes)
        },
        "confusion_matrix": confusion.tolist(),
    }


def top_errors(predictions: list[dict[str, Any]], k: int) -> list[dict[str, Any]]:
    """Copies of the k most confident wrong predictions, most confident first (stable)."""
    wrong = [p for p in predictions if p["predicted"] != p["label"]]
    return [dict(p) for p in sorted(wrong, key=lambda p: -p["confidence"])[:k]]


def confused_pairs(
    confusion: list[list[int]], classes: list[str], limit: int
) -> list[dict[str, Any]]:
    """Off-diagonal (true, predicted) pairs with their counts, most frequent first."""
    pairs: list[dict[str, Any]] = [
        {"true": classes[t], "predicted": classes[p], "count": count}
        for t, row in enumerate(confusion)
        for p, count in enumerate(row)
        if t != p and count > 0
    ]
    return sorted(pairs, key=lambda pair: -pair["count"])[:limit]


def evaluate(
    model: nn.Module,
    dataset: ImageFolderSplit,
    classes: list[str],
    batch_size: int,
    device: torch.device,
) -> dict[str, Any]:
    """Full evaluation: metrics, val_loss, one prediction per image, most-confused pairs
    (the report adds the top errors with thumbnails: mlcore.classify.report)."""
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=False)
    logits, labels = collect_logits(model, loader, device)
    probs = logits.softmax(dim=1)
    confidence, predicted = probs.max(dim=1)
    report = classification_metrics(labels.numpy(), predicted.numpy(), classes)
    report["val_loss"] = float(F.cross_entropy(logits, labels))
    report["classes"] = classes
    report["predictions"] = [
        {
            "file": file,
            "label": classes[int(label)],
            "predicted": classes[int(pred)],
            "confidence": float(conf),
        }
        for (file, label), pred, conf in zip(dataset.samples, predicted, confidence, strict=True)
    ]
    report["confused_pairs"] = confused_pairs(report["confusion_matrix"], classes, CONFUSED_PAIRS)
    return report
