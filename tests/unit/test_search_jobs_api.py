"""Submitting architecture-search jobs: resolved settings, validation, resume (no worker)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from backend.db import session_scope
from backend.models import Job
from mlcore.contract.search import SearchConfig
from tests.support.api import API, create_project, new_user, upload_dataset
from tests.support.records import add_model
from tests.support.zips import class_folder_zip, flower_images


def search_body(version: str, **params: Any) -> dict[str, Any]:
    return {"kind": "search", "dataset_version_id": version, "params": params}


def submit(
    client: TestClient, headers: dict[str, str], project: str, body: dict[str, Any]
) -> httpx.Response:
    """POST a job to `project`."""
    return client.post(f"{API}/projects/{project}/jobs", json=body, headers=headers)


def test_search_job_records_its_resolved_settings(
    sqlite_service: Path, client: TestClient, project_with_data: tuple[dict[str, str], str, str]
) -> None:
    headers, project, version = project_with_data
    body = search_body(version, channels=8, max_params=20_000)
    r = submit(client, headers, project, body)
    assert r.status_code == 201, r.text
    job = r.json()
    assert job["kind"] == "search" and job["state"] == "queued"
    config = SearchConfig.model_validate(job["params"])
    assert (config.strategy, config.channels, config.max_params) == ("hyper_darts", 8, 20_000)
    assert config.ops == ["maxpool3", "identity", "conv3"]
    # 12 training images: the smallest data gets the most epochs, 32 px
    assert (config.search_epochs, config.retrain_epochs, config.image_size) == (30, 60, 32)
    assert set(config.chosen) == {"search_epochs", "retrain_epochs", "image_size"}
    assert job["epochs"] == 90


def test_users_values_win_over_the_defaults(
    sqlite_service: Path, client: TestClient, project_with_data: tuple[dict[str, str], str, str]
) -> None:
    headers, project, version = project_with_data
    body = search_body(version, search_epochs=2, retrain_epochs=3, image_size=24, strategy="gdas")
    job = submit(client, headers, project, body).json()
    config = SearchConfig.model_validate(job["params"])
    assert (config.search_epochs, config.retrain_epochs, config.image_size) == (2, 3, 24)
    assert config.strategy == "gdas" and config.chosen == [] and job["epochs"] == 5


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"strategy": "bayesian"}, "strategy"),
        ({"ops": ["conv3", "conv7"]}, "ops"),
        ({"ops": ["conv3", "conv3"]}, "ops must be distinct"),
        ({"complexity": [0.5, 0.5]}, "one non-negative penalty per op"),
        ({"complexity": [0, 0, 0]}, "must not be all zeros"),
        ({"strategy": "darts", "complexity": [0.2, 0.2, 0.6]}, "only hyper_darts has a family"),
        ({"channels": 2}, "channels"),
        ({"max_params": 0}, "max_params"),
        ({"cells": 6}, "6 cells halve a 32 px image to 1 px; use fewer cells or image_size >= 64"),
        ({"cells": 5, "image_size": 16}, "image_size >= 32"),
    ],
)
def test_invalid_search_settings_are_explained(
    sqlite_service: Path,
    client: TestClient,
    project_with_data: tuple[dict[str, str], str, str],
    params: dict[str, Any],
    message: str,
) -> None:
    headers, project, version = project_with_data
    body = search_body(version, **params)
    r = submit(client, headers, project, body)
    assert r.status_code == 422, r.text
    assert message in str(r.json()["detail"])
    assert client.get(f"{API}/jobs", headers=headers).json() == []


@pytest.mark.parametrize("params", ['{"complexity": [NaN, 1, 1]}', '{"max_latency_ms": Infinity}'])
def test_non_finite_numbers_are_refused(
    sqlite_service: Path,
    client: TestClient,
    project_with_data: tuple[dict[str, str], str, str],
    params: str,
) -> None:
    headers, project, version = project_with_data
    body = f'{{"kind": "search", "dataset_version_id": "{version}", "params": {params}}}'
    r = client.post(
        f"{API}/projects/{project}/jobs",
        content=body,
        headers={**headers, "Content-Type": "application/json"},
    )
    assert r.status_code == 422, r.text
    assert "finite" in r.text


def test_a_cancelled_search_can_be_resumed(
    sqlite_service: Path, client: TestClient, project_with_data: tuple[dict[str, str], str, str]
) -> None:
    headers, project, version = project_with_data
    job = submit(client, headers, project, search_body(version)).json()
    client.post(f"{API}/jobs/{job['id']}/cancel", headers=headers)
    resumed = client.post(f"{API}/jobs/{job['id']}/resume", headers=headers)
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["state"] == "queued" and resumed.json()["kind"] == "search"


def finished_model(job_id: str, kind: str = "search") -> str:
    """Record `job_id` as finished with a model (as a worker would): the model's id. kind
    "train" records a catalog model's job in the same project instead."""
    with session_scope() as session:
        job = session.get(Job, job_id)
        assert job is not None
        if kind == "train":
            job = Job(
                owner_id=job.owner_id,
                project_id=job.project_id,
                kind="train",
                params={},
                output_prefix="o",
            )
            session.add(job)
            session.flush()
        files = {"family": "o/family.json"} if kind == "search" else {"weights": "o/model.pt"}
        model = add_model(session, job.owner_id, files, architecture="nas")
        model.project_id, model.job_id = job.project_id, job.id
        session.flush()
        return model.id


