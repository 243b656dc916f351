"""The Storage contract against S3Storage talking to a real S3 server, plus S3-only checks."""

from __future__ import annotations

import tracemalloc
import uuid
from typing import Any

import pytest

from backend.settings import Settings
from backend.storage import create_storage
from storage import Storage, StorageError
from storage import s3 as s3_module
from storage.s3 import PART_SIZE, S3Storage
from tests.support.s3_server import S3ServerInfo
from tests.unit.test_local_storage import MIB, StorageContract, digest, mib_chunks

pytestmark = pytest.mark.integration


def make_storage(server: S3ServerInfo, prefix: str) -> S3Storage:
    """Through the settings factory, as the service builds it from `S3_*` variables."""
    settings = Settings(
        S3_BUCKET=server.bucket,
        S3_ENDPOINT_URL=server.endpoint_url,
        S3_REGION=server.region,
        S3_ACCESS_KEY_ID=server.access_key_id,
        S3_SECRET_ACCESS_KEY=server.secret_access_key,
        S3_PREFIX=prefix,
    )
    storage = create_storage(settings)
    assert isinstance(storage, S3Storage)
    return storage


def count_calls(storage: S3Storage, operation: str) -> list[str]:
    """Record each `operation` (e.g. "UploadPart") the storage's client makes."""
    calls: list[str] = []

    def hook(**kwargs: Any) -> None:
        calls.append(operation)

    storage.client.meta.events.register(f"before-call.s3.{operation}", hook)
    return calls


@pytest.fixture
def storage(s3_server: S3ServerInfo) -> S3Storage:
    """An S3Storage under a fresh prefix, so tests sharing the bucket don't see each other."""
    return make_storage(s3_server, f"tests/{uuid.uuid4().hex}")


class TestS3Storage(StorageContract):
    has_download_url = True

    def assert_nothing_pending(self, storage: Storage, key: str) -> None:
        assert isinstance(storage, S3Storage)
        full = f"{storage.prefix}/{key}"
        uploads = storage.client.list_multipart_uploads(Bucket=storage.bucket, Prefix=full)
        assert uploads.get("Uploads", []) == []
        listed = storage.client.list_objects_v2(Bucket=storage.bucket, Prefix=full)
        assert [o["Key"] for o in listed.get("Contents", [])] in ([], [full])


def test_keys_live_under_prefix(s3_server: S3ServerInfo) -> None:
    prefix = f"tenant-{uuid.uuid4().hex}/konstruktor"
    storage = make_storage(s3_server, prefix + "/")
    storage.put_bytes("datasets/1/a.jpg", b"jpg")
    raw = s3_server.client().get_object(Bucket=s3_server.bucket, Key=f"{prefix}/datasets/1/a.jpg")
    assert raw["Body"].read() == b"jpg"
    assert storage.list("datasets") == ["datasets/1/a.jpg"]
    other = make_storage(s3_server, prefix + "-sibling")
    assert other.list("datasets") == []


def test_small_upload_is_single_put(storage: S3Storage) -> None:
    creates = count_calls(storage, "CreateMultipartUpload")
    puts = count_calls(storage, "PutObject")
    storage.put_stream("small", mib_chunks(8))  # exactly one part's worth
    assert (creates, len(puts)) == ([], 1)


def test_large_upload_is_multipart_with_constant_memory(storage: S3Storage) -> None:
    parts = count_calls(storage, "UploadPart")
    expected = digest(mib_chunks(40, tail=1))
    tracemalloc.start()
    try:
        assert storage.put_stream("big", mib_chunks(40, tail=1)) == expected[0]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(parts) == 6  # 5 full 8 MiB parts + the tail
    assert peak < 3 * PART_SIZE, f"peak {peak / MIB:.1f} MiB for a 40 MiB upload"
    assert digest(storage.iter_chunks("big")) == expected


def test_pagination(storage: S3Storage, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(s3_module, "LIST_PAGE_SIZE", 3)
    monkeypatch.setattr(s3_module, "DELETE_BATCH", 3)
    lists = count_calls(storage, "ListObjectsV2")
    deletes = count_calls(storage, "DeleteObjects")
    keys = sorted(f"many/{i:02d}" for i in range(8))
    for key in keys:
        storage.put_bytes(key, b".")
    assert storage.list("many") == keys
    assert len(lists) == 3
    storage.delete_prefix("many")
    assert len(deletes) == 3
    assert storage.list("many") == []


def test_delete_objects_sends_content_md5(storage: S3Storage) -> None:
    sent: list[str | None] = []

    def hook(request: Any, **kwargs: Any) -> None:
        sent.append(request.headers.get("Content-MD5"))

    storage.client.meta.events.register("before-send.s3.DeleteObjects", hook)
    storage.put_bytes("d/1", b"1")
    storage.delete_prefix("d")
    assert len(sent) == 1 and sent[0], sent


def test_wrong_credentials_raise_storage_error(s3_server: S3ServerInfo) -> None:
    bad = S3ServerInfo(s3_server.endpoint_url, s3_server.access_key_id, "wrong", s3_server.bucket)
    storage = make_storage(bad, "x")
    with pytest.raises(StorageError):
        storage.put_bytes("k", b"v")
    with pytest.raises(StorageError):
        storage.open("k")
