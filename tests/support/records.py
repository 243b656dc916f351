"""Rows made directly in the database, for tests of the worker's side of jobs."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from backend.models import Job, Project, User, new_id


def add_job(session: Session, **fields: Any) -> Job:
    """A job (with a fresh owner and project) carrying `fields`."""
    user = User(email=f"u{new_id()}@example.com", password_hash="x")
    session.add(user)
    session.flush()
    project = Project(owner_id=user.id, name="p")
    session.add(project)
    session.flush()
    job = Job(owner_id=user.id, project_id=project.id, kind="train", output_prefix="out", **fields)
    session.add(job)
    session.flush()
    return job
