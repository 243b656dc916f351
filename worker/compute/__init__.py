"""Compute backends: where a JobSpec runs. `local` runs the runner on this machine."""

from __future__ import annotations

from worker.compute.base import ComputeBackend, JobCancelled, JobFailed, JobHooksProtocol
from worker.compute.local import LocalBackend

BACKENDS: dict[str, type[ComputeBackend]] = {"local": LocalBackend}

__all__ = [
    "BACKENDS",
    "ComputeBackend",
    "JobCancelled",
    "JobFailed",
    "JobHooksProtocol",
    "get_backend",
]


def get_backend(name: str) -> ComputeBackend:
    try:
        return BACKENDS[name]()
    except KeyError:
        raise JobFailed(f"unknown compute backend {name!r}; known: {sorted(BACKENDS)}") from None
