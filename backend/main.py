"""The API process: REST API under /api/v1, OpenAPI docs at /docs, the frontend at /."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from backend.api import auth, datasets, jobs, models, projects, service
from storage import StorageError

API_PREFIX = "/api/v1"
FRONTEND_DIST = Path(__file__).resolve().parent.parent / "frontend" / "dist"
NOT_BUILT = """<!doctype html><html lang="en"><meta charset="utf-8"><title>Konstruktor</title>
<h1>Konstruktor</h1><p>The web app is not built yet: <code>make run</code> builds it
(or <code>make frontend</code>). The REST API is at <a href="/docs">/docs</a>.</p></html>"""


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
    for module in (service, auth, projects, datasets, jobs, models):
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

    @app.get("/{path:path}", include_in_schema=False, response_model=None)
    def web_app(path: str) -> FileResponse | HTMLResponse | JSONResponse:
        """The single-page app: its built files, else index.html for every page URL (the
        app routes itself, so reloads and deep links work)."""
        if path.startswith(("api/", "docs", "openapi.json")):
            return JSONResponse({"detail": "Not Found"}, status.HTTP_404_NOT_FOUND)
        file = (FRONTEND_DIST / path).resolve()
        if path and file.is_file() and file.is_relative_to(FRONTEND_DIST):
            cache = (
                "public, max-age=31536000, immutable" if path.startswith("assets/") else "no-cache"
            )
            return FileResponse(file, headers={"Cache-Control": cache})
        index = FRONTEND_DIST / "index.html"
        if index.is_file():
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        return HTMLResponse(NOT_BUILT)

    return app


app = create_app()
