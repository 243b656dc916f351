"""Local copies of stored objects the API reads often: model packages unpacked, dataset
archives. Written once, atomically (a half-written copy is never seen), under var/cache."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from storage import Storage, StorageError
from storage.files import file_sha256, safe_extract

COMPLETE = ".complete"  # written last into an unpacked folder


def cached_file(storage: Storage, key: str, path: Path, sha256: str | None = None) -> Path:
    """`path`, holding the object at `key` (fetched now if it is not there yet); with
    `sha256`, a copy whose bytes differ is refused with StorageError."""
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".fetch-")
    os.close(fd)
    try:
        storage.get_file(key, Path(tmp))
        if sha256 is not None and file_sha256(Path(tmp)) != sha256:
            raise StorageError(f"{key} does not match its recorded SHA-256")
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def unpacked(storage: Storage, key: str, folder: Path, sha256: str | None = None) -> Path:
    """`folder` holding the zip at `key` unpacked (flat or nested; no member may escape)."""
    if (folder / COMPLETE).is_file():
        return folder
    archive = cached_file(storage, key, folder.with_suffix(".zip"), sha256)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".unpack-"))
    try:
        try:
            safe_extract(archive, staging)
        except ValueError as exc:
            raise StorageError(f"{key}: {exc}") from exc
        (staging / COMPLETE).touch()
        if not (folder / COMPLETE).is_file():  # else another request finished first
            shutil.rmtree(folder, ignore_errors=True)  # a crashed unpacking's leftovers
            os.replace(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    archive.unlink(missing_ok=True)
    return folder
