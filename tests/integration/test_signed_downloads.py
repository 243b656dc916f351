"""Model package downloads through short-lived signed URLs when storage is a real S3 server."""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from backend.api.deps import get_storage
from backend.db import session_scope
from backend.settings import get_settings
from tests.support.api import API, new_user
from tests.support.env import configure, reset_caches
from tests.support.records import add_model
from tests.support.s3_server import S3ServerInfo

pytestmark = pytest.mark.integration

PACKAGE = b"PK\x03\x04" + bytes(range(256)) * 4096 + b"PK\x05\x06" + bytes(18)


@pytest.fixture
def s3_service(
    monkeypatch: pytest.MonkeyPatch, var_dir: Path, s3_server: S3ServerInfo
) -> Iterator[S3ServerInfo]:
    """The service on SQLite with its storage on the test S3 server, under a fresh prefix."""
    monkeypatch.delenv("KONSTRUKTOR_DOWNLOAD_URL_TTL_S", raising=False)
    configure(
        monkeypatch,
        var_dir,
        S3_BUCKET=s3_server.bucket,
        S3_ENDPOINT_URL=s3_server.endpoint_url,
        S3_REGION=s3_server.region,
        S3_ACCESS_KEY_ID=s3_server.access_key_id,
        S3_SECRET_ACCESS_KEY=s3_server.secret_access_key,
        S3_PREFIX=f"signed-{uuid.uuid4().hex[:8]}",
    )
    yield s3_server
    reset_caches()


def store_model(client: TestClient, headers: dict[str, str], package: bytes) -> str:
    """Put `package` into the service's storage and record a model of the user's; its id."""
    owner = str(client.get(f"{API}/auth/me", headers=headers).json()["id"])
    prefix = f"models/{uuid.uuid4().hex}"
    get_storage().put_bytes(f"{prefix}/package.zip", package)
    with session_scope() as session:
        return add_model(session, owner, {"package": f"{prefix}/package.zip"}, package).id


def test_signed_url_serves_the_package_without_auth(
    s3_service: S3ServerInfo, client: TestClient
) -> None:
    headers = new_user(client)
    model_id = store_model(client, headers, PACKAGE)
    before = datetime.now(UTC)
    r = client.get(f"{API}/models/{model_id}/download-url", headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["signed"] is True
    assert body["size"] == len(PACKAGE)
    assert body["url"].startswith(s3_service.endpoint_url + "/")
    query = parse_qs(urlsplit(body["url"]).query)
    assert query["X-Amz-Expires"] == ["300"]  # the default KONSTRUKTOR_DOWNLOAD_URL_TTL_S
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert 299 <= (expires_at - before).total_seconds() <= 310

    got = httpx.get(body["url"], timeout=30)  # a plain client: no Authorization, no API key
    assert got.status_code == 200, got.text
    assert hashlib.sha256(got.content).hexdigest() == body["sha256"]
    assert got.content == PACKAGE
    disposition = got.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f'filename="konstruktor-efficientnet_b0-{model_id[:8]}.zip"' in disposition

    # The streaming endpoint is unchanged on S3 and agrees on the hash.
    streamed = client.get(f"{API}/models/{model_id}/download", headers=headers)
    assert streamed.status_code == 200
    assert streamed.headers["x-content-sha256"] == body["sha256"]
    assert streamed.content == PACKAGE


def test_redirect_goes_to_a_signed_url(s3_service: S3ServerInfo, client: TestClient) -> None:
    headers = new_user(client)
    model_id = store_model(client, headers, PACKAGE)
    r = client.get(
        f"{API}/models/{model_id}/download",
        params={"redirect": "true"},
        headers=headers,
        follow_redirects=False,
    )
    assert r.status_code == 307
    location = r.headers["location"]
    assert location.startswith(s3_service.endpoint_url + "/")
    assert r.headers["x-content-sha256"] == hashlib.sha256(PACKAGE).hexdigest()
    assert httpx.get(location, timeout=30).content == PACKAGE


def test_expired_url_is_refused_by_the_server(
    s3_service: S3ServerInfo,
    client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KONSTRUKTOR_DOWNLOAD_URL_TTL_S", "1")
    get_settings.cache_clear()
    headers = new_user(client)
    model_id = store_model(client, headers, PACKAGE)
    body = client.get(f"{API}/models/{model_id}/download-url", headers=headers).json()
    assert parse_qs(urlsplit(body["url"]).query)["X-Amz-Expires"] == ["1"]
    # A URL signed at the same moment with the default lifetime, as a control.
    monkeypatch.delenv("KONSTRUKTOR_DOWNLOAD_URL_TTL_S")
    get_settings.cache_clear()
    control = client.get(f"{API}/models/{model_id}/download-url", headers=headers).json()["url"]
    time.sleep(2.5)

    expired = httpx.get(body["url"], timeout=30)
    # AWS answers 403 AccessDenied ("Request has expired"); rclone serve s3 answers 400
    # AccessDenied ("...exceeds the maximum allowed"). Either way: no bytes.
    assert expired.status_code in (400, 403), expired.text
    assert "AccessDenied" in expired.text
    assert PACKAGE[:64] not in expired.content
    assert httpx.get(control, timeout=30).content == PACKAGE


def test_tampered_or_unsigned_url_is_refused(s3_service: S3ServerInfo, client: TestClient) -> None:
    headers = new_user(client)
    mine = store_model(client, headers, PACKAGE)
    url = client.get(f"{API}/models/{mine}/download-url", headers=headers).json()["url"]
    plain, _, query = url.partition("?")
    assert httpx.get(plain, timeout=30).status_code in (400, 403)
    assert httpx.get(f"{plain}x?{query}", timeout=30).status_code == 403


def test_other_user_gets_404(s3_service: S3ServerInfo, client: TestClient) -> None:
    owner = new_user(client)
    model_id = store_model(client, owner, PACKAGE)
    intruder = new_user(client)
    for path, params in (("download-url", {}), ("download", {"redirect": "true"})):
        r = client.get(
            f"{API}/models/{model_id}/{path}",
            params=params,
            headers=intruder,
            follow_redirects=False,
        )
        assert r.status_code == 404, path
        assert s3_service.endpoint_url not in r.text
    assert client.get(f"{API}/models/{model_id}/download-url").status_code == 401
