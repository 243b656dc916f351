"""Database records. Every user-owned row carries `owner_id`; queries are scoped by it."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored with a time zone and always read back as aware UTC (SQLite too)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class TimestampedMixin:
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OwnedMixin(TimestampedMixin):
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class User(TimestampedMixin, Base):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))


class ApiKeyKind(enum.StrEnum):
    api = "api"
    session = "session"


class ApiKey(OwnedMixin, Base):
    """A bearer credential; only its SHA-256 is stored."""

    __tablename__ = "api_keys"

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ApiKeyKind] = mapped_column(Enum(ApiKeyKind, name="api_key_kind"))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Project(OwnedMixin, Base):
    __tablename__ = "projects"

    name: Mapped[str] = mapped_column(String(200))


class Dataset(OwnedMixin, Base):
    __tablename__ = "datasets"

    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    task: Mapped[str] = mapped_column(String(32))


class DatasetVersion(OwnedMixin, Base):
    """An immutable, validated snapshot of a dataset."""

    __tablename__ = "dataset_versions"
    __table_args__ = (UniqueConstraint("dataset_id", "version"),)

    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    upload_sha256: Mapped[str | None] = mapped_column(String(64), index=True)  # the bytes sent
    storage_key: Mapped[str] = mapped_column(String(500))
    class_names: Mapped[list[Any]]
    split_source: Mapped[str] = mapped_column(String(16))
    stats: Mapped[dict[str, Any]]
    warnings: Mapped[list[Any]]
    report: Mapped[dict[str, Any]] = mapped_column(default=dict)


class JobState(enum.StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"


class Job(OwnedMixin, Base):
    """A unit of heavy work with a persisted state machine (see backend.job_states); its
    epochs' metrics are rows of `JobEpoch`, its log lines rows of `JobLog`."""

    __tablename__ = "jobs"

    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[JobState] = mapped_column(
        Enum(JobState, name="job_state"), default=JobState.queued, index=True
    )
    dataset_version_id: Mapped[str | None] = mapped_column(
        ForeignKey("dataset_versions.id", ondelete="SET NULL")
    )
    params: Mapped[dict[str, Any]]
    compute_backend: Mapped[str] = mapped_column(String(32), default="local")
    output_prefix: Mapped[str] = mapped_column(String(500))
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    epoch: Mapped[int] = mapped_column(Integer, default=0)
    epochs: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=2)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    estimate_s: Mapped[float | None] = mapped_column(Float)  # before it started
    estimate_basis: Mapped[str | None] = mapped_column(Text)
    eta_s: Mapped[float | None] = mapped_column(Float)  # training left, as last reported
    # On a paid compute backend: its estimate at submission, then its machines' actual use
    # (backend.compute_targets.JobCost)
    cost: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    epoch_rows: Mapped[list[JobEpoch]] = relationship(
        order_by="JobEpoch.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
    )

    log: Mapped[list[JobLog]] = relationship(
        order_by="JobLog.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
    )

    @property
    def metrics_history(self) -> list[dict[str, Any]]:
        """One entry per finished epoch: its number, metrics and details, in order."""
        return [{"epoch": row.epoch, **row.data} for row in self.epoch_rows]


class JobLog(Base):
    """One log line of a job's current attempt (what it is doing: downloading, evaluating,
    early stop, ...): appended as the job reports it."""

    __tablename__ = "job_logs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    message: Mapped[str] = mapped_column(Text)


class JobEpoch(Base):
    """One finished epoch of a job's current attempt: appended as the job reports it."""

    __tablename__ = "job_epochs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    epoch: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]]


class MachineState(enum.StrEnum):
    starting = "starting"  # being created (counts against the machine limit)
    running = "running"
    deleted = "deleted"


class CloudMachine(Base):
    """A paid cloud machine started for one attempt of a job: what the machine limit counts,
    what the VM reaper checks, what a job's actual cost adds up. Kept after the job is deleted
    (no foreign key): its machine may still need deleting."""

    __tablename__ = "cloud_machines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    backend: Mapped[str] = mapped_column(String(32))
    job_id: Mapped[str] = mapped_column(String(32), index=True)
    attempt: Mapped[int] = mapped_column(Integer)  # the job's attempt that started it
    instance_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    state: Mapped[MachineState] = mapped_column(
        Enum(MachineState, name="machine_state"), default=MachineState.starting, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # its job's first event
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    price_per_hour: Mapped[float] = mapped_column(Float)
    currency: Mapped[str] = mapped_column(String(8))
    outcome: Mapped[str | None] = mapped_column(Text)  # done, failed, preempted, cancelled, ...


class ModelArtifact(OwnedMixin, Base):
    """A downloadable model package and what it was made from."""

    __tablename__ = "model_artifacts"

    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), unique=True)
    dataset_version_id: Mapped[str | None] = mapped_column(
        ForeignKey("dataset_versions.id", ondelete="SET NULL")
    )
    architecture: Mapped[str] = mapped_column(String(100))
    class_names: Mapped[list[Any]]
    metrics: Mapped[dict[str, Any]]
    verdict: Mapped[dict[str, Any] | None]  # mlcore.contract.verdict.Verdict
    files: Mapped[dict[str, Any]]
    package_key: Mapped[str] = mapped_column(String(500))
    package_sha256: Mapped[str] = mapped_column(String(64))
    package_size: Mapped[int] = mapped_column(Integer)
