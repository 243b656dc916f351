"""Start the whole service (`python -m backend.launcher`, what `make run` runs) for a test."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.paths import ROOT
from tests.support.processes import alive

KEY_LINE = re.compile(r"first API key \(shown once\): (kst_\S+)")
START_TIMEOUT_S = 120


@dataclass
class RunningService:
    url: str
    api_key: str
    log: Path
    var_dir: Path

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_key(proc: subprocess.Popen[bytes], log: Path, url: str) -> str:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the service exited early:\n{log.read_text()[-4000:]}")
        match = KEY_LINE.search(log.read_text())
        if match:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    return match.group(1)
            except httpx.TransportError:
                pass
        time.sleep(0.5)
    raise RuntimeError(
        f"the service did not start in {START_TIMEOUT_S}s:\n{log.read_text()[-4000:]}"
    )


@contextmanager
def running_service(var_dir: Path, env: dict[str, str]) -> Iterator[RunningService]:
    """The launcher with API + worker on a free port; stopped (worker too) afterwards."""
    port = free_port()
    log = var_dir.parent / "service.log"
    var_dir.mkdir(parents=True, exist_ok=True)
    full_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("S3_", "DATABASE_", "REDIS_"))},
        "KONSTRUKTOR_VAR_DIR": str(var_dir),
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "backend.launcher", "--port", str(port)],
            cwd=ROOT,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            yield RunningService(url, _wait_for_key(proc, log, url), log, var_dir)
        finally:
            pid_file = var_dir / "worker.pid"
            worker = int(pid_file.read_text()) if pid_file.exists() else None
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if worker is not None:
                _assert_stopped(worker)


def _assert_stopped(pid: int) -> None:
    """The launcher must not leave its worker behind; kill a leftover and say so."""
    if not alive([pid], wait_s=10):
        return
    os.killpg(pid, signal.SIGKILL)
    raise AssertionError(f"the launcher exited but left its worker (pid {pid}) running")
