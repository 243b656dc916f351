"""Accuracy of any image classifier over uint8 tensors, in batches."""

from __future__ import annotations

from collections.abc import Callable

import torch

from mlcore.nas.data import ImageTensors, as_input


def accuracy(
    forward: Callable[[torch.Tensor], torch.Tensor],
    data: ImageTensors,
    device: torch.device,
    batch_size: int = 500,
) -> float:
    """Share of `data` whose argmax logit is the label (call under eval mode)."""
    correct = 0
    with torch.no_grad():
        for start in range(0, len(data), batch_size):
            images = as_input(data.images[start : start + batch_size].to(device))
            labels = data.labels[start : start + batch_size].to(device)
            correct += int((forward(images).argmax(dim=1) == labels).sum())
    return correct / max(len(data), 1)
