"""Sign-in throttling on the real Redis: every API process counts the same attempts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient

from backend.main import create_app
from backend.services.throttle import KEY_PREFIX
from tests.support.api import API, new_user
from tests.support.env import configure, reset_caches
from tests.support.services import redis_test_url

pytestmark = pytest.mark.integration


@pytest.fixture
def redis_url(monkeypatch: pytest.MonkeyPatch, var_dir: Path) -> Iterator[str]:
    """The service on SQLite with REDIS_URL on an emptied Redis database."""
    url = redis_test_url(7)
    configure(monkeypatch, var_dir, REDIS_URL=url)
    yield url
    reset_caches()


def test_api_processes_share_failed_sign_ins_through_redis(redis_url: str) -> None:
    with TestClient(create_app()) as one, TestClient(create_app()) as two:
        new_user(one, "ada@example.com")
        wrong = {"email": "ada@example.com", "password": "wrong-password"}
        answers = [(one, two)[n % 2].post(f"{API}/auth/login", json=wrong) for n in range(5)]
        assert [r.status_code for r in answers] == [401] * 5

        right = {"email": "ada@example.com", "password": "correct horse battery"}
        for app in (one, two):
            refused = app.post(f"{API}/auth/login", json=right)
            assert refused.status_code == 429
            assert 0 < int(refused.headers["retry-after"]) <= 901
    assert redis.Redis.from_url(redis_url).keys(f"{KEY_PREFIX}*")
