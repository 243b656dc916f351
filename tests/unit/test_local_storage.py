"""The Storage behaviour contract, and its run against LocalStorage.

`StorageContract` is written once; every backend's test class inherits it and supplies a
`storage` fixture (S3: tests/integration/test_s3_storage.py).
"""

from __future__ import annotations

import hashlib
import random
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage import LocalStorage, Storage, StorageError, UploadTooLarge

MIB = 1024 * 1024
INVALID_KEYS = ["../x", "/abs", "a//b", "a/../b", "a/./b", "", "a\\b"]


def mib_chunks(n_mib: int, tail: int = 0, seed: int = 0) -> Iterator[bytes]:
    """`n_mib` random 1 MiB chunks, then `tail` more bytes (deterministic per seed)."""
    rng = random.Random(seed)
    for _ in range(n_mib):
        yield rng.randbytes(MIB)
    if tail:
        yield rng.randbytes(tail)


def digest(chunks: Iterator[bytes]) -> tuple[int, str]:
    h = hashlib.sha256()
    n = 0
    for c in chunks:
        h.update(c)
        n += len(c)
    return n, h.hexdigest()


class StorageContract:
    """Behaviour every Storage must have. Subclasses provide the `storage` fixture."""

    has_download_url = False

    def assert_nothing_pending(self, storage: Storage, key: str) -> None:
        """Backend-specific check that a failed upload left no partial state behind."""

    def test_put_open_exists_size(self, storage: Storage) -> None:
        assert not storage.exists("a/b.txt")
        assert storage.put_stream("a/b.txt", [b"hello ", b"", b"world"]) == 11
        assert storage.exists("a/b.txt")
        assert storage.size("a/b.txt") == 11
        assert storage.read_bytes("a/b.txt") == b"hello world"
        with storage.open("a/b.txt") as f:
            assert f.read(5) == b"hello"
            assert f.read(1) == b" "
            assert f.read() == b"world"
            assert f.read(3) == b""

    def test_overwrite_and_empty_object(self, storage: Storage) -> None:
        storage.put_bytes("k", b"first version")
        storage.put_bytes("k", b"second")
        assert storage.read_bytes("k") == b"second"
        assert storage.put_stream("empty", iter([])) == 0
        assert storage.exists("empty")
        assert storage.size("empty") == 0
        assert storage.read_bytes("empty") == b""

    def test_missing_object(self, storage: Storage) -> None:
        assert not storage.exists("nope/x")
        with pytest.raises(StorageError):
            storage.open("nope/x")
        with pytest.raises(StorageError):
            storage.size("nope/x")
        assert storage.list("nope") == []
        storage.delete_prefix("nope")  # deleting nothing is fine

    def test_list_and_delete_prefix(self, storage: Storage) -> None:
        for key in ["p/1", "p/sub/2", "p/sub/deeper/3", "pq/4", "other/5"]:
            storage.put_bytes(key, key.encode())
        assert storage.list("p") == ["p/1", "p/sub/2", "p/sub/deeper/3"]
        assert storage.list("p/sub") == ["p/sub/2", "p/sub/deeper/3"]
        assert storage.list("p/1") == ["p/1"]
        storage.delete_prefix("p/sub")
        assert storage.list("p") == ["p/1"]
        storage.delete_prefix("p")
        assert storage.list("p") == []
        assert not storage.exists("p/1")
        assert storage.list("pq") == ["pq/4"]
        storage.delete_prefix("pq/4")
        assert not storage.exists("pq/4")
        assert storage.read_bytes("other/5") == b"other/5"

    def test_multipart_round_trip(self, storage: Storage, tmp_path: Path) -> None:
        expected = digest(mib_chunks(17, tail=12345))
        assert storage.put_stream("big/blob.bin", mib_chunks(17, tail=12345)) == expected[0]
        assert storage.size("big/blob.bin") == expected[0]
        assert digest(storage.iter_chunks("big/blob.bin")) == expected
        out = storage.get_file("big/blob.bin", tmp_path / "copy.bin")
        assert digest(iter([out.read_bytes()])) == expected
        assert storage.put_file("big/again.bin", out) == expected[0]
        assert digest(storage.iter_chunks("big/again.bin", chunk_size=3 * MIB)) == expected

    @pytest.mark.parametrize(("n_mib", "limit"), [(12, 10 * MIB), (2, MIB + 1)])
    def test_size_limit_leaves_nothing(self, storage: Storage, n_mib: int, limit: int) -> None:
        with pytest.raises(UploadTooLarge) as exc_info:
            storage.put_stream("up/too-big.bin", mib_chunks(n_mib), limit=limit)
        assert exc_info.value.limit == limit
        assert not storage.exists("up/too-big.bin")
        assert storage.list("up") == []
        self.assert_nothing_pending(storage, "up/too-big.bin")

    def test_limit_is_inclusive(self, storage: Storage) -> None:
        assert storage.put_stream("exact", [b"x" * 10], limit=10) == 10
        assert storage.read_bytes("exact") == b"x" * 10

    def test_failed_upload_keeps_previous_object(self, storage: Storage) -> None:
        storage.put_bytes("keep/me", b"old")

        def broken() -> Iterator[bytes]:
            yield from mib_chunks(9)
            raise ConnectionResetError("client went away")

        with pytest.raises(ConnectionResetError):
            storage.put_stream("keep/me", broken())
        with pytest.raises(UploadTooLarge):
            storage.put_stream("keep/me", mib_chunks(10), limit=9 * MIB)
        assert storage.read_bytes("keep/me") == b"old"
        assert storage.list("keep") == ["keep/me"]
        self.assert_nothing_pending(storage, "keep/me")

    @pytest.mark.parametrize("key", INVALID_KEYS)
    def test_invalid_keys(self, storage: Storage, key: str) -> None:
        with pytest.raises(StorageError):
            storage.put_bytes(key, b"x")
        with pytest.raises(StorageError):
            storage.open(key)
        with pytest.raises(StorageError):
            storage.exists(key)
        with pytest.raises(StorageError):
            storage.size(key)
        with pytest.raises(StorageError):
            storage.list(key)
        with pytest.raises(StorageError):
            storage.delete_prefix(key)

    def test_download_url(self, storage: Storage) -> None:
        storage.put_bytes("dl/file.txt", b"direct download")
        url = storage.download_url("dl/file.txt", expires_s=60)
        if not self.has_download_url:
            assert url is None
            return
        assert url is not None
        with urllib.request.urlopen(url, timeout=10) as resp:
            assert resp.read() == b"direct download"


class TestLocalStorage(StorageContract):
    @pytest.fixture
    def storage(self, tmp_path: Path) -> LocalStorage:
        return LocalStorage(tmp_path / "store")

    def assert_nothing_pending(self, storage: Storage, key: str) -> None:
        assert isinstance(storage, LocalStorage)
        assert list(storage.root.rglob(".upload-*")) == []
