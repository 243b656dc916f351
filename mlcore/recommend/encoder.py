"""The CLIP-like dual encoder: a dataset tower and a model tower meeting in one space.

Dataset tower: every sampled image through a small CNN plus a few image statistics
(brightness, contrast, colourfulness, edge energy), pooled over the sample by attention,
joined with the dataset's statistics (classes, shots, side, colour), projected.
Model tower: one encoder per metadata group (`features.GROUPS`), each with its own weights
(or one shared encoder over the joined groups, the ablation), mixed by a learned group
weighting. The score of (dataset, model) is the dot product of the two embeddings plus the
model's prior (one more coordinate of its embedding), so with separate group encoders a
score is exactly the sum of the four groups' shares.
"""

from __future__ import annotations

import torch
from torch import nn

from mlcore.recommend.features import DATASET_STATISTICS, GROUPS, IMAGE_SIDE

IMAGE_STATISTICS = 5


def image_statistics(images: torch.Tensor) -> torch.Tensor:
    """(N, 5) per image: mean, contrast, colourfulness, horizontal and vertical edge energy
    of images in [-1, 1]."""
    grey = images.mean(dim=1)
    colour = (images - images.mean(dim=1, keepdim=True)).abs().mean(dim=(1, 2, 3))
    dx = (grey[:, :, 1:] - grey[:, :, :-1]).abs().mean(dim=(1, 2))
    dy = (grey[:, 1:, :] - grey[:, :-1, :]).abs().mean(dim=(1, 2))
    return torch.stack(
        [grey.mean(dim=(1, 2)), grey.flatten(1).std(dim=1), colour * 4, dx * 4, dy * 4], dim=1
    )


class DatasetTower(nn.Module):
    """Images (1, N, 3, 32, 32) in [-1, 1] and statistics (1, 4) -> embedding (1, dim)."""

    def __init__(self, dim: int, hidden: int = 32) -> None:
        super().__init__()
        self.cnn = nn.Sequential(
            nn.Conv2d(3, 16, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(32, hidden, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
        )
        width = hidden + IMAGE_STATISTICS
        self.attend = nn.Linear(width, 1)
        self.head = nn.Sequential(
            nn.Linear(width + len(DATASET_STATISTICS), 64),
            nn.ReLU(),
            nn.Dropout(0.1),
            nn.Linear(64, dim),
        )

    def forward(self, images: torch.Tensor, statistics: torch.Tensor) -> torch.Tensor:
        batch, count = images.shape[:2]
        flat = images.reshape(batch * count, 3, IMAGE_SIDE, IMAGE_SIDE)
        per_image = torch.cat([self.cnn(flat), image_statistics(flat)], dim=1)
        per_image = per_image.reshape(batch, count, -1)
        weights = torch.softmax(self.attend(per_image), dim=1)
        pooled = (weights * per_image).sum(dim=1)
        return self.head(torch.cat([pooled, statistics], dim=1))


def mlp(inputs: int, dim: int) -> nn.Module:
    """A two-layer encoder of one group."""
    return nn.Sequential(nn.Linear(inputs, 32), nn.ReLU(), nn.Linear(32, dim))


class ModelTower(nn.Module):
    """The four groups -> embedding (M, dim + 1): the last coordinate is the model's prior
    (it meets the dataset embedding's constant 1); `separate`: one encoder per group with a
    learned weighting, else one shared encoder over the joined groups."""

    def __init__(self, sizes: dict[str, int], dim: int, separate: bool = True) -> None:
        super().__init__()
        self.separate = separate
        if separate:
            self.groups = nn.ModuleDict({g: mlp(sizes[g], dim + 1) for g in GROUPS})
            self.group_logits = nn.Parameter(torch.zeros(len(GROUPS)))
        else:
            self.shared = mlp(sum(sizes.values()), dim + 1)

    def group_weights(self) -> torch.Tensor:
        """The learned weighting of the four groups (sums to 1)."""
        return torch.softmax(self.group_logits, dim=0)

    def parts(self, groups: dict[str, torch.Tensor]) -> torch.Tensor:
        """(M, 4, dim + 1): each group's weighted contribution (separate towers only)."""
        weights = self.group_weights() * len(GROUPS)
        return torch.stack(
            [weights[i] * self.groups[g](groups[g]) for i, g in enumerate(GROUPS)], dim=1
        )

    def forward(self, groups: dict[str, torch.Tensor]) -> torch.Tensor:
        if self.separate:
            return self.parts(groups).sum(dim=1)
        return self.shared(torch.cat([groups[g] for g in GROUPS], dim=1))


def with_one(embedding: torch.Tensor) -> torch.Tensor:
    """A dataset embedding with the constant coordinate that meets each model's prior."""
    return torch.cat([embedding, torch.ones_like(embedding[:, :1])], dim=1)


class DualEncoder(nn.Module):
    """score(dataset, model) = <[dataset embedding, 1], model embedding>: the dot product
    plus the model's prior."""

    def __init__(self, sizes: dict[str, int], dim: int = 16, separate: bool = True) -> None:
        super().__init__()
        self.datasets = DatasetTower(dim)
        self.models = ModelTower(sizes, dim, separate)

    def scores(
        self, images: torch.Tensor, statistics: torch.Tensor, groups: dict[str, torch.Tensor]
    ) -> torch.Tensor:
        """(datasets, models) scores."""
        return with_one(self.datasets(images, statistics)) @ self.models(groups).T
