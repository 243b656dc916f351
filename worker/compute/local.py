"""Run a job on this machine: the runner in a child process, events over its stdout."""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from backend.child_processes import dies_with_parent
from backend.settings import Settings, get_settings
from backend.storage import create_storage
from mlcore.contract.job import JobSpec
from mlcore.contract.results import JobResult, ProgressEvent
from mlcore.contract.weights import WeightsSource
from mlcore.engines.base import RESUME_DIR
from worker.compute.base import (
    COMPUTE_BACKENDS,
    ComputeBackend,
    JobCancelled,
    JobFailed,
    JobHooksProtocol,
)
from worker.events import ERROR_PREFIX, EVENT_PREFIX, RESULT_FILE

POLL_S = 0.5
KILL_GRACE_S = 10.0
ERROR_TAIL_LINES = 20


def _pump(stream: IO[str], sink: queue.Queue[str | None]) -> None:
    for line in stream:
        sink.put(line)
    sink.put(None)


def _lines(proc: subprocess.Popen[str]) -> Iterator[str | None]:
    """Yield stdout lines as they come, and None every POLL_S while the child is quiet."""
    assert proc.stdout is not None
    sink: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump, args=(proc.stdout, sink), daemon=True).start()
    while True:
        try:
            line = sink.get(timeout=POLL_S)
        except queue.Empty:
            yield None
            continue
        if line is None:
            return
        yield line


def _stop(proc: subprocess.Popen[str]) -> None:
    """Terminate the runner's whole process group, then kill it if it lingers."""
    for sig, wait in ((signal.SIGTERM, KILL_GRACE_S), (signal.SIGKILL, None)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _error_message(stderr_path: Path) -> str:
    lines = stderr_path.read_text(errors="replace").splitlines()
    errors = [ln[len(ERROR_PREFIX) :].strip() for ln in lines if ln.startswith(ERROR_PREFIX)]
    if errors:
        return errors[-1]
    return "the runner failed:\n" + "\n".join(lines[-ERROR_TAIL_LINES:])


def _remove_if_empty(*folders: Path) -> None:
    for folder in folders:
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


@contextmanager
def job_folder(job_id: str) -> Iterator[Path]:
    """A fresh scratch folder for one run, `var/jobs/JOB/run-*`, whose `work/resume` links to
    the job's shared `var/jobs/JOB/resume` (see TrainRequest.resume_dir).

    A failed or cancelled run removes only its own folder, so the checkpoints survive for a
    later attempt or a resume, and a run that lost its job to a newer attempt never deletes
    that attempt's files. Success removes the job's whole folder.
    """
    job_dir = get_settings().var_dir.resolve() / "jobs" / job_id
    shared = job_dir / RESUME_DIR
    run_dir = job_dir / f"run-{uuid.uuid4().hex[:12]}"
    shared.mkdir(parents=True, exist_ok=True)
    (run_dir / "work").mkdir(parents=True)
    (run_dir / "work" / RESUME_DIR).symlink_to(shared, target_is_directory=True)
    try:
        yield run_dir
    except BaseException:
        shutil.rmtree(run_dir, ignore_errors=True)
        _remove_if_empty(shared, job_dir)
        raise
    shutil.rmtree(job_dir, ignore_errors=True)


def runner_environment(settings: Settings) -> dict[str, str]:
    """The runner's environment: the worker's, with the S3 credentials boto3 reads and
    ultralytics' settings folder under the var directory."""
    env = {**os.environ, "YOLO_CONFIG_DIR": str((settings.var_dir / "ultralytics").resolve())}
    if settings.s3_access_key_id and settings.s3_secret_access_key:
        env["AWS_ACCESS_KEY_ID"] = settings.s3_access_key_id
        env["AWS_SECRET_ACCESS_KEY"] = settings.s3_secret_access_key
    return env


def weights_arguments(source: WeightsSource) -> list[str]:
    """The runner's options for the service's publisher weights cache, mirror and switch."""
    arguments = ["--weights-dir", str(source.folder)]
    if source.mirror:
        arguments += ["--weights-mirror", source.mirror]
    if source.offline:
        arguments.append("--offline")
    return arguments


@COMPUTE_BACKENDS.register("local")
class LocalBackend(ComputeBackend):
    """`python -m worker.runner SPEC` as a child process of the worker."""

    def run(self, spec: JobSpec, hooks: JobHooksProtocol) -> JobResult:
        settings, storage = get_settings(), create_storage()
        with job_folder(spec.job_id) as tmp:
            spec_path = Path(tmp) / "spec.json"
            spec_path.touch(mode=0o600)  # it may hold the LLM endpoint's key
            spec_path.write_text(spec.model_dump_json())
            stderr_path = Path(tmp) / "stderr.log"
            with stderr_path.open("w") as stderr:
                proc = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "worker.runner",
                        str(spec_path),
                        "--storage",
                        storage.url,
                        "--work-dir",
                        str(Path(tmp) / "work"),
                        *weights_arguments(settings.weights_source),
                        "--resume",
                    ],
                    stdout=subprocess.PIPE,
                    stderr=stderr,
                    text=True,
                    start_new_session=True,
                    preexec_fn=dies_with_parent(),  # a killed worker leaves no training behind
                    env=runner_environment(settings),
                )
                try:
                    for line in _lines(proc):
                        if hooks.should_cancel():
                            _stop(proc)
                            raise JobCancelled()
                        if line and line.startswith(EVENT_PREFIX):
                            hooks.on_event(
                                ProgressEvent.model_validate_json(line[len(EVENT_PREFIX) :])
                            )
                    code = proc.wait()
                finally:
                    _stop(proc)
            if code != 0:
                raise JobFailed(_error_message(stderr_path))
        raw = storage.read_bytes(f"{spec.output_prefix}/{RESULT_FILE}")
        return JobResult.model_validate(json.loads(raw))
