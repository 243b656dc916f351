"""The plain PyTorch reference of issue 14: what a few lines of PyTorch reach on CIFAR-sized
images, to hold Konstruktor's defaults against in the same run.

torchvision ResNet-18 with a 3x3 stride-1 stem and no max-pool, SGD (Nesterov, momentum 0.9,
weight decay 5e-4), OneCycle to lr 0.2 with 25 % warm-up, batch 512, 4-px reflect-pad random
crop + flip done on the device, bf16 autocast + channels_last on CUDA, the data held on the
device as uint8.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
import torchvision
from PIL import Image
from torch import nn
from torch.nn import functional as F

BATCH = 512
PEAK_LR = 0.2
WARMUP_SHARE = 0.25
PAD = 4
MEAN = torch.tensor([0.4914, 0.4822, 0.4465]).view(1, 3, 1, 1) * 255
STD = torch.tensor([0.2470, 0.2435, 0.2616]).view(1, 3, 1, 1) * 255


def load_split(
    dataset: Path, split: str, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """A split of an ImageFolder job layout as (uint8 NCHW, labels) on `device`."""
    classes = json.loads((dataset / "manifest.json").read_text(encoding="utf-8"))["classes"]
    images, labels = [], []
    for index, name in enumerate(classes):
        for file in sorted((dataset / split / name).iterdir()):
            with Image.open(file) as image:
                images.append(np.asarray(image.convert("RGB")))
            labels.append(index)
    pixels = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).contiguous()
    return pixels.to(device), torch.tensor(labels, device=device)


def resnet18_small_stem(classes: int) -> nn.Module:
    """ResNet-18 for 32 px images: a 3x3 stride-1 stem and no max-pool."""
    model = torchvision.models.resnet18(num_classes=classes)
    model.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
    model.maxpool = nn.Identity()
    return model


def normalise(images: torch.Tensor) -> torch.Tensor:
    return (images.float() - MEAN.to(images.device)) / STD.to(images.device)


def crop_flip(images: torch.Tensor) -> torch.Tensor:
    """Random 4-px reflect-pad crops and horizontal flips of a uint8 batch, on its device."""
    n, _, h, w = images.shape
    padded = F.pad(images.float(), (PAD,) * 4, mode="reflect")
    dy = torch.randint(0, 2 * PAD + 1, (n, 1, 1), device=images.device)
    dx = torch.randint(0, 2 * PAD + 1, (n, 1, 1), device=images.device)
    rows = (dy + torch.arange(h, device=images.device).view(1, h, 1)).expand(n, h, w)
    cols = (dx + torch.arange(w, device=images.device).view(1, 1, w)).expand(n, h, w)
    batch = torch.arange(n, device=images.device).view(n, 1, 1).expand(n, h, w)
    out = padded[batch, :, rows, cols].permute(0, 3, 1, 2)
    flip = torch.rand(n, device=images.device) < 0.5
    return torch.where(flip.view(n, 1, 1, 1), out.flip(3), out)


def images_per_second(classes: int, size: int, device: torch.device, steps: int = 3) -> float:
    """The loop's training speed on random data (after one untimed step)."""
    model, optimizer = _model_and_optimizer(classes, device)
    images = torch.randint(0, 256, (BATCH, 3, size, size), dtype=torch.uint8, device=device)
    labels = torch.randint(0, classes, (BATCH,), device=device)
    for step in range(steps + 1):
        if step == 1:
            _sync(device)
            start = time.perf_counter()
        _step(model, optimizer, images, labels, device)
    _sync(device)
    return steps * BATCH / (time.perf_counter() - start)


def train(
    dataset: Path,
    epochs: int,
    device: torch.device,
    on_epoch: Callable[[int, float], None],
    seed: int = 0,
) -> None:
    """Train `epochs` epochs; `on_epoch(epoch, val_accuracy)` after each."""
    torch.manual_seed(seed)
    train_x, train_y = load_split(dataset, "train", device)
    val_x, val_y = load_split(dataset, "val", device)
    classes = int(train_y.max()) + 1
    model, optimizer = _model_and_optimizer(classes, device)
    steps = len(train_y) // BATCH
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, PEAK_LR, total_steps=epochs * steps, pct_start=WARMUP_SHARE
    )
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.randperm(len(train_y), device=device)
        for b in range(steps):
            index = order[b * BATCH : (b + 1) * BATCH]
            _step(model, optimizer, train_x[index], train_y[index], device)
            scheduler.step()
        on_epoch(epoch, _accuracy(model, val_x, val_y, device))


def _model_and_optimizer(
    classes: int, device: torch.device
) -> tuple[nn.Module, torch.optim.Optimizer]:
    cuda = device.type == "cuda"
    model = resnet18_small_stem(classes).to(device)
    if cuda:
        model = model.to(memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(
        model.parameters(), lr=PEAK_LR, momentum=0.9, nesterov=True, weight_decay=5e-4
    )
    return model, optimizer


def _inputs(images: torch.Tensor, device: torch.device) -> torch.Tensor:
    batch = normalise(images)
    return batch.contiguous(memory_format=torch.channels_last) if device.type == "cuda" else batch


def _step(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    images: torch.Tensor,
    labels: torch.Tensor,
    device: torch.device,
) -> None:
    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
        loss = F.cross_entropy(model(_inputs(crop_flip(images), device)), labels)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()


@torch.inference_mode()
def _accuracy(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor, device: torch.device
) -> float:
    model.eval()
    hits = 0
    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
        for start in range(0, len(labels), BATCH):
            logits = model(_inputs(images[start : start + BATCH], device))
            hits += int((logits.argmax(1) == labels[start : start + BATCH]).sum())
    return hits / len(labels)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()
