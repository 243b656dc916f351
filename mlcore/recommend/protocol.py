"""The one training protocol every cell of the meta-dataset follows, so its scores compare.

Every portfolio model trains **from scratch** (no publisher weights can be fetched where the
shipped matrix is built) on a task's training images at the task's resolution (raised to the
model's smallest input), for a fixed number of optimiser steps; its batch-norm statistics are
then re-estimated on the training images (after so few steps the running averages still
mostly hold their initial values, which scores nearly every network at chance), and it is
scored on the task's test images. The protocol's name and version go into the matrix: a
recommendation says which protocol it predicts.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from mlcore.models.registry import get_architecture
from mlcore.recommend.logme import logme, penultimate


@dataclass(frozen=True)
class Protocol:
    """How a cell trains: AdamW with a linear warm-up then cosine decay, label smoothing,
    random flips and shifts, the same for every model."""

    name: str = "scratch-steps"
    version: int = 1
    steps: int = 8
    batch: int = 16
    learning_rate: float = 3e-3
    weight_decay: float = 0.05
    warmup_steps: int = 1
    label_smoothing: float = 0.1
    latency_repeats: int = 3
    logme_images: int = 48  # training images the LogME score reads
    recalibration_images: int = 128  # training images batch-norm statistics are averaged over

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, stored with the matrix."""
        return asdict(self)


@dataclass(frozen=True)
class CellScore:
    """One model trained on one task under the protocol."""

    accuracy: float  # top-1 on the task's test images, in [0, 1]
    train_seconds: float
    latency_ms: float  # median eval forward of one image at the cell's input size
    image_size: int
    seed: int
    logme_at_init: float  # LogME of the untrained network's features (a training-free score)


def logits_of(output: Any) -> torch.Tensor:
    """Class scores from a network's output (ultralytics' classifiers return a tuple in eval
    mode: probabilities and logits, either ranks the classes)."""
    return output[0] if isinstance(output, (tuple, list)) else output


def augment(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Random horizontal flips and shifts of up to 1/8 of the side (reflect-padded)."""
    n, _, h, w = images.shape
    flip = torch.rand(n, generator=generator) < 0.5
    images = torch.where(flip[:, None, None, None], images.flip(-1), images)
    pad = max(1, h // 8)
    padded = F.pad(images, (pad, pad, pad, pad), mode="reflect")
    dx, dy = (int(v) for v in torch.randint(0, 2 * pad + 1, (2,), generator=generator))
    return padded[:, :, dy : dy + h, dx : dx + w]


def resize(images: torch.Tensor, size: int) -> torch.Tensor:
    """float images (N, 3, H, W) at size x size."""
    if images.shape[-1] == size and images.shape[-2] == size:
        return images
    return F.interpolate(images, size=(size, size), mode="bilinear", align_corners=False)


def learning_rate(protocol: Protocol, step: int) -> float:
    """Warm-up then cosine to zero."""
    if step < protocol.warmup_steps:
        return protocol.learning_rate * (step + 1) / protocol.warmup_steps
    done = (step - protocol.warmup_steps) / max(1, protocol.steps - protocol.warmup_steps)
    return protocol.learning_rate * 0.5 * (1 + math.cos(math.pi * done))


def recalibrate_batch_norm(model: nn.Module, images: torch.Tensor, size: int) -> None:
    """Re-estimate every batch-norm layer's statistics as the plain average over `images`."""
    layers = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not layers:
        return
    for layer in layers:
        layer.reset_running_stats()
        layer.momentum = None  # a cumulative average
    model.train()
    with torch.no_grad():
        for first in range(0, len(images), 64):
            model(resize(images[first : first + 64], size))


def median_latency_ms(model: nn.Module, size: int, repeats: int) -> float:
    """Median wall time of one eval forward pass of one image."""
    sample = torch.zeros(1, 3, size, size)
    times = []
    with torch.inference_mode():
        model(sample)
        for _ in range(repeats):
            start = time.perf_counter()
            model(sample)
            times.append((time.perf_counter() - start) * 1000)
    return sorted(times)[len(times) // 2]


def train_cell(
    model_name: str,
    train: tuple[torch.Tensor, torch.Tensor],
    test: tuple[torch.Tensor, torch.Tensor],
    classes: int,
    image_size: int,
    protocol: Protocol,
    seed: int,
) -> CellScore:
    """Train `model_name` from scratch on `train` (float images in [-1, 1], labels) and
    score it on `test`, under `protocol`."""
    arch = get_architecture(model_name)
    size = max(image_size, arch.min_image_size)
    if arch.family.recipe is not None and arch.family.recipe.smallest_image_share >= 1:
        size = arch.default_image_size
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = arch.build(classes)
    images, labels = train
    model.eval()
    head = slice(0, protocol.logme_images)
    transfer = logme(penultimate(model, resize(images[head], size)), labels[head].numpy())
    optimiser = torch.optim.AdamW(
        model.parameters(), lr=protocol.learning_rate, weight_decay=protocol.weight_decay
    )
    start = time.perf_counter()
    model.train()
    for step in range(protocol.steps):
        for group in optimiser.param_groups:
            group["lr"] = learning_rate(protocol, step)
        pick = torch.randint(
            0, len(labels), (min(protocol.batch, len(labels)),), generator=generator
        )
        batch = resize(augment(images[pick], generator), size)
        loss = F.cross_entropy(
            logits_of(model(batch)), labels[pick], label_smoothing=protocol.label_smoothing
        )
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
    recalibrate_batch_norm(model, images[: protocol.recalibration_images], size)
    seconds = time.perf_counter() - start
    model.eval()
    test_images, test_labels = test
    correct = 0
    with torch.inference_mode():
        for first in range(0, len(test_labels), 128):
            chunk = resize(test_images[first : first + 128], size)
            correct += int(
                (logits_of(model(chunk)).argmax(1) == test_labels[first : first + 128]).sum()
            )
    return CellScore(
        accuracy=correct / len(test_labels),
        train_seconds=round(seconds, 3),
        latency_ms=round(median_latency_ms(model, size, protocol.latency_repeats), 3),
        image_size=size,
        seed=seed,
        logme_at_init=round(transfer, 5),
    )
