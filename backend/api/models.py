"""Trained models: metadata, evaluation report, report files, package download; the catalog."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlalchemy import select

from backend.api.deps import DB, CurrentUser, StorageDep, get_owned
from backend.models import ModelArtifact
from backend.schemas import ModelOut
from backend.storage import Storage
from backend.storage.base import CHUNK_SIZE
from mlcore.catalog import load_catalog

router = APIRouter(tags=["models"])
MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".json": "application/json",
    ".zip": "application/zip",
}
FALLBACK_MEDIA_TYPE = "application/octet-stream"


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


@router.get("/catalog", summary="Models that can be trained, with their metadata")
def catalog() -> list[dict[str, Any]]:
    return [info.model_dump() for info in load_catalog().values()]


@router.get("/models", response_model=list[ModelOut])
def list_models(user: CurrentUser, db: DB, project_id: str | None = None) -> list[ModelArtifact]:
    query = select(ModelArtifact).where(ModelArtifact.owner_id == user.id)
    if project_id:
        query = query.where(ModelArtifact.project_id == project_id)
    return list(db.scalars(query.order_by(ModelArtifact.created_at.desc())))


@router.get("/models/{model_id}", response_model=ModelOut)
def get_model(model_id: str, user: CurrentUser, db: DB) -> ModelArtifact:
    return get_owned(db, ModelArtifact, model_id, user, "model")


@router.get("/models/{model_id}/evaluation", summary="Validation metrics and per-image predictions")
def get_evaluation(model_id: str, user: CurrentUser, db: DB, storage: StorageDep) -> dict[str, Any]:
    model = get_owned(db, ModelArtifact, model_id, user, "model")
    key = model.files.get("evaluation")
    if not key:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"model {model_id} has no evaluation")
    result: dict[str, Any] = json.loads(storage.read_bytes(key))
    return result


@router.get(
    "/models/{model_id}/download",
    summary="The model package (zip), streamed; its SHA-256 is in X-Content-SHA256",
    response_class=StreamingResponse,
)
def download_model(
    model_id: str, user: CurrentUser, db: DB, storage: StorageDep
) -> StreamingResponse:
    model = get_owned(db, ModelArtifact, model_id, user, "model")
    filename = f"konstruktor-{model.architecture}-{model.id[:8]}.zip"
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
    "/models/{model_id}/files",
    response_model=list[ModelFileOut],
    summary="Names and media types of the model's files (plots, thumbnails, reports, package)",
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
