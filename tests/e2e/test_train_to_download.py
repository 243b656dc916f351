"""Upload -> train -> download -> run the package's predict.py, against a real worker process.

Runs twice: on the embedded defaults (SQLite, filesystem broker, local storage — what
`make run` uses) and on the production parts (PostgreSQL, Redis, S3 server).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mlcore.contract.job import JOB_KINDS
from tests.e2e.service import RunningService, running_service
from tests.support.package import PACKAGE_FILES
from tests.support.paths import shared_dataset
from tests.support.s3_server import S3ServerInfo
from tests.support.services import postgres_database, redis_test_url

pytestmark = pytest.mark.e2e
API = "/api/v1"
JOB_TIMEOUT_S = 600


@pytest.fixture(
    scope="module",
    params=["embedded", pytest.param("production", marks=pytest.mark.integration)],
)
def service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningService]:
    var_dir = tmp_path_factory.mktemp(f"e2e-{request.param}") / "var"
    if request.param == "embedded":
        with running_service(var_dir, {}) as svc:
            yield svc
        return
    s3: S3ServerInfo = request.getfixturevalue("s3_server")
    with postgres_database() as db_url:
        env = {
            "DATABASE_URL": db_url,
            "REDIS_URL": redis_test_url(5),
            "KONSTRUKTOR_QUEUE": f"e2e-{uuid.uuid4().hex[:8]}",
            "S3_BUCKET": s3.bucket,
            "S3_ENDPOINT_URL": s3.endpoint_url,
            "S3_ACCESS_KEY_ID": s3.access_key_id,
            "S3_SECRET_ACCESS_KEY": s3.secret_access_key,
            "S3_REGION": s3.region,
            "S3_PREFIX": f"e2e-{uuid.uuid4().hex[:8]}",
        }
        with running_service(var_dir, env) as svc:
            yield svc


@pytest.fixture(scope="module")
def client(service: RunningService) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=service.url + API, headers=service.headers, timeout=60) as c:
        yield c


def upload_shared(client: httpx.Client, archive: str) -> tuple[str, str]:
    """(project id, dataset version id) of one of the shared real datasets, in a new project."""
    name = archive.removesuffix(".zip")
    project = client.post("/projects", json={"name": name}).json()["id"]
    r = client.post(
        f"/projects/{project}/datasets",
        params={"name": name},
        content=shared_dataset(archive).read_bytes(),
        headers={"Content-Type": "application/zip"},
    )
    assert r.status_code == 201, r.text
    return project, r.json()["versions"][0]["id"]


def upload_flowers(client: httpx.Client) -> tuple[str, str]:
    """The real few-shot flowers set (12 classes, 240 + 240 images)."""
    return upload_shared(client, "flowers12_fewshot.zip")


@pytest.fixture(scope="module")
def flowers(client: httpx.Client) -> tuple[str, str]:
    return upload_flowers(client)


def submit(client: httpx.Client, flowers: tuple[str, str], **params: Any) -> dict[str, Any]:
    project, version = flowers
    body = {"model": "efficientnet_b0", "image_size": 32, "batch_size": 16, **params}
    r = client.post(
        f"/projects/{project}/jobs", json={"dataset_version_id": version, "params": body}
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def follow_events(client: httpx.Client, job_id: str) -> list[dict[str, Any]]:
    """Read the job's Server-Sent Events until the `end` event."""
    events: list[dict[str, Any]] = []
    with client.stream("GET", f"/jobs/{job_id}/events", timeout=JOB_TIMEOUT_S) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        kind = ""
        for line in stream.iter_lines():
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: ") and kind == "job":
                events.append(json.loads(line.removeprefix("data: ")))
            elif line.startswith("data: ") and kind == "end":
                break
    return events


def wait_for(client: httpx.Client, job_id: str, done: Any, timeout_s: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = dict(client.get(f"/jobs/{job_id}").json())
        if done(job):
            return job
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} did not reach the expected state: {job}")


def extract_val_images(dest: Path) -> Path:
    with zipfile.ZipFile(shared_dataset("flowers12_fewshot.zip")) as zf:
        members = [n for n in zf.namelist() if "/val/" in n and n.endswith(".jpg")]
        zf.extractall(dest, members)
    return dest / "flowers12_fewshot" / "val"


