"""The API's errors in one shape (`ErrorOut`, sent by the handlers `install` adds) and the
OpenAPI that documents a route's answers (`responses`; `file_response` for file bodies)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.schemas import ErrorOut, FieldError
from storage import StorageError

REASONS = {
    status.HTTP_400_BAD_REQUEST: "The body cannot be read (not UTF-8 JSON, a broken form) "
    "or is empty",
    status.HTTP_401_UNAUTHORIZED: "No credential, or an invalid or expired API key or token",
    status.HTTP_404_NOT_FOUND: "No such resource of yours",
    status.HTTP_409_CONFLICT: "The request conflicts with the resource's current state",
    status.HTTP_413_CONTENT_TOO_LARGE: "The body is larger than this service takes",
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "The body's Content-Type is not one this route reads",
    status.HTTP_422_UNPROCESSABLE_CONTENT: "Invalid parameters or body (`errors` names each "
    "field), or a request the service cannot carry out as asked (`detail` says why)",
    status.HTTP_429_TOO_MANY_REQUESTS: "Too many requests: try again after Retry-After seconds",
    status.HTTP_503_SERVICE_UNAVAILABLE: "The database, storage or job queue is unavailable or "
    "busy: try again (after Retry-After seconds where it is sent)",
}
"""The error statuses routes answer, with what each means."""
BUSY_RETRY_AFTER_S = 2  # a database that is busy or restarting: ask again soon


def responses(
    *codes: int, described: Mapping[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """A route's `responses=`: each error status it can answer, as ErrorOut with its meaning
    (REASONS', or the route's own in `described`, e.g. for a 403 only it answers)."""
    own = dict(described or {})
    return {
        code: {"model": ErrorOut, "description": own.get(code) or REASONS[code]}
        for code in sorted({*codes, *own})
    }


def file_response(*media_types: str) -> dict[str, Any]:
    """The OpenAPI of a 200 whose body is a file of one of `media_types`."""
    binary = {"type": "string", "format": "binary"}
    return {
        "content": {name: {"schema": binary} for name in media_types},
        "description": "the file",
    }


def error_response(
    code: int,
    detail: str,
    headers: Mapping[str, str] | None = None,
    errors: list[FieldError] | None = None,
) -> JSONResponse:
    """An error answer in the one shape."""
    body = ErrorOut(detail=detail, errors=errors).model_dump(exclude_none=True)
    return JSONResponse(body, code, headers=headers)


def _where(loc: list[str | int]) -> str:
    """A field's path as text; the request body is implied (`name`, `query.name`)."""
    parts = loc[1:] if len(loc) > 1 and loc[0] == "body" and isinstance(loc[1], str) else loc
    return ".".join(str(part) for part in parts)


def invalid_request(exc: RequestValidationError) -> JSONResponse:
    """422: every invalid field in `errors`, and all of them in words in `detail`."""
    errors = [
        FieldError(loc=list(error["loc"]), msg=error["msg"], type=error["type"])
        for error in exc.errors()
    ]
    detail = "; ".join(f"{_where(error.loc)}: {error.msg}" for error in errors)
    return error_response(status.HTTP_422_UNPROCESSABLE_CONTENT, detail, errors=errors)


def install(app: FastAPI) -> None:
    """Answer HTTP errors, invalid requests, storage outages and bugs with ErrorOut."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(exc.status_code, str(exc.detail), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return invalid_request(exc)

    @app.exception_handler(StorageError)
    async def storage_error(_request: Request, exc: StorageError) -> JSONResponse:
        return error_response(status.HTTP_503_SERVICE_UNAVAILABLE, f"storage unavailable: {exc}")

    async def database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
        """No pooled connection came free within the pool's timeout, or the database cannot
        be reached (restarting, down): ask again shortly, never a 500."""
        busy = isinstance(exc, SQLAlchemyTimeoutError)
        return error_response(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            (
                "the service is busy (no database connection was free)"
                if busy
                else "the database is unavailable"
            )
            + "; try again shortly",
            {"Retry-After": str(BUSY_RETRY_AFTER_S)},
        )

    for database_error in (SQLAlchemyTimeoutError, OperationalError):
        app.add_exception_handler(database_error, database_unavailable)

    @app.exception_handler(Exception)
    async def internal_error(_request: Request, _exc: Exception) -> JSONResponse:
        """A bug: the server logs its traceback (Starlette re-raises it after this answer)."""
        return error_response(
            status.HTTP_500_INTERNAL_SERVER_ERROR,
            "internal error: the service's log has the details",
        )
