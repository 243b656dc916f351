"""Trained models: metadata, evaluation report, report files, package download; the catalog."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, Query, Request, Response, UploadFile, status
from fastapi.responses import FileResponse, RedirectResponse, StreamingResponse
from PIL import Image
from pydantic import BaseModel, Field
from sqlalchemy import select

from backend.api.deps import DB, CurrentUser, SettingsDep, StorageDep, get_owned
from backend.api.errors import file_response, responses
from backend.models import ModelArtifact
from backend.schemas import CatalogModelOut, ModelOut
from backend.services.local_copies import COMPLETE, unpacked
from backend.services.predictions import PredictionFailed, PredictLimits, predict_images
from backend.settings import Settings
from mlcore.contract.catalog import load_catalog
from mlcore.contract.weights import PublisherWeights
from storage import Storage
from storage.base import CHUNK_SIZE
from storage.files import file_sha256

router = APIRouter(tags=["models"])
MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".json": "application/json",
    ".zip": "application/zip",
}
FALLBACK_MEDIA_TYPE = "application/octet-stream"
TEXT_MEDIA_TYPE = "text/plain; charset=utf-8"
TEXT_SUFFIXES = frozenset({".py", ".md", ".txt", ".json"})
MAX_PREDICT_IMAGES = 16
MAX_PREDICT_BYTES = 20 << 20


class DownloadUrlOut(BaseModel):
    url: str = Field(description="signed S3 URL, or the API's own streaming path (relative)")
    expires_at: datetime | None = Field(description="when a signed URL stops working")
    signed: bool = Field(description="true: fetch `url` without authentication")
    sha256: str = Field(description="SHA-256 (hex) of the package bytes")
    size: int = Field(description="package size in bytes")


class ModelFileOut(BaseModel):
    name: str
    media_type: str


def media_type(key: str) -> str:
    """The media type of a stored file, from its extension."""
    return MEDIA_TYPES.get(PurePosixPath(key).suffix.lower(), FALLBACK_MEDIA_TYPE)


def stream(storage: Storage, key: str) -> Iterator[bytes]:
    """The object's bytes in chunks; opened now, so a missing object fails before streaming."""
    opened = storage.open(key)

    def chunks() -> Iterator[bytes]:
        with opened:
            while chunk := opened.read(CHUNK_SIZE):
                yield chunk

    return chunks()


@router.get(
    "/catalog",
    response_model=list[CatalogModelOut],
    summary="Models that can be trained, with their metadata and publisher weights' status",
)
def catalog(settings: SettingsDep) -> list[CatalogModelOut]:
    source = settings.weights_source
    return [
        CatalogModelOut(**info.model_dump(), weights=source.status(PublisherWeights.of(info)))
        for info in load_catalog().values()
    ]


@router.get("/models", response_model=list[ModelOut], responses=responses(401, 422, 503))
def list_models(user: CurrentUser, db: DB, project_id: str | None = None) -> list[ModelArtifact]:
    query = select(ModelArtifact).where(ModelArtifact.owner_id == user.id)
    if project_id:
        query = query.where(ModelArtifact.project_id == project_id)
    return list(db.scalars(query.order_by(ModelArtifact.created_at.desc())))


@router.get("/models/{model_id}", response_model=ModelOut, responses=responses(401, 404, 422, 503))
def get_model(model_id: str, user: CurrentUser, db: DB) -> ModelArtifact:
    return get_owned(db, ModelArtifact, model_id, user, "model")


def json_artifact(model: ModelArtifact, name: str, storage: Storage) -> dict[str, Any]:
    """The model's JSON output `name`, or 404 naming what is missing."""
    key = model.files.get(name)
    if not key:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"model {model.id} has no {name}")
    result: dict[str, Any] = json.loads(storage.read_bytes(key))
    return result


@router.get(
    "/models/{model_id}/evaluation",
    summary="Validation metrics and per-image predictions",
    responses=responses(401, 404, 422, 503),
)
def get_evaluation(model_id: str, user: CurrentUser, db: DB, storage: StorageDep) -> dict[str, Any]:
    model = get_owned(db, ModelArtifact, model_id, user, "model")
    return json_artifact(model, "evaluation", storage)


@router.get(
    "/models/{model_id}/parity",
    summary="Export parity: each packaged format (ONNX, TorchScript, INT8) against PyTorch",
    responses=responses(401, 404, 422, 503),
)
def get_parity(model_id: str, user: CurrentUser, db: DB, storage: StorageDep) -> dict[str, Any]:
    model = get_owned(db, ModelArtifact, model_id, user, "model")
    return json_artifact(model, "parity", storage)


