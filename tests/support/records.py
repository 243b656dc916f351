"""Rows made directly in the database, for tests of the worker's side of jobs."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy.orm import Session

from backend.db import session_scope
from backend.models import Job, ModelArtifact, Project, User, new_id


def job_row(job_id: str) -> Job:
    """The job as the database holds it now (detached, epochs loaded)."""
    with session_scope() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


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


def add_model(
    session: Session,
    owner_id: str,
    files: dict[str, str],
    package: bytes = b"",
    architecture: str = "efficientnet_b0",
    sha256: str | None = None,
) -> ModelArtifact:
    """A model of `owner_id` (with its own project and job) whose artifacts are `files`,
    storage keys by name; `package` is what the package key's bytes are (`sha256` overrides
    their recorded hash)."""
    project = Project(owner_id=owner_id, name="p")
    session.add(project)
    session.flush()
    job = Job(owner_id=owner_id, project_id=project.id, kind="train", params={}, output_prefix="o")
    session.add(job)
    session.flush()
    model = ModelArtifact(
        owner_id=owner_id,
        project_id=project.id,
        job_id=job.id,
        architecture=architecture,
        class_names=["a", "b"],
        metrics={},
        files=files,
        package_key=files.get("package", "o/package.zip"),
        package_sha256=sha256 or hashlib.sha256(package).hexdigest(),
        package_size=len(package),
    )
    session.add(model)
    session.flush()
    return model
