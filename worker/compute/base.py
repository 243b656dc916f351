"""The compute-backend contract: run a JobSpec, report events, honour cancellation.

A backend registers with `COMPUTE_BACKENDS.register(name)`; a job runs on the backend its
record names (`Job.compute_backend`, from the service's KONSTRUKTOR_COMPUTE_BACKEND).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Protocol

from mlcore.contract.job import JobSpec
from mlcore.contract.registry import Registry
from mlcore.contract.results import JobResult, ProgressEvent


class JobCancelled(Exception):
    """The job was stopped because its owner cancelled it."""


class JobFailed(Exception):
    """The job ended with an error; the message is shown to the user."""


class JobHooksProtocol(Protocol):
    attempt: int  # the job's attempt being run (a cloud machine is labelled with it)

    def on_event(self, event: ProgressEvent) -> None: ...

    def should_cancel(self) -> bool: ...


class ComputeBackend(ABC):
    @abstractmethod
    def run(self, spec: JobSpec, hooks: JobHooksProtocol) -> JobResult:
        """Run `spec` to completion and return its result (read from the output prefix)."""


COMPUTE_BACKENDS: Registry[type[ComputeBackend]] = Registry(
    "compute backend", providers=("worker.compute.local", "worker.compute.yandex.backend")
)


def get_backend(name: str) -> ComputeBackend:
    """A new backend of the registered kind `name`; JobFailed naming the known ones."""
    if name not in COMPUTE_BACKENDS:
        raise JobFailed(f"unknown compute backend {name!r}; known: {COMPUTE_BACKENDS.names()}")
    return COMPUTE_BACKENDS.get(name)()