def test_train_download_and_predict(
    client: httpx.Client, flowers: tuple[str, str], service: RunningService, tmp_path: Path
) -> None:
    job = submit(client, flowers, epochs=2)
    events = follow_events(client, job["id"])
    states = [e["state"] for e in events]
    assert "running" in states and states[-1] == "succeeded", service.log.read_text()[-3000:]
    progress = [e["progress"] for e in events]
    assert progress == sorted(progress) and progress[-1] == 1.0

    final = client.get(f"/jobs/{job['id']}").json()
    assert final["attempts"] == 1 and final["error"] is None
    assert [h["epoch"] for h in final["metrics_history"]] == [1, 2]
    model = client.get(f"/models/{final['model_id']}").json()
    assert model["architecture"] == "efficientnet_b0" and len(model["class_names"]) == 12
    assert 0.0 <= model["metrics"]["accuracy"] <= 1.0

    download = client.get(f"/models/{model['id']}/download")
    assert download.status_code == 200
    assert hashlib.sha256(download.content).hexdigest() == download.headers["x-content-sha256"]
    package = tmp_path / "package"
    with zipfile.ZipFile(__import__("io").BytesIO(download.content)) as zf:
        assert set(zf.namelist()) >= PACKAGE_FILES
        zf.extractall(package)

    val_dir = extract_val_images(tmp_path / "images")
    out = subprocess.run(
        [sys.executable, "predict.py", str(val_dir), "--json", "--topk", "3"],
        cwd=package,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    predicted = {
        Path(row["file"]).relative_to(val_dir).as_posix(): row["top"][0]["label"]
        for row in map(json.loads, out.stdout.splitlines())
    }
    evaluation = client.get(f"/models/{model['id']}/evaluation").json()
    expected = {p["file"].removeprefix("val/"): p["predicted"] for p in evaluation["predictions"]}
    assert len(expected) == 240
    assert predicted == expected
    parity = client.get(f"/models/{model['id']}/parity").json()
    assert parity == json.loads((package / "parity.json").read_text())
    assert parity["images"] == 240 and parity["formats"]["onnx"]["agreement"] >= 0.995


def test_cancel_then_resume_from_the_last_epoch(
    client: httpx.Client, flowers: tuple[str, str], service: RunningService
) -> None:
    job = submit(client, flowers, epochs=3)
    wait_for(client, job["id"], lambda j: len(j["metrics_history"]) >= 1, 300)
    r = client.post(f"/jobs/{job['id']}/cancel")
    assert r.status_code == 200 and r.json()["cancel_requested"]
    cancelled = wait_for(client, job["id"], lambda j: j["state"] != "running", 120)
    assert cancelled["state"] == "cancelled" and cancelled["model_id"] is None
    assert cancelled["finished_at"] is not None
    leftovers = [p for p in service.var_dir.rglob("*") if job["id"] in p.as_posix()]
    kept = {p.relative_to(service.var_dir).as_posix() for p in leftovers if p.is_file()}
    resume = f"jobs/{job['id']}/resume"
    assert kept == {f"{resume}/last.pt", f"{resume}/last.json"}  # what a resume needs

    assert client.post(f"/jobs/{job['id']}/resume").json()["state"] == "queued"
    final = wait_for(client, job["id"], lambda j: j["state"] not in ("queued", "running"), 600)
    assert final["state"] == "succeeded", service.log.read_text()[-3000:]
    assert final["attempts"] == 2 and final["model_id"] is not None
    assert [h["epoch"] for h in final["metrics_history"]] == [1, 2, 3]  # restored + new
    assert not (service.var_dir / "jobs" / job["id"]).exists()  # scratch folder gone


def test_pretrained_weights_that_cannot_be_had_are_refused_at_submission(
    client: httpx.Client, flowers: tuple[str, str]
) -> None:
    """No internet here and no mirror: the service says so before any job exists, naming
    the file and the commands that fetch it; a blank pretrained trains from scratch."""
    project, version = flowers
    params = {"model": "efficientnet_b0", "pretrained": True, "epochs": 1}
    r = client.post(
        f"/projects/{project}/jobs", json={"dataset_version_id": version, "params": params}
    )
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert "efficientnet_b0_rwightman-7f5810bc.pth" in detail
    assert "make weights MODELS=efficientnet_b0" in detail and "pretrained=false" in detail
    preview = client.post(
        f"/projects/{project}/jobs/preview",
        json={"dataset_version_id": version, "params": {"model": "efficientnet_b0"}},
    )
    assert preview.status_code == 200, preview.text
    assert preview.json()["params"]["pretrained"] is False
    assert "no publisher weights" in preview.json()["params"]["reasons"]["pretrained"]


def test_a_killed_worker_is_restarted_and_its_job_requeued(tmp_path: Path) -> None:
    """Kill the worker mid-job: the launcher restarts it and the reaper requeues the job."""
    var_dir = tmp_path / "var"
    env = {"KONSTRUKTOR_JOB_HEARTBEAT_TIMEOUT_S": "8", "KONSTRUKTOR_REAPER_INTERVAL_S": "1"}
    with (
        running_service(var_dir, env) as svc,
        httpx.Client(base_url=svc.url + API, headers=svc.headers, timeout=60) as c,
    ):
        flowers_ids = upload_flowers(c)
        job = submit(c, flowers_ids, epochs=200)
        wait_for(c, job["id"], lambda j: j["state"] == "running" and j["progress"] > 0, 300)
        first_worker = int((var_dir / "worker.pid").read_text())
        os.killpg(first_worker, signal.SIGKILL)

        rerun = wait_for(c, job["id"], lambda j: j["attempts"] == 2 and j["progress"] > 0, 300)
        assert rerun["state"] == "running"
        assert int((var_dir / "worker.pid").read_text()) != first_worker
        c.post(f"/jobs/{job['id']}/cancel")
        final = wait_for(c, job["id"], lambda j: j["state"] != "running", 120)
        assert final["state"] == "cancelled"


TINY_SEARCH = {"cells": 1, "nodes": 2, "channels": 4, "image_size": 16, "batch_size": 32}


def submit_search(client: httpx.Client, flowers: tuple[str, str], **params: Any) -> dict[str, Any]:
    project, version = flowers
    body = {"kind": "search", "dataset_version_id": version, "params": {**TINY_SEARCH, **params}}
    r = client.post(f"/projects/{project}/jobs", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_search_cancel_resume_and_download(
    client: httpx.Client, flowers: tuple[str, str], service: RunningService, tmp_path: Path
) -> None:
    """An architecture search through the API and a worker: live progress with the
    temperature, cancel after the first search epoch, resume from it, a packaged model."""
    job = submit_search(client, flowers, search_epochs=6, retrain_epochs=1)
    first = wait_for(client, job["id"], lambda j: len(j["metrics_history"]) >= 1, 300)
    assert first["metrics_history"][0]["phase"] == "searching"
    assert "temperature" in first["metrics_history"][0]
    client.post(f"/jobs/{job['id']}/cancel")
    cancelled = wait_for(client, job["id"], lambda j: j["state"] != "running", 120)
    assert cancelled["state"] == "cancelled"

    assert client.post(f"/jobs/{job['id']}/resume").json()["state"] == "queued"
    final = wait_for(client, job["id"], lambda j: j["state"] not in ("queued", "running"), 600)
    assert final["state"] == "succeeded", service.log.read_text()[-3000:]
    phases = [(h["epoch"], h["phase"]) for h in final["metrics_history"]]
    assert phases == [*((e, "searching") for e in range(1, 7)), (7, "retraining")]
    assert final["metrics_history"][0]["restored"]  # resumed from the cancelled attempt

    model = client.get(f"/models/{final['model_id']}").json()
    assert model["architecture"] == "nas" and len(model["class_names"]) == 12
    assert model["task"] == "classify"
    family = client.get(f"/models/{model['id']}/files/family").json()
    assert family["members"] and family["front"]
    parity = client.get(f"/models/{model['id']}/parity").json()
    assert parity["formats"]["onnx"]["agreement"] >= 0.995
    download = client.get(f"/models/{model['id']}/download")
    with zipfile.ZipFile(__import__("io").BytesIO(download.content)) as zf:
        assert "nas_network.py" in zf.namelist()

    # another member of the same family, retrained without searching again
    cheapest = min(family["members"], key=lambda m: m["params"])
    project, version = flowers
    params = {"family_model_id": model["id"], "max_params": cheapest["params"], "seed": 1}
    body = {"kind": "search", "dataset_version_id": version, "params": params}
    member_job = client.post(f"/projects/{project}/jobs", json=body).json()
    assert member_job["epochs"] == 1 and member_job["params"]["channels"] == 4
    done = wait_for(
        client, member_job["id"], lambda j: j["state"] not in ("queued", "running"), 300
    )
    assert done["state"] == "succeeded", service.log.read_text()[-3000:]
    assert {h["phase"] for h in done["metrics_history"]} == {"retraining"}
    member = client.get(f"/models/{done['model_id']}/files/family").json()
    chosen = member["members"][member["chosen"]]
    within = [m for m in family["members"] if m["params"] <= cheapest["params"]]
    best = min(within, key=lambda m: (-m["proxy_accuracy"], m["params"]))  # the budget's pick
    assert chosen["genotype"] == best["genotype"] and member["family_of"] == model["id"]


# Every job kind, the smallest request of it: each must go API -> queue -> worker -> runner ->
# result -> model record -> download. A new kind fails `test_every_job_kind_has_a_round_trip`
# until it is listed here.
ROUND_TRIPS: dict[str, dict[str, Any]] = {
    "train": {"model": "efficientnet_b0", "epochs": 1, "image_size": 32, "batch_size": 16},
    "search": {**TINY_SEARCH, "search_epochs": 1, "retrain_epochs": 1},
}


def test_every_job_kind_has_a_round_trip() -> None:
    assert set(ROUND_TRIPS) == set(JOB_KINDS.names())


@pytest.mark.parametrize("kind", list(ROUND_TRIPS))
def test_every_job_kind_round_trips(
    kind: str, client: httpx.Client, flowers: tuple[str, str], service: RunningService
) -> None:
    project, version = flowers
    body = {"kind": kind, "dataset_version_id": version, "params": ROUND_TRIPS[kind]}
    r = client.post(f"/projects/{project}/jobs", json=body)
    assert r.status_code == 201, r.text
    job = wait_for(client, r.json()["id"], lambda j: j["state"] not in ("queued", "running"), 600)
    assert job["state"] == "succeeded", service.log.read_text()[-3000:]
    assert job["metrics_history"] and job["progress"] == 1.0
    model = client.get(f"/models/{job['model_id']}").json()
    assert model["job_id"] == job["id"] and len(model["class_names"]) == 12
    assert {"package", "evaluation", "metrics", "weights", "parity"} <= set(model["files"])
    download = client.get(f"/models/{model['id']}/download")
    assert hashlib.sha256(download.content).hexdigest() == model["package_sha256"]
