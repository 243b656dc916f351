"""`make run`: migrate, bootstrap, then the API and one worker at one local address."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys

import uvicorn

from backend.cli import bootstrap
from backend.migrations import upgrade_to_head
from backend.settings import get_settings


def start_worker() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
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
        ],
        start_new_session=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backend.launcher")
    parser.add_argument("--host", default=os.environ.get("KONSTRUKTOR_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("KONSTRUKTOR_PORT", "8000")))
    args = parser.parse_args(argv)
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
    worker = start_worker()
    try:
        uvicorn.run("backend.main:app", host=args.host, port=args.port, log_level="info")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
