"""Real PostgreSQL and Redis on 127.0.0.1: reachability checks and throwaway databases."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PG_HOST = os.environ.get("KONSTRUKTOR_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("KONSTRUKTOR_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("KONSTRUKTOR_TEST_PG_USER", "postgres")
REDIS_URL = os.environ.get("KONSTRUKTOR_TEST_REDIS_URL", "redis://127.0.0.1:6379")

START_HINTS = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "Redis": "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no",
}


def require_port(name: str, host: str, port: int) -> None:
    """Fail (not skip) with a clear message when a service the suite needs is down."""
    try:
        socket.create_connection((host, port), timeout=3).close()
    except OSError as exc:
        pytest.fail(
            f"{name} is not reachable at {host}:{port} ({exc}); start it with: {START_HINTS[name]}"
        )


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database; dropped afterwards. Yields its SQLAlchemy URL."""
    import psycopg

    require_port("PostgreSQL", PG_HOST, PG_PORT)
    name = f"konstruktor_test_{uuid.uuid4().hex[:12]}"
    admin = f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def redis_test_url(db: int) -> str:
    """A Redis URL on a test database number, emptied first."""
    import redis

    host, port = REDIS_URL.removeprefix("redis://").split(":")
    require_port("Redis", host, int(port))
    url = f"{REDIS_URL}/{db}"
    redis.Redis.from_url(url).flushdb()
    return url


def closed_port() -> int:
    """A local TCP port nothing listens on (bound and released just now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class OwnRedis:
    """A Redis server of the test's own on a free port, without persistence (what a restart
    of an unconfigured Redis loses: everything); `restart()` stops and starts it."""

    def __init__(self, folder: Path) -> None:
        self.port, self.folder = closed_port(), folder
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        if shutil.which("redis-server") is None:
            pytest.fail(f"redis-server is not installed; {START_HINTS['Redis']}")
        self.proc = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.folder)),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        pytest.fail(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


@contextmanager
def own_redis(folder: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()
