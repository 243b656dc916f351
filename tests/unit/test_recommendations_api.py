"""POST /projects/{id}/recommendations: the shipped recommender ranks every catalog
classifier for a dataset version, in a long-lived torch-free child of the API process."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from backend.db import session_scope
from backend.models import DatasetVersion
from backend.services import recommendations
from backend.services.recommendations import (
    GREY_MODES,
    RankChild,
    RankLimits,
    RecommendationRefused,
    RecommenderUnavailable,
    rank_target,
    rankers,
    sample_training_images,
)
from backend.settings import get_settings
from mlcore.contract.catalog import load_catalog
from tests.support.api import API, create_project, new_user, upload_dataset
from tests.support.zips import class_folder_zip, flower_images, make_zip
from tests.unit.test_detection_ingest import coco128_entries


def ask(client: TestClient, headers: dict[str, str], project: str, version: str) -> Any:
    return client.post(
        f"{API}/projects/{project}/recommendations",
        json={"dataset_version_id": version},
        headers=headers,
    )


def upload_flowers(client: TestClient, headers: dict[str, str], project: str) -> str:
    r = upload_dataset(client, headers, project, class_folder_zip(flower_images(per_class=5)))
    assert r.status_code == 201, r.text
    return str(r.json()["versions"][0]["id"])


def running_child() -> RankChild:
    [child] = [c for c in rankers.children() if c.pid is not None]
    return child


def test_a_classification_version_gets_the_whole_portfolio_ranked(
    service: Path, client: TestClient
) -> None:
    headers = new_user(client)
    project = create_project(client, headers)
    version = upload_flowers(client, headers, project)

    r = ask(client, headers, project, version)
    assert r.status_code == 200, r.text
    body = r.json()
    models = body["models"]
    classifiers = {name for name, info in load_catalog().items() if info.task == "classify"}
    assert [m["rank"] for m in models] == list(range(1, len(classifiers) + 1))
    assert {m["model"] for m in models} == classifiers  # the whole portfolio, each once
    scores = [m["score"] for m in models]
    assert scores == sorted(scores, reverse=True)
    for m in models:
        assert m["why"].strip() and m["family"] == load_catalog()[m["model"]].family
        assert 0 <= m["predicted_accuracy"] <= 1
        assert {g["group"] for g in m["groups"]} == set(body["group_weights"])
    assert body["recommender"] and body["protocol"] and body["elapsed_ms"] >= 0
    assert body["dataset_version_id"] == version
    assert body["start"] == {
        "method": "POST",
        "path": f"{API}/projects/{project}/jobs",
        "body": {
            "kind": "train",
            "dataset_version_id": version,
            "params": {"model": models[0]["model"]},
        },
    }
    leftovers = list((service / "tmp").glob("pid-*/recommend-*"))
    assert leftovers == []  # each request's scratch folder is removed

    # `start` is the exact call: the top model, every other setting chosen from the data
    job = client.post(body["start"]["path"], json=body["start"]["body"], headers=headers)
    assert job.status_code == 201, job.text
    params = job.json()["params"]
    assert params["model"] == models[0]["model"] and "epochs" in params["chosen"]

    # a version is the user's, not the project's: asked from another of their projects
    other = create_project(client, headers, "other")
    again = ask(client, headers, other, version)
    assert again.status_code == 200, again.text
    assert again.json()["start"]["path"] == f"{API}/projects/{other}/jobs"
    assert [m["model"] for m in again.json()["models"]] == [m["model"] for m in models]


def test_another_users_version_or_project_is_not_found(service: Path, client: TestClient) -> None:
    alice, bob = new_user(client), new_user(client)
    alices_project = create_project(client, alice)
    version = upload_flowers(client, alice, alices_project)
    bobs_project = create_project(client, bob)

    r = ask(client, bob, bobs_project, version)
    assert r.status_code == 404 and r.json() == {"detail": f"dataset version {version} not found"}
    r = ask(client, bob, alices_project, version)
    assert r.status_code == 404 and "project" in r.json()["detail"]
    assert ask(client, alice, "nope", version).status_code == 404
    assert ask(client, alice, alices_project, "nope").status_code == 404
    assert ask(client, {}, alices_project, version).status_code == 401


def test_detection_and_single_class_versions_are_refused(
    sqlite_service: Path, client: TestClient
) -> None:
    headers = new_user(client)
    project = create_project(client, headers)
    coco = upload_dataset(client, headers, project, make_zip(coco128_entries(limit=6).items()))
    assert coco.status_code == 201, coco.text
    r = ask(client, headers, project, coco.json()["versions"][0]["id"])
    assert r.status_code == 422
    assert "recommendations rank classification models" in r.json()["detail"]

    version = upload_flowers(client, headers, project)
    with session_scope() as session:  # what an older or edited version could hold
        row = session.get(DatasetVersion, version)
        assert row is not None
        first, *rest = row.report["counts"]["train"]
        counts = {first: 5, **dict.fromkeys(rest, 0)}
        row.report = {**row.report, "counts": {**row.report["counts"], "train": counts}}
    r = ask(client, headers, project, version)
    assert r.status_code == 422 and "at least two" in r.json()["detail"]
    assert rankers.children() == []  # never started for these


def test_the_child_is_reused_restarted_and_stopped(sqlite_service: Path) -> None:
    from backend.main import create_app

    with TestClient(create_app()) as client:
        headers = new_user(client)
        project = create_project(client, headers)
        version = upload_flowers(client, headers, project)

        assert ask(client, headers, project, version).status_code == 200
        pid = running_child().pid
        assert pid is not None
        second = ask(client, headers, project, version)
        assert second.status_code == 200 and running_child().pid == pid  # one child, reused

        os.kill(pid, signal.SIGKILL)  # it dies while idle: the next request starts another
        third = ask(client, headers, project, version)
        assert third.status_code == 200, third.text
        restarted = running_child().pid
        assert restarted not in (None, pid)
        assert third.json()["models"] == second.json()["models"]  # the same seeded sample
    assert rankers.children() == []  # the API shut down: its child stopped with it
    with pytest.raises(ProcessLookupError):
        os.kill(restarted, 0)


def test_a_child_that_cannot_start_is_a_503(
    sqlite_service: Path, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = new_user(client)
    project = create_project(client, headers)
    version = upload_flowers(client, headers, project)
    broken = ("-c", "import sys; sys.exit('the bundle is missing')")
    monkeypatch.setattr(recommendations, "CHILD_COMMAND", broken)

    r = ask(client, headers, project, version)
    assert r.status_code == 503 and r.headers["Retry-After"]
    assert "the recommender stopped (exit code 1): the bundle is missing" in r.json()["detail"]

    monkeypatch.undo()  # mended: the next request starts a working child
    assert ask(client, headers, project, version).status_code == 200


def _image(value: int, mode: str = "L") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (40, 30), value).save(out, "PNG")
    return out.getvalue()


def test_the_sample_takes_the_classes_in_turn_from_the_training_split(tmp_path: Path) -> None:
    archive = tmp_path / "dataset.zip"
    offsets = {"a": (0, 40), "b": (100, 3), "c": (200, 10)}  # pixel value: class and image
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("manifest.json", "{}")
        for label, (offset, count) in offsets.items():
            for i in range(count):
                zf.writestr(f"train/{label}/{i}.png", _image(offset + i))
                zf.writestr(f"val/{label}/{i}.png", _image(255))
    folders = [tmp_path / name for name in ("first", "second", "few")]
    for folder in folders:
        folder.mkdir()
    picked = sample_training_images(archive, folders[0], "version-1")
    values: list[int] = []
    for path in picked:
        with Image.open(path) as image:
            value = image.getpixel((0, 0))
        assert isinstance(value, int)
        values.append(value)
    assert len(values) == len(set(values)) == 32 and 255 not in values  # training images only
    assert sum(v < 100 for v in values) == 19  # b's 3 and c's 10, then a for the rest
    assert sum(100 <= v < 200 for v in values) == 3
    again = sample_training_images(archive, folders[1], "version-1")
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in picked]  # seeded
    assert recommendations.looks_grey(picked)
    assert len(sample_training_images(archive, folders[2], "version-1", count=5)) == 5


def _version(report: dict[str, Any]) -> DatasetVersion:
    return DatasetVersion(id="v1", storage_key="k/dataset.zip", report=report)


def _report(task: str = "classify", modes: dict[str, int] | None = None) -> dict[str, Any]:
    return {
        "task": task,
        "counts": {"train": {"a": 30, "b": 10}, "val": {"a": 5, "b": 5}},
        "image_sizes": {
            "width": {"median": 300},
            "height": {"median": 200},
            **({"modes": modes} if modes is not None else {}),
        },
    }


def test_the_statistics_come_from_the_health_report() -> None:
    target = rank_target(_version(_report(modes={"RGB": 30, "L": 10})))
    assert (target.classes, target.per_class, target.side) == (2, 20.0, 200)
    assert target.grey is False
    assert rank_target(_version(_report(modes={"L": 40}))).grey is True
    assert rank_target(_version(_report())).grey is None  # decided from the sampled images
    assert "L" in GREY_MODES and "RGB" not in GREY_MODES
    for report, words in [
        ({}, "predates dataset health reports"),
        (_report("detect"), "rank classification models"),
    ]:
        with pytest.raises(RecommendationRefused, match=words):
            rank_target(_version(report))


def test_a_stalled_child_is_killed_at_its_time_limit(
    sqlite_service: Path, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = new_user(client)
    project = create_project(client, headers)
    version = upload_flowers(client, headers, project)
    monkeypatch.setattr(recommendations, "CHILD_COMMAND", ("-c", "import time; time.sleep(60)"))
    monkeypatch.setenv("KONSTRUKTOR_RECOMMEND_TIMEOUT_S", "1")
    get_settings.cache_clear()  # read when this client's child is made, at its first request

    r = ask(client, headers, project, version)
    assert r.status_code == 503
    assert r.json()["detail"] == "the recommender took longer than 1s; try again shortly"
    assert [c.pid for c in rankers.children()] == [None]  # killed; the next starts afresh


def test_a_child_killed_while_idle_is_replaced_within_the_request(tmp_path: Path) -> None:
    """Killed, and asked again before its loop noticed: the request goes to a fresh child."""
    for i in range(4):
        (tmp_path / f"{i}.png").write_bytes(_image(60 * i, "RGB"))
    request = {"images": str(tmp_path), "classes": 2, "per_class": 2, "side": 40}

    async def twice() -> tuple[int | None, int | None, bool]:
        child = RankChild(RankLimits())
        first = await child.rank(request)
        killed = child.pid
        assert killed is not None
        os.kill(killed, signal.SIGKILL)  # no await between: its exit is not yet seen
        second = await child.rank(request)
        replacement = child.pid
        await child.close()
        return killed, replacement, first.models == second.models

    killed, replacement, same = asyncio.run(twice())
    assert replacement not in (None, killed) and same


def test_a_child_that_closes_its_pipes_is_waited_for_so_its_own_exit_code_is_told(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Not killed at end of file: a kill would be what the error reports (and killing one
    that has just exited reaps it ahead of asyncio's watcher, which then says 255)."""
    closes_then_exits = "import os, sys, time; os.close(1); time.sleep(0.3); sys.exit(3)"
    monkeypatch.setattr(recommendations, "CHILD_COMMAND", ("-c", closes_then_exits))

    async def refused() -> str:
        child = RankChild(RankLimits())
        with pytest.raises(RecommenderUnavailable) as refusal:
            await child.rank({})
        return str(refusal.value)

    assert asyncio.run(refused()).startswith("the recommender stopped (exit code 3)")
