"""Submitting architecture-search jobs: resolved settings, validation, resume (no worker)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mlcore.spec import SearchConfig
from tests.support.api import API


def search_body(version: str, **params: Any) -> dict[str, Any]:
    return {"kind": "search", "dataset_version_id": version, "params": params}


def test_search_job_records_its_resolved_settings(
    sqlite_service: Path, client: TestClient, project_with_data: tuple[dict[str, str], str, str]
) -> None:
    headers, project, version = project_with_data
    body = search_body(version, channels=8, max_params=20_000)
    r = client.post(f"{API}/projects/{project}/jobs", json=body, headers=headers)
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
    job = client.post(f"{API}/projects/{project}/jobs", json=body, headers=headers).json()
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
    r = client.post(f"{API}/projects/{project}/jobs", json=body, headers=headers)
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
    job = client.post(
        f"{API}/projects/{project}/jobs", json=search_body(version), headers=headers
    ).json()
    client.post(f"{API}/jobs/{job['id']}/cancel", headers=headers)
    resumed = client.post(f"{API}/jobs/{job['id']}/resume", headers=headers)
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["state"] == "queued" and resumed.json()["kind"] == "search"
