"""Point the service's settings at a test's own database, storage and broker."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from backend.api.deps import get_dispatcher, get_session_slots, get_storage
from backend.db import get_engine, get_sessionmaker
from backend.migrations import upgrade_to_head
from backend.services.ingest_line import get_ingest_line
from backend.settings import get_settings
from backend.yandex_settings import ENV_PREFIX as YANDEX_PREFIX
from backend.yandex_settings import get_yandex_settings

SERVICE_VARS = (
    "DATABASE_URL",
    "REDIS_URL",
    "S3_BUCKET",
    "S3_ENDPOINT_URL",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_PREFIX",
    "KONSTRUKTOR_MAX_UPLOAD_MB",
    "KONSTRUKTOR_DOWNLOAD_URL_TTL_S",
    "KONSTRUKTOR_WEIGHTS_DIR",
    "KONSTRUKTOR_WEIGHTS_MIRROR",
    "KONSTRUKTOR_WEIGHTS_OFFLINE",
    "KONSTRUKTOR_REGISTRATION",
    "KONSTRUKTOR_LOGIN_ACCOUNT_LIMIT",
    "KONSTRUKTOR_LOGIN_CLIENT_LIMIT",
    "KONSTRUKTOR_REGISTRATION_LIMIT",
    "KONSTRUKTOR_INGEST_CONCURRENCY",
    "KONSTRUKTOR_INGEST_QUEUE",
    "KONSTRUKTOR_API_THREADS",
    "KONSTRUKTOR_DB_POOL_SIZE",
    "KONSTRUKTOR_DB_POOL_OVERFLOW",
    "KONSTRUKTOR_DB_POOL_TIMEOUT_S",
    "KONSTRUKTOR_RECOMMEND_MEMORY_MB",
    "KONSTRUKTOR_RECOMMEND_TIMEOUT_S",
    "KONSTRUKTOR_COMPUTE_BACKEND",
    "KONSTRUKTOR_COMPUTE_BACKENDS",
)


def reset_caches() -> None:
    """Forget cached settings, engines, storage and queue clients."""
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    for cached in (
        get_settings,
        get_yandex_settings,
        get_engine,
        get_sessionmaker,
        get_storage,
        get_dispatcher,
        get_ingest_line,
        get_session_slots,
    ):
        cached.cache_clear()


def configure(monkeypatch: pytest.MonkeyPatch, var_dir: Path, **env: str) -> None:
    """Use `var_dir` and exactly the given service variables; migrate the database."""
    for name in (*SERVICE_VARS, *(n for n in os.environ if n.startswith(YANDEX_PREFIX))):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KONSTRUKTOR_VAR_DIR", str(var_dir))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    reset_caches()
    upgrade_to_head()
