"""Jobs: submit training, follow progress (JSON and Server-Sent Events), cancel."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend.api.deps import DB, CurrentUser, DispatcherDep, SettingsDep, get_owned
from backend.db import get_sessionmaker
from backend.models import (
    TERMINAL_STATES,
    Dataset,
    DatasetVersion,
    Job,
    JobState,
    ModelArtifact,
    Project,
    utcnow,
)
from backend.schemas import JobOut, TrainJobCreate
from mlcore.catalog import UnknownModel, get_model_info

router = APIRouter(tags=["jobs"])
SSE_POLL_S = 0.5
SSE_KEEPALIVE_S = 15.0


def job_out(db: Session, job: Job) -> JobOut:
    out = JobOut.model_validate(job)
    out.model_id = db.scalar(select(ModelArtifact.id).where(ModelArtifact.job_id == job.id))
    return out


def job_prefix(owner_id: str, job_id: str) -> str:
    return f"users/{owner_id}/jobs/{job_id}"


@router.post(
    "/projects/{project_id}/jobs", response_model=JobOut, status_code=status.HTTP_201_CREATED
)
def create_job(
    project_id: str,
    body: TrainJobCreate,
    user: CurrentUser,
    db: DB,
    settings: SettingsDep,
    dispatcher: DispatcherDep,
) -> JobOut:
    project = get_owned(db, Project, project_id, user, "project")
    version = get_owned(db, DatasetVersion, body.dataset_version_id, user, "dataset version")
    dataset = db.get(Dataset, version.dataset_id)
    if dataset is None or dataset.project_id != project.id:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"dataset version {version.id} belongs to another project; upload it to this one",
        )
    try:
        info = get_model_info(body.params.model)
    except UnknownModel as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    if info.task != dataset.task:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"{info.name} is a {info.task} model and this dataset is for {dataset.task}; "
            f"pick a model whose task is {dataset.task} (GET /api/v1/catalog)",
        )
    job = Job(
        owner_id=user.id,
        project_id=project.id,
        kind=body.kind,
        dataset_version_id=version.id,
        params=body.params.model_dump(),
        epochs=body.params.epochs,
        max_attempts=settings.job_max_attempts,
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
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, "the job queue is unavailable; try again later"
        ) from exc
    return job_out(db, job)


@router.get("/jobs", response_model=list[JobOut])
def list_jobs(user: CurrentUser, db: DB, project_id: str | None = None) -> list[JobOut]:
    query = select(Job).where(Job.owner_id == user.id).order_by(Job.created_at.desc())
    if project_id:
        query = query.where(Job.project_id == project_id)
    return [job_out(db, j) for j in db.scalars(query)]


@router.get("/jobs/{job_id}", response_model=JobOut)
def get_job(job_id: str, user: CurrentUser, db: DB) -> JobOut:
    return job_out(db, get_owned(db, Job, job_id, user, "job"))


@router.post("/jobs/{job_id}/cancel", response_model=JobOut)
def cancel_job(job_id: str, user: CurrentUser, db: DB) -> JobOut:
    """Queued jobs are cancelled at once; running ones are stopped by their worker."""
    job = get_owned(db, Job, job_id, user, "job")
    if job.state in TERMINAL_STATES:
        raise HTTPException(status.HTTP_409_CONFLICT, f"job {job.id} is already {job.state}")
    db.execute(
        update(Job)
        .where(Job.id == job.id, Job.state == JobState.queued)
        .values(state=JobState.cancelled, finished_at=utcnow(), cancel_requested=True)
    )
    db.execute(
        update(Job)
        .where(Job.id == job.id, Job.state == JobState.running)
        .values(cancel_requested=True)
    )
    db.commit()
    db.refresh(job)
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
            if json.loads(snapshot)["state"] in TERMINAL_STATES:
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
)
def job_events(job_id: str, request: Request, user: CurrentUser, db: DB) -> StreamingResponse:
    get_owned(db, Job, job_id, user, "job")
    return StreamingResponse(
        _job_events(request, job_id),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
