"""Creating immutable dataset versions: check, store, then record in one short transaction.

No database connection is held while an upload is checked or its files are stored; the
transaction that records the version locks its owner's row, so versions are numbered
without races and the same data is never recorded twice.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from backend.datasets.errors import DatasetError
from backend.datasets.ingest import IngestResult
from backend.datasets.sandbox import SandboxLimits, run_sandboxed
from backend.db import session_scope
from backend.models import Dataset, DatasetVersion, Project, User, new_id
from backend.services.uploads import SpooledUpload
from backend.storage_keys import dataset_version_prefix
from storage import Storage

DATASET_FILE = "dataset.zip"
THUMBNAILS = "thumbnails"
TASK_NAMES = {"classify": "classification", "detect": "detection"}


class DuplicateVersion(DatasetError):
    """The upload holds exactly the data of a version stored elsewhere (another dataset, or a
    new dataset under another name or project)."""

    def __init__(self, existing: DatasetVersion, dataset: Dataset, project: str) -> None:
        super().__init__(
            f"this data is identical to version {existing.version} of dataset {dataset.name!r} "
            f"in project {project!r} (dataset version {existing.id}); nothing new was stored. "
            "Train on that version: datasets can be used from any of your projects"
        )
        self.existing = existing


@dataclass(frozen=True)
class UploadTarget:
    """Where an upload goes: a new dataset (`name` in `project_id`) or a new version of
    `dataset_id`."""

    owner_id: str
    project_id: str
    name: str
    dataset_id: str | None = None


@dataclass(frozen=True)
class Stored:
    """The outcome: the dataset and its version, and whether this upload created them (False:
    the same data was already stored there, e.g. by an earlier try of the same upload)."""

    dataset: Dataset
    version: DatasetVersion
    created: bool


@dataclass(frozen=True)
class Checked:
    """A checked upload: its ingest result, files in `work`."""

    result: IngestResult
    work: Path

    @property
    def normalised(self) -> Path:
        return self.work / DATASET_FILE


@contextmanager
def check_upload(upload: SpooledUpload, tmp_dir: Path, limits: SandboxLimits) -> Iterator[Checked]:
    """Validate and normalise `upload` in the sandbox; its files live until the block ends.
    Raises DatasetError for data that cannot be trained on."""
    tmp_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=tmp_dir) as work:
        result = run_sandboxed(
            upload.path, Path(work) / DATASET_FILE, Path(work) / THUMBNAILS, limits
        )
        yield Checked(IngestResult.from_dict(result), Path(work))


def _same_data(
    session: Session, owner_id: str, upload_sha256: str, content_hash: str | None
) -> DatasetVersion | None:
    """The owner's version with these upload bytes or (when known) this content."""
    same = [DatasetVersion.upload_sha256 == upload_sha256]
    if content_hash is not None:
        same.append(DatasetVersion.content_hash == content_hash)
    return session.scalar(
        select(DatasetVersion)
        .where(DatasetVersion.owner_id == owner_id, or_(*same))
        .order_by(DatasetVersion.created_at)
        .limit(1)
    )


def _resolve(session: Session, target: UploadTarget, existing: DatasetVersion) -> Stored:
    """The same data is stored already: this upload's result if it is where the upload
    points (a retry), else DuplicateVersion naming where it is."""
    dataset = session.get(Dataset, existing.dataset_id)
    assert dataset is not None
    here = (
        dataset.id == target.dataset_id
        if target.dataset_id
        else (dataset.project_id, dataset.name) == (target.project_id, target.name)
    )
    if here:
        return Stored(dataset, existing, created=False)
    project = session.get(Project, dataset.project_id)
    raise DuplicateVersion(existing, dataset, project.name if project else "?")


def find_stored(session: Session, target: UploadTarget, upload: SpooledUpload) -> Stored | None:
    """The stored result of these exact upload bytes (a retry), before any checking."""
    existing = _same_data(session, target.owner_id, upload.sha256, None)
    return None if existing is None else _resolve(session, target, existing)


