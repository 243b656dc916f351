"""YOLO11 classification and detection jobs through the API and a real worker process."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.service import running_service
from tests.e2e.test_train_to_download import API, upload_flowers, upload_shared, wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    var_dir = tmp_path_factory.mktemp("e2e-yolo") / "var"
    with (
        running_service(var_dir, {}) as svc,
        httpx.Client(base_url=svc.url + API, headers=svc.headers, timeout=60) as c,
    ):
        yield c


def train(client: httpx.Client, data: tuple[str, str], **params: Any) -> dict[str, Any]:
    project, version = data
    body = {"dataset_version_id": version, "params": {"epochs": 1, "batch_size": 8, **params}}
    r = client.post(f"/projects/{project}/jobs", json=body)
    assert r.status_code == 201, r.text
    job = wait_for(client, r.json()["id"], lambda j: j["state"] not in ("queued", "running"), 600)
    assert job["state"] == "succeeded", job["error"]
    assert job["metrics_history"] and job["metrics_history"][-1]["epoch"] == 1
    model: dict[str, Any] = client.get(f"/models/{job['model_id']}").json()
    return model


def package_names(client: httpx.Client, model_id: str) -> set[str]:
    download = client.get(f"/models/{model_id}/download")
    assert download.status_code == 200
    with zipfile.ZipFile(io.BytesIO(download.content)) as zf:
        return set(zf.namelist())


def test_yolo_classifier_job(client: httpx.Client) -> None:
    model = train(client, upload_flowers(client), model="yolo11n-cls", image_size=32)
    assert model["architecture"] == "yolo11n-cls" and len(model["class_names"]) == 12
    assert model["task"] == "classify"
    assert 0.0 <= model["metrics"]["accuracy"] <= 1.0
    assert {"confusion_matrix", "training_curves", "weights"} <= set(model["files"])
    png = client.get(f"/models/{model['id']}/files/confusion_matrix")
    assert png.headers["content-type"] == "image/png" and png.content[:4] == b"\x89PNG"
    assert {"model.pt", "labels.json", "README.md"} <= package_names(client, model["id"])


def test_yolo_detector_job(client: httpx.Client, tmp_path: Path) -> None:
    model = train(client, upload_shared(client, "coco128.zip"), model="yolo11n", image_size=64)
    assert model["architecture"] == "yolo11n" and len(model["class_names"]) == 80
    assert model["task"] == "detect"
    assert {"map50", "map50_95", "precision", "recall"} <= set(model["metrics"])
    evaluation = client.get(f"/models/{model['id']}/evaluation").json()
    assert 0.0 <= evaluation["map50"] <= 1.0
    assert "pr_curve" in model["files"]
    assert {"model.pt", "labels.json", "README.md"} <= package_names(client, model["id"])
