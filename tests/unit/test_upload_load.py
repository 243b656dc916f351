"""Uploads under load: bounded checks, no lost or doubled versions, retries that return the
same version, a full line answered with 503 + Retry-After (never a 500)."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backend.db import get_engine, session_scope
from backend.main import create_app
from backend.models import DatasetVersion
from backend.services.ingest_line import IngestBusy, IngestLine
from tests.support.api import API, create_project, new_user, upload_dataset
from tests.support.env import configure, reset_caches
from tests.support.services import postgres_database
from tests.support.zips import class_folder_zip, flower_images

ZIP = "application/zip"


def variant(n: int) -> bytes:
    """A small valid dataset whose data differ from every other `n`'s (a byte after each JPEG's
    end changes its hash, not its pixels)."""
    images = flower_images(per_class=3, classes=2)
    return class_folder_zip(
        {k: [b + bytes([n % 256, n // 256]) for b in v] for k, v in images.items()}
    )


def stored_archives(var_dir: Path) -> int:
    return sum(1 for _ in (var_dir / "storage").rglob("dataset.zip"))


def test_a_burst_of_uploads_is_stored_exactly_once(service: Path, client: TestClient) -> None:
    """Concurrent new versions of one dataset and new datasets, with reads alongside: every
    upload is answered 201, versions are numbered 1..N without gaps or 409s, reads never fail."""
    headers = new_user(client)
    project = create_project(client, headers)
    first = upload_dataset(client, headers, project, variant(0))
    assert first.status_code == 201, first.text
    dataset = first.json()["id"]
    stop, reads = threading.Event(), Counter[int]()

    def read() -> None:
        while not stop.is_set():
            reads[
                client.get(f"{API}/projects/{project}/datasets", headers=headers).status_code
            ] += 1

    def new_version(n: int) -> int:
        url = f"{API}/datasets/{dataset}/versions"
        r = client.post(url, content=variant(n), headers={**headers, "Content-Type": ZIP})
        return int(r.status_code)

    def new_dataset(n: int) -> int:
        return int(upload_dataset(client, headers, project, variant(n), name=f"d{n}").status_code)

    reader = threading.Thread(target=read)
    reader.start()
    with ThreadPoolExecutor(12) as pool:
        versions = list(pool.map(new_version, range(1, 9)))
        datasets = list(pool.map(new_dataset, range(9, 13)))
    stop.set()
    reader.join()
    assert versions == [201] * 8 and datasets == [201] * 4
    assert reads and set(reads) == {200}, reads
    with session_scope() as session:
        numbers = session.scalars(
            select(DatasetVersion.version).where(DatasetVersion.dataset_id == dataset)
        ).all()
        total = session.scalar(select(func.count()).select_from(DatasetVersion))
    assert sorted(numbers) == list(range(1, 10))
    assert total == 13 == stored_archives(service)


def test_a_retry_returns_the_stored_version(service: Path, client: TestClient) -> None:
    """The same bytes again (a retry after a lost answer), also at the same moment: one
    version, every answer names it; the same data under another name: 409 saying where."""
    headers = new_user(client)
    project = create_project(client, headers)
    data = variant(1)
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: upload_dataset(client, headers, project, data), range(4)))
    assert sorted(r.status_code for r in answers) == [200, 200, 200, 201]
    assert len({r.json()["versions"][0]["id"] for r in answers}) == 1
    retry = upload_dataset(client, headers, project, data)
    assert retry.status_code == 200 and retry.json()["id"] == answers[0].json()["id"]
    elsewhere = upload_dataset(client, headers, create_project(client, headers, "b"), data)
    assert elsewhere.status_code == 409
    assert "version 1 of dataset 'data' in project 'demo'" in elsewhere.json()["detail"]
    assert stored_archives(service) == 1


def test_a_full_line_answers_503_with_retry_after(
    sqlite_service: Path, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = new_user(client)
    project = create_project(client, headers)
    line = IngestLine(concurrency=1, waiting=0)
    monkeypatch.setattr("backend.api.datasets.get_ingest_line", lambda: line)
    line.admitted = line.capacity  # another upload holds the only place
    busy = upload_dataset(client, headers, project, variant(2))
    assert busy.status_code == 503, busy.text
    assert int(busy.headers["Retry-After"]) >= 1 and "send it again" in busy.json()["detail"]
    assert stored_archives(sqlite_service) == 0
    line.admitted = 0
    assert upload_dataset(client, headers, project, variant(2)).status_code == 201


def test_the_line_bounds_checks_and_admissions() -> None:
    line = IngestLine(concurrency=2, waiting=3)
    running, peak = 0, 0

    async def upload() -> None:
        nonlocal running, peak
        async with line.admit(), line.turn():
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.01)
            running -= 1

    async def burst() -> list[BaseException | None]:
        return await asyncio.gather(*(upload() for _ in range(7)), return_exceptions=True)

    outcomes = asyncio.run(burst())
    refused = [o for o in outcomes if isinstance(o, IngestBusy)]
    assert peak == 2 and len(refused) == 2 and line.admitted == 0
    assert refused[0].retry_after_s >= 1


@pytest.mark.integration
def test_a_busy_database_answers_503_with_retry_after(
    monkeypatch: pytest.MonkeyPatch, var_dir: Path
) -> None:
    """Every pooled connection in use for the pool's timeout: 503 + Retry-After, not a 500."""
    with postgres_database() as url:
        pool = {
            "KONSTRUKTOR_API_THREADS": "1",
            "KONSTRUKTOR_DB_POOL_SIZE": "2",
            "KONSTRUKTOR_DB_POOL_OVERFLOW": "0",
            "KONSTRUKTOR_DB_POOL_TIMEOUT_S": "0.2",
        }
        configure(monkeypatch, var_dir, DATABASE_URL=url, **pool)
        try:
            with TestClient(create_app()) as client:
                headers = new_user(client)
                with get_engine().connect(), get_engine().connect():  # others hold them all
                    busy = client.get(f"{API}/projects", headers=headers)
                assert busy.status_code == 503, busy.text
                assert busy.headers["Retry-After"] == "2" and "busy" in busy.json()["detail"]
                assert client.get(f"{API}/projects", headers=headers).status_code == 200
        finally:
            reset_caches()
