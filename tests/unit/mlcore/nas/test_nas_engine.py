"""The search engine end to end on real flower photos: search, family, retrain, package."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import torch

from mlcore.contract.results import RESTORED, JobResult, ProgressEvent
from mlcore.contract.search import FAMILY, SearchConfig
from mlcore.engines.base import EngineRequest
from mlcore.engines.registry import run_job
from mlcore.nas.engine import NAS_FILES, RETRAIN_CHECKPOINT
from mlcore.nas.readme import PROXY_MARGIN
from mlcore.nas.strategies.base import STATE_FILE
from tests.unit.mlcore.test_mlcore_pipeline import assert_package_reproduces

pytestmark = pytest.mark.slow  # trains models

TINY = {
    "cells": 1,
    "nodes": 2,
    "channels": 4,
    "image_size": 16,
    "search_epochs": 2,
    "retrain_epochs": 2,
    "batch_size": 8,
}


@dataclass
class SearchJob:
    result: JobResult
    events: list[ProgressEvent]
    work: Path

    @property
    def output(self) -> Path:
        return self.work / "output"

    def read_json(self, name: str) -> Any:
        return json.loads((self.output / self.result.files[name]).read_text())


def run(
    dataset: Path, work: Path, resume: bool = False, family: Path | None = None, **params: Any
) -> SearchJob:
    events: list[ProgressEvent] = []
    config = SearchConfig(**{**TINY, **params})
    inputs = {} if family is None else {FAMILY: family}
    request = EngineRequest(config, dataset, work, events.append, inputs, resume=resume)
    return SearchJob(run_job(request), events, work)


@pytest.fixture(scope="module")
def job(flowers_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> SearchJob:
    return run(flowers_dir, tmp_path_factory.mktemp("search"))


def test_outputs_and_family(job: SearchJob) -> None:
    for name in ("package", "evaluation", "metrics", "weights", "parity", *NAS_FILES):
        assert (job.output / job.result.files[name]).is_file(), name
    family = job.read_json("family")
    members = family["members"]
    assert members and family["front"] and 0 <= family["chosen"] < len(members)
    genotypes = [json.dumps(m["genotype"]) for m in members]
    assert len(set(genotypes)) == len(genotypes), "family members must be distinct"
    chosen = members[family["chosen"]]
    assert chosen["proxy_accuracy"] == max(m["proxy_accuracy"] for m in members)
    info = job.result.info
    assert info["genotype"] == chosen["genotype"] and info["params"] == chosen["params"]
    assert json.loads((job.output / NAS_FILES["latency"]).read_text())["op_ms"]
    latency_s = family["latency_s"]
    assert len(latency_s) == 3 and sum(latency_s) == pytest.approx(1.0)
    assert any(latency_s in m["s_all"] for m in members), "the latency-aware s has no member"
    assert info["measured_latency_ms"] > 0 and info["predicted_latency_ms"] > 0


def test_progress_covers_search_then_retraining(job: SearchJob) -> None:
    epochs = [e for e in job.events if e.type == "epoch"]
    assert [e.epoch for e in epochs] == [1, 2, 3, 4]
    assert [e.details["phase"] for e in epochs] == ["searching"] * 2 + ["retraining"] * 2
    assert {"train_loss", "temperature", "val_accuracy_uniform"} <= set(epochs[0].metrics)
    assert epochs[0].metrics["temperature"] > epochs[1].metrics["temperature"]
    front = epochs[1].details["front"]
    assert [row["probe"] for row in front] == [
        "uniform",
        "maxpool3_penalised",
        "identity_penalised",
        "conv3_penalised",
    ]
    edges = sum(front[0]["counts"].values())
    assert edges == 5 and all(row["params"] > 0 for row in front)  # 1 cell of 2 nodes
    progress = [e.progress for e in job.events]
    assert progress == sorted(progress) and job.events[-1].message == "packaged"


def test_package_runs_the_searched_network(
    job: SearchJob, flowers_dir: Path, tmp_path: Path
) -> None:
    with zipfile.ZipFile(job.output / "package.zip") as archive:
        assert "nas_network.py" in archive.namelist()
        archive.extractall(tmp_path)
    spec = json.loads((tmp_path / "preprocess.json").read_text())
    assert spec["checkpoint"] == "konstruktor_nas"
    assert (tmp_path / "requirements-torch.txt").read_text().split()[0].startswith("torch>=")
    assert_package_reproduces(tmp_path, flowers_dir, job.read_json("evaluation"))
    parity = job.result.parity
    assert all(parity["formats"][f]["agreement"] >= 0.995 for f in ("onnx", "torchscript"))


def test_budget_picks_a_cheaper_member(job: SearchJob, flowers_dir: Path, tmp_path: Path) -> None:
    members = job.read_json("family")["members"]
    cheapest = min(m["params"] for m in members)
    limited = run(flowers_dir, tmp_path, max_params=cheapest)
    assert limited.result.info["params"] == cheapest


def test_a_member_of_an_earlier_family_is_retrained_without_searching(
    job: SearchJob, flowers_dir: Path, tmp_path: Path
) -> None:
    family = job.read_json("family")
    wanted = next(m for m in family["members"] if m["genotype"] != family["members"][0]["genotype"])
    near = [x + 0.01 for x in wanted["s"]]  # not a grid point: the nearest one is taken
    member = run(
        flowers_dir,
        tmp_path,
        family=job.output / job.result.files["family"],
        family_model_id="earlier",
        complexity=near,
        retrain_epochs=1,
    )
    phases = {e.details["phase"] for e in member.events if e.type == "epoch"}
    assert phases == {"retraining"}
    info = member.result.info
    assert info["genotype"] == wanted["genotype"] and info["params"] == wanted["params"]
    assert info["family_of"] == "earlier" and tuple(info["s"]) == tuple(wanted["s"])
    again = member.read_json("family")
    assert [m["genotype"] for m in again["members"]] == [m["genotype"] for m in family["members"]]
    assert (member.output / "package.zip").is_file()


def test_a_member_is_retrained_by_its_index_in_the_family(
    job: SearchJob, flowers_dir: Path, tmp_path: Path
) -> None:
    family = job.read_json("family")
    index = len(family["members"]) - 1
    member = run(
        flowers_dir,
        tmp_path,
        family=job.output / job.result.files["family"],
        family_model_id="earlier",
        family_member=index,
        retrain_epochs=1,
    )
    assert member.result.info["genotype"] == family["members"][index]["genotype"]
    with pytest.raises(ValueError, match=f"the family has {index + 1} members"):
        run(
            flowers_dir,
            tmp_path / "again",
            family=job.output / job.result.files["family"],
            family_model_id="earlier",
            family_member=index + 1,
            retrain_epochs=1,
        )


def test_a_resumed_search_continues_from_its_checkpoint(flowers_dir: Path, tmp_path: Path) -> None:
    first = run(flowers_dir, tmp_path, retrain_epochs=1)
    saved = [tmp_path / "resume" / name for name in (STATE_FILE, RETRAIN_CHECKPOINT)]
    written = [path.stat().st_mtime_ns for path in saved]
    again = run(flowers_dir, tmp_path, resume=True, retrain_epochs=1)
    assert [path.stat().st_mtime_ns for path in saved] == written, "it trained again"
    replayed = [e for e in again.events if e.type == "epoch"]  # the charts stay whole
    assert all(e.details.pop(RESTORED) for e in replayed)
    assert replayed == [e for e in first.events if e.type == "epoch"]
    assert again.result.info["genotype"] == first.result.info["genotype"]
    assert again.read_json("evaluation")["accuracy"] == first.read_json("evaluation")["accuracy"]


def test_a_resumed_blackbox_search_replays_its_candidates(
    flowers_dir: Path, tmp_path: Path
) -> None:
    options: dict[str, Any] = {
        "strategy": "random",
        "evaluations": 3,
        "search_epochs": 1,
        "retrain_epochs": 1,
    }
    run(flowers_dir, tmp_path, **options)
    state_file = tmp_path / "resume" / STATE_FILE
    saved = torch.load(state_file, weights_only=False)
    entries = saved["state"]["candidates"]
    assert len(entries) == len({json.dumps(e["genotype"]) for e in entries}) >= 1
    entries[-1]["accuracy"] = 0.999  # only a replay of the saved state can know this score
    torch.save(saved, state_file)
    (tmp_path / "resume" / RETRAIN_CHECKPOINT).unlink()
    again = run(flowers_dir, tmp_path, resume=True, **options)
    family = again.read_json("family")
    assert family["members"][family["chosen"]]["proxy_accuracy"] == 0.999
    replayed = torch.load(state_file, weights_only=False)["state"]["candidates"]
    assert len(replayed) == len(entries)  # nothing was trained again


@pytest.mark.parametrize("strategy", ["evolution", "map_elites"])
def test_blackbox_search_retrains_its_best_candidate(
    flowers_dir: Path, tmp_path: Path, strategy: str
) -> None:
    job = run(
        flowers_dir,
        tmp_path,
        strategy=strategy,
        evaluations=4,
        search_epochs=1,
        retrain_epochs=1,
    )
    family = job.read_json("family")
    accuracies = [m["proxy_accuracy"] for m in family["members"]]
    assert 1 <= len(accuracies) <= 4
    assert accuracies[family["chosen"]] == max(accuracies)
    assert all(m["predicted_latency_ms"] > 0 for m in family["members"])
    epochs = [e for e in job.events if e.type == "epoch"]
    assert [e.details["phase"] for e in epochs] == ["searching"] * 4 + ["retraining"]
    assert "best" in epochs[0].details and epochs[-1].epoch == 5
    assert (job.output / "package.zip").is_file()
    # 4 evaluations, a random start of 2: two children, by mutation or crossover
    variation = job.result.info["variation"]
    assert family["variation"] == variation
    assert sum(o["children"] for o in variation["operators"].values()) == 2
    assert variation["mutator"] == {"kind": "rules", "edges": 1}


def test_a_proxy_that_overrated_its_network_is_warned_of(job: SearchJob) -> None:
    gap = job.result.info["proxy_accuracy"] - job.result.metrics["accuracy"]
    warned = [w for w in job.result.warnings if "the search's proxy promised" in w]
    assert len(warned) == (1 if gap > PROXY_MARGIN else 0)
    logged = {e.message for e in job.events if e.type == "log"}
    assert set(warned) <= logged
