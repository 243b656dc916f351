"""Child processes that never outlive their parent: a killed API takes its ingest checks with
it, a killed worker its training run, a killed launcher its worker (Linux's parent-death
signal, `prctl(PR_SET_PDEATHSIG)`).

The API's ingest checks (`python -m backend.datasets.sandbox`) arm the signal themselves,
first thing (`die_with_parent`), so the API starts them with vfork: a `preexec_fn` would force
a fork of the whole API process, a pause every reader would feel. Other children (the
worker's training runs, the launcher's worker) get it from `dies_with_parent`, a `preexec_fn`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
from collections.abc import Callable, Mapping

PR_SET_PDEATHSIG = 1
PARENT_PID = "KONSTRUKTOR_PARENT_PID"  # set by the parent: whom the child outlives if not
_LIBC = ctypes.CDLL(ctypes.util.find_library("c")) if sys.platform == "linux" else None


def _arm(sig: signal.Signals, parent: int | None) -> None:
    if _LIBC is None:
        return
    _LIBC.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    if parent is not None and os.getppid() != parent:  # it died before the signal was armed
        os.kill(os.getpid(), sig)


def child_environment(env: Mapping[str, str]) -> dict[str, str]:
    """`env` for a child that calls die_with_parent: it learns its parent's pid."""
    return {**env, PARENT_PID: str(os.getpid())}


def die_with_parent(sig: signal.Signals = signal.SIGKILL) -> None:
    """In a child started with child_environment: get `sig` when the parent dies."""
    parent = os.environ.get(PARENT_PID)
    if parent:
        _arm(sig, int(parent))


def dies_with_parent(sig: signal.Signals = signal.SIGKILL) -> Callable[[], None]:
    """A `preexec_fn` for another program: it gets `sig` when the thread that started it
    ends (its process dies)."""
    parent = os.getpid()
    return lambda: _arm(sig, parent)