def test_a_family_member_job_takes_the_earlier_searchs_space(
    sqlite_service: Path, client: TestClient, project_with_data: tuple[dict[str, str], str, str]
) -> None:
    headers, project, version = project_with_data
    body = search_body(version, channels=8, ops=["conv3", "avgpool3"], search_epochs=3)
    earlier = submit(client, headers, project, body).json()
    model_id = finished_model(earlier["id"])
    params = {"family_model_id": model_id, "complexity": [0.9, 0.1], "retrain_epochs": 4}
    r = submit(client, headers, project, search_body(version, **params))
    assert r.status_code == 201, r.text
    config = SearchConfig.model_validate(r.json()["params"])
    assert (config.ops, config.channels, config.search_epochs) == (["conv3", "avgpool3"], 8, 3)
    assert (config.complexity, config.retrain_epochs, config.family_model_id) == (
        [0.9, 0.1],
        4,
        model_id,
    )
    assert config.search_steps == 0 and r.json()["epochs"] == 4
    # the earlier search's retraining, unless given
    inherit = {"family_model_id": model_id, "max_params": 5000}
    r = submit(client, headers, project, search_body(version, **inherit))
    assert r.json()["params"]["retrain_epochs"] == earlier["params"]["retrain_epochs"] == 60


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"channels": 12}, "channels come from the earlier search"),
        ({"complexity": [0.2, 0.2, 0.6]}, "one non-negative penalty per op (2"),
        ({"family_model_id": "nope"}, "no such model in this project"),
        ({"family_model_id": "catalog"}, "give the model of an architecture search"),
        ({"family_member": 2, "complexity": [0.5, 0.5]}, "family_member or complexity"),
    ],
)
def test_family_member_jobs_are_checked(
    sqlite_service: Path,
    client: TestClient,
    project_with_data: tuple[dict[str, str], str, str],
    params: dict[str, Any],
    message: str,
) -> None:
    headers, project, version = project_with_data
    body = search_body(version, ops=["conv3", "avgpool3"])
    earlier = submit(client, headers, project, body).json()
    models = {"catalog": finished_model(earlier["id"], "train")}
    given = {"family_model_id": finished_model(earlier["id"]), "max_params": 9000, **params}
    given["family_model_id"] = models.get(given["family_model_id"], given["family_model_id"])
    r = submit(client, headers, project, search_body(version, **given))
    assert r.status_code == 422, r.text
    assert message in str(r.json()["detail"])


def test_another_users_search_is_no_family_source(
    sqlite_service: Path, client: TestClient, project_with_data: tuple[dict[str, str], str, str]
) -> None:
    headers, project, version = project_with_data
    earlier = submit(client, headers, project, search_body(version)).json()
    model_id = finished_model(earlier["id"])
    other = new_user(client)
    other_project = create_project(client, other)
    zipped = class_folder_zip(flower_images(per_class=4))
    other_version = upload_dataset(client, other, other_project, zipped).json()["versions"][0]
    body = search_body(other_version["id"], family_model_id=model_id, max_params=9000)
    r = submit(client, other, other_project, body)
    assert r.status_code == 422 and "no such model in this project" in r.text
