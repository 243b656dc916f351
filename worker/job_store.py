"""The worker's side of the job state machine: claim, progress, cancel checks, finish.

Every write after the claim is fenced by the attempt number: once the reaper has
requeued a job, an old attempt that is still alive can no longer change it.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from types import TracebackType

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from backend.db import session_scope
from backend.job_states import transition
from backend.models import DatasetVersion, Job, JobEpoch, JobLog, JobState, ModelArtifact, utcnow
from backend.settings import get_settings
from mlcore.contract.job import DATASET_INPUT, JobSpec, job_kind
from mlcore.contract.results import ETA, JobResult, ProgressEvent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claim:
    """A job this worker now runs, as its `attempt`-th attempt."""

    spec: JobSpec
    attempt: int


def claim(job_id: str) -> Claim | None:
    """Atomically move a queued job to running, fresh; None if it is not queued."""
    with session_scope() as session:
        now = utcnow()
        claimed = transition(
            session,
            job_id,
            JobState.running,
            expect=[JobState.queued],
            attempts=Job.attempts + 1,
            started_at=now,
            heartbeat_at=now,
            error=None,
            message="starting",
            progress=0.0,
            epoch=0,
            eta_s=None,
        )
        if not claimed:
            return None
        for rows in (JobEpoch, JobLog):  # a fresh history for the new attempt
            session.execute(delete(rows).where(rows.job_id == job_id))
        job = session.get(Job, job_id)
        assert job is not None
        version = session.get(DatasetVersion, job.dataset_version_id or "")
        if version is None:
            raise LookupError(f"the dataset version of job {job_id} was deleted")
        kind = job_kind(job.kind)
        config = kind.config_type.model_validate(job.params)
        inputs = {DATASET_INPUT: version.storage_key}
        for name, wanted in kind.inputs.items():
            if model_id := getattr(config, wanted.field, None):
                inputs[name] = _model_file_key(session, job, model_id, wanted.file)
        spec = JobSpec(
            job_id=job.id,
            kind=job.kind,
            inputs=inputs,
            params=config,
            output_prefix=job.output_prefix,
            llm_api_key=get_settings().nas_llm_api_key,
        )
        return Claim(spec, job.attempts)


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
    """Collects a running job's progress events and, at most every `poll_s`, writes them in
    one session: its progress, the epochs it finished and its log lines (appended), its
    heartbeat; and reads whether to stop."""

    def __init__(self, job_id: str, attempt: int, poll_s: float = 1.0) -> None:
        self.job_id = job_id
        self.attempt = attempt
        self.poll_s = poll_s
        self.pending: list[ProgressEvent] = []
        self._last_flush = -math.inf  # the first poll flushes
        self._stop = False

    def on_event(self, event: ProgressEvent) -> None:
        """Keep the event for the next flush."""
        self.pending.append(event)

    def should_cancel(self) -> bool:
        """Polled often; flushes at most every poll_s. True when the owner cancelled, or
        when this attempt no longer owns the job."""
        if not self._stop and time.monotonic() - self._last_flush >= self.poll_s:
            self.flush()
        return self._stop

    def flush(self) -> None:
        """Write the pending events and the heartbeat; read the cancel flag."""
        self._last_flush = time.monotonic()
        events, self.pending = self.pending, []
        with session_scope() as session:
            job = _mine(session, self.job_id, self.attempt)
            if job is None or job.cancel_requested:
                self._stop = True
                return
            job.heartbeat_at = utcnow()
            for event in events:
                job.progress = max(job.progress, event.progress)
                job.epoch = event.epoch
                job.epochs = event.epochs or job.epochs
                job.message = event.message or job.message
                job.eta_s = event.metrics.get(ETA, job.eta_s)
            session.add_all(
                JobEpoch(job_id=job.id, epoch=e.epoch, data={**e.metrics, **e.details})
                for e in events
                if e.type == "epoch"
            )
            session.add_all(
                JobLog(job_id=job.id, message=e.message) for e in events if e.type == "log"
            )


class Heartbeat:
    """Tells the database every `interval_s` that this attempt of the job is alive, from a
    thread of its own, whatever the job is doing (training, evaluating, exporting): the reaper
    requeues a job whose heartbeat is older than KONSTRUKTOR_JOB_HEARTBEAT_TIMEOUT_S."""

    def __init__(self, job_id: str, attempt: int, interval_s: float) -> None:
        self.job_id, self.attempt, self.interval_s = job_id, attempt, interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{job_id}", daemon=True)

    def beat(self) -> bool:
        """Write the heartbeat; whether this attempt still runs the job."""
        with session_scope() as session:
            moved = session.execute(
                update(Job)
                .where(
                    Job.id == self.job_id,
                    Job.state == JobState.running,
                    Job.attempts == self.attempt,
                )
                .values(heartbeat_at=utcnow())
            )
            return bool(getattr(moved, "rowcount", 0))

    def _beat(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                if not self.beat():
                    return
            except Exception:  # the database is briefly away: the next beat tries again
                log.warning("heartbeat of job %s failed", self.job_id, exc_info=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()


def _finish(job_id: str, attempt: int, state: JobState, error: str | None = None) -> bool:
    """Close the job if this attempt still owns it; whether it did."""
    with session_scope() as session:
        return transition(
            session,
            job_id,
            state,
            expect=[JobState.running],
            where=[Job.attempts == attempt],
            error=error,
            finished_at=utcnow(),
        )


def finish_failed(job_id: str, attempt: int, error: str) -> bool:
    return _finish(job_id, attempt, JobState.failed, error)


def finish_cancelled(job_id: str, attempt: int) -> bool:
    return _finish(job_id, attempt, JobState.cancelled)


def fail_unclaimed(job_id: str, error: str) -> None:
    """Fail a job that could not even be claimed (its inputs are gone, say)."""
    with session_scope() as session:
        transition(session, job_id, JobState.failed, error=error, finished_at=utcnow())


def finish_succeeded(claimed: Claim, result: JobResult) -> None:
    """Close the job and record its model artifact, in one transaction."""
    spec = claimed.spec
    with session_scope() as session:
        closed = transition(
            session,
            spec.job_id,
            JobState.succeeded,
            expect=[JobState.running],
            where=[Job.attempts == claimed.attempt],
            progress=1.0,
            finished_at=utcnow(),
            message="done",
        )
        job = session.get(Job, spec.job_id)
        if not closed or job is None:
            return
        files = {name: f"{spec.output_prefix}/{rel}" for name, rel in result.files.items()}
        assert result.package_sha256 is not None and result.package_size is not None
        session.add(
            ModelArtifact(
                owner_id=job.owner_id,
                project_id=job.project_id,
                job_id=job.id,
                dataset_version_id=job.dataset_version_id,
                architecture=result.architecture,
                class_names=result.classes,
                metrics=result.metrics,
                verdict=result.verdict.model_dump() if result.verdict else None,
                files=files,
                package_key=files["package"],
                package_sha256=result.package_sha256,
                package_size=result.package_size,
            )
        )
