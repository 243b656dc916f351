"""Dataset uploads (streamed zip bodies) and immutable versions."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from PIL import Image
from pydantic import Field as PydanticField
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.api.deps import DB, CurrentUser, SettingsDep, StorageDep, get_owned
from backend.datasets.archive import ArchiveLimits
from backend.datasets.coco_export import yolo_split_to_coco
from backend.datasets.errors import DatasetError
from backend.datasets.sandbox import SandboxLimits
from backend.db import session_scope
from backend.models import Dataset, DatasetVersion, Project
from backend.schemas import DatasetOut, DatasetVersionOut
from backend.services.datasets import THUMBNAILS, DuplicateVersion, add_version
from backend.services.local_copies import cached_file
from backend.services.s3_import import S3Source, fetch
from backend.services.uploads import SpooledUpload, spool_upload
from backend.settings import Settings
from mlcore.package.runtime.predict import IMAGE_EXTENSIONS, to_rgb
from storage import Storage, UploadTooLarge

router = APIRouter(tags=["datasets"])
Split = Literal["train", "val"]
ZIP_TYPES = {"application/zip", "application/x-zip-compressed", "application/octet-stream"}
UPLOAD_HINT = (
    "send the zip as the raw request body with `Content-Type: application/zip`, e.g. "
    "curl --data-binary @data.zip -H 'Content-Type: application/zip' URL"
)


async def _receive(request: Request, settings: Settings) -> SpooledUpload:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ZIP_TYPES:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            f"unsupported Content-Type {content_type or '(none)'!r}: {UPLOAD_HINT}",
        )
    declared = request.headers.get("content-length")
    limit = settings.max_upload_bytes
    too_large = HTTPException(
        status.HTTP_413_CONTENT_TOO_LARGE,
        f"the upload is larger than the limit of {settings.max_upload_mb} MiB",
    )
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_large
    try:
        upload = await spool_upload(request.stream(), settings.var_dir / "tmp", limit)
    except UploadTooLarge as exc:
        raise too_large from exc
    if upload.size == 0:
        upload.discard()
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"the upload is empty: {UPLOAD_HINT}")
    return upload


def _store_version(
    dataset: Dataset, upload: SpooledUpload, storage: Storage, settings: Settings, new: bool
) -> DatasetVersion:
    """Validate and store in a worker thread; the dataset row is only kept with its version."""
    try:
        with session_scope() as session:
            if new:
                session.add(dataset)
                session.flush()  # assigns dataset.id, which the storage keys use
            else:
                dataset = session.merge(dataset)
            version = add_version(
                session,
                storage,
                dataset,
                upload,
                settings.var_dir / "tmp",
                SandboxLimits(
                    ArchiveLimits(max_total_bytes=settings.max_upload_bytes * 4),
                    memory_mb=settings.ingest_memory_mb,
                    cpu_s=settings.ingest_timeout_s,
                    wall_s=settings.ingest_timeout_s,
                ),
            )
            try:
                session.commit()
            except BaseException:
                storage.delete_prefix(version.storage_key.rsplit("/", 1)[0])
                raise
            return version
    except IntegrityError as exc:  # another version of the same dataset won the race
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            "another version of this dataset was stored at the same moment; upload again",
        ) from exc
    except DuplicateVersion as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    except DatasetError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    finally:
        upload.discard()


ZIP_BODY = {
    "requestBody": {
        "required": True,
        "description": "the dataset as one zip archive, sent as the raw request body",
        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
    }
}
"""OpenAPI for the streamed zip body the upload routes read from the request."""


def _dataset_out(db: Session, dataset: Dataset) -> DatasetOut:
    versions = db.scalars(
        select(DatasetVersion)
        .where(DatasetVersion.dataset_id == dataset.id)
        .order_by(DatasetVersion.version)
    )
    out = DatasetOut.model_validate(dataset)
    out.versions = [DatasetVersionOut.model_validate(v) for v in versions]
    return out


@router.post(
    "/projects/{project_id}/datasets",
    response_model=DatasetOut,
    status_code=status.HTTP_201_CREATED,
    summary="Upload a new dataset (zip body: ImageFolder, CSV, YOLO or COCO)",
    openapi_extra=ZIP_BODY,
)
async def upload_dataset(
    project_id: str,
    request: Request,
    user: CurrentUser,
    db: DB,
    settings: SettingsDep,
    storage: StorageDep,
    name: str = Query(min_length=1, max_length=200, description="dataset name"),
) -> DatasetOut:
    project = await run_in_threadpool(get_owned, db, Project, project_id, user, "project")
    db.close()  # no transaction stays open while the body streams in
    upload = await _receive(request, settings)
    dataset = Dataset(owner_id=user.id, project_id=project.id, name=name, task="")
    await run_in_threadpool(_store_version, dataset, upload, storage, settings, True)
    return await run_in_threadpool(_dataset_out, db, dataset)


class DatasetImport(S3Source):
    name: str = PydanticField(min_length=1, max_length=200, description="dataset name")


@router.post(
    "/projects/{project_id}/datasets/import",
    response_model=DatasetOut,
    status_code=status.HTTP_201_CREATED,
    summary="Import a new dataset from an S3 URI, server-side (for large archives)",
)
def import_dataset(
    project_id: str,
    body: DatasetImport,
    user: CurrentUser,
    db: DB,
    settings: SettingsDep,
    storage: StorageDep,
) -> DatasetOut:
    project = get_owned(db, Project, project_id, user, "project")
    db.close()  # no transaction stays open while the object downloads
    try:
        upload = fetch(
            body,
            settings.allowed_import_endpoints,
            settings.var_dir / "tmp",
            settings.max_upload_bytes,
        )
    except UploadTooLarge as exc:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"{body.uri} is larger than the limit of {settings.max_upload_mb} MiB",
        ) from exc
    except DatasetError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    dataset = Dataset(owner_id=user.id, project_id=project.id, name=body.name, task="")
    _store_version(dataset, upload, storage, settings, True)
    return _dataset_out(db, dataset)


@router.post(
    "/datasets/{dataset_id}/versions",
    response_model=DatasetVersionOut,
    status_code=status.HTTP_201_CREATED,
    summary="Upload a new version of an existing dataset",
    openapi_extra=ZIP_BODY,
)
async def upload_version(
    dataset_id: str,
    request: Request,
    user: CurrentUser,
    db: DB,
    settings: SettingsDep,
    storage: StorageDep,
) -> DatasetVersion:
    dataset = await run_in_threadpool(get_owned, db, Dataset, dataset_id, user, "dataset")
    db.close()  # no transaction stays open while the body streams in
    upload = await _receive(request, settings)
    return await run_in_threadpool(_store_version, dataset, upload, storage, settings, False)


@router.get("/projects/{project_id}/datasets", response_model=list[DatasetOut])
def list_datasets(project_id: str, user: CurrentUser, db: DB) -> list[DatasetOut]:
    project = get_owned(db, Project, project_id, user, "project")
    rows = db.scalars(
        select(Dataset).where(Dataset.project_id == project.id).order_by(Dataset.created_at)
    )
    return [_dataset_out(db, d) for d in rows]


@router.get("/datasets/{dataset_id}", response_model=DatasetOut)
def get_dataset(dataset_id: str, user: CurrentUser, db: DB) -> DatasetOut:
    return _dataset_out(db, get_owned(db, Dataset, dataset_id, user, "dataset"))


@router.get("/dataset-versions/{version_id}", response_model=DatasetVersionOut)
def get_dataset_version(version_id: str, user: CurrentUser, db: DB) -> DatasetVersion:
    return get_owned(db, DatasetVersion, version_id, user, "dataset version")


@router.get(
    "/dataset-versions/{version_id}/thumbnails/{class_index}/{name}",
    summary="A thumbnail listed in the version's health report",
    response_class=Response,
)
def get_thumbnail(
    version_id: str, class_index: int, name: str, user: CurrentUser, db: DB, storage: StorageDep
) -> Response:
    version = get_owned(db, DatasetVersion, version_id, user, "dataset version")
    rel = f"{THUMBNAILS}/{class_index}/{name}"
    if rel not in {t for thumbs in version.report.get("thumbnails", {}).values() for t in thumbs}:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"thumbnail {rel} not found")
    prefix = version.storage_key.rsplit("/", 1)[0]
    return Response(storage.read_bytes(f"{prefix}/{rel}"), media_type="image/jpeg")


@router.get(
    "/dataset-versions/{version_id}/coco",
    summary="A detection version's split as COCO instances JSON",
)
def export_coco(
    version_id: str, user: CurrentUser, db: DB, storage: StorageDep, split: Split = "val"
) -> dict[str, Any]:
    version = get_owned(db, DatasetVersion, version_id, user, "dataset version")
    if version.report.get("task") != "detect":
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "COCO export is for detection datasets"
        )
    with tempfile.TemporaryDirectory() as tmp:
        archive = storage.get_file(version.storage_key, Path(tmp) / "dataset.zip")
        with zipfile.ZipFile(archive) as zf:
            return yolo_split_to_coco(zf, split)


@router.get(
    "/dataset-versions/{version_id}/images/{path:path}",
    summary="An image of the version (e.g. a file of a model's evaluation), as a JPEG of at "
    "most max_side pixels",
    response_class=Response,
)
def get_version_image(
    version_id: str,
    path: str,
    user: CurrentUser,
    db: DB,
    storage: StorageDep,
    settings: SettingsDep,
    max_side: Annotated[int, Query(ge=16, le=1024)] = 256,
) -> Response:
    version = get_owned(db, DatasetVersion, version_id, user, "dataset version")
    archive = cached_file(
        storage,
        version.storage_key,
        settings.cache_dir.resolve() / "datasets" / f"{version.id}.zip",
    )
    with zipfile.ZipFile(archive) as zf:
        if path not in zf.namelist() or Path(path).suffix.lower() not in IMAGE_EXTENSIONS:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"the version has no image {path!r}")
        with Image.open(io.BytesIO(zf.read(path))) as image:
            shown = to_rgb(image)
    shown.thumbnail((max_side, max_side))
    out = io.BytesIO()
    shown.save(out, format="JPEG", quality=85)
    return Response(
        out.getvalue(), media_type="image/jpeg", headers={"Cache-Control": "private, max-age=86400"}
    )
