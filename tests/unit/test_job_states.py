import pytest

from backend.job_states import InvalidTransition, transition
from backend.models import Job, JobState


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
    job = Job(id="j", state=start)
    transition(job, end)
    assert job.state == end


RESUMABLE = {JobState.failed, JobState.cancelled}


@pytest.mark.parametrize("terminal", [JobState.succeeded, *RESUMABLE])
@pytest.mark.parametrize("target", list(JobState))
def test_terminal_states_are_final_except_a_resume(terminal: JobState, target: JobState) -> None:
    job = Job(id="j", state=terminal)
    if terminal in RESUMABLE and target == JobState.queued:  # its owner resumed it
        transition(job, target)
        assert job.state == JobState.queued
        return
    with pytest.raises(InvalidTransition):
        transition(job, target)
    assert job.state == terminal


def test_queued_cannot_succeed_without_running() -> None:
    with pytest.raises(InvalidTransition):
        transition(Job(id="j", state=JobState.queued), JobState.succeeded)
