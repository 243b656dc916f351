"""The yandex compute backend end to end, with the official SDK over real gRPC and TLS to a
local Yandex Cloud (tests/support/yandex_cloud.py), the real S3 server and PostgreSQL: a job
chosen for "yandex" in the API runs on a machine that executes its user-data, and every path
(success, failure, cancel, preemption, a crashed worker, the machine limit) leaves no
machine behind."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from backend.api.deps import get_dispatcher
from backend.db import session_scope
from backend.models import CloudMachine, DatasetVersion, Job, JobState, MachineState, utcnow
from backend.storage import create_storage
from backend.yandex_settings import get_yandex_settings
from mlcore.contract.results import RESTORED
from tests.support.api import API, create_project, new_user, upload_dataset
from tests.support.env import configure, reset_caches
from tests.support.records import add_job
from tests.support.s3_server import S3ServerInfo
from tests.support.services import postgres_database
from tests.support.yandex_cloud import FakeYandexCloud, authorized_key, running_yandex_cloud
from tests.support.zips import class_folder_zip, flower_images
from worker.compute.yandex.backend import bucket_storage
from worker.compute.yandex.cloud import YandexCloud
from worker.compute.yandex.reaper import reap_machines
from worker.compute.yandex.userdata import manifest_of
from worker.reaper import reap_stale_jobs

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
FOLDER = "b1gkonstruktortest01"
FAMILY = "ubuntu-2204-lts-gpu"
LABELS = {"konstruktor": "konstruktor"}
WAIT_S = 240


@pytest.fixture(scope="session")
def runner_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The runner wheel as `make runner-wheel` builds it (from a copy of the sources)."""
    src, out = tmp_path_factory.mktemp("runner-src"), tmp_path_factory.mktemp("runner")
    for name in ("backend", "worker", "mlcore", "storage"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "LICENSE", "README.md"):
        shutil.copy(ROOT / name, src / name)
    command = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
    subprocess.run([*command, "-w", str(out), str(src)], check=True)
    shutil.copy(ROOT / "requirements-runner.txt", out)
    return next(out.glob("konstruktor-*.whl"))


def yandex_env(cloud: FakeYandexCloud, tmp: Path, s3: S3ServerInfo, wheel: Path) -> dict[str, str]:
    (tmp / "ca.pem").write_bytes(cloud.ca_pem)
    return {
        "KONSTRUKTOR_COMPUTE_BACKENDS": "local,yandex",
        "KONSTRUKTOR_YC_FOLDER_ID": FOLDER,
        "KONSTRUKTOR_YC_SUBNET_ID": "e9bkonstruktorsubnet",
        "KONSTRUKTOR_YC_KEY_FILE": str(tmp / "key.json"),
        "KONSTRUKTOR_YC_IMAGE_FAMILY": FAMILY,
        "KONSTRUKTOR_YC_BUCKET": s3.bucket,
        "KONSTRUKTOR_YC_S3_ENDPOINT": s3.endpoint_url,
        "KONSTRUKTOR_YC_S3_ACCESS_KEY_ID": s3.access_key_id,
        "KONSTRUKTOR_YC_S3_SECRET_ACCESS_KEY": s3.secret_access_key,
        "KONSTRUKTOR_YC_S3_PREFIX": f"yc-{tmp.name}",
        "KONSTRUKTOR_YC_PRICE_GPU_HOUR": "300",
        "KONSTRUKTOR_YC_PRICE_CORE_HOUR": "1.2",
        "KONSTRUKTOR_YC_PRICE_MEMORY_GB_HOUR": "0.3",
        "KONSTRUKTOR_YC_RUNNER_WHEEL": str(wheel),
        "KONSTRUKTOR_YC_API_ENDPOINT": cloud.endpoint,
        "KONSTRUKTOR_YC_CA_FILE": str(tmp / "ca.pem"),
        "KONSTRUKTOR_YC_POLL_S": "0.2",
        "KONSTRUKTOR_YC_STATUS_POLL_S": "0.5",
    }


@pytest.fixture
def cloud(
    monkeypatch: pytest.MonkeyPatch,
    var_dir: Path,
    tmp_path: Path,
    s3_server: S3ServerInfo,
    runner_wheel: Path,
    request: pytest.FixtureRequest,
) -> Iterator[FakeYandexCloud]:
    """The service on PostgreSQL with `yandex` beside `local`, on the fake cloud and the real
    S3 server; `@pytest.mark.yc(NAME=value)` adds KONSTRUKTOR_YC_NAME settings."""
    public = authorized_key(tmp_path / "key.json")
    extra = request.node.get_closest_marker("yc")
    with (
        postgres_database() as database,
        running_yandex_cloud(tmp_path / "cloud", FOLDER, FAMILY, public) as fake,
    ):
        env = {"DATABASE_URL": database, **yandex_env(fake, tmp_path, s3_server, runner_wheel)}
        for name, value in (extra.kwargs if extra else {}).items():
            env[f"KONSTRUKTOR_YC_{name}"] = str(value)
        configure(monkeypatch, var_dir, **env)
        yield fake
        reset_caches()


