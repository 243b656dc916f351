"""Spooling an upload (an HTTP body or a remote object) to a temp file, with a size limit."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from storage import UploadTooLarge


@dataclass
class SpooledUpload:
    path: Path
    size: int
    sha256: str

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


class _Spool:
    """A temp file that counts and hashes what is written; removed on error."""

    def __init__(self, tmp_dir: Path, limit: int) -> None:
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-", suffix=".zip")
        self.file = os.fdopen(fd, "wb")
        self.path, self.limit = Path(name), limit
        self.digest, self.size = hashlib.sha256(), 0

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            raise UploadTooLarge(self.limit)
        self.digest.update(chunk)
        self.file.write(chunk)

    def __enter__(self) -> _Spool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.file.close()
        if kind is not None:
            self.path.unlink(missing_ok=True)

    def result(self) -> SpooledUpload:
        return SpooledUpload(self.path, self.size, self.digest.hexdigest())


async def spool_upload(chunks: AsyncIterator[bytes], tmp_dir: Path, limit: int) -> SpooledUpload:
    """Write an async stream to a temp file chunk by chunk (constant memory)."""
    with _Spool(tmp_dir, limit) as spool:
        async for chunk in chunks:
            spool.write(chunk)
    return spool.result()


def spool_chunks(chunks: Iterable[bytes], tmp_dir: Path, limit: int) -> SpooledUpload:
    """Write a stream to a temp file chunk by chunk (constant memory)."""
    with _Spool(tmp_dir, limit) as spool:
        for chunk in chunks:
            spool.write(chunk)
    return spool.result()
