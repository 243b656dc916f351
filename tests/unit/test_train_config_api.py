"""Submission resolves every blank from the data; transfer starts are checked; jobs resume."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from backend.db import session_scope
from backend.models import Job, JobState
from tests.support.api import API, new_user
from tests.support.records import add_model


def user_id(client: TestClient, headers: dict[str, str]) -> str:
    return str(client.get(f"{API}/auth/me", headers=headers).json()["id"])


def submit(
    client: TestClient, headers: dict[str, str], project: str, version: str, **params: object
) -> dict[str, object]:
    body = {"dataset_version_id": version, "params": {"model": "efficientnet_b0", **params}}
    r = client.post(f"{API}/projects/{project}/jobs", json=body, headers=headers)
    assert r.status_code == 201, r.text
    job: dict[str, object] = r.json()
    return job


def own_model(
    client: TestClient, headers: dict[str, str], architecture: str, files: dict[str, str]
) -> str:
    """The id of a model of the user behind `headers`."""
    with session_scope() as session:
        owner = user_id(client, headers)
        return add_model(session, owner, files, architecture=architecture).id


def test_blanks_are_chosen_from_the_data_and_given_values_win(
    sqlite_service: Path, client: TestClient, project_with_data: tuple[dict[str, str], str, str]
) -> None:
    headers, project, version = project_with_data
    job = submit(client, headers, project, version, epochs=3)
    params = job["params"]
    assert isinstance(params, dict)
    assert params["epochs"] == 3 and job["epochs"] == 3  # the user's value
    assert "epochs" not in params["chosen"]
    # 12 images, 9 for training after the generated 80/20 split: few per class -> strong
    # augmentation, a batch that leaves at least two steps, the model's own rate from scratch.
    assert params["augmentation"] == "strong" and params["batch_size"] == 9 // 2
    assert params["learning_rate"] == pytest.approx(1e-3)
    assert {"image_size", "batch_size", "augmentation", "learning_rate"} <= set(params["chosen"])


def test_transfer_start_must_be_your_own_model_of_the_same_architecture(
    sqlite_service: Path, client: TestClient, project_with_data: tuple[dict[str, str], str, str]
) -> None:
    headers, project, version = project_with_data
    body = {"dataset_version_id": version, "params": {"model": "efficientnet_b0"}}

    def rejection(model_id: str) -> str:
        body["params"]["init_model_id"] = model_id  # type: ignore[index]
        r = client.post(f"{API}/projects/{project}/jobs", json=body, headers=headers)
        assert r.status_code == 422, r.text
        return str(r.json()["detail"])

    stranger = own_model(client, new_user(client), "efficientnet_b0", {"weights": "x/model.pt"})
    assert "no such model of yours" in rejection(stranger)
    other_arch = own_model(client, headers, "efficientnet_b1", {"weights": "x/model.pt"})
    assert "transfer needs the same architecture" in rejection(other_arch)
    old = own_model(client, headers, "efficientnet_b0", {"package": "x/package.zip"})
    assert "predates transfer learning" in rejection(old)

    mine = own_model(client, headers, "efficientnet_b0", {"weights": "x/model.pt"})
    job = submit(client, headers, project, version, init_model_id=mine)
    params = job["params"]
    assert isinstance(params, dict) and params["init_model_id"] == mine
    assert params["learning_rate"] == pytest.approx(1e-3)  # the from-scratch schedule
    assert params["pretrained"] is False and "earlier model" in params["reasons"]["epochs"]


def test_only_failed_or_cancelled_jobs_resume(
    sqlite_service: Path, client: TestClient, project_with_data: tuple[dict[str, str], str, str]
) -> None:
    headers, project, version = project_with_data
    job_id = str(submit(client, headers, project, version, epochs=2)["id"])
    queued = client.post(f"{API}/jobs/{job_id}/resume", headers=headers)
    assert queued.status_code == 409 and "only failed or cancelled" in queued.json()["detail"]

    with session_scope() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(state=JobState.failed, attempts=2, max_attempts=2, error="worker died")
        )
    resumed = client.post(f"{API}/jobs/{job_id}/resume", headers=headers)
    assert resumed.status_code == 200, resumed.text
    body = resumed.json()
    assert body["state"] == "queued" and body["error"] is None and body["message"] == "resuming"
    with session_scope() as session:
        job = session.get(Job, job_id)
        assert job is not None and job.max_attempts > job.attempts  # a fresh attempt budget

    other = new_user(client)
    assert client.post(f"{API}/jobs/{job_id}/resume", headers=other).status_code == 404
