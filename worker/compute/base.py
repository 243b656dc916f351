"""The compute-backend contract: run a JobSpec, report events, honour cancellation."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Protocol

from mlcore.spec import JobResult, JobSpec, ProgressEvent


class JobCancelled(Exception):
    """The job was stopped because its owner cancelled it."""


class JobFailed(Exception):
    """The job ended with an error; the message is shown to the user."""


class JobHooksProtocol(Protocol):
    def on_event(self, event: ProgressEvent) -> None: ...

    def should_cancel(self) -> bool: ...


class ComputeBackend(ABC):
    @abstractmethod
    def run(self, spec: JobSpec, hooks: JobHooksProtocol) -> JobResult:
        """Run `spec` to completion and return its result (read from the output prefix)."""
