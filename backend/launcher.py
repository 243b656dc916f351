"""`make run`: migrate, bootstrap, then the API and one worker at one local address.

The worker is supervised: if it dies it is started again, and the new worker's reaper
requeues the job the dead one was running. If the launcher dies, even killed, its worker
stops too (a cold shutdown: its training run stops; the job resumes on the next start).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import uvicorn

from backend.child_processes import dies_with_parent
from backend.cli import bootstrap
from backend.migrations import upgrade_to_head
from backend.settings import get_settings

log = logging.getLogger("konstruktor.launcher")
RESTART_DELAY_S = 2.0
SHUTDOWN_GRACE_S = 30.0
WORKER_COMMAND = [
    sys.executable,
    "-m",
    "celery",
    "-A",
    "worker.celery_app",
    "worker",
    "--loglevel",
    "INFO",
    "--concurrency",
    "1",
    "--hostname",
    "konstruktor-local@%h",
]


class WorkerSupervisor:
    """Keeps one Celery worker process running; its pid is in `pid_file`."""

    def __init__(self, pid_file: Path) -> None:
        self.pid_file = pid_file
        self.stopping = threading.Event()
        self.proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="worker-supervisor", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                if self.stopping.is_set():
                    return
                proc = self.proc = subprocess.Popen(
                    WORKER_COMMAND,
                    start_new_session=True,
                    preexec_fn=dies_with_parent(signal.SIGQUIT),  # Celery's cold shutdown
                )
                self.pid_file.write_text(str(proc.pid))
            code = proc.wait()
            if not self.stopping.is_set():
                log.warning("worker exited with %s; restarting it", code)
                self.stopping.wait(RESTART_DELAY_S)

    def stop(self) -> None:
        with self._lock:
            self.stopping.set()
        if self.proc and self.proc.poll() is None:
            # Celery's warm shutdown: the main process lets the running task finish.
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=SHUTDOWN_GRACE_S)
            except subprocess.TimeoutExpired:
                log.warning("worker still busy after %ss; killing it", SHUTDOWN_GRACE_S)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.pid_file.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backend.launcher")
    parser.add_argument("--host", default=os.environ.get("KONSTRUKTOR_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("KONSTRUKTOR_PORT", "8000")))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    settings = get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    upgrade_to_head()
    url = f"http://{args.host}:{args.port}"
    print(
        f"\n  Konstruktor is starting at {url}\n  API docs: {url}/docs\n  "
        + bootstrap().replace("\n", "\n  ")
        + "\n",
        flush=True,
    )
    supervisor = WorkerSupervisor(settings.var_dir / "worker.pid")
    supervisor.start()
    # uvicorn re-raises SIGTERM after its shutdown; exit through `finally` to stop the worker.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        uvicorn.run("backend.main:app", host=args.host, port=args.port, log_level="info")
    finally:
        supervisor.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
