"""`python -m worker.runner SPEC` runs standalone and reports failures on its error line."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from mlcore.contract.job import JobSpec
from tests.support.configs import tiny_config
from tests.support.paths import ROOT
from worker.events import ERROR_PREFIX
from worker.runner import safe_extract

SERVICE_VARIABLES = ("S3_", "DATABASE_", "REDIS_", "KONSTRUKTOR_")


def run_runner(spec: JobSpec, storage: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """The runner given only its spec and a storage URL: no service settings in its env."""
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(spec.model_dump_json())
    env = {k: v for k, v in os.environ.items() if not k.startswith(SERVICE_VARIABLES)}
    return subprocess.run(
        [sys.executable, "-m", "worker.runner", str(spec_path), "--storage", storage.as_uri()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_missing_input_fails_with_a_clear_error(tmp_path: Path) -> None:
    spec = JobSpec(
        job_id="j1",
        kind="train",
        inputs={"dataset": "users/u/datasets/d/v/dataset.zip"},
        params=tiny_config(),
        output_prefix="users/u/jobs/j1",
    )
    out = run_runner(spec, tmp_path / "storage", tmp_path)
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
