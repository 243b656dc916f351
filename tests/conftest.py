"""Shared fixtures: a configured service (SQLite or PostgreSQL) and an API client."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.support.api import create_project, new_user, upload_dataset
from tests.support.env import configure, reset_caches
from tests.support.s3_server import S3ServerInfo, find_rclone, running_s3_server
from tests.support.services import postgres_database
from tests.support.zips import class_folder_zip, flower_images

# Ultralytics keeps its settings where the caller says, as the worker says for its runner:
# the suite's own folder, never the home directory (read once, when ultralytics is imported).
os.environ.setdefault("YOLO_CONFIG_DIR", tempfile.mkdtemp(prefix="konstruktor-tests-ultralytics-"))

DATABASES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.integration),
]


@pytest.fixture
def var_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


@pytest.fixture(params=DATABASES)
def service(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, var_dir: Path
) -> Iterator[Path]:
    """The service configured on the embedded defaults, with SQLite or a real PostgreSQL."""
    if request.param == "postgresql":
        with postgres_database() as url:
            configure(monkeypatch, var_dir, DATABASE_URL=url)
            yield var_dir
            reset_caches()
    else:
        configure(monkeypatch, var_dir)
        yield var_dir
        reset_caches()


@pytest.fixture
def sqlite_service(monkeypatch: pytest.MonkeyPatch, var_dir: Path) -> Iterator[Path]:
    """The service on embedded defaults only (for tests that need no PostgreSQL variant)."""
    configure(monkeypatch, var_dir)
    yield var_dir
    reset_caches()


@pytest.fixture
def client() -> Iterator[TestClient]:
    from backend.main import create_app

    with TestClient(create_app()) as c:
        yield c


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3ServerInfo]:
    """A real S3 server (`rclone serve s3` on 127.0.0.1, SigV4) with an empty bucket.

    Shared by the whole session: give each test its own key prefix.
    """
    try:
        find_rclone()
        missing = ""
    except RuntimeError as exc:
        missing = str(exc)
    if missing:
        pytest.fail(f"s3_server fixture: {missing}", pytrace=False)
    with running_s3_server(tmp_path_factory.mktemp("s3-server")) as info:
        yield info


@pytest.fixture
def project_with_data(client: TestClient) -> tuple[dict[str, str], str, str]:
    """(headers, project id, dataset version id): a new user's 12 real flower photos."""
    headers = new_user(client)
    project = create_project(client, headers)
    r = upload_dataset(client, headers, project, class_folder_zip(flower_images(per_class=4)))
    assert r.status_code == 201, r.text
    return headers, project, r.json()["versions"][0]["id"]
