"""Spooling an upload (an HTTP body or a remote object) to a temp file, with a size limit."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from storage import UploadTooLarge

log = logging.getLogger(__name__)
PROCESS_PREFIX = "pid-"


def process_tmp_dir(var_dir: Path) -> Path:
    """This process's scratch folder for uploads, `var/tmp/pid-PID` (see sweep_tmp)."""
    return var_dir / "tmp" / f"{PROCESS_PREFIX}{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_tmp(var_dir: Path) -> list[Path]:
    """Remove what crashed processes left in `var/tmp`: the folders of processes that are
    gone (or of an earlier process with this one's id: a container restarted), and loose files
    of older releases. Other live processes' folders stay. Called when the API starts."""
    removed = []
    root = var_dir / "tmp"
    for entry in root.iterdir() if root.is_dir() else ():
        pid = entry.name.removeprefix(PROCESS_PREFIX)
        if (
            entry.name.startswith(PROCESS_PREFIX)
            and pid.isdigit()
            and int(pid) != os.getpid()
            and _alive(int(pid))
        ):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    if removed:
        log.info("removed %d leftover(s) of stopped processes from %s", len(removed), root)
    return removed


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
