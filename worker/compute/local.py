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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from backend.settings import get_settings
from backend.storage import create_storage
from mlcore.engines import RESUME_DIR
from mlcore.spec import JobResult, JobSpec, ProgressEvent
from worker.compute.base import ComputeBackend, JobCancelled, JobFailed, JobHooksProtocol
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


def prune_to_checkpoints(folder: Path) -> None:
    """Delete everything under `folder` but the engines' resume folders (see TrainRequest)."""
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_file() and RESUME_DIR not in path.relative_to(folder).parts:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


@contextmanager
def job_folder(job_id: str) -> Iterator[Path]:
    """`var/jobs/JOB`, kept across attempts: removed when the job succeeds, and pruned to
    its epoch checkpoints when it fails or is cancelled (so it can resume)."""
    folder = get_settings().var_dir.resolve() / "jobs" / job_id
    folder.mkdir(parents=True, exist_ok=True)
    try:
        yield folder
    except BaseException:
        prune_to_checkpoints(folder)
        raise
    shutil.rmtree(folder, ignore_errors=True)


class LocalBackend(ComputeBackend):
    """`python -m worker.runner SPEC` as a child process of the worker."""

    def run(self, spec: JobSpec, hooks: JobHooksProtocol) -> JobResult:
        with job_folder(spec.job_id) as tmp:
            spec_path = Path(tmp) / "spec.json"
            spec_path.write_text(spec.model_dump_json())
            stderr_path = Path(tmp) / "stderr.log"
            with stderr_path.open("w") as stderr:
                proc = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "worker.runner",
                        str(spec_path),
                        "--work-dir",
                        str(Path(tmp) / "work"),
                        "--resume",
                    ],
                    stdout=subprocess.PIPE,
                    stderr=stderr,
                    text=True,
                    start_new_session=True,
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
        raw = create_storage().read_bytes(f"{spec.output_prefix}/{RESULT_FILE}")
        return JobResult.model_validate(json.loads(raw))
