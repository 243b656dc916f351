"""Whether processes are still running, read from /proc (Linux)."""

from __future__ import annotations

import time
from pathlib import Path


def alive(pids: list[int], wait_s: float = 60) -> list[int]:
    """Those of `pids` still running after waiting up to wait_s for them to end (a zombie
    waiting for its new parent to reap it has ended)."""
    deadline = time.monotonic() + wait_s
    running = pids
    while True:
        running = [pid for pid in running if _running(pid)]
        if not running or time.monotonic() > deadline:
            return running
        time.sleep(0.2)


def _running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(") ", 1)[1].split()[0] != "Z"
