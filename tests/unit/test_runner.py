"""`python -m worker.runner SPEC` runs standalone and reports failures on its error line."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from mlcore.contract.job import JobSpec
from mlcore.contract.results import JobResult
from storage import LocalStorage
from storage.files import safe_extract
from tests.support.configs import tiny_config
from tests.support.flowers import CLASSES, PER_SPLIT
from tests.support.paths import ROOT, image_folder_subset
from worker.events import ERROR_PREFIX, EVENT_PREFIX

SERVICE_VARIABLES = ("S3_", "DATABASE_", "REDIS_", "KONSTRUKTOR_")


SERVICE_MODULES = ("backend", "celery", "kombu", "sqlalchemy", "fastapi", "redis", "psycopg")
BLOCKING_RUNNER = (
    "import runpy, sys\n"
    f"for name in {SERVICE_MODULES!r}: sys.modules[name] = None  # as if not installed\n"
    "runpy.run_module('worker.runner', run_name='__main__')\n"
)
DATASET_KEY = "users/u/datasets/d/v/dataset.zip"


def train_spec(job_id: str) -> JobSpec:
    return JobSpec(
        job_id=job_id,
        kind="train",
        inputs={"dataset": DATASET_KEY},
        params=tiny_config(),
        output_prefix=f"users/u/jobs/{job_id}",
    )


def run_runner(spec: JobSpec, storage: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """What a cloud VM runs: the runner given its spec and a storage URL, with no service
    settings in its environment and no service module importable."""
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(spec.model_dump_json())
    env = {k: v for k, v in os.environ.items() if not k.startswith(SERVICE_VARIABLES)}
    command = [sys.executable, "-c", BLOCKING_RUNNER, str(spec_path)]
    return subprocess.run(
        [*command, "--storage", storage.resolve().as_uri()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_missing_input_fails_with_a_clear_error(tmp_path: Path) -> None:
    out = run_runner(train_spec("j1"), tmp_path / "storage", tmp_path)
    assert out.returncode == 1
    errors = [ln for ln in out.stderr.splitlines() if ln.startswith(ERROR_PREFIX)]
    assert errors == [f"{ERROR_PREFIX}no such object: users/u/datasets/d/v/dataset.zip"]


def test_invalid_spec_is_rejected(tmp_path: Path) -> None:
    spec_path = tmp_path / "spec.json"
    spec_path.write_text('{"version": 99, "kind": "train"}')
    out = subprocess.run(
        [sys.executable, "-m", "worker.runner", str(spec_path), "--storage", "file:///nowhere"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 1 and "version" in out.stderr


def test_safe_extract_refuses_paths_outside_the_folder(tmp_path: Path) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("train/a/ok.jpg", b"x")
        zf.writestr("../escaped.txt", b"x")
    with pytest.raises(ValueError, match="unsafe path"):
        safe_extract(archive, tmp_path / "out")
    assert not (tmp_path / "escaped.txt").exists()
    assert not (tmp_path / "out" / "resume").exists()


@pytest.mark.slow
def test_the_runner_runs_a_job_with_nothing_of_the_service_installed(tmp_path: Path) -> None:
    """What a cloud VM runs: a spec, a storage URL, mlcore; no backend, queue or database."""
    dataset = tmp_path / "dataset"
    image_folder_subset("flowers12_fewshot.zip", "flowers12_fewshot/", CLASSES, PER_SPLIT, dataset)
    storage = LocalStorage(tmp_path / "storage")
    with zipfile.ZipFile(tmp_path / "dataset.zip", "w") as zf:
        for path in sorted(p for p in dataset.rglob("*") if p.is_file()):
            zf.write(path, path.relative_to(dataset).as_posix())
    storage.put_file(DATASET_KEY, tmp_path / "dataset.zip")
    spec = train_spec("j2")
    out = run_runner(spec, storage.root, tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    events = [line for line in out.stdout.splitlines() if line.startswith(EVENT_PREFIX)]
    assert any('"type":"epoch"' in line for line in events)
    result = JobResult.model_validate_json(storage.read_bytes(f"{spec.output_prefix}/result.json"))
    assert result.architecture == "efficientnet_b0" and result.classes == CLASSES
    assert storage.exists(f"{spec.output_prefix}/{result.files['package']}")
