"""Local files the storage's objects become: their SHA-256, and zips unpacked safely."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path, PurePosixPath


def file_sha256(path: Path) -> str:
    """SHA-256 (hex) of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def safe_extract(archive: Path, dest: Path) -> Path:
    """Extract `archive` into `dest`, refusing (ValueError) any member that would land
    outside it."""
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            parts = PurePosixPath(info.filename).parts
            target = root.joinpath(*parts).resolve()
            if ".." in parts or info.filename.startswith("/") or not target.is_relative_to(root):
                raise ValueError(f"unsafe path in archive: {info.filename!r}")
        zf.extractall(root)
    return root
