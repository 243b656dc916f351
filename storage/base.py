"""The one storage interface every backend (local directory, S3) implements."""

from __future__ import annotations

import shutil
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

CHUNK_SIZE = 1024 * 1024


class StorageError(Exception):
    """A storage operation failed (missing key, unreachable backend, ...)."""


class UploadTooLarge(StorageError):
    """A streamed upload went past its size limit; nothing was kept."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"upload exceeds the limit of {limit} bytes")
        self.limit = limit


def check_key(key: str) -> str:
    """Reject keys that could escape a prefix (absolute, `..`, empty parts)."""
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\\" in key:
        raise StorageError(f"invalid storage key: {key!r}")
    return key


def limited(chunks: Iterable[bytes], limit: int | None) -> Iterator[bytes]:
    """Pass chunks through, raising UploadTooLarge once more than `limit` bytes went by."""
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if limit is not None and total > limit:
            raise UploadTooLarge(limit)
        yield chunk


class Storage(ABC):
    """Object storage addressed by `/`-separated keys."""

    @property
    @abstractmethod
    def url(self) -> str:
        """Where the storage is, without credentials: what `open_storage` opens again."""

    @abstractmethod
    def put_stream(self, key: str, chunks: Iterable[bytes], limit: int | None = None) -> int:
        """Write chunks to `key` with constant memory; return the byte count.

        On any error (including UploadTooLarge) nothing is left at `key`.
        """

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """A readable binary stream of the object."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def size(self, key: str) -> int: ...

    @abstractmethod
    def list(self, prefix: str) -> list[str]:
        """All keys under `prefix` (a folder-like prefix ending without `/`)."""

    @abstractmethod
    def delete_prefix(self, prefix: str) -> None:
        """Delete every key under `prefix` (and `prefix` itself)."""

    def download_url(
        self, key: str, expires_s: int = 300, filename: str | None = None
    ) -> str | None:
        """A short-lived URL a client can fetch directly, when the backend has one.

        With `filename`, the response asks the browser to save the object under that name.
        None when the backend cannot sign URLs (local storage): stream through the API instead.
        """
        return None

    def iter_chunks(self, key: str, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
        with self.open(key) as stream:
            while chunk := stream.read(chunk_size):
                yield chunk

    def put_file(self, key: str, path: Path) -> int:
        with path.open("rb") as f:
            return self.put_stream(key, iter(lambda: f.read(CHUNK_SIZE), b""))

    def get_file(self, key: str, dest: Path) -> Path:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with self.open(key) as src, dest.open("wb") as out:
            shutil.copyfileobj(src, out, CHUNK_SIZE)
        return dest

    def put_folder(self, prefix: str, folder: Path) -> None:
        """Upload every file under `folder` to `prefix/<its path relative to folder>`."""
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            self.put_file(f"{prefix}/{path.relative_to(folder).as_posix()}", path)

    def put_bytes(self, key: str, data: bytes) -> int:
        return self.put_stream(key, [data])

    def read_bytes(self, key: str) -> bytes:
        with self.open(key) as stream:
            return stream.read()
