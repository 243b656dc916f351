"""The local backend's scratch folders: per run, with a shared resume folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.settings import get_settings
from worker.compute.local import job_folder, runner_environment


@pytest.fixture
def jobs_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("KONSTRUKTOR_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield tmp_path / "var" / "jobs"
    get_settings.cache_clear()


def test_a_failed_run_keeps_only_the_shared_checkpoints(jobs_dir: Path) -> None:
    with pytest.raises(RuntimeError), job_folder("j1") as run:
        (run / "work" / "dataset").mkdir()
        (run / "work" / "resume" / "last.pt").write_bytes(b"state")
        raise RuntimeError("boom")
    assert not run.exists()
    assert [p.name for p in (jobs_dir / "j1").iterdir()] == ["resume"]
    with job_folder("j1") as again:  # the next attempt sees the checkpoint
        assert again != run and (again / "work" / "resume" / "last.pt").read_bytes() == b"state"
    assert not (jobs_dir / "j1").exists()  # success cleans up everything


def test_a_stale_run_cannot_delete_a_newer_runs_files(jobs_dir: Path) -> None:
    with job_folder("j2") as newer:
        with pytest.raises(RuntimeError), job_folder("j2") as stale:
            raise RuntimeError("this attempt lost its job")
        assert not stale.exists() and (newer / "work").is_dir()


def test_a_run_without_checkpoints_leaves_nothing(jobs_dir: Path) -> None:
    with pytest.raises(RuntimeError), job_folder("j3"):
        raise RuntimeError("failed before the first epoch")
    assert not (jobs_dir / "j3").exists()


def test_the_runner_gets_the_storage_credentials_and_ultralytics_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KONSTRUKTOR_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("S3_ACCESS_KEY_ID", "key-id")
    monkeypatch.setenv("S3_SECRET_ACCESS_KEY", "secret")
    get_settings.cache_clear()
    env = runner_environment(get_settings())
    get_settings.cache_clear()
    assert env["YOLO_CONFIG_DIR"] == str((tmp_path / "var" / "ultralytics").resolve())
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]) == ("key-id", "secret")
