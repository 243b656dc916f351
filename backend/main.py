"""The API process: REST API under /api/v1, OpenAPI docs at /docs, the frontend at /."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI, status
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi_offline import FastAPIOffline

from backend.api import auth, datasets, errors, jobs, models, projects, recommendations, service
from backend.services.recommendations import rankers
from backend.services.uploads import sweep_tmp
from backend.settings import get_settings

API_PREFIX = "/api/v1"
FRONTEND_DIST = Path(__file__).resolve().parent.parent / "frontend" / "dist"
NOT_BUILT = """<!doctype html><html lang="en"><meta charset="utf-8"><title>Konstruktor</title>
<h1>Konstruktor</h1><p>The web app is not built yet: <code>make run</code> builds it
(or <code>make frontend</code>). The REST API is at <a href="/docs">/docs</a>.</p></html>"""


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    """At start-up, size the threadpool (see backend.api.deps.get_session_slots) and remove
    what crashed API processes left in var/tmp; at shutdown, stop the recommender's ranking
    child (started by the first recommendation)."""
    settings = get_settings()
    anyio.to_thread.current_default_thread_limiter().total_tokens = settings.api_threads
    sweep_tmp(settings.var_dir)
    yield
    await rankers.close()


def create_app() -> FastAPI:
    app = FastAPIOffline(  # Swagger UI and ReDoc from the service itself, not a CDN
        lifespan=lifespan,
        title="Konstruktor",
        version="0.1.0",
        description="Upload an image dataset, train a model, download it with inference code.",
        swagger_ui_parameters={"validatorUrl": None},  # no badge from swagger.io's validator
    )
    for module in (service, auth, projects, datasets, jobs, models, recommendations):
        app.include_router(module.router, prefix=API_PREFIX)

    errors.install(app)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/{path:path}", include_in_schema=False, response_model=None)
    def web_app(path: str) -> FileResponse | HTMLResponse | JSONResponse:
        """The single-page app: its built files, else index.html for every page URL (the
        app routes itself, so reloads and deep links work)."""
        if path.startswith(("api/", "docs", "openapi.json")):
            return errors.error_response(status.HTTP_404_NOT_FOUND, "Not Found")
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
