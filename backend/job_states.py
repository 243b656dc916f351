"""The job state machine: which transitions are legal, and the one function that makes them.

Every state change of a job, by the API, a worker or the reaper, goes through `transition`:
one compare-and-set UPDATE, so two processes racing for the same job never both win.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, update
from sqlalchemy.orm import Session

from backend.models import Job, JobState

TERMINAL = frozenset({JobState.succeeded, JobState.failed, JobState.cancelled})
RESUMABLE = frozenset({JobState.failed, JobState.cancelled})  # its owner may queue it again
ALLOWED: dict[JobState, frozenset[JobState]] = {
    JobState.queued: frozenset({JobState.running, JobState.cancelled, JobState.failed}),
    JobState.running: frozenset(
        {JobState.succeeded, JobState.failed, JobState.cancelled, JobState.queued}
    ),
    JobState.succeeded: frozenset(),
    **{state: frozenset({JobState.queued}) for state in RESUMABLE},
}


class InvalidTransition(Exception):
    """A job was asked to move to a state it cannot reach from its current one."""


def sources(new: JobState, expect: Iterable[JobState] | None = None) -> list[JobState]:
    """The states a job may reach `new` from (only those in `expect`, when given)."""
    allowed = [state for state, targets in ALLOWED.items() if new in targets]
    return allowed if expect is None else [state for state in allowed if state in set(expect)]


def transition(
    session: Session,
    job_id: str,
    new: JobState,
    *,
    expect: Iterable[JobState] | None = None,
    where: Iterable[ColumnElement[bool]] = (),
    **values: Any,
) -> bool:
    """Move the job to `new`, with `values` set in the same UPDATE, if it is in a state that
    may go there (and in `expect`, and meets `where`); whether it moved. Loaded `Job` objects
    in `session` see the change."""
    states = sources(new, expect)
    if not states:
        raise InvalidTransition(f"no job in {sorted(expect or [])} can go to {new}")
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state.in_(states), *where)
        .values(state=new, **values)
        .execution_options(synchronize_session="fetch")
    )
    return bool(cast(CursorResult[Any], result).rowcount)
