"""The job state machine: its rules, and the one compare-and-set function that moves a job."""

from pathlib import Path

import pytest

from backend.db import session_scope
from backend.job_states import RESUMABLE, TERMINAL, InvalidTransition, sources, transition
from backend.models import Job, JobState
from tests.support.records import add_job, job_row


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (JobState.queued, JobState.running),
        (JobState.queued, JobState.cancelled),
        (JobState.running, JobState.succeeded),
        (JobState.running, JobState.failed),
        (JobState.running, JobState.cancelled),
        (JobState.running, JobState.queued),
    ],
)
def test_allowed_transitions(start: JobState, end: JobState) -> None:
    assert start in sources(end)


@pytest.mark.parametrize("terminal", sorted(TERMINAL))
@pytest.mark.parametrize("target", sorted(JobState))
def test_terminal_states_are_final_except_a_resume(terminal: JobState, target: JobState) -> None:
    resumed = terminal in RESUMABLE and target == JobState.queued  # by its owner
    assert (terminal in sources(target)) == resumed


def test_queued_cannot_succeed_without_running() -> None:
    assert sources(JobState.succeeded) == [JobState.running]


def test_a_transition_is_a_compare_and_set(service: Path) -> None:
    with session_scope() as session:
        job_id = add_job(session, state=JobState.queued, params={}).id
    with session_scope() as session:  # the first claim wins and sets its values with the state
        assert transition(session, job_id, JobState.running, attempts=Job.attempts + 1)
    with session_scope() as session:  # a second claim from queued finds nothing to move
        assert not transition(session, job_id, JobState.running, expect=[JobState.queued])
    assert (job_row(job_id).state, job_row(job_id).attempts) == (JobState.running, 1)
    with session_scope() as session:  # a fenced write of an older attempt is refused
        assert not transition(session, job_id, JobState.failed, where=[Job.attempts == 0])
    with session_scope() as session:
        loaded = session.get(Job, job_id)
        assert transition(session, job_id, JobState.succeeded, message="done")
        assert loaded is not None and loaded.state == JobState.succeeded  # the session sees it
    with session_scope() as session:  # nothing leaves succeeded, whatever is asked
        assert not transition(session, job_id, JobState.queued)
    with pytest.raises(InvalidTransition), session_scope() as session:
        transition(session, job_id, JobState.running, expect=[JobState.failed])
    assert job_row(job_id).message == "done"
