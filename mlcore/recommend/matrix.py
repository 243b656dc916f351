"""The meta-dataset: every (task, portfolio model) cell trained under one protocol, and the
versioned score matrix assembled from the cells.

A cell is computed by `run_cell` wherever it runs (a Celery worker, a GPU machine) and
stored as its own JSON record; `assemble` turns the records into `matrix.json`: the
protocol, the tasks (specs and statistics), the models (their catalog metadata) and one row
per cell with its accuracy, seed, wall time and latency.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import torch

from mlcore.contract.catalog import get_model_info
from mlcore.nas.space.latency import device_name
from mlcore.recommend.protocol import Protocol, train_cell
from mlcore.recommend.tasks import TaskData, TaskSpec, load_task, task_spec

MATRIX_FORMAT = 1


@lru_cache(maxsize=4)
def cached_task(index: int) -> TaskData:
    """Task `index`'s images, kept while a worker runs its cells."""
    return load_task(task_spec(index))


def run_cell(index: int, model: str, protocol: Protocol) -> dict[str, Any]:
    """Train `model` on task `index` under `protocol`: the cell's record."""
    data = cached_task(index)
    score = train_cell(
        model,
        data.train,
        data.test,
        data.classes,
        data.spec.resolution,
        protocol,
        seed=index,
    )
    return {
        "task": data.spec.id,
        "model": model,
        **asdict(score),
        "protocol": f"{protocol.name}-v{protocol.version}",
        "device": device_name(torch.device("cpu")),
        "torch": torch.__version__,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def task_index(task_id: str) -> int:
    """The index of a task id (t0007-cifar10 -> 7)."""
    return int(task_id[1:].split("-", 1)[0])


def task_record(spec: TaskSpec) -> dict[str, Any]:
    """A task's spec and the statistics the recommender's dataset tower reads."""
    data = cached_task(spec.index)
    return {**spec.to_dict(), "class_names": list(data.class_names), **task_statistics(data)}


def task_statistics(data: TaskData) -> dict[str, float]:
    """Simple statistics of a task's training images."""
    _images, labels = data.train
    return {
        "num_classes": data.classes,
        "train_images": len(labels),
        "test_images": len(data.test[1]),
        "images_per_class": len(labels) / data.classes,
        "side": data.spec.resolution,
        "colour": 0.0 if data.spec.grey else 1.0,
    }


def model_record(name: str) -> dict[str, Any]:
    """A portfolio model's catalog metadata, as the matrix keeps it."""
    return get_model_info(name).model_dump(exclude={"recipe", "weights_url", "weights_file"})


def assemble(protocol: Protocol, cells: Iterable[Mapping[str, Any]], name: str) -> dict[str, Any]:
    """`matrix.json`: the protocol, and the tasks and models of the finished cells (a task
    or model appears once any of its cells is done; `complete`: every pair is)."""
    rows = sorted((dict(cell) for cell in cells), key=lambda r: (r["task"], r["model"]))
    indices = sorted({task_index(r["task"]) for r in rows})
    models = list(dict.fromkeys(r["model"] for r in rows))
    return {
        "format": MATRIX_FORMAT,
        "name": name,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "protocol": protocol.to_dict(),
        "tasks": [task_record(task_spec(i)) for i in indices],
        "models": [model_record(m) for m in models],
        "cells": rows,
        "complete": len(rows) == len(indices) * len(models),
    }
