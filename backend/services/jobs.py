"""Turning a request into a queued job: compatibility checks, the row, the queue message."""

from __future__ import annotations

from sqlalchemy.orm import Session

from backend.models import Dataset, DatasetVersion, Job, JobState, Project, User, utcnow
from backend.queue import JobDispatcher
from backend.schemas import TrainJobCreate
from backend.storage_keys import job_prefix
from mlcore.catalog import UnknownModel, get_model_info


class JobRejected(ValueError):
    """The request cannot become a job; the message says what to change."""


class QueueUnavailable(RuntimeError):
    """The job was recorded as failed because its message could not be sent."""


def submit_train_job(
    db: Session,
    user: User,
    project: Project,
    version: DatasetVersion,
    body: TrainJobCreate,
    max_attempts: int,
    dispatcher: JobDispatcher,
) -> Job:
    """Check the model fits the data, record the job, and queue it."""
    dataset = db.get(Dataset, version.dataset_id)
    if dataset is None or dataset.project_id != project.id:
        raise JobRejected(
            f"dataset version {version.id} belongs to another project; upload it to this one"
        )
    try:
        info = get_model_info(body.params.model)
    except UnknownModel as exc:
        raise JobRejected(str(exc)) from exc
    if info.task != dataset.task:
        raise JobRejected(
            f"{info.name} is a {info.task} model and this dataset is for {dataset.task}; "
            f"pick a model whose task is {dataset.task} (GET /api/v1/catalog)"
        )
    job = Job(
        owner_id=user.id,
        project_id=project.id,
        kind=body.kind,
        dataset_version_id=version.id,
        params=body.params.model_dump(),
        epochs=body.params.epochs,
        max_attempts=max_attempts,
        output_prefix="",
    )
    db.add(job)
    db.flush()
    job.output_prefix = job_prefix(user.id, job.id)
    db.commit()
    try:
        dispatcher.enqueue(job.id)
    except Exception as exc:
        job.state, job.finished_at = JobState.failed, utcnow()
        job.error = f"queue unavailable: {exc}"
        db.commit()
        raise QueueUnavailable(str(exc)) from exc
    return job
