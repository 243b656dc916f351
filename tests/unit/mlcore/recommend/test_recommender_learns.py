"""A tiny recommender on a tiny meta-dataset with a planted signal: each task's images say
(by their brightness) which model family wins on it; trained on some tasks, it must rank the
portfolio for unseen tasks far better than chance, with either loss and either tower."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mlcore.contract.catalog import load_catalog
from mlcore.recommend.fit import FitSettings, fit, predict_scores
from mlcore.recommend.metadata import MetaData, ModelTable, TaskTable
from mlcore.recommend.metrics import rank_quality, summarise

pytestmark = pytest.mark.slow

FAMILIES = {"resnet": 0, "efficientnet": 1, "yolo11": 2}
TASKS = 48


def planted(seed: int = 0) -> MetaData:
    """Tasks of three kinds (dark, mid-grey, bright images); on a task of kind k the models
    of family k score high, the others low, plus noise."""
    generator = torch.Generator().manual_seed(seed)
    infos = [
        info.model_dump()
        for info in load_catalog().values()
        if info.task == "classify" and info.family in FAMILIES
    ]
    models = ModelTable.build(infos, list(FAMILIES))
    kinds = torch.arange(TASKS) % 3
    level = (kinds.float() - 1.0) * 0.6  # dark, mid, bright
    images = (
        level[:, None, None, None, None]
        + 0.2 * torch.randn(TASKS, 64, 3, 32, 32, generator=generator)
    ).clamp(-1, 1)
    statistics = torch.rand(TASKS, 4, generator=generator)  # uninformative
    family = torch.tensor([FAMILIES[i["family"]] for i in infos])
    accuracy = 0.3 + 0.4 * (family[None, :] == kinds[:, None]).float()
    accuracy = accuracy + 0.05 * torch.rand(accuracy.shape, generator=generator)
    tasks = TaskTable(
        [f"t{i:04d}-planted" for i in range(TASKS)],
        ["planted"] * TASKS,
        images,
        statistics,
        torch.full((TASKS,), 0.2),
        [{} for _ in range(TASKS)],
    )
    return MetaData(tasks, models, accuracy, torch.zeros_like(accuracy), {})


def quality(data: MetaData, scores: torch.Tensor) -> dict[str, float]:
    return summarise(
        [rank_quality(data.accuracy[t].numpy(), scores[t].numpy()) for t in range(len(scores))]
    )


@pytest.mark.parametrize(
    "settings",
    [
        FitSettings(loss="listmle", epochs=150),
        FitSettings(loss="infonce", epochs=150),
        FitSettings(loss="regression", epochs=150),
        FitSettings(loss="listmle", separate_groups=False, epochs=150),
    ],
    ids=["listmle", "infonce", "regression", "shared-tower"],
)
def test_ranks_unseen_tasks_by_the_planted_signal(settings: FitSettings) -> None:
    data = planted()
    train, test = data.subset(tasks=range(36)), data.subset(tasks=range(36, TASKS))
    model, calibration = fit(train, settings)
    learned = quality(test, predict_scores(model, test))
    generator = torch.Generator().manual_seed(1)
    random = quality(test, torch.rand(test.accuracy.shape, generator=generator))
    assert learned["weighted_tau_mean"] > 0.5 > random["weighted_tau_mean"] + 0.3
    assert learned["top1_regret_median"] < 5 < random["top1_regret_mean"]  # points
    predicted = calibration.predict(
        predict_scores(model, test), test.tasks.chance, test.tasks.statistics
    )
    error = (predicted - test.accuracy).abs().mean()
    assert float(error) < 0.15  # the calibrated accuracy follows the planted scores


def test_the_group_weights_are_a_distribution_over_the_four_groups() -> None:
    model, _ = fit(planted().subset(tasks=range(12)), FitSettings(epochs=5))
    weights = model.models.group_weights().detach().numpy()
    assert weights.shape == (4,) and np.isclose(weights.sum(), 1.0) and (weights > 0).all()
