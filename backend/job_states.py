"""The job state machine: which transitions are legal."""

from __future__ import annotations

from backend.models import Job, JobState

ALLOWED: dict[JobState, frozenset[JobState]] = {
    JobState.queued: frozenset({JobState.running, JobState.cancelled, JobState.failed}),
    JobState.running: frozenset(
        {JobState.succeeded, JobState.failed, JobState.cancelled, JobState.queued}
    ),
    JobState.succeeded: frozenset(),
    JobState.failed: frozenset({JobState.queued}),  # resumed by its owner
    JobState.cancelled: frozenset({JobState.queued}),
}


class InvalidTransition(Exception):
    """A job was asked to move to a state it cannot reach from its current one."""


def transition(job: Job, new: JobState) -> None:
    """Move `job` to `new`, or raise InvalidTransition."""
    if new not in ALLOWED[job.state]:
        raise InvalidTransition(f"job {job.id} cannot go from {job.state} to {new}")
    job.state = new
