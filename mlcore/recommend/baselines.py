"""The rankings a recommender must beat, each from what it may see of the training tasks:
random, the model best on average, the largest model, ZAP-style nearest tasks by dataset
statistics, and LogME (training-free, on each model's untrained features)."""

from __future__ import annotations

import torch

from mlcore.recommend.encoder import image_statistics
from mlcore.recommend.fit import fixed_sample, standardised
from mlcore.recommend.metadata import MetaData

NEIGHBOURS = 5


def best_on_average(train: MetaData, test: MetaData) -> torch.Tensor:
    """Every test task ranks the models by their mean standardised score on the training
    tasks (a model no training task measured gets the average, 0)."""
    z = standardised(train.accuracy)
    mean = torch.nanmean(z, dim=0).nan_to_num(0.0)
    return mean.expand(len(test.tasks.ids), -1).clone()


def largest(test: MetaData) -> torch.Tensor:
    """The most parameters first."""
    params = torch.tensor([float(info["params"]) for info in test.models.infos])
    return params.log().expand(len(test.tasks.ids), -1).clone()


def meta_features(data: MetaData) -> torch.Tensor:
    """ZAP-style dataset descriptors: the statistics and the mean image statistics."""
    images = fixed_sample(data.tasks.images)
    per_image = image_statistics(images.flatten(0, 1)).reshape(*images.shape[:2], -1)
    return torch.cat([data.tasks.statistics, per_image.mean(dim=1)], dim=1)


def nearest_tasks(train: MetaData, test: MetaData, k: int = NEIGHBOURS) -> torch.Tensor:
    """Each test task ranks the models by their mean standardised score on its k nearest
    training tasks (Euclidean, standardised descriptors)."""
    a, b = meta_features(train), meta_features(test)
    mean, std = a.mean(dim=0), a.std(dim=0) + 1e-6
    distances = torch.cdist((b - mean) / std, (a - mean) / std)
    near = distances.topk(min(k, len(a)), largest=False).indices
    z = standardised(train.accuracy)
    scores = torch.stack([torch.nanmean(z[rows], dim=0) for rows in near])
    return scores.nan_to_num(0.0)


def logme_scores(test: MetaData) -> torch.Tensor:
    """LogME of each model's untrained features on the test task (measured in its cell)."""
    return test.logme.nan_to_num(-1e9)


def random_scores(test: MetaData, generator: torch.Generator) -> torch.Tensor:
    """A random order."""
    return torch.rand(test.accuracy.shape, generator=generator)
