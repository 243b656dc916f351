"""Safe reading of uploaded zip archives: entry names, symlinks and size limits."""

from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from backend.datasets.errors import DatasetError

MAX_ENTRIES = 200_000
MAX_ENTRY_BYTES = 64 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
_DRIVE = re.compile(r"^[A-Za-z]:")
_IGNORED_NAMES = {"Thumbs.db", "desktop.ini"}


@dataclass(frozen=True)
class Entry:
    """A regular file in the archive, with its path split into parts."""

    info: zipfile.ZipInfo
    parts: tuple[str, ...]


@dataclass(frozen=True)
class ArchiveListing:
    files: list[Entry]
    dirs: set[tuple[str, ...]]


def open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise DatasetError(
            "the upload is not a valid zip archive; create it with `zip -r data.zip FOLDER`"
        ) from exc


def _safe_parts(name: str) -> tuple[str, ...]:
    if "\\" in name or name.startswith("/") or _DRIVE.match(name):
        raise DatasetError(f"unsafe path in archive: {name!r}; use relative paths only")
    parts = tuple(p for p in PurePosixPath(name).parts if p != ".")
    if any(p == ".." for p in parts):
        raise DatasetError(f"unsafe path in archive: {name!r}; `..` is not allowed")
    return parts


def _ignored(parts: tuple[str, ...]) -> bool:
    return (
        parts[0] == "__MACOSX"
        or any(p.startswith(".") for p in parts)
        or (parts[-1] in _IGNORED_NAMES)
    )


def list_archive(zf: zipfile.ZipFile, max_total_bytes: int) -> ArchiveListing:
    """Validate every entry's name, type and size; return the regular files and folders."""
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise DatasetError(f"the archive has {len(infos)} entries; the limit is {MAX_ENTRIES}")
    files: list[Entry] = []
    dirs: set[tuple[str, ...]] = set()
    total = 0
    for info in infos:
        parts = _safe_parts(info.filename)
        if not parts or _ignored(parts):
            continue
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise DatasetError(f"the archive contains a symbolic link: {info.filename!r}")
        if info.is_dir():
            dirs.add(parts)
            continue
        if info.file_size > MAX_ENTRY_BYTES:
            raise DatasetError(
                f"{info.filename!r} is {info.file_size} bytes; files up to "
                f"{MAX_ENTRY_BYTES} bytes are accepted"
            )
        if info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO:
            raise DatasetError(f"{info.filename!r} has a suspicious compression ratio (zip bomb?)")
        total += info.file_size
        if total > max_total_bytes:
            raise DatasetError(
                f"the archive unpacks to more than {max_total_bytes} bytes; split the dataset"
            )
        files.append(Entry(info, parts))
        dirs.update(parts[:i] for i in range(1, len(parts)))
    return ArchiveListing(files, dirs)
