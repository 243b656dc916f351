"""Submitting, validating, listing and cancelling jobs through the API (no worker running)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.support.api import API, train_body


def queued_messages(var_dir: Path) -> list[Path]:
    return sorted((var_dir / "broker" / "queue").glob("*"))


def test_train_job_is_queued_and_can_be_cancelled(
    service: Path, client: TestClient, project_with_data: tuple[dict[str, str], str, str]
) -> None:
    headers, project, version = project_with_data
    r = client.post(f"{API}/projects/{project}/jobs", json=train_body(version), headers=headers)
    assert r.status_code == 201, r.text
    job = r.json()
    assert job["state"] == "queued" and job["attempts"] == 0 and job["epochs"] == 1
    assert len(queued_messages(service)) == 1
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
