"""Dataset uploads (streamed zip bodies) and immutable versions."""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from PIL import Image
from pydantic import Field as PydanticField
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.api.deps import DB, CurrentUser, SettingsDep, StorageDep, get_owned, let_go
from backend.api.errors import file_response, responses
from backend.datasets.archive import ArchiveLimits
from backend.datasets.coco_export import yolo_split_to_coco
from backend.datasets.errors import DatasetError
from backend.datasets.sandbox import SandboxLimits
from backend.db import session_scope
from backend.models import Dataset, DatasetVersion, Project
from backend.schemas import DatasetOut, DatasetVersionOut
from backend.services.datasets import (
    THUMBNAILS,
    DuplicateVersion,
    Stored,
    UploadTarget,
    check_upload,
    find_stored,
    store_version,
)
from backend.services.ingest_line import IngestBusy, get_ingest_line
from backend.services.local_copies import cached_file
from backend.services.s3_import import S3Source, fetch
from backend.services.uploads import SpooledUpload, process_tmp_dir, spool_upload
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
        upload = await spool_upload(request.stream(), process_tmp_dir(settings.var_dir), limit)
    except UploadTooLarge as exc:
        raise too_large from exc
    if upload.size == 0:
        upload.discard()
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"the upload is empty: {UPLOAD_HINT}")
    return upload


def _limits(settings: Settings) -> SandboxLimits:
    return SandboxLimits(
        ArchiveLimits(max_total_bytes=settings.max_upload_bytes * 4),
        memory_mb=settings.ingest_memory_mb,
        cpu_s=settings.ingest_timeout_s,
        wall_s=settings.ingest_timeout_s,
    )


@contextmanager
def _as_http() -> Iterator[None]:
    """Dataset problems as the 4xx that says what to fix."""
    try:
        yield
    except DuplicateVersion as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    except DatasetError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc


def _find_stored(target: UploadTarget, upload: SpooledUpload) -> Stored | None:
    with _as_http(), session_scope() as session:
        return find_stored(session, target, upload)


def _check_and_store(
    target: UploadTarget, upload: SpooledUpload, storage: Storage, settings: Settings
) -> Stored:
    scratch = process_tmp_dir(settings.var_dir)
    with _as_http(), check_upload(upload, scratch, _limits(settings)) as checked:
        return store_version(storage, target, upload, checked)


async def _ingest(
    target: UploadTarget,
    receive: Callable[[], Awaitable[SpooledUpload]],
    storage: Storage,
    settings: Settings,
    response: Response,
) -> Stored:
    """Receive, check and store one upload in the ingest line; 201 when it made a version,
    200 when these data were stored there already (a retry). No database connection is held
    while the body arrives or the data are checked."""
    line = get_ingest_line()
    try:
        async with line.admit():
            upload = await receive()
            try:
                stored = await run_in_threadpool(_find_stored, target, upload)
                if stored is None:
                    async with line.turn():
                        stored = await run_in_threadpool(
                            _check_and_store, target, upload, storage, settings
                        )
            finally:
                upload.discard()
    except IngestBusy as exc:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            str(exc),
            headers={"Retry-After": str(exc.retry_after_s)},
        ) from exc
    response.status_code = status.HTTP_201_CREATED if stored.created else status.HTTP_200_OK
    return stored


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
    responses={
        200: {"model": DatasetOut, "description": "These data were stored there already"},
        **responses(400, 401, 404, 409, 413, 415, 422, 503),
    },
)
async def upload_dataset(
    project_id: str,
    request: Request,
    response: Response,
    user: CurrentUser,
    db: DB,
    settings: SettingsDep,
    storage: StorageDep,
    name: str = Query(min_length=1, max_length=200, description="dataset name"),
) -> DatasetOut:
    project = await run_in_threadpool(get_owned, db, Project, project_id, user, "project")
    let_go(db)  # no transaction stays open while the body streams in
    target = UploadTarget(user.id, project.id, name)
    stored = await _ingest(target, lambda: _receive(request, settings), storage, settings, response)
    return await run_in_threadpool(_dataset_out, db, stored.dataset)


class DatasetImport(S3Source):
    name: str = PydanticField(min_length=1, max_length=200, description="dataset name")


