"""Submitting, validating, listing and cancelling jobs through the API (no worker running)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mlcore.contract.estimate import FIXED_S
from tests.support.api import API, create_project, new_user, train_body
from tests.support.env import configure, reset_caches
from tests.support.services import closed_port


def queued_messages(var_dir: Path) -> list[Path]:
    return sorted((var_dir / "broker" / "queue").glob("*"))


def test_train_job_is_queued_and_can_be_cancelled(
    service: Path,
    client: TestClient,
    project_with_data: tuple[dict[str, str], str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    headers, project, version = project_with_data
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the embedded broker writes nothing where the service runs
    r = client.post(f"{API}/projects/{project}/jobs", json=train_body(version), headers=headers)
    assert r.status_code == 201, r.text
    job = r.json()
    assert job["state"] == "queued" and job["attempts"] == 0 and job["epochs"] == 1
    assert len(queued_messages(service)) == 1
    assert list(elsewhere.iterdir()) == []  # kombu's exchange tables live under var/broker
    assert [j["id"] for j in client.get(f"{API}/jobs", headers=headers).json()] == [job["id"]]

    cancelled = client.post(f"{API}/jobs/{job['id']}/cancel", headers=headers)
    assert cancelled.json()["state"] == "cancelled"
    again = client.post(f"{API}/jobs/{job['id']}/cancel", headers=headers)
    assert again.status_code == 409 and "already cancelled" in again.json()["detail"]

    with client.stream("GET", f"{API}/jobs/{job['id']}/events", headers=headers) as stream:
        text = "".join(stream.iter_text())
    assert "event: job" in text and '"state":"cancelled"' in text and "event: end" in text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"model": "resnet9000"}, "unknown model 'resnet9000'"),
        ({"epochs": -1}, "epochs"),
        ({"batch_size": 0}, "batch_size"),
        ({"image_size": 8}, "image_size"),
        ({"optimiser": "sgd"}, "optimiser"),
    ],
)
def test_invalid_train_parameters_are_explained(
    sqlite_service: Path,
    client: TestClient,
    project_with_data: tuple[dict[str, str], str, str],
    params: dict[str, object],
    message: str,
) -> None:
    headers, project, version = project_with_data
    r = client.post(
        f"{API}/projects/{project}/jobs", json=train_body(version, **params), headers=headers
    )
    assert r.status_code == 422
    assert message in str(r.json()["detail"])
    assert client.get(f"{API}/jobs", headers=headers).json() == []
    assert queued_messages(sqlite_service) == []


def test_catalog_lists_efficientnets(sqlite_service: Path, client: TestClient) -> None:
    names = [m["name"] for m in client.get(f"{API}/catalog").json()]
    assert "efficientnet_b0" in names and "efficientnet_b7" in names


def test_a_queue_that_is_down_answers_503_and_the_job_is_recorded_failed(
    sqlite_service: Path,
    monkeypatch: pytest.MonkeyPatch,
    project_with_data: tuple[dict[str, str], str, str],
) -> None:
    # the same service, its broker now a Redis port nobody listens on
    configure(monkeypatch, sqlite_service, REDIS_URL=f"redis://127.0.0.1:{closed_port()}")
    from backend.main import create_app

    headers, project, version = project_with_data
    with TestClient(create_app()) as down:
        r = down.post(f"{API}/projects/{project}/jobs", json=train_body(version), headers=headers)
        assert r.status_code == 503, r.text
        assert r.json()["detail"] == "the job queue is unavailable; try again later"
        jobs = down.get(f"{API}/jobs", headers=headers).json()
    assert [(j["state"], j["error"].split(":")[0]) for j in jobs] == [
        ("failed", "queue unavailable")
    ]
    reset_caches()


def test_a_preview_resolves_the_settings_without_creating_a_job(
    sqlite_service: Path, client: TestClient, project_with_data: tuple[dict[str, str], str, str]
) -> None:
    headers, project, version = project_with_data
    body = {"dataset_version_id": version, "params": {"model": "efficientnet_b0", "epochs": 2}}
    r = client.post(f"{API}/projects/{project}/jobs/preview", json=body, headers=headers)
    assert r.status_code == 200, r.text
    preview = r.json()
    assert preview["params"]["epochs"] == 2 and "epochs" not in preview["params"]["chosen"]
    assert {"image_size", "batch_size", "learning_rate"} <= set(preview["params"]["chosen"])
    assert preview["compute_backend"] == "local" and preview["epochs"] == 2
    assert client.get(f"{API}/jobs", headers=headers).json() == []
    elsewhere = {**body, "compute_backend": "mars"}
    refused = client.post(f"{API}/projects/{project}/jobs", json=elsewhere, headers=headers)
    assert refused.status_code == 422 and "choose one of local" in refused.json()["detail"]


def test_a_preview_estimates_the_duration_and_the_job_keeps_it(
    sqlite_service: Path, client: TestClient, project_with_data: tuple[dict[str, str], str, str]
) -> None:
    headers, project, version = project_with_data

    def body(epochs: int) -> dict[str, object]:
        params = {"model": "efficientnet_b0", "epochs": epochs}
        return {"dataset_version_id": version, "params": params}

    previews = [
        client.post(f"{API}/projects/{project}/jobs/preview", json=body(n), headers=headers).json()
        for n in (2, 4)
    ]
    short, long = (p["estimate_s"] for p in previews)
    assert 0 < short < long
    assert long - FIXED_S == pytest.approx(2 * (short - FIXED_S))  # the work doubles
    assert previews[0]["estimate_basis"].startswith("default pace for cpu")
    job = client.post(f"{API}/projects/{project}/jobs", json=body(2), headers=headers).json()
    assert (job["estimate_s"], job["estimate_basis"]) == (short, previews[0]["estimate_basis"])
    assert job["eta_s"] is None


def test_a_dataset_trains_in_any_of_its_owners_projects_and_no_one_elses(
    sqlite_service: Path, client: TestClient, project_with_data: tuple[dict[str, str], str, str]
) -> None:
    headers, _, version = project_with_data  # uploaded in the fixture's project
    other = create_project(client, headers, "another")
    preview = client.post(
        f"{API}/projects/{other}/jobs/preview", json=train_body(version), headers=headers
    )
    assert preview.status_code == 200, preview.text
    job = client.post(f"{API}/projects/{other}/jobs", json=train_body(version), headers=headers)
    assert job.status_code == 201, job.text
    assert (job.json()["project_id"], job.json()["dataset_version_id"]) == (other, version)
    stranger = new_user(client)
    theirs = create_project(client, stranger)
    for path in (f"{API}/projects/{theirs}/jobs", f"{API}/projects/{theirs}/jobs/preview"):
        refused = client.post(path, json=train_body(version), headers=stranger)
        assert refused.status_code == 404, path
        assert refused.json()["detail"] == f"dataset version {version} not found"
