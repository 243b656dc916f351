"""Projects: the container for a user's datasets, jobs and models."""

from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException, Response, status
from sqlalchemy import select

from backend.api.deps import DB, CurrentUser, StorageDep, get_owned
from backend.api.errors import responses
from backend.job_states import TERMINAL
from backend.models import Dataset, DatasetVersion, Job, Project
from backend.schemas import ProjectCreate, ProjectOut
from backend.storage_keys import dataset_version_prefix

log = logging.getLogger(__name__)

router = APIRouter(tags=["projects"])


@router.post(
    "/projects",
    response_model=ProjectOut,
    status_code=status.HTTP_201_CREATED,
    responses=responses(400, 401, 422, 503),
)
def create_project(body: ProjectCreate, user: CurrentUser, db: DB) -> Project:
    project = Project(owner_id=user.id, name=body.name)
    db.add(project)
    db.commit()
    return project


@router.get("/projects", response_model=list[ProjectOut], responses=responses(401, 422, 503))
def list_projects(user: CurrentUser, db: DB) -> list[Project]:
    return list(
        db.scalars(select(Project).where(Project.owner_id == user.id).order_by(Project.created_at))
    )


@router.get(
    "/projects/{project_id}", response_model=ProjectOut, responses=responses(401, 404, 422, 503)
)
def get_project(project_id: str, user: CurrentUser, db: DB) -> Project:
    return get_owned(db, Project, project_id, user, "project")


@router.patch(
    "/projects/{project_id}",
    response_model=ProjectOut,
    responses=responses(400, 401, 404, 422, 503),
)
def rename_project(project_id: str, body: ProjectCreate, user: CurrentUser, db: DB) -> Project:
    project = get_owned(db, Project, project_id, user, "project")
    project.name = body.name
    db.commit()
    return project


@router.delete(
    "/projects/{project_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a project with its datasets, jobs and models (none may be running)",
    responses=responses(401, 404, 409, 422, 503),
)
def delete_project(project_id: str, user: CurrentUser, db: DB, storage: StorageDep) -> Response:
    project = get_owned(db, Project, project_id, user, "project")
    jobs = list(db.scalars(select(Job).where(Job.project_id == project.id)))
    versions = db.execute(
        select(DatasetVersion.id, Dataset.id)
        .join(Dataset, DatasetVersion.dataset_id == Dataset.id)
        .where(Dataset.project_id == project.id)
    ).all()
    on_its_data = select(Job).where(  # jobs of other projects training on its datasets
        Job.dataset_version_id.in_([v for v, _ in versions]), Job.project_id != project.id
    )
    active = [job.id for job in [*jobs, *db.scalars(on_its_data)] if job.state not in TERMINAL]
    if active:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"{len(active)} queued or running job(s) ({', '.join(active)}) belong to project "
            f"{project.id} or train on its datasets; cancel them first",
        )
    prefixes = [dataset_version_prefix(user.id, d, v) for v, d in versions]
    prefixes += [job.output_prefix for job in jobs if job.output_prefix]
    db.delete(project)  # its datasets, versions, jobs and models go with it (ON DELETE CASCADE)
    db.commit()
    for prefix in prefixes:  # after the rows: a storage failure leaves no row without its data
        try:
            storage.delete_prefix(prefix)
        except Exception:
            log.exception("could not delete %s of deleted project %s", prefix, project_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
