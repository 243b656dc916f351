"""Export parity: each packaged format's predictions against the PyTorch model's."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import torch
from torch import nn

from mlcore.export import ExportMismatch

Runner = Callable[[np.ndarray], np.ndarray]  # NCHW float32 batch -> logits
FP32_FORMATS = ("onnx", "torchscript")
MIN_FP32_AGREEMENT = 0.995
TOP1_MARGIN = 1e-4  # PyTorch top-2 gaps below this are ties: either answer agrees


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _compare(reference: np.ndarray, logits: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    top2 = np.sort(reference, axis=1)[:, -2:]
    tie = (top2[:, 1] - top2[:, 0]) < TOP1_MARGIN
    agree = tie | (logits.argmax(1) == reference.argmax(1))
    return {
        "agreement": float(agree.mean()),
        "max_abs_logit_diff": float(np.abs(logits - reference).max()),
        "max_abs_prob_diff": float(np.abs(_softmax(logits) - _softmax(reference)).max()),
        "accuracy": float((logits.argmax(1) == labels).mean()),
    }


def measure_parity(
    model: nn.Module,
    runners: dict[str, Runner],
    batches: Iterable[tuple[torch.Tensor, torch.Tensor]],
) -> dict[str, Any]:
    """Agreement, max differences and accuracy of every runner vs `model` on all `batches`."""
    model = model.cpu().eval()
    reference: list[np.ndarray] = []
    outputs: dict[str, list[np.ndarray]] = {name: [] for name in runners}
    labels: list[np.ndarray] = []
    for images, targets in batches:
        with torch.inference_mode():
            reference.append(model(images).numpy().astype(np.float64))
        for name, run in runners.items():
            outputs[name].append(run(images.numpy()).astype(np.float64))
        labels.append(targets.numpy())
    ref, truth = np.concatenate(reference), np.concatenate(labels)
    pytorch_accuracy = float((ref.argmax(1) == truth).mean())
    formats = {}
    for name, chunks in outputs.items():
        measured = _compare(ref, np.concatenate(chunks), truth)
        formats[name] = {**measured, "accuracy_drop": pytorch_accuracy - measured["accuracy"]}
    return {
        "images": len(truth),
        "reference": "pytorch",
        "pytorch_accuracy": pytorch_accuracy,
        "min_fp32_agreement": MIN_FP32_AGREEMENT,
        "top1_tie_margin": TOP1_MARGIN,
        "formats": formats,
    }


def check_fp32_parity(parity: dict[str, Any]) -> None:
    """Raise ExportMismatch if an fp32 format agrees with PyTorch on < 99.5 % of images."""
    failed = [
        f"{name}: top-1 agreement {m['agreement']:.4f} < {MIN_FP32_AGREEMENT}, "
        f"max abs logit diff {m['max_abs_logit_diff']:.3g} over {parity['images']} images"
        for name, m in parity["formats"].items()
        if name in FP32_FORMATS and m["agreement"] < MIN_FP32_AGREEMENT
    ]
    if failed:
        raise ExportMismatch("; ".join(failed))
