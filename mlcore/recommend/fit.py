"""Training the dual encoder on the meta-dataset with one of three losses: contrastive
(InfoNCE in both directions, positives weighted by measured score), listwise ranking
(ListMLE) or pointwise (squared error against each task's standardised scores); then a
calibration from score to predicted accuracy. The settings' defaults are the shipped
recommender's (dim and epochs chosen on the first 50 tasks of meta-v1, the loss by the
benchmark: docs/recommender.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch

from mlcore.recommend.encoder import DualEncoder
from mlcore.recommend.features import DATASET_STATISTICS, SAMPLE, group_sizes
from mlcore.recommend.metadata import MetaData

Loss = Literal["infonce", "listmle", "regression"]


@dataclass(frozen=True)
class FitSettings:
    """How the recommender trains (defaults: the shipped recommender)."""

    loss: Loss = "listmle"
    separate_groups: bool = True
    dim: int = 8
    epochs: int = 100
    images_per_step: int = 8  # images of each task a training step reads (ranking reads SAMPLE)
    learning_rate: float = 3e-3
    weight_decay: float = 1e-3
    target_temperature: float = 0.5  # softness of InfoNCE's score-weighted positives
    seed: int = 0


def standardised(accuracy: torch.Tensor) -> torch.Tensor:
    """Each task's accuracies as z-scores over its measured models (NaN stays NaN)."""
    mask = ~torch.isnan(accuracy)
    filled = torch.where(mask, accuracy, torch.zeros_like(accuracy))
    count = mask.sum(dim=1, keepdim=True).clamp(min=1)
    mean = filled.sum(dim=1, keepdim=True) / count
    var = (torch.where(mask, accuracy - mean, torch.zeros_like(accuracy)) ** 2).sum(
        dim=1, keepdim=True
    ) / count
    return (accuracy - mean) / (var.sqrt() + 0.02)


def masked_log_softmax(scores: torch.Tensor, mask: torch.Tensor, dim: int) -> torch.Tensor:
    """log softmax over the entries `mask` keeps."""
    return torch.log_softmax(scores.masked_fill(~mask, -1e9), dim=dim)


def infonce(scores: torch.Tensor, accuracy: torch.Tensor, temperature: float) -> torch.Tensor:
    """Both directions of InfoNCE: each task picks its models, each model its tasks, with the
    targets a softmax of standardised measured scores (a positive's weight grows with its
    score)."""
    mask = ~torch.isnan(accuracy)
    z = standardised(accuracy).nan_to_num(0.0) / temperature
    loss = torch.zeros(())
    for dim in (1, 0):
        targets = torch.softmax(z.masked_fill(~mask, -1e9), dim=dim)
        log_p = masked_log_softmax(scores, mask, dim)
        loss = loss + -(targets * log_p).masked_fill(~mask, 0.0).sum(dim=dim).mean()
    return loss / 2


def listmle(
    scores: torch.Tensor, accuracy: torch.Tensor, generator: torch.Generator
) -> torch.Tensor:
    """Plackett-Luce negative log-likelihood of each task's measured order (ties broken at
    random each step)."""
    mask = ~torch.isnan(accuracy)
    jitter = torch.rand(accuracy.shape, generator=generator) * 1e-6
    keys = torch.where(mask, accuracy + jitter, torch.full_like(accuracy, -1.0))
    order = keys.argsort(dim=1, descending=True)
    ordered = scores.gather(1, order).masked_fill(~mask.gather(1, order), -1e9)
    tail = torch.logcumsumexp(ordered.flip(1), dim=1).flip(1)
    terms = (tail - ordered).masked_fill(~mask.gather(1, order), 0.0)
    return (terms.sum(dim=1) / mask.sum(dim=1).clamp(min=1)).mean()


def regression(scores: torch.Tensor, accuracy: torch.Tensor) -> torch.Tensor:
    """Mean squared error against each task's standardised scores (a pointwise loss)."""
    mask = ~torch.isnan(accuracy)
    error = (scores - standardised(accuracy).nan_to_num(0.0)) ** 2
    return error.masked_fill(~mask, 0.0).sum() / mask.sum()


