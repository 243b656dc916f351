"""Creating immutable dataset versions: validate, store, then record — all or nothing."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.datasets.errors import DatasetError
from backend.datasets.ingest import IngestResult
from backend.datasets.sandbox import SandboxLimits, run_sandboxed
from backend.models import Dataset, DatasetVersion, new_id
from backend.services.uploads import SpooledUpload
from backend.storage_keys import dataset_version_prefix
from storage import Storage

DATASET_FILE = "dataset.zip"
THUMBNAILS = "thumbnails"
TASK_NAMES = {"classify": "classification", "detect": "detection"}


class DuplicateVersion(DatasetError):
    """The upload holds exactly the data of an existing version."""

    def __init__(self, existing: DatasetVersion, dataset_name: str) -> None:
        super().__init__(
            f"this data is identical to version {existing.version} of dataset "
            f"{dataset_name!r} (dataset version {existing.id}); nothing new was stored"
        )
        self.existing = existing


def _find_same_content(session: Session, owner_id: str, digest: str) -> DatasetVersion | None:
    return session.scalar(
        select(DatasetVersion).where(
            DatasetVersion.owner_id == owner_id, DatasetVersion.content_hash == digest
        )
    )


def add_version(
    session: Session,
    storage: Storage,
    dataset: Dataset,
    upload: SpooledUpload,
    tmp_dir: Path,
    limits: SandboxLimits,
) -> DatasetVersion:
    """Validate `upload`, store its normalised form and thumbnails, add the next version.

    Raises DatasetError for bad data and DuplicateVersion for data the owner already has.
    On any failure nothing is left in storage; the caller's session scope rolls back.
    """
    tmp_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=tmp_dir) as work:
        normalised = Path(work) / DATASET_FILE
        thumbs_dir = Path(work) / THUMBNAILS
        result = IngestResult.from_dict(run_sandboxed(upload.path, normalised, thumbs_dir, limits))
        if dataset.task and dataset.task != result.task:
            raise DatasetError(
                f"dataset {dataset.name!r} holds {TASK_NAMES[dataset.task]} data and this "
                f"upload is {TASK_NAMES[result.task]}; upload it as a new dataset"
            )
        dataset.task = result.task
        existing = _find_same_content(session, dataset.owner_id, result.content_hash)
        if existing is not None:
            owner_dataset = session.get(Dataset, existing.dataset_id)
            raise DuplicateVersion(existing, owner_dataset.name if owner_dataset else "?")
        version_id = new_id()
        prefix = dataset_version_prefix(dataset.owner_id, dataset.id, version_id)
        thumbnails: dict[str, list[str]] = {}
        for path in result.thumbnails:
            rel = path.relative_to(Path(work)).as_posix()
            label = result.class_names[int(path.parent.name)]
            thumbnails.setdefault(label, []).append(rel)
        report = {**result.report, "thumbnails": thumbnails}
        latest = session.scalars(
            select(DatasetVersion.version).where(DatasetVersion.dataset_id == dataset.id)
        ).all()
        version = DatasetVersion(
            id=version_id,
            owner_id=dataset.owner_id,
            dataset_id=dataset.id,
            version=max(latest, default=0) + 1,
            content_hash=result.content_hash,
            storage_key=f"{prefix}/{DATASET_FILE}",
            class_names=result.class_names,
            split_source=result.split_source,
            stats=result.stats,
            warnings=result.warnings,
            report=report,
        )
        try:
            storage.put_file(version.storage_key, normalised)
            for path in result.thumbnails:
                storage.put_file(f"{prefix}/{path.relative_to(Path(work)).as_posix()}", path)
            session.add(version)
            session.flush()
        except BaseException:
            storage.delete_prefix(prefix)
            raise
    return version
