"""The meta-dataset build: one record per (task, model) cell; an interrupted build resumes
without recomputing a recorded cell, a larger one adds only the new cells, and the matrix
holds every recorded cell with its seed, wall time and protocol."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mlcore.recommend import matrix
from worker import meta_dataset

pytestmark = pytest.mark.slow

MODELS = "squeezenet1_1,shufflenet_v2_x0_5"
REAL_RUN_CELL = matrix.run_cell


class Interrupted(Exception):
    """Stands for a build stopped half way (a killed machine, Ctrl-C)."""


def counting(stop_after: int | None, calls: list[tuple[int, str]]) -> Any:
    """run_cell that records its calls and stops the build after `stop_after` of them."""

    def run(index: int, model: str, protocol: Any) -> dict[str, Any]:
        if stop_after is not None and len(calls) == stop_after:
            raise Interrupted
        calls.append((index, model))
        return REAL_RUN_CELL(index, model, protocol)

    return run


def build(storage: Path, tasks: int, models: str = MODELS) -> list[str]:
    return [
        "--tasks", str(tasks), "--models", models, "--storage", storage.as_uri(),
        "--name", "tiny", "--local",
    ]  # fmt: skip


def test_an_interrupted_build_resumes_without_recomputing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[int, str]] = []
    monkeypatch.setattr(matrix, "run_cell", counting(3, calls))
    with pytest.raises(Interrupted):
        meta_dataset.main(build(tmp_path, 2))
    assert len(calls) == 3 and not (tmp_path / "tiny" / "matrix.json").exists()

    again: list[tuple[int, str]] = []
    monkeypatch.setattr(matrix, "run_cell", counting(None, again))
    assert meta_dataset.main(build(tmp_path, 2)) == 0
    assert len(again) == 1 and again[0] not in calls  # only the missing cell

    grown: list[tuple[int, str]] = []
    monkeypatch.setattr(matrix, "run_cell", counting(None, grown))
    meta_dataset.main(build(tmp_path, 3))  # one more task: its two cells only
    assert sorted(grown) == [(2, "shufflenet_v2_x0_5"), (2, "squeezenet1_1")]

    result = json.loads((tmp_path / "tiny" / "matrix.json").read_text())
    assert result["complete"] and len(result["cells"]) == 6 and len(result["tasks"]) == 3
    assert [m["name"] for m in result["models"]] == ["shufflenet_v2_x0_5", "squeezenet1_1"]
    for cell in result["cells"]:
        assert 0 <= cell["accuracy"] <= 1 and cell["train_seconds"] > 0
        assert cell["seed"] == int(cell["task"][1:5]) and cell["protocol"] == "scratch-steps-v1"
    assert result["protocol"]["steps"] > 0


def test_the_fan_out_sends_only_the_cells_without_a_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(matrix, "run_cell", counting(None, []))
    meta_dataset.main(build(tmp_path, 1))  # task 0 recorded
    sent: list[tuple[Any, ...]] = []
    monkeypatch.setattr(
        meta_dataset.meta_cell, "apply_async", lambda args, queue: sent.append((*args, queue))
    )
    args = [a for a in build(tmp_path, 2) if a != "--local"] + ["--no-wait"]
    assert meta_dataset.main(args) == 0
    assert sorted((index, model) for _, _, index, model, _ in sent) == [
        (1, "shufflenet_v2_x0_5"),
        (1, "squeezenet1_1"),
    ]
    assert {queue for *_, queue in sent} == {meta_dataset.META_QUEUE}