def package_filename(model: ModelArtifact) -> str:
    """The file name a downloaded package is saved under."""
    return f"konstruktor-{model.architecture}-{model.id[:8]}.zip"


@router.get(
    "/models/{model_id}/download",
    summary="The model package (zip), streamed; its SHA-256 is in X-Content-SHA256",
    description=(
        "With `redirect=true` and S3 storage, answers 307 to a short-lived signed URL of the "
        "package instead (see /download-url); on local storage it streams as usual."
    ),
    response_class=StreamingResponse,
    responses={
        200: file_response("application/zip"),
        307: {"description": "to a signed URL of the package (`redirect=true` on S3 storage)"},
        **responses(401, 404, 422, 503),
    },
)
def download_model(
    model_id: str,
    user: CurrentUser,
    db: DB,
    storage: StorageDep,
    settings: SettingsDep,
    redirect: bool = False,
) -> Response:
    model = get_owned(db, ModelArtifact, model_id, user, "model")
    filename = package_filename(model)
    if redirect:
        signed = storage.download_url(
            model.package_key, expires_s=settings.download_url_ttl_s, filename=filename
        )
        if signed is not None:
            return RedirectResponse(
                signed,
                status_code=status.HTTP_307_TEMPORARY_REDIRECT,
                headers={"X-Content-SHA256": model.package_sha256, "Cache-Control": "no-store"},
            )
    return StreamingResponse(
        stream(storage, model.package_key),
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Content-Length": str(model.package_size),
            "X-Content-SHA256": model.package_sha256,
            "ETag": f'"{model.package_sha256}"',
        },
    )


@router.get(
    "/models/{model_id}/download-url",
    response_model=DownloadUrlOut,
    summary="Where to download the model package: a short-lived signed URL on S3 storage",
    description=(
        "On S3 storage `url` is a presigned GET valid until `expires_at` that needs no "
        "authentication; on local storage it is this API's streaming /download path (relative, "
        "needs the usual authentication) and `expires_at` is null. Check the downloaded bytes "
        "against `sha256`."
    ),
    responses=responses(401, 404, 422, 503),
)
def get_download_url(
    model_id: str,
    request: Request,
    user: CurrentUser,
    db: DB,
    storage: StorageDep,
    settings: SettingsDep,
) -> DownloadUrlOut:
    model = get_owned(db, ModelArtifact, model_id, user, "model")
    ttl = settings.download_url_ttl_s
    expires_at = datetime.now(UTC) + timedelta(seconds=ttl)
    signed = storage.download_url(
        model.package_key, expires_s=ttl, filename=package_filename(model)
    )
    if signed is None:  # local storage: stream through the API
        signed_url, url = False, str(request.app.url_path_for("download_model", model_id=model.id))
    else:
        signed_url, url = True, signed
    return DownloadUrlOut(
        url=url,
        expires_at=expires_at if signed_url else None,
        signed=signed_url,
        sha256=model.package_sha256,
        size=model.package_size,
    )


@router.get(
    "/models/{model_id}/files",
    response_model=list[ModelFileOut],
    summary="Names and media types of the model's files (plots, thumbnails, reports, package)",
    responses=responses(401, 404, 422, 503),
)
def list_model_files(model_id: str, user: CurrentUser, db: DB) -> list[ModelFileOut]:
    model = get_owned(db, ModelArtifact, model_id, user, "model")
    return [
        ModelFileOut(name=name, media_type=media_type(key)) for name, key in model.files.items()
    ]


@router.get(
    "/models/{model_id}/files/{name}",
    summary="One of the model's files by name (see /files), streamed with its media type",
    response_class=StreamingResponse,
    responses={
        200: file_response(*MEDIA_TYPES.values(), FALLBACK_MEDIA_TYPE),
        **responses(401, 404, 422, 503),
    },
)
def get_model_file(
    model_id: str, name: str, user: CurrentUser, db: DB, storage: StorageDep
) -> StreamingResponse:
    model = get_owned(db, ModelArtifact, model_id, user, "model")
    key = model.files.get(name)
    if not key:
        known = ", ".join(sorted(model.files)) or "none"
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"model {model_id} has no file {name!r} (files: {known})"
        )
    if not storage.exists(key):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"file {name!r} of model {model_id} is gone")
    filename = PurePosixPath(key).name
    return StreamingResponse(
        stream(storage, key),
        media_type=media_type(key),
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Content-Length": str(storage.size(key)),
        },
    )


class PackageFileOut(BaseModel):
    name: str
    size: int
    sha256: str
    media_type: str