@dataclass
class Calibration:
    """Predicted accuracy = chance + (1 - chance) * sigmoid(a * u + b + w . statistics), with
    u the score standardised over the task's ranked models (a ranking loss fixes only the
    order within a task, not a score's level) and the dataset statistics setting the
    level."""

    a: float = 1.0
    b: float = 0.0
    w: tuple[float, ...] = (0.0,) * len(DATASET_STATISTICS)

    def predict(
        self, scores: torch.Tensor, chance: torch.Tensor, statistics: torch.Tensor
    ) -> torch.Tensor:
        """Accuracies for (T, M) scores, (T,) chance levels and (T, 4) statistics."""
        params = torch.tensor([self.a, self.b, *self.w])
        return calibrated(params, scores, chance, statistics)


def within_task(scores: torch.Tensor) -> torch.Tensor:
    """Scores standardised over each task's models."""
    return (scores - scores.mean(dim=1, keepdim=True)) / (scores.std(dim=1, keepdim=True) + 1e-6)


def calibrated(
    params: torch.Tensor, scores: torch.Tensor, chance: torch.Tensor, statistics: torch.Tensor
) -> torch.Tensor:
    """The calibration's accuracies for parameters (a, b, w...)."""
    level = params[1] + statistics @ params[2:]
    lift = torch.sigmoid(params[0] * within_task(scores) + level[:, None])
    return chance[:, None] + (1 - chance[:, None]) * lift


def calibrate(scores: torch.Tensor, data: MetaData) -> Calibration:
    """Fit the calibration by least squares on the measured cells."""
    mask = ~torch.isnan(data.accuracy)
    params = torch.zeros(2 + len(DATASET_STATISTICS), requires_grad=True)
    optimiser = torch.optim.Adam([params], lr=0.05)
    target = data.accuracy.nan_to_num(0.0)
    for _ in range(400):
        predicted = calibrated(params, scores, data.tasks.chance, data.tasks.statistics)
        loss = ((predicted - target) ** 2).masked_fill(~mask, 0.0).sum() / mask.sum()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    fitted = [float(v) for v in params.detach()]
    return Calibration(fitted[0], fitted[1], tuple(fitted[2:]))


def sample_images(images: torch.Tensor, count: int, generator: torch.Generator) -> torch.Tensor:
    """`count` of each task's pooled images, drawn afresh."""
    tasks, pool = images.shape[:2]
    picks = torch.stack([torch.randperm(pool, generator=generator)[:count] for _ in range(tasks)])
    return images[torch.arange(tasks)[:, None], picks]


def fixed_sample(images: torch.Tensor) -> torch.Tensor:
    """The first SAMPLE images of each task: what evaluation and export use."""
    return images[:, :SAMPLE]


def fit(data: MetaData, settings: FitSettings = FitSettings()) -> tuple[DualEncoder, Calibration]:
    """Train a dual encoder on `data` and calibrate its scores."""
    torch.manual_seed(settings.seed)
    generator = torch.Generator().manual_seed(settings.seed)
    model = DualEncoder(group_sizes(data.models.families), settings.dim, settings.separate_groups)
    optimiser = torch.optim.AdamW(
        model.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay
    )
    for _ in range(settings.epochs):
        model.train()
        scores = model.scores(
            sample_images(data.tasks.images, settings.images_per_step, generator),
            data.tasks.statistics,
            data.models.groups,
        )
        if settings.loss == "infonce":
            loss = infonce(scores, data.accuracy, settings.target_temperature)
        elif settings.loss == "regression":
            loss = regression(scores, data.accuracy)
        else:
            loss = listmle(scores, data.accuracy, generator)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    model.eval()
    with torch.no_grad():
        scores = predict_scores(model, data)
    return model, calibrate(scores, data)


def predict_scores(model: DualEncoder, data: MetaData) -> torch.Tensor:
    """(T, M) scores of `data`'s tasks and models."""
    with torch.no_grad():
        return model.scores(
            fixed_sample(data.tasks.images), data.tasks.statistics, data.models.groups
        )
