"""The worker's side of the job state machine: claim, progress, cancel checks, finish."""

from __future__ import annotations

import time
from typing import Any, cast

from sqlalchemy import CursorResult, update

from backend.db import session_scope
from backend.job_states import ALLOWED, transition
from backend.models import DatasetVersion, Job, JobState, ModelArtifact, utcnow
from mlcore.spec import JobResult, JobSpec, ProgressEvent, TrainParams


def claim(job_id: str) -> JobSpec | None:
    """Atomically move a queued job to running and build its spec; None if not queued."""
    with session_scope() as session:
        now = utcnow()
        claimed = session.execute(  # an UPDATE: its result is a CursorResult
            update(Job)
            .where(Job.id == job_id, Job.state == JobState.queued)
            .values(
                state=JobState.running,
                attempts=Job.attempts + 1,
                started_at=now,
                heartbeat_at=now,
                error=None,
                message="starting",
            )
        )
        if not cast(CursorResult[Any], claimed).rowcount:
            return None
        job = session.get(Job, job_id)
        assert job is not None and job.dataset_version_id is not None
        version = session.get(DatasetVersion, job.dataset_version_id)
        if version is None:
            raise LookupError(f"the dataset version of job {job_id} was deleted")
        return JobSpec(
            job_id=job.id,
            kind="train",
            inputs={"dataset": version.storage_key},
            params=TrainParams.model_validate(job.params),
            output_prefix=job.output_prefix,
        )


class JobHooks:
    """Persists a running job's progress and heartbeat; tells the backend when to cancel."""

    def __init__(self, job_id: str, poll_s: float = 1.0) -> None:
        self.job_id = job_id
        self.poll_s = poll_s
        self._last_poll = 0.0
        self._cancel = False

    def on_event(self, event: ProgressEvent) -> None:
        with session_scope() as session:
            job = session.get(Job, self.job_id)
            if job is None:
                return
            job.progress = max(job.progress, event.progress)
            job.epoch, job.heartbeat_at = event.epoch, utcnow()
            if event.epochs:
                job.epochs = event.epochs
            if event.message:
                job.message = event.message
            if event.type == "epoch":
                job.metrics_history = [
                    *job.metrics_history,
                    {"epoch": event.epoch, **event.metrics},
                ]

    def should_cancel(self) -> bool:
        """Polled often by the backend; reads the flag and beats the heart at most every poll_s."""
        now = time.monotonic()
        if not self._cancel and now - self._last_poll >= self.poll_s:
            self._last_poll = now
            with session_scope() as session:
                job = session.get(Job, self.job_id)
                self._cancel = job is None or job.cancel_requested
                if job is not None:
                    job.heartbeat_at = utcnow()
        return self._cancel


def _finish(job_id: str, state: JobState, error: str | None = None) -> Job | None:
    with session_scope() as session:
        job = session.get(Job, job_id)
        if job is None or state not in ALLOWED[job.state]:
            return None
        transition(job, state)
        job.error, job.finished_at = error, utcnow()
        return job


def finish_failed(job_id: str, error: str) -> None:
    _finish(job_id, JobState.failed, error)


def finish_cancelled(job_id: str) -> None:
    _finish(job_id, JobState.cancelled, None)


def finish_succeeded(spec: JobSpec, result: JobResult) -> None:
    """Record the model artifact and close the job, in one transaction."""
    with session_scope() as session:
        job = session.get(Job, spec.job_id)
        if job is None or job.state != JobState.running:
            return
        files = {name: f"{spec.output_prefix}/{rel}" for name, rel in result.files.items()}
        session.add(
            ModelArtifact(
                owner_id=job.owner_id,
                project_id=job.project_id,
                job_id=job.id,
                dataset_version_id=job.dataset_version_id,
                architecture=spec.params.model,
                class_names=list(result.info.get("classes", [])),
                metrics=result.metrics,
                files=files,
                package_key=files["package"],
                package_sha256=str(result.info["package_sha256"]),
                package_size=int(result.info["package_size"]),
            )
        )
        transition(job, JobState.succeeded)
        job.progress, job.finished_at, job.message = 1.0, utcnow(), "done"
