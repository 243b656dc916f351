"""Every error the API answers has one shape, ErrorOut, and the schema says so per route."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.api.deps import get_storage
from backend.main import create_app
from backend.schemas import ErrorOut
from storage import StorageError
from tests.support.api import API, create_project, new_user

ERROR_REF = "#/components/schemas/ErrorOut"


@pytest.fixture
def app(sqlite_service: Path) -> FastAPI:
    return create_app()


@pytest.fixture
def lenient_client(app: FastAPI) -> Iterator[TestClient]:
    """A client that gets the 500 answer instead of the server's exception."""
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def error(r: httpx.Response, status: int) -> ErrorOut:
    """The answer's ErrorOut, checked to have `status` and to be exactly that shape."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    return ErrorOut.model_validate_json(r.content, strict=True)


def test_an_invalid_request_is_named_field_by_field(lenient_client: TestClient) -> None:
    headers = new_user(lenient_client)
    r = lenient_client.post(f"{API}/projects", json={"name": "x" * 201}, headers=headers)
    body = error(r, 422)
    assert body.detail == "name: String should have at most 200 characters"
    assert body.errors is not None and len(body.errors) == 1
    assert (body.errors[0].loc, body.errors[0].type) == (["body", "name"], "string_too_long")

    r = lenient_client.get(f"{API}/models/m/download?redirect=maybe", headers=headers)
    assert error(r, 422).detail.startswith("query.redirect: Input should be a valid boolean")


def test_refusals_are_text_in_the_same_shape(lenient_client: TestClient) -> None:
    missing = error(lenient_client.get(f"{API}/projects"), 401)
    assert "authentication required" in missing.detail and missing.errors is None
    headers = new_user(lenient_client)
    assert error(lenient_client.get(f"{API}/jobs/nope", headers=headers), 404).detail == (
        "job nope not found"
    )
    assert error(lenient_client.get(f"{API}/no-such-route"), 404).detail == "Not Found"
    r = lenient_client.put(f"{API}/projects", headers=headers)
    assert error(r, 405).detail == "Method Not Allowed" and r.headers["allow"]


def test_outages_and_bugs_are_in_the_same_shape(app: FastAPI, lenient_client: TestClient) -> None:
    headers = new_user(lenient_client)
    project = create_project(lenient_client, headers)

    def storage_down() -> None:
        raise StorageError("the bucket does not answer")

    app.dependency_overrides[get_storage] = storage_down
    r = lenient_client.delete(f"{API}/projects/{project}", headers=headers)
    assert error(r, 503).detail == "storage unavailable: the bucket does not answer"

    def bug() -> None:
        raise RuntimeError("a bug")

    app.dependency_overrides[get_storage] = bug
    r = lenient_client.delete(f"{API}/projects/{project}", headers=headers)
    assert "internal error" in error(r, 500).detail


def test_the_schema_documents_every_error_as_error_out() -> None:
    schema = create_app().openapi()
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            route = f"{method.upper()} {path}"
            codes = {int(code) for code in operation["responses"]}
            for code in codes - set(range(100, 400)):
                content = operation["responses"][str(code)]["content"]
                assert content == {"application/json": {"schema": {"$ref": ERROR_REF}}}, route
            names = {parameter["name"] for parameter in operation.get("parameters", [])}
            if "authorization" in names:
                assert {401, 422} <= codes, f"{route}: authenticates, so 401 and 422"
            if "{" in path:
                assert 404 in codes, f"{route}: looks a resource up, so 404"
