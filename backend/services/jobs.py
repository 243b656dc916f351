"""Turning a request into a queued job: the kind resolves it, the row, the queue message."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.compute_targets import JobCost, compute_target, estimate_cost
from backend.datasets.health import verdict
from backend.job_states import RESUMABLE, transition
from backend.models import (
    CloudMachine,
    DatasetVersion,
    Job,
    JobState,
    ModelArtifact,
    Project,
    User,
    utcnow,
)
from backend.queue import JobDispatcher
from backend.schemas import JobCreateBase
from backend.settings import Settings
from backend.storage_keys import job_prefix
from backend.yandex_settings import YANDEX, get_yandex_settings
from mlcore.contract.estimate import (
    Estimate,
    FinishedRun,
    estimate_duration,
    model_family,
    training_gflop,
)
from mlcore.contract.job import (
    JOB_KINDS,
    EarlierModel,
    JobConfig,
    JobKind,
    JobRejected,
    job_kind,
)
from mlcore.contract.profile import DataProfile
from mlcore.contract.results import RESTORED

MEASURED_JOBS = 20  # the latest succeeded jobs whose pace estimates a new job's duration
MEASURED_MACHINES = 20  # the latest cloud machines whose start estimates the next one's


class QueueUnavailable(RuntimeError):
    """The job was recorded as failed because its message could not be sent."""


def earlier_models(
    db: Session, user: User, project: Project, kind: type[JobKind], params: BaseModel
) -> dict[str, EarlierModel]:
    """The earlier models the request's input fields name, by input: each must be the user's
    (and in this project where the input says so) and have the file the job reads."""
    found = {}
    for name, wanted in kind.inputs.items():
        model_id = getattr(params, wanted.field, None)
        if not model_id:
            continue
        model = db.get(ModelArtifact, model_id)
        if (
            model is None
            or model.owner_id != user.id
            or (wanted.same_project and model.project_id != project.id)
        ):
            where = "in this project" if wanted.same_project else "of yours"
            raise JobRejected(
                f"{wanted.field} {model_id}: no such model {where} (GET /api/v1/models)"
            )
        job = db.get(Job, model.job_id)
        if wanted.file not in model.files or job is None:
            hint = wanted.missing.format(architecture=model.architecture)
            raise JobRejected(f"{wanted.field} {model_id} has no {wanted.file}: {hint}")
        found[name] = EarlierModel(
            id=model.id,
            architecture=model.architecture,
            files=frozenset(model.files),
            job_kind=job.kind,
            job_params=dict(job.params),
        )
    return found


@dataclass(frozen=True)
class ResolvedJob:
    """What a request resolves to: its configuration, compute backend and duration."""

    config: JobConfig
    compute_backend: str
    estimate: Estimate
    cost: JobCost | None  # on a paid compute backend


def finished_runs(db: Session, compute_backend: str) -> list[FinishedRun]:
    """The work and wall-clock time of the service's latest succeeded jobs on
    `compute_backend` (epochs restored from an earlier attempt not counted)."""
    jobs = db.scalars(
        select(Job)
        .where(
            Job.state == JobState.succeeded,
            Job.compute_backend == compute_backend,
            Job.started_at.is_not(None),
            Job.finished_at.is_not(None),
        )
        .order_by(Job.finished_at.desc())
        .limit(MEASURED_JOBS)
    )
    runs = []
    for job in jobs:
        version = db.get(DatasetVersion, job.dataset_version_id or "")
        if version is None or not version.report or job.kind not in JOB_KINDS:
            continue
        try:
            config = job_kind(job.kind).config_type.model_validate(job.params)
        except ValidationError:
            continue  # recorded by an older version
        trained = sum(1 for row in job.epoch_rows if not row.data.get(RESTORED))
        images = DataProfile.from_report(version.report).train_images
        gflop = training_gflop(config, images, trained)
        assert job.started_at is not None and job.finished_at is not None
        seconds = (job.finished_at - job.started_at).total_seconds()
        if gflop and trained and seconds > 0:
            runs.append(FinishedRun(gflop, seconds, model_family(config)))
    return runs


def machine_start(db: Session, compute_backend: str) -> tuple[float, str]:
    """How long a new cloud machine takes to start (boot, install, first progress): the mean
    of the latest measured, else the configured assumption; and which of the two it is."""
    machines = db.scalars(
        select(CloudMachine)
        .where(CloudMachine.backend == compute_backend, CloudMachine.ready_at.is_not(None))
        .order_by(CloudMachine.id.desc())
        .limit(MEASURED_MACHINES)
    ).all()
    starts = [(m.ready_at - m.created_at).total_seconds() for m in machines if m.ready_at]
    if starts:
        mean = sum(starts) / len(starts)
        return mean, f"{mean / 60:.1f} min, measured over {len(starts)} machine(s)"
    assumed = get_yandex_settings().startup_s
    return assumed, f"{assumed / 60:.0f} min assumed: no machine measured yet"


def resolve_job(
    db: Session,
    user: User,
    project: Project,
    version: DatasetVersion,
    body: JobCreateBase,
    settings: Settings,
) -> ResolvedJob:
    """The configuration the request resolves to from the data, its compute backend and
    how long it should take (mlcore.contract.estimate). `version` may come from any of the
    user's projects; the caller checks that it is the user's."""
    if not version.report:
        raise JobRejected(
            f"dataset version {version.id} predates dataset health reports; upload the data "
            "again to train on it"
        )
    blocked = verdict(version.report)
    if blocked["status"] == "blocked":
        raise JobRejected(
            f"dataset version {version.id} cannot train: {'; '.join(blocked['reasons'])}"
        )
    backend = body.compute_backend or settings.compute_backend
    if backend not in settings.compute_backends:
        raise JobRejected(
            f"compute_backend {backend!r} is not available here; choose one of "
            f"{', '.join(settings.compute_backends)} (GET /api/v1/service)"
        )
    kind = job_kind(body.kind)
    earlier = earlier_models(db, user, project, kind, body.params)
    profile = DataProfile.from_report(version.report)
    config = kind.resolve(body.params, profile, earlier, settings.service_facts)
    work = training_gflop(config, profile.train_images)
    runs = finished_runs(db, backend)
    target = compute_target(settings, backend)
    estimate = estimate_duration(work, runs, device=target.device, family=model_family(config))
    cost = None
    if backend == YANDEX:
        cost = estimate_cost(target, estimate.seconds, *machine_start(db, backend))
    return ResolvedJob(config, backend, estimate, cost)


def submit_job(
    db: Session,
    user: User,
    project: Project,
    version: DatasetVersion,
    body: JobCreateBase,
    settings: Settings,
    dispatcher: JobDispatcher,
) -> Job:
    """Check the request fits the data, record the job with its resolved configuration, and
    queue it."""
    resolved = resolve_job(db, user, project, version, body, settings)
    job = Job(
        owner_id=user.id,
        project_id=project.id,
        kind=body.kind,
        dataset_version_id=version.id,
        params=resolved.config.model_dump(),
        compute_backend=resolved.compute_backend,
        epochs=resolved.config.epochs,
        estimate_s=resolved.estimate.seconds,
        estimate_basis=resolved.estimate.basis,
        cost=resolved.cost.model_dump() if resolved.cost else None,
        max_attempts=settings.job_max_attempts,
        output_prefix="",
    )
    db.add(job)
    db.flush()
    job.output_prefix = job_prefix(user.id, job.id)
    db.commit()
    enqueue(db, job, dispatcher)
    return job


def enqueue(db: Session, job: Job, dispatcher: JobDispatcher) -> None:
    """Send the job's message; if the queue is down, record the job as failed."""
    try:
        dispatcher.enqueue(job.id)
    except Exception as exc:
        transition(
            db, job.id, JobState.failed, finished_at=utcnow(), error=f"queue unavailable: {exc}"
        )
        db.commit()
        raise QueueUnavailable(str(exc)) from exc


def resume_job(db: Session, job: Job, extra_attempts: int, dispatcher: JobDispatcher) -> Job:
    """Queue a failed or cancelled job again; its worker continues from the last epoch."""
    if job.state not in RESUMABLE:
        resumable = " or ".join(sorted(RESUMABLE, reverse=True))
        raise JobRejected(f"job {job.id} is {job.state}; only {resumable} jobs resume")
    try:
        job_kind(job.kind).config_type.model_validate(job.params)
    except (KeyError, ValidationError) as exc:
        raise JobRejected(
            f"job {job.id} was created by an older version with settings this one cannot "
            "resume; submit it again"
        ) from exc
    moved = transition(
        db,
        job.id,
        JobState.queued,
        expect=RESUMABLE,
        cancel_requested=False,
        error=None,
        finished_at=None,
        max_attempts=job.attempts + extra_attempts,
        message="resuming",
    )
    if not moved:
        raise JobRejected(f"job {job.id} changed state meanwhile; reload it and try again")
    db.commit()
    enqueue(db, job, dispatcher)
    return job
