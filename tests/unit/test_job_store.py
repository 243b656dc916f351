"""Claims are fresh and fenced: an attempt that lost its job can no longer change it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from backend.api.deps import get_dispatcher
from backend.db import session_scope
from backend.models import Dataset, DatasetVersion, Job, JobEpoch, JobState
from mlcore.contract.job import JobSpec
from mlcore.contract.results import JobResult, ProgressEvent
from mlcore.contract.search import SearchConfig
from tests.support.configs import tiny_config
from tests.support.records import add_job, add_model, job_row
from worker.job_store import JobHooks, claim, finish_failed, finish_succeeded
from worker.reaper import reap_stale_jobs


def _queued_job(kind: str = "train", params: dict[str, Any] | None = None) -> str:
    with session_scope() as session:
        params = tiny_config().model_dump() if params is None else params
        job = add_job(session, params=params, max_attempts=3)
        job.kind = kind
        dataset = Dataset(
            owner_id=job.owner_id, project_id=job.project_id, name="d", task="classify"
        )
        session.add(dataset)
        session.flush()
        version = DatasetVersion(
            owner_id=job.owner_id,
            dataset_id=dataset.id,
            version=1,
            content_hash="h",
            storage_key="k/dataset.zip",
            class_names=["a", "b"],
            split_source="given",
            stats={},
            warnings=[],
            report={},
        )
        session.add(version)
        session.flush()
        job.dataset_version_id = version.id
        return job.id


def test_a_search_job_is_claimed_with_its_search_config(sqlite_service: Path) -> None:
    config = SearchConfig(image_size=16, search_epochs=1, retrain_epochs=1, cells=1)
    claimed = claim(_queued_job("search", config.model_dump()))
    assert claimed is not None and claimed.spec.kind == "search"
    assert claimed.spec.params == config
    assert JobSpec.model_validate_json(claimed.spec.model_dump_json()) == claimed.spec
    with pytest.raises(ValidationError, match="model\n  Field required"):
        JobSpec.model_validate({**claimed.spec.model_dump(), "kind": "train"})
    with pytest.raises(ValidationError, match="unknown job kind 'export'; valid: train, search"):
        JobSpec.model_validate({**claimed.spec.model_dump(), "kind": "export"})


def test_a_family_member_job_gets_the_earlier_familys_key(sqlite_service: Path) -> None:
    with session_scope() as session:
        owner = add_job(session, params={}).owner_id
        model = add_model(session, owner, {"family": "u/j/family.json"}, architecture="nas")
        model_id = model.id
    config = SearchConfig(image_size=16, search_epochs=1, retrain_epochs=1, cells=1)
    queued = _queued_job("search", {**config.model_dump(), "family_model_id": model_id})
    with session_scope() as session:
        job = session.get(Job, queued)
        assert job is not None
        job.owner_id = owner  # the job of the model's owner
    claimed = claim(queued)
    assert claimed is not None and claimed.spec.inputs["family"] == "u/j/family.json"
    with session_scope() as session:
        stranger = add_job(session, params={}).owner_id
    foreign = _queued_job("search", {**config.model_dump(), "family_model_id": model_id})
    with session_scope() as session:
        job = session.get(Job, foreign)
        assert job is not None
        job.owner_id = stranger
    with pytest.raises(LookupError, match="the family of model"):
        claim(foreign)


RESULT = JobResult(
    architecture="efficientnet_b0",
    task="classify",
    classes=["a", "b"],
    image_size=32,
    metrics={},
    files={"package": "p.zip"},
    onnx_opset=18,
    parity={},
    package_sha256="0",
    package_size=1,
)


def test_progress_is_written_in_batches_and_epochs_are_appended(sqlite_service: Path) -> None:
    job_id = _queued_job()
    claimed = claim(job_id)
    assert claimed is not None
    hooks = JobHooks(job_id, claimed.attempt, poll_s=3600)
    assert not hooks.should_cancel()  # the first poll flushes (nothing yet) and beats
    for epoch in (1, 2):
        for step in range(50):
            progress = (epoch - 1 + step / 50) / 4
            hooks.on_event(ProgressEvent(epoch=epoch, epochs=4, progress=progress))
        hooks.on_event(
            ProgressEvent(type="epoch", epoch=epoch, epochs=4, metrics={"loss": 1 / epoch})
        )
    assert not hooks.should_cancel()  # within poll_s: nothing written yet
    assert job_row(job_id).metrics_history == [] and job_row(job_id).progress == 0
    hooks.flush()  # one session for all 102 events
    job = job_row(job_id)
    assert job.metrics_history == [{"epoch": 1, "loss": 1.0}, {"epoch": 2, "loss": 0.5}]
    assert job.progress == 49 / 200 + 0.25 and (job.epoch, job.epochs) == (2, 4)
    hooks.on_event(ProgressEvent(type="epoch", epoch=3, epochs=4, metrics={"loss": 0.25}))
    hooks.on_event(ProgressEvent(type="log", epoch=3, epochs=4, message="early stop: ..."))
    hooks.flush()
    assert [line.message for line in job_row(job_id).log] == ["early stop: ..."]
    with session_scope() as session:  # appended: the earlier rows are untouched
        ids = session.scalars(select(JobEpoch.id).where(JobEpoch.job_id == job_id)).all()
    assert len(ids) == 3 and ids == sorted(ids)


def test_a_requeued_attempt_cannot_touch_the_new_one(sqlite_service: Path) -> None:
    job_id = _queued_job()
    first = claim(job_id)
    assert first is not None and first.attempt == 1 and claim(job_id) is None
    old = JobHooks(job_id, first.attempt, poll_s=0)
    old.on_event(ProgressEvent(type="epoch", epoch=1, epochs=5, progress=0.5, metrics={"a": 1}))
    assert job_row(job_id).metrics_history == []  # kept until the next flush
    assert not old.should_cancel()  # flushes
    assert job_row(job_id).metrics_history == [{"epoch": 1, "a": 1.0}]

    assert reap_stale_jobs(get_dispatcher(), timeout_s=-1) == [job_id]  # its worker "died"
    second = claim(job_id)
    assert second is not None and second.attempt == 2
    fresh = job_row(job_id)
    assert fresh.progress == 0 and fresh.metrics_history == [] and fresh.epoch == 0

    assert old.should_cancel()  # the old attempt learns it lost the job
    old.on_event(ProgressEvent(type="epoch", epoch=2, epochs=5, progress=0.9))
    finish_failed(job_id, first.attempt, "late failure")
    finish_succeeded(first, RESULT)
    after = job_row(job_id)
    assert after.state == JobState.running and after.metrics_history == []
    assert after.error is None and after.attempts == 2

    new = JobHooks(job_id, second.attempt, poll_s=0)
    assert not new.should_cancel()
    finish_failed(job_id, second.attempt, "real failure")
    assert job_row(job_id).state == JobState.failed and job_row(job_id).error == "real failure"


def test_a_job_that_cannot_be_claimed_fails_with_the_reason(sqlite_service: Path) -> None:
    from worker.tasks import run_job

    gone_data = _queued_job()
    with session_scope() as session:
        job = session.get(Job, gone_data)
        assert job is not None
        session.delete(session.get(DatasetVersion, job.dataset_version_id))
    run_job(gone_data)  # what the worker's Celery task does with the message
    failed = job_row(gone_data)
    assert failed.state == JobState.failed and failed.finished_at is not None
    assert (
        failed.error
        == f"the job could not start: the dataset version of job {gone_data} was deleted"
    )

    with session_scope() as session:
        owner = add_job(session, params={}).owner_id
        model_id = add_model(session, owner, {"package": "x/package.zip"}).id  # no weights file
    gone_model = _queued_job(params=tiny_config(init_model_id=model_id).model_dump())
    with session_scope() as session:
        job = session.get(Job, gone_model)
        assert job is not None
        job.owner_id = owner
    run_job(gone_model)
    assert job_row(gone_model).state == JobState.failed
    assert f"the weights of model {model_id}" in (job_row(gone_model).error or "")
