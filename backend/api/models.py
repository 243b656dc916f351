"""Trained models: metadata, evaluation report, package download; the model catalog."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from backend.api.deps import DB, CurrentUser, StorageDep, get_owned
from backend.models import ModelArtifact
from backend.schemas import ModelOut
from backend.storage.base import CHUNK_SIZE
from mlcore.catalog import load_catalog

router = APIRouter(tags=["models"])


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
    stream = storage.open(model.package_key)

    def chunks() -> Iterator[bytes]:
        with stream:
            while chunk := stream.read(CHUNK_SIZE):
                yield chunk

    return StreamingResponse(
        chunks(),
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Content-Length": str(model.package_size),
            "X-Content-SHA256": model.package_sha256,
            "ETag": f'"{model.package_sha256}"',
        },
    )
