"""Jobs: submit training, follow progress (JSON and Server-Sent Events), cancel."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend.api.deps import DB, CurrentUser, DispatcherDep, SettingsDep, get_owned
from backend.api.errors import responses
from backend.db import get_sessionmaker
from backend.job_states import TERMINAL, transition
from backend.models import DatasetVersion, Job, JobState, ModelArtifact, Project, utcnow
from backend.schemas import JobCreate, JobOut, JobPreview
from backend.services.jobs import QueueUnavailable, resolve_job, resume_job, submit_job
from mlcore.contract.job import JobRejected

router = APIRouter(tags=["jobs"])
SSE_POLL_S = 0.5
SSE_KEEPALIVE_S = 15.0


@contextmanager
def job_errors(rejected_status: int) -> Iterator[None]:
    """A refused job -> `rejected_status` with its reason; a queue outage -> 503."""
    try:
        yield
    except JobRejected as exc:
        raise HTTPException(rejected_status, str(exc)) from exc
    except QueueUnavailable as exc:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, "the job queue is unavailable; try again later"
        ) from exc


def job_out(db: Session, job: Job) -> JobOut:
    out = JobOut.model_validate(job)
    out.model_id = db.scalar(select(ModelArtifact.id).where(ModelArtifact.job_id == job.id))
    return out


@router.post(
    "/projects/{project_id}/jobs",
    response_model=JobOut,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 404, 422, 503),
)
def create_job(
    project_id: str,
    body: JobCreate,
    user: CurrentUser,
    db: DB,
    settings: SettingsDep,
    dispatcher: DispatcherDep,
) -> JobOut:
    project = get_owned(db, Project, project_id, user, "project")
    version = get_owned(db, DatasetVersion, body.dataset_version_id, user, "dataset version")
    with job_errors(status.HTTP_422_UNPROCESSABLE_CONTENT):
        job = submit_job(db, user, project, version, body, settings, dispatcher)
    return job_out(db, job)


@router.post(
    "/projects/{project_id}/jobs/preview",
    response_model=JobPreview,
    summary="What a job request would run: its configuration resolved from the data; "
    "nothing is created",
    responses=responses(400, 401, 404, 422, 503),
)
def preview_job(
    project_id: str, body: JobCreate, user: CurrentUser, db: DB, settings: SettingsDep
) -> JobPreview:
    project = get_owned(db, Project, project_id, user, "project")
    version = get_owned(db, DatasetVersion, body.dataset_version_id, user, "dataset version")
    with job_errors(status.HTTP_422_UNPROCESSABLE_CONTENT):
        resolved = resolve_job(db, user, project, version, body, settings)
    return JobPreview(
        kind=body.kind,
        params=resolved.config.model_dump(),
        epochs=resolved.config.epochs,
        compute_backend=resolved.compute_backend,
        estimate_s=resolved.estimate.seconds,
        estimate_basis=resolved.estimate.basis,
        cost=resolved.cost,
    )


@router.get("/jobs", response_model=list[JobOut], responses=responses(401, 422, 503))
def list_jobs(user: CurrentUser, db: DB, project_id: str | None = None) -> list[JobOut]:
    query = select(Job).where(Job.owner_id == user.id).order_by(Job.created_at.desc())
    if project_id:
        query = query.where(Job.project_id == project_id)
    return [job_out(db, j) for j in db.scalars(query)]


@router.get("/jobs/{job_id}", response_model=JobOut, responses=responses(401, 404, 422, 503))
def get_job(job_id: str, user: CurrentUser, db: DB) -> JobOut:
    return job_out(db, get_owned(db, Job, job_id, user, "job"))


@router.post(
    "/jobs/{job_id}/cancel", response_model=JobOut, responses=responses(401, 404, 409, 422, 503)
)
def cancel_job(job_id: str, user: CurrentUser, db: DB) -> JobOut:
    """Queued jobs are cancelled at once; running ones are stopped by their worker."""
    job = get_owned(db, Job, job_id, user, "job")
    if job.state in TERMINAL:
        raise HTTPException(status.HTTP_409_CONFLICT, f"job {job.id} is already {job.state}")
    expect = [JobState.queued]
    transition(
        db, job.id, JobState.cancelled, expect=expect, finished_at=utcnow(), cancel_requested=True
    )
    db.execute(  # a running job: its worker sees the flag and stops it
        update(Job)
        .where(Job.id == job.id, Job.state == JobState.running)
        .values(cancel_requested=True)
    )
    db.commit()
    db.refresh(job)
    return job_out(db, job)


@router.post(
    "/jobs/{job_id}/resume", response_model=JobOut, responses=responses(401, 404, 409, 422, 503)
)
def resume(
    job_id: str, user: CurrentUser, db: DB, settings: SettingsDep, dispatcher: DispatcherDep
) -> JobOut:
    """Queue a failed or cancelled job again; training continues from its last epoch."""
    job = get_owned(db, Job, job_id, user, "job")
    with job_errors(status.HTTP_409_CONFLICT):
        resume_job(db, job, settings.job_max_attempts, dispatcher)
    return job_out(db, job)


def _snapshot(job_id: str) -> str:
    with get_sessionmaker()() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job_out(session, job).model_dump_json()


async def _job_events(request: Request, job_id: str) -> AsyncIterator[str]:
    last = ""
    idle = 0.0
    while not await request.is_disconnected():
        snapshot = await run_in_threadpool(_snapshot, job_id)
        if snapshot != last:
            last, idle = snapshot, 0.0
            yield f"event: job\ndata: {snapshot}\n\n"
            if json.loads(snapshot)["state"] in TERMINAL:
                yield "event: end\ndata: {}\n\n"
                return
        elif idle >= SSE_KEEPALIVE_S:
            idle = 0.0
            yield ": keep-alive\n\n"
        await asyncio.sleep(SSE_POLL_S)
        idle += SSE_POLL_S


@router.get(
    "/jobs/{job_id}/events",
    summary="Server-Sent Events: a `job` event on every change, `end` when the job finishes",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
            "description": "events",
        },
        **responses(401, 404, 422, 503),
    },
)
def job_events(job_id: str, request: Request, user: CurrentUser, db: DB) -> StreamingResponse:
    get_owned(db, Job, job_id, user, "job")
    return StreamingResponse(
        _job_events(request, job_id),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
