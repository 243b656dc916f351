"""Local files the storage's objects become: their SHA-256, zips unpacked safely, and
folders packed into (and unpacked from) one tar for a transfer."""

from __future__ import annotations

import hashlib
import shutil
import tarfile
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


def pack_folder(folder: Path, archive: Path) -> Path:
    """A tar of every file under `folder`, named relative to it."""
    with tarfile.open(archive, "w") as tar:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            tar.add(path, arcname=path.relative_to(folder).as_posix())
    return archive


def unpack_folder(archive: Path, folder: Path) -> Path:
    """Replace `folder`'s content with the tar `archive`'s, refusing any member that would
    land outside it or is not a plain file or folder (tarfile's `data` filter)."""
    staging = folder.with_name(folder.name + ".unpacking")
    shutil.rmtree(staging, ignore_errors=True)
    with tarfile.open(archive) as tar:
        tar.extractall(staging, filter="data")
    folder.mkdir(parents=True, exist_ok=True)
    for old in list(folder.iterdir()):
        shutil.rmtree(old) if old.is_dir() and not old.is_symlink() else old.unlink()
    for new in staging.iterdir():
        new.rename(folder / new.name)
    staging.rmdir()
    return folder
