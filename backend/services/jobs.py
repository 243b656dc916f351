"""Turning a request into a queued job: compatibility checks, the row, the queue message."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError
from sqlalchemy.orm import Session

from backend.job_states import transition
from backend.models import (
    Dataset,
    DatasetVersion,
    Job,
    JobState,
    ModelArtifact,
    Project,
    User,
    utcnow,
)
from backend.queue import JobDispatcher
from backend.schemas import SearchJobCreate, TrainJobCreate
from backend.storage_keys import job_prefix
from mlcore.catalog import ModelInfo, UnknownModel, get_model_info
from mlcore.defaults import DataProfile, resolve, resolve_search
from mlcore.spec import JOB_PARAMS, SearchConfig, SearchParams, TrainConfig


class JobRejected(ValueError):
    """The request cannot become a job; the message says what to change."""


class QueueUnavailable(RuntimeError):
    """The job was recorded as failed because its message could not be sent."""


def train_config(
    db: Session, user: User, dataset: Dataset, body: TrainJobCreate, profile: DataProfile
) -> TrainConfig:
    """A catalog model's resolved configuration, if the model fits the data."""
    try:
        info = get_model_info(body.params.model)
    except UnknownModel as exc:
        raise JobRejected(str(exc)) from exc
    if info.task != dataset.task:
        raise JobRejected(
            f"{info.name} is a {info.task} model and this dataset is for {dataset.task}; "
            f"pick a model whose task is {dataset.task} (GET /api/v1/catalog)"
        )
    if body.params.init_model_id:
        check_init_model(db, user, info, body.params.init_model_id)
    return resolve(body.params, info, profile)


def search_config(
    db: Session, user: User, dataset: Dataset, body: SearchJobCreate, profile: DataProfile
) -> SearchConfig:
    """An architecture search's resolved configuration: cell networks classify images."""
    if dataset.task != "classify":
        raise JobRejected(
            f"architecture search builds image classifiers and this dataset is for "
            f"{dataset.task}; train a catalog detector instead (GET /api/v1/catalog)"
        )
    try:
        params = body.params
        if params.family_model_id:
            params = family_params(db, user, dataset, params)
        return resolve_search(params, profile)
    except ValidationError as exc:
        problems = "; ".join(error["msg"].removeprefix("Value error, ") for error in exc.errors())
        raise JobRejected(problems) from exc


# What a job retraining a member of an earlier search's family chooses itself; the rest
# (space, strategy, image size) is the earlier search's, and so is the retraining unless given
MEMBER_CHOICE = frozenset({"family_model_id", "complexity", "max_params", "max_latency_ms"})
RETRAINING = frozenset({"retrain_epochs", "batch_size", "seed"})


def family_params(db: Session, user: User, dataset: Dataset, params: SearchParams) -> SearchParams:
    """The earlier search's settings with this request's choice of member and retraining."""
    model_id = params.family_model_id
    model = db.get(ModelArtifact, model_id)
    if model is None or model.owner_id != user.id or model.project_id != dataset.project_id:
        raise JobRejected(
            f"family_model_id {model_id}: no such model in this project (GET /api/v1/models)"
        )
    earlier = db.get(Job, model.job_id)
    if "family" not in model.files or earlier is None or earlier.kind != "search":
        raise JobRejected(
            f"family_model_id {model_id} is a {model.architecture} model; give the model of an "
            "architecture search"
        )
    fixed = sorted(params.model_fields_set - MEMBER_CHOICE - RETRAINING)
    if fixed:
        raise JobRejected(
            f"{', '.join(fixed)} come from the earlier search with family_model_id; leave "
            "them out (a new search takes them)"
        )
    inherited = {
        name: value
        for name, value in SearchConfig.model_validate(earlier.params).model_dump().items()
        if name in SearchParams.model_fields and name not in MEMBER_CHOICE
    }
    return SearchParams(**{**inherited, **params.model_dump(include=params.model_fields_set)})


CONFIGS: dict[str, Callable[..., TrainConfig | SearchConfig]] = {
    "train": train_config,
    "search": search_config,
}


def submit_job(
    db: Session,
    user: User,
    project: Project,
    version: DatasetVersion,
    body: TrainJobCreate | SearchJobCreate,
    max_attempts: int,
    dispatcher: JobDispatcher,
) -> Job:
    """Check the request fits the data, record the job with its resolved configuration, and
    queue it."""
    dataset = db.get(Dataset, version.dataset_id)
    if dataset is None or dataset.project_id != project.id:
        raise JobRejected(
            f"dataset version {version.id} belongs to another project; upload it to this one"
        )
    if not version.report:
        raise JobRejected(
            f"dataset version {version.id} predates dataset health reports; upload the data "
            "again to train on it"
        )
    profile = DataProfile.from_report(version.report)
    config = CONFIGS[body.kind](db, user, dataset, body, profile)
    job = Job(
        owner_id=user.id,
        project_id=project.id,
        kind=body.kind,
        dataset_version_id=version.id,
        params=config.model_dump(),
        epochs=config.epochs,
        max_attempts=max_attempts,
        output_prefix="",
    )
    db.add(job)
    db.flush()
    job.output_prefix = job_prefix(user.id, job.id)
    db.commit()
    enqueue(db, job, dispatcher)
    return job


def check_init_model(db: Session, user: User, info: ModelInfo, model_id: str) -> None:
    """A transfer-learning start must be the user's own model of the same architecture."""
    model = db.get(ModelArtifact, model_id)
    if model is None or model.owner_id != user.id:
        raise JobRejected(f"init_model_id {model_id}: no such model of yours (GET /api/v1/models)")
    if model.architecture != info.name:
        raise JobRejected(
            f"init_model_id {model_id} is a {model.architecture} model; transfer needs the same "
            f"architecture, so train {model.architecture} or pick a {info.name} model"
        )
    if "weights" not in model.files:
        raise JobRejected(f"model {model_id} predates transfer learning; retrain it to reuse it")


def enqueue(db: Session, job: Job, dispatcher: JobDispatcher) -> None:
    """Send the job's message; if the queue is down, record the job as failed."""
    try:
        dispatcher.enqueue(job.id)
    except Exception as exc:
        job.state, job.finished_at = JobState.failed, utcnow()
        job.error = f"queue unavailable: {exc}"
        db.commit()
        raise QueueUnavailable(str(exc)) from exc


def resume_job(db: Session, job: Job, extra_attempts: int, dispatcher: JobDispatcher) -> Job:
    """Queue a failed or cancelled job again; its worker continues from the last epoch."""
    if job.state not in (JobState.failed, JobState.cancelled):
        raise JobRejected(f"job {job.id} is {job.state}; only failed or cancelled jobs resume")
    try:
        JOB_PARAMS[job.kind].model_validate(job.params)
    except (KeyError, ValidationError) as exc:
        raise JobRejected(
            f"job {job.id} was created by an older version with settings this one cannot "
            "resume; submit it again"
        ) from exc
    transition(job, JobState.queued)
    job.cancel_requested, job.error, job.finished_at = False, None, None
    job.max_attempts = job.attempts + extra_attempts
    job.message = "resuming"
    db.commit()
    enqueue(db, job, dispatcher)
    return job
