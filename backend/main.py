"""The API process: REST API under /api/v1, OpenAPI docs at /docs, the frontend at /."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request, status
from fastapi.responses import FileResponse, JSONResponse

from backend.api import auth, datasets, jobs, models, projects
from backend.storage import StorageError

API_PREFIX = "/api/v1"
FRONTEND_INDEX = Path(__file__).resolve().parent.parent / "frontend" / "index.html"


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

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(FRONTEND_INDEX)

    return app


app = create_app()
