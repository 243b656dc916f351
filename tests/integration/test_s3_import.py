"""Server-side dataset import from an S3 URI, against the real S3 server the suite starts."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
from fastapi.testclient import TestClient

from tests.support.api import API, create_project, new_user
from tests.support.env import reset_caches
from tests.support.paths import shared_dataset
from tests.support.s3_server import S3ServerInfo

pytestmark = pytest.mark.integration


@pytest.fixture
def archive_key(s3_server: S3ServerInfo) -> str:
    key = f"imports/{uuid.uuid4().hex}/flowers.zip"
    boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint_url,
        region_name=s3_server.region,
        aws_access_key_id=s3_server.access_key_id,
        aws_secret_access_key=s3_server.secret_access_key,
    ).upload_file(str(shared_dataset("flowers12_fewshot.zip")), s3_server.bucket, key)
    return key


def _body(server: S3ServerInfo, key: str, **overrides: Any) -> dict[str, Any]:
    return {
        "name": "imported",
        "uri": f"s3://{server.bucket}/{key}",
        "endpoint_url": server.endpoint_url,
        "region": server.region,
        "access_key_id": server.access_key_id,
        "secret_access_key": server.secret_access_key,
        **overrides,
    }


def test_import_from_s3(
    s3_server: S3ServerInfo,
    archive_key: str,
    sqlite_service: Path,
    monkeypatch: pytest.MonkeyPatch,
    client: TestClient,
) -> None:
    monkeypatch.setenv("KONSTRUKTOR_IMPORT_S3_ENDPOINTS", s3_server.endpoint_url)
    reset_caches()
    headers = new_user(client)
    project = create_project(client, headers)
    url = f"{API}/projects/{project}/datasets/import"

    r = client.post(url, json=_body(s3_server, archive_key), headers=headers)
    assert r.status_code == 201, r.text
    assert len(r.json()["versions"][0]["class_names"]) == 12

    missing = client.post(url, json=_body(s3_server, "nope.zip"), headers=headers)
    assert missing.status_code == 422 and "not found" in missing.json()["detail"]
    denied = client.post(
        url, json=_body(s3_server, archive_key, secret_access_key="wrong"), headers=headers
    )
    assert denied.status_code == 422 and "cannot read" in denied.json()["detail"]
    elsewhere = client.post(
        url,
        json=_body(s3_server, archive_key, endpoint_url="http://169.254.169.254"),
        headers=headers,
    )
    assert elsewhere.status_code == 422 and "not allowed" in elsewhere.json()["detail"]

    monkeypatch.setenv("KONSTRUKTOR_MAX_UPLOAD_MB", "1")
    reset_caches()
    big = client.post(url, json=_body(s3_server, archive_key, name="again"), headers=headers)
    assert big.status_code == 413
