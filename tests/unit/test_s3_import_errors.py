"""An S3 import that S3 cannot serve as asked is a 422 naming the field, never a 500."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend.datasets.errors import DatasetError
from backend.services.s3_import import S3Source, fetch
from tests.support.api import API, create_project, new_user
from tests.support.env import reset_caches

CLOSED = "http://127.0.0.1:9"  # discard port: nothing listens, so a connection is refused at once


@pytest.mark.parametrize("region", ["0", "-", "a-", "-a", "RU-CENTRAL1", "x" * 33])
def test_a_region_that_is_no_region_name_is_refused_naming_the_field(
    sqlite_service: Path,
    monkeypatch: pytest.MonkeyPatch,
    client: TestClient,
    region: str,
) -> None:
    monkeypatch.setenv("KONSTRUKTOR_IMPORT_S3_ENDPOINTS", CLOSED)
    reset_caches()
    headers = new_user(client)
    project = create_project(client, headers)
    body = {"name": "d", "uri": "s3://bucket/d.zip", "endpoint_url": CLOSED, "region": region}
    r = client.post(f"{API}/projects/{project}/datasets/import", json=body, headers=headers)
    assert r.status_code == 422, r.text
    assert [error["loc"] for error in r.json()["errors"]] == [["body", "region"]]


def source(**fields: str) -> S3Source:
    """A source as given, unvalidated: what the service must survive whatever the API allows."""
    given = S3Source(uri="s3://bucket/d.zip", endpoint_url=CLOSED).model_dump()
    return S3Source.model_construct(**{**given, **fields})


def test_a_client_botocore_cannot_make_names_the_region(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="cannot use region '0' with endpoint_url"):
        fetch(source(region="0"), [CLOSED], tmp_path, 1 << 20)


def test_an_endpoint_that_does_not_answer_is_named(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=f"cannot reach {CLOSED}"):
        fetch(source(), [CLOSED], tmp_path, 1 << 20)
