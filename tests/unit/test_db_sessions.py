"""More requests at once than the API has threads and database connections all get their
answers: no request keeps a connection while it waits for a thread."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend.main import create_app
from tests.support.api import API, new_user
from tests.support.env import configure, reset_caches
from tests.support.services import postgres_database


@pytest.mark.integration
def test_a_crowd_beyond_threads_and_connections_is_served(
    monkeypatch: pytest.MonkeyPatch, var_dir: Path
) -> None:
    with postgres_database() as url:
        small = {  # 3 threads, 5 connections: 2 requests hold sessions at a time
            "KONSTRUKTOR_API_THREADS": "3",
            "KONSTRUKTOR_DB_POOL_SIZE": "5",
            "KONSTRUKTOR_DB_POOL_OVERFLOW": "0",
            "KONSTRUKTOR_DB_POOL_TIMEOUT_S": "10",
        }
        configure(monkeypatch, var_dir, DATABASE_URL=url, **small)
        try:
            with TestClient(create_app()) as client:
                headers = new_user(client)
                with ThreadPoolExecutor(24) as crowd:
                    answers = list(
                        crowd.map(
                            lambda _: client.get(f"{API}/projects", headers=headers).status_code,
                            range(72),
                        )
                    )
            assert answers == [200] * 72
        finally:
            reset_caches()
