"""What the service tells a client up front, and the web app's pages at every URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend import main
from tests.support.api import API
from tests.support.env import configure
from tests.support.yandex_cloud import authorized_key


def test_the_service_says_its_limits_and_compute_targets(
    sqlite_service: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    authorized_key(sqlite_service.parent / "key.json")
    yandex = {
        "FOLDER_ID": "b1gfolder",
        "SUBNET_ID": "e9bsubnet",
        "KEY_FILE": str(sqlite_service.parent / "key.json"),
        "IMAGE_FAMILY": "ubuntu-2204-lts-gpu",
        "BUCKET": "jobs",
        "S3_ACCESS_KEY_ID": "YCAJE",
        "S3_SECRET_ACCESS_KEY": "secret",
        "PRICE_GPU_HOUR": "300",
        "PRICE_CORE_HOUR": "1",
        "PRICE_MEMORY_GB_HOUR": "0.5",
        "MAX_JOB_HOURS": "12",
    }
    configure(
        monkeypatch,
        sqlite_service,
        KONSTRUKTOR_MAX_UPLOAD_MB="5",
        KONSTRUKTOR_COMPUTE_BACKENDS="local,yandex",
        **{f"KONSTRUKTOR_YC_{name}": value for name, value in yandex.items()},
    )
    with TestClient(main.create_app()) as client:
        info = client.get(f"{API}/service").json()  # no credentials needed
    assert info["max_upload_bytes"] == 5 * 1024 * 1024
    assert info["compute_backends"] == ["local", "yandex"] and info["llm_mutator"] is False
    assert info["job_kinds"] == ["train", "search"]
    local, cloud = info["compute_targets"]
    assert (local["name"], local["device"], local["price_per_hour"]) == ("local", "cpu", None)
    assert (cloud["name"], cloud["device"], cloud["max_hours"]) == ("yandex", "cuda", 12)
    assert cloud["price_per_hour"] == 300 + 28 * 1 + 119 * 0.5
    assert cloud["machine"] == "gpu-standard-v3: 1 GPU, 28 vCPU, 119 GB RAM"


def test_every_page_url_serves_the_web_app(
    sqlite_service: Path, client: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><div id=root></div>")
    (dist / "assets" / "app-1234.js").write_text("console.log(1)")
    monkeypatch.setattr(main, "FRONTEND_DIST", dist)
    for page in ("/", "/projects/abc", "/jobs/j1?tab=charts"):
        r = client.get(page)
        assert r.status_code == 200 and "id=root" in r.text, page
    asset = client.get("/assets/app-1234.js")
    assert asset.text == "console.log(1)" and "immutable" in asset.headers["cache-control"]
    assert client.get("/api/v1/nothing-here").status_code == 404
    assert client.get("/../backend/settings.py").status_code in (200, 404)
    assert "BaseSettings" not in client.get("/%2e%2e/backend/settings.py").text


def test_without_a_build_the_page_says_how_to_build_it(
    sqlite_service: Path, client: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(main, "FRONTEND_DIST", tmp_path / "missing")
    assert "make run" in client.get("/").text
