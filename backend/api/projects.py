"""Projects: the container for a user's datasets, jobs and models."""

from __future__ import annotations

from fastapi import APIRouter, status
from sqlalchemy import select

from backend.api.deps import DB, CurrentUser, get_owned
from backend.models import Project
from backend.schemas import ProjectCreate, ProjectOut

router = APIRouter(tags=["projects"])


@router.post("/projects", response_model=ProjectOut, status_code=status.HTTP_201_CREATED)
def create_project(body: ProjectCreate, user: CurrentUser, db: DB) -> Project:
    project = Project(owner_id=user.id, name=body.name)
    db.add(project)
    db.commit()
    return project


@router.get("/projects", response_model=list[ProjectOut])
def list_projects(user: CurrentUser, db: DB) -> list[Project]:
    return list(
        db.scalars(select(Project).where(Project.owner_id == user.id).order_by(Project.created_at))
    )


@router.get("/projects/{project_id}", response_model=ProjectOut)
def get_project(project_id: str, user: CurrentUser, db: DB) -> Project:
    return get_owned(db, Project, project_id, user, "project")