def _check_task(dataset: Dataset, task: str) -> None:
    if dataset.task and dataset.task != task:
        raise DatasetError(
            f"dataset {dataset.name!r} holds {TASK_NAMES[dataset.task]} data and this "
            f"upload is {TASK_NAMES[task]}; upload it as a new dataset"
        )


def _put_files(storage: Storage, prefix: str, checked: Checked) -> None:
    storage.put_file(f"{prefix}/{DATASET_FILE}", checked.normalised)
    for path in checked.result.thumbnails:
        storage.put_file(f"{prefix}/{path.relative_to(checked.work).as_posix()}", path)


def _thumbnails(checked: Checked) -> dict[str, list[str]]:
    result, thumbnails = checked.result, dict[str, list[str]]()
    for path in result.thumbnails:
        label = result.class_names[int(path.parent.name)]
        thumbnails.setdefault(label, []).append(path.relative_to(checked.work).as_posix())
    return thumbnails


def _record(
    session: Session,
    target: UploadTarget,
    checked: Checked,
    upload_sha256: str,
    ids: tuple[str, str],
) -> Stored:
    """Add the version in the caller's transaction, which first locks the owner's row: two
    uploads of one owner are recorded one after the other (PostgreSQL's row lock, SQLite's
    write lock), so the duplicate check and the version number below cannot race. `ids`: the
    dataset's (used when it is new) and the version's, which their storage keys hold."""
    dataset_id, version_id = ids
    session.execute(update(User).where(User.id == target.owner_id).values(email=User.email))
    result = checked.result
    existing = _same_data(session, target.owner_id, upload_sha256, result.content_hash)
    if existing is not None:
        return _resolve(session, target, existing)
    if target.dataset_id:
        dataset = session.get(Dataset, target.dataset_id)
        if dataset is None:
            raise DatasetError(f"dataset {target.dataset_id} was deleted while it uploaded")
        _check_task(dataset, result.task)
    else:
        dataset = Dataset(
            id=dataset_id,
            owner_id=target.owner_id,
            project_id=target.project_id,
            name=target.name,
            task="",
        )
        session.add(dataset)
    dataset.task = result.task
    session.flush()
    numbers = select(DatasetVersion.version).where(DatasetVersion.dataset_id == dataset.id)
    version = DatasetVersion(
        id=version_id,
        owner_id=target.owner_id,
        dataset_id=dataset.id,
        version=max(session.scalars(numbers).all(), default=0) + 1,
        content_hash=result.content_hash,
        upload_sha256=upload_sha256,
        storage_key=f"{dataset_version_prefix(target.owner_id, dataset.id, version_id)}/"
        f"{DATASET_FILE}",
        class_names=result.class_names,
        split_source=result.split_source,
        stats=result.stats,
        warnings=result.warnings,
        report={**result.report, "thumbnails": _thumbnails(checked)},
    )
    session.add(version)
    session.flush()
    return Stored(dataset, version, created=True)


def store_version(
    storage: Storage, target: UploadTarget, upload: SpooledUpload, checked: Checked
) -> Stored:
    """Store the checked files, then record the version in one short transaction; all or
    nothing (a failure, or the same data recorded by another upload meanwhile, leaves no
    files behind)."""
    with session_scope() as session:  # a short read: is it known already, may it go here?
        existing = _same_data(session, target.owner_id, upload.sha256, checked.result.content_hash)
        if existing is not None:
            return _resolve(session, target, existing)
        if target.dataset_id:
            dataset = session.get(Dataset, target.dataset_id)
            if dataset is not None:
                _check_task(dataset, checked.result.task)
    ids = (target.dataset_id or new_id(), new_id())
    prefix = dataset_version_prefix(target.owner_id, *ids)
    try:
        _put_files(storage, prefix, checked)
        with session_scope() as session:
            stored = _record(session, target, checked, upload.sha256, ids)
    except BaseException:
        storage.delete_prefix(prefix)
        raise
    if not stored.created:
        storage.delete_prefix(prefix)
    return stored
