"""The meta-dataset as tensors the recommender trains on: each task's image sample and
statistics, each model's four groups, and the score matrix (NaN where a cell is missing)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F

from mlcore.recommend.features import GROUPS, IMAGE_SIDE, dataset_vector, group_vectors
from mlcore.recommend.tasks import load_task, task_spec

POOL = 64  # images kept per task; every training step samples from them


@dataclass(frozen=True)
class ModelTable:
    """The portfolio as the model tower reads it."""

    names: list[str]
    families: list[str]  # the family vocabulary of the basics group
    groups: dict[str, torch.Tensor]  # group -> (M, size)
    infos: list[dict[str, Any]]

    @classmethod
    def build(cls, infos: Sequence[Mapping[str, Any]], families: Sequence[str]) -> ModelTable:
        """From catalog entries (dicts), with the given family vocabulary."""
        vectors = [group_vectors(info, families) for info in infos]
        return cls(
            [str(info["name"]) for info in infos],
            list(families),
            {g: torch.tensor([v[g] for v in vectors], dtype=torch.float32) for g in GROUPS},
            [dict(info) for info in infos],
        )

    def subset(self, keep: Sequence[int]) -> ModelTable:
        """The models at `keep`."""
        index = torch.tensor(list(keep), dtype=torch.long)
        return ModelTable(
            [self.names[i] for i in keep],
            self.families,
            {g: t[index] for g, t in self.groups.items()},
            [self.infos[i] for i in keep],
        )


@dataclass(frozen=True)
class TaskTable:
    """Tasks as the dataset tower reads them, with their measured scores."""

    ids: list[str]
    sources: list[str]
    images: torch.Tensor  # (T, POOL, 3, 32, 32) in [-1, 1]
    statistics: torch.Tensor  # (T, 4)
    chance: torch.Tensor  # (T,) 1 / classes
    records: list[dict[str, Any]]

    def subset(self, keep: Sequence[int]) -> TaskTable:
        """The tasks at `keep`."""
        index = torch.tensor(list(keep), dtype=torch.long)
        return TaskTable(
            [self.ids[i] for i in keep],
            [self.sources[i] for i in keep],
            self.images[index],
            self.statistics[index],
            self.chance[index],
            [self.records[i] for i in keep],
        )


def tower_images(images: torch.Tensor, count: int, seed: int) -> torch.Tensor:
    """`count` of `images` (float, [-1, 1]) drawn with `seed`, at the tower's side (repeated
    when there are fewer)."""
    generator = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(images), generator=generator)
    picks = order.repeat(-(-count // len(order)))[:count]
    return F.interpolate(
        images[picks], size=(IMAGE_SIDE, IMAGE_SIDE), mode="bilinear", antialias=True
    )


def task_table(records: Sequence[Mapping[str, Any]]) -> TaskTable:
    """The matrix's tasks, their images regenerated from their indices."""
    images, statistics = [], []
    for record in records:
        data = load_task(task_spec(int(record["index"])))
        images.append(tower_images(data.train[0], POOL, int(record["index"])))
        statistics.append(
            dataset_vector(
                int(record["num_classes"]),
                float(record["images_per_class"]),
                float(record["side"]),
                bool(record["colour"]),
            )
        )
    return TaskTable(
        [str(r["id"]) for r in records],
        [str(r["source"]) for r in records],
        torch.stack(images),
        torch.tensor(statistics, dtype=torch.float32),
        torch.tensor([1.0 / int(r["num_classes"]) for r in records]),
        [dict(r) for r in records],
    )


def score_matrix(
    cells: Sequence[Mapping[str, Any]], tasks: Sequence[str], models: Sequence[str], key: str
) -> torch.Tensor:
    """(T, M) of `key` per cell, NaN where missing."""
    t_index = {t: i for i, t in enumerate(tasks)}
    m_index = {m: i for i, m in enumerate(models)}
    matrix = torch.full((len(tasks), len(models)), float("nan"))
    for cell in cells:
        if cell["task"] in t_index and cell["model"] in m_index:
            matrix[t_index[cell["task"]], m_index[cell["model"]]] = float(cell[key])
    return matrix


@dataclass(frozen=True)
class MetaData:
    """Everything the recommender learns from."""

    tasks: TaskTable
    models: ModelTable
    accuracy: torch.Tensor  # (T, M), NaN where missing
    logme: torch.Tensor  # (T, M) LogME at init, NaN where missing
    protocol: dict[str, Any]

    def subset(
        self, tasks: Sequence[int] | None = None, models: Sequence[int] | None = None
    ) -> MetaData:
        """Some of the tasks and/or models."""
        t = list(range(len(self.tasks.ids))) if tasks is None else list(tasks)
        m = list(range(len(self.models.names))) if models is None else list(models)
        ti, mi = torch.tensor(t, dtype=torch.long), torch.tensor(m, dtype=torch.long)
        return MetaData(
            self.tasks.subset(t),
            self.models.subset(m),
            self.accuracy[ti][:, mi],
            self.logme[ti][:, mi],
            self.protocol,
        )


def load_metadata(matrix: Mapping[str, Any], families: Sequence[str]) -> MetaData:
    """The matrix (as written by `mlcore.recommend.matrix.assemble`) as tensors."""
    tasks = task_table(matrix["tasks"])
    models = ModelTable.build(matrix["models"], families)
    return MetaData(
        tasks,
        models,
        score_matrix(matrix["cells"], tasks.ids, models.names, "accuracy"),
        score_matrix(matrix["cells"], tasks.ids, models.names, "logme_at_init"),
        dict(matrix["protocol"]),
    )
