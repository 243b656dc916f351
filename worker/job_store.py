"""The worker's side of the job state machine: claim, progress, cancel checks, finish.

Every write after the claim is fenced by the attempt number: once the reaper has
requeued a job, an old attempt that is still alive can no longer change it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from backend.db import session_scope
from backend.job_states import ALLOWED, transition
from backend.models import DatasetVersion, Job, JobState, ModelArtifact, utcnow
from mlcore.spec import JOB_PARAMS, JobResult, JobSpec, ProgressEvent


@dataclass(frozen=True)
class Claim:
    """A job this worker now runs, as its `attempt`-th attempt."""

    spec: JobSpec
    attempt: int


def claim(job_id: str) -> Claim | None:
    """Atomically move a queued job to running, fresh; None if it is not queued."""
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
                progress=0.0,
                epoch=0,
                metrics_history=[],
            )
        )
        if not cast(CursorResult[Any], claimed).rowcount:
            return None
        job = session.get(Job, job_id)
        assert job is not None and job.dataset_version_id is not None
        version = session.get(DatasetVersion, job.dataset_version_id)
        if version is None:
            raise LookupError(f"the dataset version of job {job_id} was deleted")
        config = JOB_PARAMS[job.kind].model_validate(job.params)
        inputs = {"dataset": version.storage_key}
        for name, (field, file) in MODEL_INPUTS.items():
            if model_id := getattr(config, field, None):
                inputs[name] = _model_file_key(session, job, model_id, file)
        spec = JobSpec(
            job_id=job.id,
            kind=job.kind,
            inputs=inputs,
            params=config,
            output_prefix=job.output_prefix,
        )
        return Claim(spec, job.attempts)


# job input -> (the params field naming an earlier model, that model's file the job reads):
# the weights a transfer-learning job starts from, the family an earlier search found
MODEL_INPUTS = {
    "init_weights": ("init_model_id", "weights"),
    "family": ("family_model_id", "family"),
}


def _model_file_key(session: Session, job: Job, model_id: str, file: str) -> str:
    """Storage key of `file` of the job owner's model `model_id`."""
    model = session.get(ModelArtifact, model_id)
    if model is None or model.owner_id != job.owner_id or file not in model.files:
        raise LookupError(f"the {file} of model {model_id}, an input of job {job.id}, is gone")
    return str(model.files[file])


def _mine(session: Session, job_id: str, attempt: int) -> Job | None:
    """The job if this attempt still owns it (running, same attempt number)."""
    job = session.get(Job, job_id)
    if job is None or job.state != JobState.running or job.attempts != attempt:
        return None
    return job


class JobHooks:
    """Persists a running job's progress and heartbeat; tells the backend when to stop."""

    def __init__(self, job_id: str, attempt: int, poll_s: float = 1.0) -> None:
        self.job_id = job_id
        self.attempt = attempt
        self.poll_s = poll_s
        self._last_poll = 0.0
        self._stop = False

    def on_event(self, event: ProgressEvent) -> None:
        with session_scope() as session:
            job = _mine(session, self.job_id, self.attempt)
            if job is None:
                self._stop = True
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
                    {"epoch": event.epoch, **event.metrics, **event.details},
                ]

    def should_cancel(self) -> bool:
        """Polled often; reads the cancel flag and beats the heart at most every poll_s.

        True when the owner cancelled, or when this attempt no longer owns the job.
        """
        now = time.monotonic()
        if not self._stop and now - self._last_poll >= self.poll_s:
            self._last_poll = now
            with session_scope() as session:
                job = _mine(session, self.job_id, self.attempt)
                if job is None or job.cancel_requested:
                    self._stop = True
                else:
                    job.heartbeat_at = utcnow()
        return self._stop


def _finish(job_id: str, attempt: int, state: JobState, error: str | None = None) -> bool:
    """Close the job if this attempt still owns it; whether it did."""
    with session_scope() as session:
        job = _mine(session, job_id, attempt)
        if job is None:
            return False
        transition(job, state)
        job.error, job.finished_at = error, utcnow()
        return True


def finish_failed(job_id: str, attempt: int, error: str) -> bool:
    return _finish(job_id, attempt, JobState.failed, error)


def finish_cancelled(job_id: str, attempt: int) -> bool:
    return _finish(job_id, attempt, JobState.cancelled)


def fail_unclaimed(job_id: str, error: str) -> None:
    """Fail a job that could not even be claimed (its inputs are gone, say)."""
    with session_scope() as session:
        job = session.get(Job, job_id)
        if job is not None and JobState.failed in ALLOWED[job.state]:
            transition(job, JobState.failed)
            job.error, job.finished_at = error, utcnow()


def finish_succeeded(claimed: Claim, result: JobResult) -> None:
    """Record the model artifact and close the job, in one transaction."""
    spec = claimed.spec
    with session_scope() as session:
        job = _mine(session, spec.job_id, claimed.attempt)
        if job is None:
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