@router.post(
    "/projects/{project_id}/datasets/import",
    response_model=DatasetOut,
    status_code=status.HTTP_201_CREATED,
    summary="Import a new dataset from an S3 URI, server-side (for large archives)",
    responses={
        200: {"model": DatasetOut, "description": "These data were stored there already"},
        **responses(400, 401, 404, 409, 413, 422, 503),
    },
)
async def import_dataset(
    project_id: str,
    body: DatasetImport,
    response: Response,
    user: CurrentUser,
    db: DB,
    settings: SettingsDep,
    storage: StorageDep,
) -> DatasetOut:
    project = await run_in_threadpool(get_owned, db, Project, project_id, user, "project")
    let_go(db)  # no transaction stays open while the object downloads

    def download() -> SpooledUpload:
        try:
            return fetch(
                body,
                settings.allowed_import_endpoints,
                process_tmp_dir(settings.var_dir),
                settings.max_upload_bytes,
            )
        except UploadTooLarge as exc:
            raise HTTPException(
                status.HTTP_413_CONTENT_TOO_LARGE,
                f"{body.uri} is larger than the limit of {settings.max_upload_mb} MiB",
            ) from exc
        except DatasetError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc

    target = UploadTarget(user.id, project.id, body.name)
    stored = await _ingest(target, lambda: run_in_threadpool(download), storage, settings, response)
    return await run_in_threadpool(_dataset_out, db, stored.dataset)


@router.post(
    "/datasets/{dataset_id}/versions",
    response_model=DatasetVersionOut,
    status_code=status.HTTP_201_CREATED,
    summary="Upload a new version of an existing dataset",
    openapi_extra=ZIP_BODY,
    responses={
        200: {"model": DatasetVersionOut, "description": "These data were stored there already"},
        **responses(400, 401, 404, 409, 413, 415, 422, 503),
    },
)
async def upload_version(
    dataset_id: str,
    request: Request,
    response: Response,
    user: CurrentUser,
    db: DB,
    settings: SettingsDep,
    storage: StorageDep,
) -> DatasetVersion:
    dataset = await run_in_threadpool(get_owned, db, Dataset, dataset_id, user, "dataset")
    let_go(db)  # no transaction stays open while the body streams in
    target = UploadTarget(user.id, dataset.project_id, dataset.name, dataset.id)
    stored = await _ingest(target, lambda: _receive(request, settings), storage, settings, response)
    return stored.version


@router.get(
    "/projects/{project_id}/datasets",
    response_model=list[DatasetOut],
    responses=responses(401, 404, 422, 503),
)
def list_datasets(project_id: str, user: CurrentUser, db: DB) -> list[DatasetOut]:
    project = get_owned(db, Project, project_id, user, "project")
    rows = db.scalars(
        select(Dataset).where(Dataset.project_id == project.id).order_by(Dataset.created_at)
    )
    return [_dataset_out(db, d) for d in rows]


@router.get("/datasets", response_model=list[DatasetOut], responses=responses(401, 422, 503))
def list_all_datasets(
    user: CurrentUser,
    db: DB,
    exclude_project: str | None = Query(None, description="leave out this project's datasets"),
) -> list[DatasetOut]:
    """Every dataset of the user across their projects, newest first: a job in any of their
    projects can train on any of them."""
    query = select(Dataset).where(Dataset.owner_id == user.id)
    if exclude_project:
        query = query.where(Dataset.project_id != exclude_project)
    return [_dataset_out(db, d) for d in db.scalars(query.order_by(Dataset.created_at.desc()))]


@router.get(
    "/datasets/{dataset_id}", response_model=DatasetOut, responses=responses(401, 404, 422, 503)
)
def get_dataset(dataset_id: str, user: CurrentUser, db: DB) -> DatasetOut:
    return _dataset_out(db, get_owned(db, Dataset, dataset_id, user, "dataset"))


@router.get(
    "/dataset-versions/{version_id}",
    response_model=DatasetVersionOut,
    responses=responses(401, 404, 422, 503),
)
def get_dataset_version(version_id: str, user: CurrentUser, db: DB) -> DatasetVersion:
    return get_owned(db, DatasetVersion, version_id, user, "dataset version")


@router.get(
    "/dataset-versions/{version_id}/thumbnails/{class_index}/{name}",
    summary="A thumbnail listed in the version's health report",
    response_class=Response,
    responses={200: file_response("image/jpeg"), **responses(401, 404, 422, 503)},
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
    responses=responses(401, 404, 422, 503),
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
    responses={200: file_response("image/jpeg"), **responses(401, 404, 422, 503)},
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
