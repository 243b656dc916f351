"""Faults lose no job and leave no process behind, against the real service: Redis restarted
without persistence while jobs wait, the worker killed mid-training, the launcher killed."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.service import running_service
from tests.e2e.test_train_to_download import API, wait_for
from tests.support.processes import alive
from tests.support.services import own_redis, postgres_database
from tests.support.zips import class_folder_zip, flower_images

pytestmark = [pytest.mark.e2e, pytest.mark.integration]
TRANSIENT = ("queued", "running")
RECOVERY = {  # seconds, short for the test (defaults and meaning: docs/architecture.md)
    "KONSTRUKTOR_JOB_HEARTBEAT_INTERVAL_S": "1",
    "KONSTRUKTOR_JOB_HEARTBEAT_TIMEOUT_S": "6",
    "KONSTRUKTOR_REAPER_INTERVAL_S": "2",
}


def runner_pids(job_id: str) -> list[int]:
    """The training runners (`python -m worker.runner`) of a job, from /proc."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            command = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"worker.runner" in command and any(job_id.encode() in part for part in command):
            found.append(int(proc.name))
    return found


def test_redis_restart_and_a_killed_worker_lose_no_job(tmp_path: Path) -> None:
    with (
        own_redis(tmp_path) as redis,
        postgres_database() as database,
        running_service(
            tmp_path / "var", {"DATABASE_URL": database, "REDIS_URL": redis.url, **RECOVERY}
        ) as svc,
        httpx.Client(base_url=svc.url + API, headers=svc.headers, timeout=60) as client,
    ):
        project = client.post("/projects", json={"name": "faults"}).json()["id"]
        data = class_folder_zip(flower_images(per_class=6, classes=3))
        upload = client.post(
            f"/projects/{project}/datasets",
            params={"name": "flowers"},
            content=data,
            headers={"Content-Type": "application/zip"},
        )
        assert upload.status_code == 201, upload.text
        version = upload.json()["versions"][0]["id"]

        def submit(epochs: int) -> dict[str, Any]:
            params = {"model": "resnet18", "pretrained": False, "image_size": 32, "epochs": epochs}
            body = {"dataset_version_id": version, "params": params}
            r = client.post(f"/projects/{project}/jobs", json=body)
            assert r.status_code == 201, r.text
            return dict(r.json())

        running = submit(epochs=30)
        waiting = [submit(epochs=1) for _ in range(2)]
        wait_for(
            client, running["id"], lambda j: j["state"] == "running" and j["progress"] > 0, 300
        )
        assert all(client.get(f"/jobs/{j['id']}").json()["state"] == "queued" for j in waiting)

        redis.restart()  # the waiting jobs' messages are gone with it
        runners = runner_pids(running["id"])
        assert runners, "the running job has no runner process"
        os.killpg(int((svc.var_dir / "worker.pid").read_text()), signal.SIGKILL)
        assert alive(runners) == [], "the killed worker's training run lives on"

        done = wait_for(client, running["id"], lambda j: j["state"] not in TRANSIENT, 600)
        assert done["state"] == "succeeded", svc.log.read_text()[-3000:]
        assert done["attempts"] == 2  # requeued once, resumed, one model
        for job in waiting:  # each is claimed once (then stopped, to keep the test short)
            claimed = wait_for(client, job["id"], lambda j: j["state"] != "queued", 300)
            client.post(f"/jobs/{job['id']}/cancel")
            final = wait_for(client, job["id"], lambda j: j["state"] not in TRANSIENT, 300)
            assert claimed["attempts"] == 1 and final["state"] in ("cancelled", "succeeded")


def test_a_killed_launcher_takes_its_worker_with_it(tmp_path: Path) -> None:
    with running_service(tmp_path / "var", {}) as svc:
        worker = int((svc.var_dir / "worker.pid").read_text())
        launcher = _launcher_of(svc.url)
        os.kill(launcher, signal.SIGKILL)
        assert alive([worker]) == [], "the worker outlived its killed launcher"


def _launcher_of(url: str) -> int:
    port = url.rsplit(":", 1)[1].encode()
    for proc in Path("/proc").iterdir():
        try:
            command = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"backend.launcher" in command and port in command:
            return int(proc.name)
    raise AssertionError("no launcher process found")