def package_dir(model: ModelArtifact, storage: Storage, settings: Settings) -> Path:
    """The model's package, unpacked in the API's cache (its bytes checked against the
    recorded SHA-256)."""
    folder = settings.cache_dir.resolve() / "packages" / model.id
    return unpacked(storage, model.package_key, folder, model.package_sha256)


@router.get(
    "/models/{model_id}/package",
    response_model=list[PackageFileOut],
    summary="The files inside the model package, with their sizes and SHA-256",
    responses=responses(401, 404, 422, 503),
)
def list_package_files(
    model_id: str, user: CurrentUser, db: DB, storage: StorageDep, settings: SettingsDep
) -> list[PackageFileOut]:
    model = get_owned(db, ModelArtifact, model_id, user, "model")
    folder = package_dir(model, storage, settings)
    return [
        PackageFileOut(
            name=path.name,
            size=path.stat().st_size,
            sha256=file_sha256(path),
            media_type=package_media_type(path.name),
        )
        for path in sorted(folder.iterdir())
        if path.is_file() and path.name != COMPLETE
    ]


def package_media_type(name: str) -> str:
    """Text files of a package are shown as text; the rest by extension."""
    if PurePosixPath(name).suffix.lower() in TEXT_SUFFIXES:
        return TEXT_MEDIA_TYPE
    return media_type(name)


@router.get(
    "/models/{model_id}/package/{name}",
    summary="One file of the model package (README.md, predict.py, model.onnx, ...)",
    response_class=FileResponse,
    responses={
        200: file_response(TEXT_MEDIA_TYPE, *MEDIA_TYPES.values(), FALLBACK_MEDIA_TYPE),
        **responses(401, 404, 422, 503),
    },
)
def get_package_file(
    model_id: str,
    name: str,
    user: CurrentUser,
    db: DB,
    storage: StorageDep,
    settings: SettingsDep,
    download: bool = False,
) -> FileResponse:
    model = get_owned(db, ModelArtifact, model_id, user, "model")
    folder = package_dir(model, storage, settings)
    path = folder / name
    if "/" in name or name.startswith(".") or not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"the package has no file {name!r}")
    disposition = "attachment" if download else "inline"
    return FileResponse(
        path,
        media_type=package_media_type(name),
        filename=name,
        content_disposition_type=disposition,
    )


class PredictionOut(BaseModel):
    file: str = Field(description="the uploaded file's name")
    top: list[dict[str, Any]] | None = Field(
        None, description="classifiers: labels with their probability, most likely first"
    )
    boxes: list[dict[str, Any]] | None = Field(
        None, description="detectors: label, confidence and box [x1, y1, x2, y2] in pixels"
    )


@router.post(
    "/models/{model_id}/predict",
    response_model=list[PredictionOut],
    summary="Try the model on images: its own package (predict.py, ONNX) runs on them",
    responses=responses(400, 401, 404, 413, 422, 503),
)
def predict(
    model_id: str,
    files: Annotated[list[UploadFile], File(description="images (jpg, png, ...)")],
    user: CurrentUser,
    db: DB,
    storage: StorageDep,
    settings: SettingsDep,
    topk: Annotated[int | None, Query(ge=1, le=100)] = None,
    conf: Annotated[float | None, Query(ge=0, le=1)] = None,
) -> list[dict[str, Any]]:
    model = get_owned(db, ModelArtifact, model_id, user, "model")
    if not 1 <= len(files) <= MAX_PREDICT_IMAGES:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"send 1 to {MAX_PREDICT_IMAGES} images at a time",
        )
    images = [(file.filename or f"image-{i}", readable_image(file)) for i, file in enumerate(files)]
    limits = PredictLimits(
        memory_mb=settings.predict_memory_mb,
        cpu_s=int(settings.predict_timeout_s),
        wall_s=settings.predict_timeout_s,
    )
    try:
        return predict_images(package_dir(model, storage, settings), images, topk, conf, limits)
    except PredictionFailed as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc


def readable_image(file: UploadFile) -> bytes:
    """The upload's bytes if they are an image of at most MAX_PREDICT_BYTES; else a 4xx that
    names the file and what to send instead."""
    data = file.file.read(MAX_PREDICT_BYTES + 1)
    name = file.filename or "the upload"
    if len(data) > MAX_PREDICT_BYTES:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"{name} is over {MAX_PREDICT_BYTES // (1 << 20)} MiB; send a smaller image",
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except Exception as exc:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"{name} is not an image this service can read ({exc}); send a JPEG or PNG",
        ) from exc
    return data
