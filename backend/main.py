"""The API process: REST API under /api/v1, OpenAPI docs at /docs, the frontend at /."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse

from backend.api import auth, datasets, jobs, models, projects
from storage import StorageError

API_PREFIX = "/api/v1"
FRONTEND_INDEX = Path(__file__).resolve().parent.parent / "frontend" / "index.html"


def json_safe(value: Any) -> Any:
    """`value` if strict JSON can hold it, else its repr."""
    try:
        json.dumps(jsonable_encoder(value), allow_nan=False)
    except ValueError:
        return repr(value)
    return value


def create_app() -> FastAPI:
    app = FastAPI(
        title="Konstruktor",
        version="0.1.0",
        description="Upload an image dataset, train a model, download it with inference code.",
    )
    for module in (auth, projects, datasets, jobs, models):
        app.include_router(module.router, prefix=API_PREFIX)

    @app.exception_handler(StorageError)
    async def storage_error(_request: Request, exc: StorageError) -> JSONResponse:
        return JSONResponse(
            {"detail": f"storage unavailable: {exc}"}, status.HTTP_503_SERVICE_UNAVAILABLE
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        """FastAPI's 422; an input that JSON cannot carry (a NaN or infinity the client sent)
        is given as text, or the error itself could not be sent (a 500)."""
        errors = [{**error, "input": json_safe(error.get("input"))} for error in exc.errors()]
        return JSONResponse(
            {"detail": jsonable_encoder(errors)}, status.HTTP_422_UNPROCESSABLE_CONTENT
        )

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(FRONTEND_INDEX)

    return app


app = create_app()
