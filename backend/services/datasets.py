"""Creating immutable dataset versions: validate, store, then record — all or nothing."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.datasets.imagefolder import ingest_imagefolder
from backend.models import Dataset, DatasetVersion, new_id
from backend.services.uploads import SpooledUpload
from backend.storage import Storage

DATASET_FILE = "dataset.zip"


def dataset_prefix(owner_id: str, dataset_id: str, version_id: str) -> str:
    return f"users/{owner_id}/datasets/{dataset_id}/{version_id}"


def add_version(
    session: Session,
    storage: Storage,
    dataset: Dataset,
    upload: SpooledUpload,
    tmp_dir: Path,
    max_total_bytes: int,
) -> DatasetVersion:
    """Validate `upload`, store its normalised form, and add the next version of `dataset`.

    Raises DatasetError for bad data. On any failure no object is left in storage and the
    caller's session is rolled back by its scope.
    """
    with tempfile.TemporaryDirectory(dir=tmp_dir) as work:
        normalised = Path(work) / DATASET_FILE
        report = ingest_imagefolder(upload.path, normalised, max_total_bytes)
        version_id = new_id()
        prefix = dataset_prefix(dataset.owner_id, dataset.id, version_id)
        latest = session.scalar(
            select(func.max(DatasetVersion.version)).where(DatasetVersion.dataset_id == dataset.id)
        )
        version = DatasetVersion(
            id=version_id,
            owner_id=dataset.owner_id,
            dataset_id=dataset.id,
            version=(latest or 0) + 1,
            content_hash=upload.sha256,
            storage_key=f"{prefix}/{DATASET_FILE}",
            class_names=report.class_names,
            split_source=report.split_source,
            stats=report.stats,
            warnings=report.warnings,
        )
        try:
            storage.put_file(version.storage_key, normalised)
            session.add(version)
            session.flush()
        except BaseException:
            storage.delete_prefix(prefix)
            raise
    return version