def submit(
    client: TestClient, epochs: int = 1, data: bytes | None = None
) -> tuple[str, dict[str, str]]:
    """A training job on yandex, by a new user: its id and that user's headers."""
    headers = new_user(client)
    project = create_project(client, headers)
    upload = upload_dataset(
        client, headers, project, data or class_folder_zip(flower_images(per_class=6, classes=3))
    )
    assert upload.status_code == 201, upload.text
    version = upload.json()["versions"][0]["id"]
    params = {"model": "resnet18", "pretrained": False, "image_size": 32, "epochs": epochs}
    body = {"dataset_version_id": version, "params": params, "compute_backend": "yandex"}
    r = client.post(f"{API}/projects/{project}/jobs", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"]), headers


def run_in_thread(job_id: str) -> threading.Thread:
    from worker.tasks import run_job

    thread = threading.Thread(target=run_job, args=(job_id,), daemon=True)
    thread.start()
    return thread


def wait_until(condition: Callable[[], Any], what: str, timeout: float = WAIT_S) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def job_keys(job_id: str) -> list[str]:
    return bucket_storage(get_yandex_settings()).list(f"jobs/{job_id}")


def assert_no_machine_left(cloud: FakeYandexCloud, job_id: str) -> None:
    ours = [
        m for m in cloud.machines.values() if m.instance.labels.get("konstruktor-job") == job_id
    ]
    assert ours == [], "a machine of the job is still there"
    assert sorted(cloud.created_ids()) == sorted(
        r.instance_id for r in cloud.calls("InstanceService.Delete")
    )
    with session_scope() as session:
        records = session.scalars(select(CloudMachine).where(CloudMachine.job_id == job_id)).all()
        assert records and all(r.state == MachineState.deleted for r in records)
    assert job_keys(job_id) == [], "the job's objects stay in the bucket"


def get_job(client: TestClient, job_id: str, headers: dict[str, str]) -> dict[str, Any]:
    r = client.get(f"{API}/jobs/{job_id}", headers=headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_a_job_chosen_for_yandex_runs_on_a_machine_that_is_deleted_after(
    cloud: FakeYandexCloud, client: TestClient
) -> None:
    service = client.get(f"{API}/service").json()
    target = next(t for t in service["compute_targets"] if t["name"] == "yandex")
    assert target["device"] == "cuda" and target["currency"] == "RUB"
    assert target["price_per_hour"] == pytest.approx(300 + 28 * 1.2 + 119 * 0.3)

    job_id, headers = submit(client, epochs=2)
    submitted = get_job(client, job_id, headers)
    assert submitted["compute_backend"] == "yandex"
    estimate = submitted["cost"]
    assert estimate["estimate"] > 0 and estimate["ceiling"] == pytest.approx(
        24 * target["price_per_hour"], rel=1e-3
    )
    assert "assumed" in estimate["basis"]

    from worker.tasks import run_job

    run_job(job_id)

    job = get_job(client, job_id, headers)
    assert job["state"] == "succeeded", job["error"]
    assert [row["epoch"] for row in job["metrics_history"]] == [1, 2]
    assert any("is up" in line["message"] for line in job["log"])
    model = client.get(f"{API}/models/{job['model_id']}", headers=headers).json()
    package = client.get(f"{API}/models/{model['id']}/download", headers=headers)
    assert package.status_code == 200 and package.content[:2] == b"PK"
    assert job["cost"]["machines"] == 1 and job["cost"]["machine_seconds"] > 0
    assert job["cost"]["actual"] > 0

    (create,) = cloud.calls("InstanceService.Create")
    assert create.folder_id == FOLDER and create.zone_id == "ru-central1-a"
    assert create.platform_id == "gpu-standard-v3"
    assert (create.resources_spec.gpus, create.resources_spec.cores) == (1, 28)
    assert create.resources_spec.memory == 119 * 2**30
    assert create.boot_disk_spec.auto_delete and create.boot_disk_spec.disk_spec.size == 100 * 2**30
    assert create.network_interface_specs[0].subnet_id == "e9bkonstruktorsubnet"
    assert not create.scheduling_policy.preemptible
    assert dict(create.labels) == {
        "konstruktor": "konstruktor",
        "konstruktor-job": job_id,
        "konstruktor-attempt": "1",
        "konstruktor-machine": create.labels["konstruktor-machine"],
    }
    user_data = create.metadata["user-data"]
    assert user_data.startswith("#cloud-config\n")
    settings = get_yandex_settings()
    for secret in (settings.s3_secret_access_key, settings.authorized_key["private_key"][40:80]):
        assert secret not in user_data, "a long-lived secret went to the machine"
    manifest = manifest_of(user_data)
    urls = [
        manifest["spec"],
        manifest["resume"],
        *manifest["inputs"].values(),
        *manifest["put"].values(),
    ]
    for url in urls:
        query = parse_qs(urlsplit(url).query)
        assert "X-Amz-Signature" in query and int(query["X-Amz-Expires"][0]) <= 7 * 24 * 3600
    assert_no_machine_left(cloud, job_id)
    with session_scope() as session:
        (record,) = session.scalars(select(CloudMachine).where(CloudMachine.job_id == job_id))
        assert record.outcome == "succeeded" and record.ready_at is not None


def test_a_failing_job_reports_the_machines_error_and_deletes_it(
    cloud: FakeYandexCloud, client: TestClient
) -> None:
    job_id, headers = submit(client)
    with session_scope() as session:  # the stored dataset is damaged after it was checked
        job = session.get(Job, job_id)
        assert job is not None
        version = session.get(DatasetVersion, job.dataset_version_id)
        assert version is not None
        create_storage().put_bytes(version.storage_key, b"not a zip file")
    from worker.tasks import run_job

    run_job(job_id)
    failed = get_job(client, job_id, headers)
    assert failed["state"] == "failed"
    assert "zip" in failed["error"].lower(), failed["error"]
    assert len(cloud.created_ids()) == 1
    assert_no_machine_left(cloud, job_id)


def test_a_machine_the_cloud_refuses_fails_the_job_with_its_answer(
    cloud: FakeYandexCloud, client: TestClient
) -> None:
    cloud.refuse = "Quota limit compute.instanceGpus.count exceeded"
    job_id, headers = submit(client)
    from worker.tasks import run_job

    run_job(job_id)
    failed = get_job(client, job_id, headers)
    assert failed["state"] == "failed"
    assert "RESOURCE_EXHAUSTED" in failed["error"] and "instanceGpus" in failed["error"]
    assert cloud.created_ids() == [] and failed["cost"]["machines"] == 0
    with session_scope() as session:
        (record,) = session.scalars(select(CloudMachine).where(CloudMachine.job_id == job_id))
        assert record.state == MachineState.deleted and record.instance_id is None
    assert job_keys(job_id) == []


def test_cancelling_a_job_deletes_its_machine(cloud: FakeYandexCloud, client: TestClient) -> None:
    job_id, headers = submit(client, epochs=50)
    thread = run_in_thread(job_id)
    wait_until(lambda: get_job(client, job_id, headers)["epoch"] >= 1, "the first epoch")
    r = client.post(f"{API}/jobs/{job_id}/cancel", headers=headers)
    assert r.status_code == 200, r.text
    thread.join(WAIT_S)
    assert not thread.is_alive()
    assert get_job(client, job_id, headers)["state"] == "cancelled"
    assert_no_machine_left(cloud, job_id)


@pytest.mark.yc(PREEMPTIBLE="true", MAX_PREEMPTIONS="2")
def test_a_preempted_machine_is_replaced_and_the_job_resumes_from_its_checkpoint(
    cloud: FakeYandexCloud, client: TestClient
) -> None:
    job_id, headers = submit(client, epochs=12)
    thread = run_in_thread(job_id)
    bucket = bucket_storage(get_yandex_settings())
    wait_until(lambda: bucket.exists(f"jobs/{job_id}/resume.tar"), "the first checkpoint")
    (first,) = cloud.created_ids()
    cloud.preempt(first)
    thread.join(WAIT_S)
    assert not thread.is_alive()

    job = get_job(client, job_id, headers)
    assert job["state"] == "succeeded", job["error"]
    assert any("preempted" in line["message"] for line in job["log"])
    assert any(row.get(RESTORED) for row in job["metrics_history"]), "it started over"
    assert [row["epoch"] for row in job["metrics_history"]][-1] == 12
    creates = cloud.calls("InstanceService.Create")
    assert len(creates) == 2 and all(c.scheduling_policy.preemptible for c in creates)
    assert job["cost"]["machines"] == 2
    assert_no_machine_left(cloud, job_id)
    with session_scope() as session:
        outcomes = session.scalars(
            select(CloudMachine.outcome)
            .where(CloudMachine.job_id == job_id)
            .order_by(CloudMachine.id)
        ).all()
    assert outcomes == ["preempted", "succeeded"]


def test_a_crashed_workers_machine_is_reaped_once_its_job_moves_on(
    cloud: FakeYandexCloud, client: TestClient
) -> None:
    job_id, _ = submit(client, epochs=50)
    worker = subprocess.Popen(
        [sys.executable, "-c", f"from worker.tasks import run_job; run_job({job_id!r})"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        start_new_session=True,
    )
    try:
        machine = wait_until(
            lambda: next(iter(cloud.created_ids()), None) if cloud.running_ids() else None,
            "the worker's machine",
        )
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    assert cloud.status(machine) == "RUNNING", "the machine should outlive its worker"

    with session_scope() as session:  # the worker's heartbeat stops; the job reaper notices
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(heartbeat_at=utcnow() - dt.timedelta(hours=1))
        )
    assert reap_stale_jobs(get_dispatcher(), timeout_s=60) == [job_id]
    settings = get_yandex_settings()
    assert reap_machines(YandexCloud(settings), settings) == [machine]
    assert cloud.status(machine) is None
    with session_scope() as session:
        (record,) = session.scalars(select(CloudMachine).where(CloudMachine.job_id == job_id))
        assert record.state == MachineState.deleted
        assert "the worker running it stopped" in (record.outcome or "")


def test_the_reaper_deletes_every_machine_no_running_job_owns_and_no_other(
    cloud: FakeYandexCloud,
) -> None:
    with session_scope() as session:
        running = add_job(session, params={}, state=JobState.running, attempts=1)
        cancelled = add_job(session, params={}, state=JobState.cancelled, attempts=1)
        requeued = add_job(session, params={}, state=JobState.running, attempts=2)
        ids = (running.id, cancelled.id, requeued.id)
    ours = lambda job_id, attempt=1, **kw: cloud.add_instance(  # noqa: E731
        {**LABELS, "konstruktor-job": job_id, "konstruktor-attempt": str(attempt)}, **kw
    )
    keep = ours(ids[0])
    gone = [
        ours(ids[1]),  # its job was cancelled
        ours(ids[2], attempt=1),  # its worker died: the job runs again as attempt 2
        ours("0" * 32),  # its job was deleted
        ours(ids[0], age=dt.timedelta(hours=30)),  # past the 24 h job limit
    ]
    foreign = [
        cloud.add_instance({"team": "search"}, age=dt.timedelta(days=30)),
        cloud.add_instance({"konstruktor": "another-service"}, age=dt.timedelta(days=30)),
    ]
    settings = get_yandex_settings()
    assert sorted(reap_machines(YandexCloud(settings), settings)) == sorted(gone)
    assert {m for m in [keep, *foreign]} == set(cloud.machines)
    assert reap_machines(YandexCloud(settings), settings) == []


@pytest.mark.yc(MAX_VMS="1")
def test_jobs_beyond_the_machine_limit_wait_visibly(
    cloud: FakeYandexCloud, client: TestClient
) -> None:
    first, headers_1 = submit(client, epochs=3)
    second, headers_2 = submit(client, epochs=1)
    threads = [run_in_thread(first)]
    wait_until(lambda: cloud.created_ids(), "the first machine")
    threads.append(run_in_thread(second))
    wait_until(
        lambda: any(
            "waiting for a Yandex Cloud machine" in line["message"]
            for line in get_job(client, second, headers_2)["log"]
        ),
        "the second job to say it waits",
    )
    for thread in threads:
        thread.join(WAIT_S)
    assert get_job(client, first, headers_1)["state"] == "succeeded"
    assert get_job(client, second, headers_2)["state"] == "succeeded"
    assert cloud.most_at_once == 1
    assert len(cloud.created_ids()) == 2


def test_the_runner_wheel_carries_the_runner_and_its_data(runner_wheel: Path) -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "mlcore", "storage", "worker"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    data = {name for name in tracked if not name.endswith(".py")}
    with zipfile.ZipFile(runner_wheel) as wheel:
        names = set(wheel.namelist())
    assert {"worker/runner.py", "worker/vm_agent.py", "storage/files.py"} <= names
    assert data <= names, f"missing from the wheel: {sorted(data - names)}"
    assert (runner_wheel.parent / "requirements-runner.txt").is_file()
