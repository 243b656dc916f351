"""docker-compose.yml is valid and defines exactly the expected services."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXPECTED_SERVICES = {"api", "worker", "redis", "postgres", "s3"}
APP_ENV = {
    "DATABASE_URL": "postgresql+psycopg://konstruktor:konstruktor@postgres:5432/konstruktor",
    "REDIS_URL": "redis://redis:6379/0",
    "S3_REGION": "ru-central1",
}
S3_ENV = ("S3_BUCKET", "S3_ENDPOINT_URL", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY")


def compose(*args: str) -> str:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail(
            "docker-compose not found: install the Debian package `docker-compose` "
            "(apt-get install -y docker-compose; `make test` does this)",
            pytrace=False,
        )
    proc = subprocess.run(
        [binary, "-f", "docker-compose.yml", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, f"docker-compose {' '.join(args)} failed:\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def config() -> dict[str, Any] | None:
    """The resolved compose config, or None when PyYAML is not installed."""
    out = compose("config")
    try:
        import yaml
    except ImportError:
        return None
    parsed: dict[str, Any] = yaml.safe_load(out)
    return parsed


def test_services(config: dict[str, Any] | None) -> None:
    if config is None:
        services = set(compose("config", "--services").split())
    else:
        services = set(config["services"])
    assert services == EXPECTED_SERVICES


def test_wiring(config: dict[str, Any] | None) -> None:
    if config is None:
        pytest.skip("PyYAML is not installed")
    services = config["services"]
    for name in ("api", "worker"):
        env = services[name]["environment"]
        assert APP_ENV.items() <= env.items(), name
        assert all(env.get(k) for k in S3_ENV), name
        assert "build" in services[name]
        deps = services[name]["depends_on"]
        for dep in ("postgres", "redis", "s3"):
            assert deps[dep]["condition"] == "service_healthy", (name, dep)
    assert "alembic upgrade head" in services["api"]["command"]
    assert "uvicorn backend.main:app" in services["api"]["command"]
    assert services["worker"]["command"].startswith("celery -A worker.celery_app worker")
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    for name in ("postgres", "redis", "s3"):
        assert "healthcheck" in services[name], name
    assert set(config["volumes"]) >= {"postgres-data", "s3-data"}
