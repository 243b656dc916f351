"""Streaming an HTTP request body to a temporary file with a size limit and a hash."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from backend.storage import UploadTooLarge


@dataclass
class SpooledUpload:
    path: Path
    size: int
    sha256: str

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


async def spool_upload(chunks: AsyncIterator[bytes], tmp_dir: Path, limit: int) -> SpooledUpload:
    """Write the stream to a temp file chunk by chunk (constant memory); enforce `limit`."""
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-", suffix=".zip")
    path = Path(name)
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise UploadTooLarge(limit)
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return SpooledUpload(path, size, digest.hexdigest())
