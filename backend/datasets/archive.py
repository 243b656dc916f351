"""Safe reading of uploaded zip archives: entry names, links, nesting and size limits."""

from __future__ import annotations

import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from backend.datasets.errors import DatasetError

_DRIVE = re.compile(r"^[A-Za-z]:")
_IGNORED_NAMES = {"Thumbs.db", "desktop.ini"}
NESTED_ARCHIVES = frozenset({".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar"})
MAX_NAME_BYTES = 255
_UTF8 = 0x800
_ENCRYPTED = 0x1


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """What an upload may hold; past any limit the upload is rejected."""

    max_entries: int = 200_000
    max_entry_bytes: int = 64 * 1024 * 1024
    max_total_bytes: int = 8 * 1024**3
    max_ratio: float = 200.0


@dataclass(frozen=True, slots=True)
class Entry:
    """A regular file in the archive, with its path split into parts."""

    info: zipfile.ZipInfo
    parts: tuple[str, ...]

    @property
    def path(self) -> str:
        return "/".join(self.parts)

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.parts[-1]).suffix.lower()


@dataclass(frozen=True, slots=True)
class ArchiveListing:
    files: list[Entry]
    dirs: set[tuple[str, ...]]

    def strip(self, depth: int) -> ArchiveListing:
        """The listing seen from `depth` folders down (a wrapper folder removed)."""
        if depth == 0:
            return self
        return ArchiveListing(
            [Entry(e.info, e.parts[depth:]) for e in self.files if len(e.parts) > depth],
            {d[depth:] for d in self.dirs if len(d) > depth},
        )


def open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DatasetError(
            "the upload is not a valid zip archive; create it with `zip -r data.zip FOLDER`"
        ) from exc


def _safe_parts(name: str) -> tuple[str, ...]:
    if "\\" in name or name.startswith("/") or _DRIVE.match(name) or "\x00" in name:
        raise DatasetError(f"unsafe path in archive: {name!r}; use relative paths only")
    parts = tuple(p for p in PurePosixPath(name).parts if p != ".")
    if any(p == ".." for p in parts):
        raise DatasetError(f"unsafe path in archive: {name!r}; `..` is not allowed")
    too_long = [p for p in parts if len(p.encode()) > MAX_NAME_BYTES]
    if too_long:
        raise DatasetError(
            f"a file or folder name in the archive is longer than {MAX_NAME_BYTES} bytes: "
            f"{too_long[0][:60]!r}…; shorten it"
        )
    return parts


def _decoded_name(info: zipfile.ZipInfo) -> str:
    """The entry name; legacy (non-UTF-8) names are tried as UTF-8, then Windows cp866."""
    if info.flag_bits & _UTF8 or info.filename.isascii():
        return info.filename
    raw = info.filename.encode("cp437")
    for encoding in ("utf-8", "cp866"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def read_entry(zf: zipfile.ZipFile, entry: Entry) -> bytes:
    """The entry's bytes; a damaged entry is a DatasetError naming it."""
    try:
        return zf.read(entry.info)
    except (
        zipfile.BadZipFile,
        RuntimeError,
        NotImplementedError,
        OSError,
        EOFError,
        zlib.error,
    ) as exc:
        raise DatasetError(f"{entry.path!r} cannot be unpacked ({exc}); re-create the zip") from exc


def _ignored(parts: tuple[str, ...]) -> bool:
    return (
        parts[0] == "__MACOSX"
        or any(p.startswith(".") for p in parts)
        or (parts[-1] in _IGNORED_NAMES)
    )


def list_archive(zf: zipfile.ZipFile, limits: ArchiveLimits) -> ArchiveListing:
    """Validate every entry's name, type and size; return the regular files and folders."""
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise DatasetError(
            f"the archive has {len(infos)} entries; the limit is {limits.max_entries}"
        )
    files: list[Entry] = []
    dirs: set[tuple[str, ...]] = set()
    seen: set[tuple[str, ...]] = set()
    total = 0
    for info in infos:
        parts = _safe_parts(_decoded_name(info))
        if not parts or _ignored(parts):
            continue
        if stat.S_ISLNK(info.external_attr >> 16):
            raise DatasetError(f"the archive contains a symbolic link: {info.filename!r}")
        if info.is_dir():
            dirs.add(parts)
            continue
        entry = Entry(info, parts)
        if parts in seen:
            raise DatasetError(f"the archive holds {entry.path!r} twice; keep one copy and re-zip")
        seen.add(parts)
        if info.flag_bits & _ENCRYPTED:
            raise DatasetError(f"{entry.path!r} is encrypted; zip without a password")
        if entry.suffix in NESTED_ARCHIVES:
            raise DatasetError(
                f"the archive contains another archive ({info.filename!r}); unpack it into "
                "the main archive"
            )
        if info.file_size > limits.max_entry_bytes:
            raise DatasetError(
                f"{info.filename!r} is {info.file_size} bytes; files up to "
                f"{limits.max_entry_bytes} bytes are accepted"
            )
        if info.file_size > 1024 * 1024 and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise DatasetError(
                f"{info.filename!r} expands {info.file_size // max(info.compress_size, 1)}x "
                "when unpacked; that looks like a zip bomb"
            )
        total += info.file_size
        if total > limits.max_total_bytes:
            raise DatasetError(
                f"the archive unpacks to more than {limits.max_total_bytes} bytes; "
                "split the dataset"
            )
        files.append(entry)
        dirs.update(parts[:i] for i in range(1, len(parts)))
    return ArchiveListing(files, dirs)
