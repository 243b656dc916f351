"""Publisher weights fetched on first use into a weights cache, the way their libraries do.

`fetch_weights` is the one download every caller uses (`create_model`, the YOLO engine's
start weights, `python -m mlcore weights pull`):

- a cached file is used as it is; offline, a missing file is an error naming the file, the
  folder and the command that fetches it;
- the file is streamed from the publisher's URL, or from MIRROR/<file> when a mirror is
  set, into a temporary name in the cache folder, checked, then renamed into place
  (`os.replace`), so the final name only ever holds a complete, checked file;
- the check: torchvision names each file with the start of its SHA-256
  (`efficientnet_b0_rwightman-7f5810bc.pth`), which must match, as in torch.hub's
  `check_hash`; ultralytics' release assets carry no hash, so their file must be a complete
  checkpoint in torch.save's format instead (a zip archive with a data.pkl record whose
  members all pass their CRC check; it is not unpickled, which would run its code);
- an exclusive lock (fcntl) per file: a second process or thread waits for the first and
  then uses its file, so a file is downloaded once and never written twice;
- progress goes to the job as `log` events (`download_bytes`, `download_total`).
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import time
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from fcntl import LOCK_EX, LOCK_UN, flock
from pathlib import Path
from typing import IO

from mlcore.contract.results import ProgressEvent
from mlcore.contract.weights import PublisherWeights, WeightsSource, pull_command
from mlcore.engines.progress import Report

CHUNK_SIZE = 1 << 20
TIMEOUT_S = 60.0  # per connect or read, not for the whole file
REPORT_PARTS = 20  # a progress event every 5 % ...
REPORT_MIN_S = 1.0  # ... but not more often than once a second
UNKNOWN_TOTAL_STEP = 8 << 20  # bytes between events when the server sends no length
TORCH_PICKLE = "data.pkl"  # the record every torch.save archive holds
FILE_MODE = 0o644


class WeightsUnavailable(RuntimeError):
    """The weights file is not cached and cannot be fetched now."""


class WeightsRejected(WeightsUnavailable):
    """A downloaded file failed its check: it is not the publisher's file."""


class TransferFailed(ConnectionError):
    """A download broke off (its message says where and why)."""


def no_report(event: ProgressEvent) -> None:
    """A Report that drops every event."""


class DownloadProgress:
    """Reports a download as `log` events: every 5 % (or 8 MiB when the length is unknown),
    at most once a second, and always its start and its end."""

    def __init__(
        self,
        file: str,
        total: int | None,
        report: Report,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.file, self.total, self.report, self.clock = file, total, report, clock
        self.step = max(1, total // REPORT_PARTS) if total else UNKNOWN_TOTAL_STEP
        self.next_at = 0
        self.last_time = float("-inf")

    def update(self, done: int) -> None:
        """`done` bytes have arrived."""
        now = self.clock()
        finished = self.total is not None and done >= self.total
        if finished or (done >= self.next_at and now - self.last_time >= REPORT_MIN_S):
            self.next_at = (done // self.step + 1) * self.step
            self.last_time = now
            self.emit(done)

    def emit(self, done: int) -> None:
        """One event at `done` bytes."""
        metrics = {"download_bytes": float(done)}
        if self.total:
            metrics["download_total"] = float(self.total)
            amount = f"{100 * done // self.total} %"
        else:
            amount = f"{done / (1 << 20):.1f} MiB"
        message = f"downloading {self.file}: {amount}"
        self.report(ProgressEvent(type="log", message=message, metrics=metrics))


def fetch_weights(
    weights: PublisherWeights, source: WeightsSource, report: Report = no_report
) -> Path:
    """The cached file of `weights`, downloaded into `source.folder` first when missing.

    Raises WeightsUnavailable (offline, or the download failed) or WeightsRejected (the
    file failed its check); either way nothing is left under the file's name.
    """
    final = source.path(weights)
    if final.is_file():
        return final
    if source.offline:
        raise WeightsUnavailable(
            f"pretrained weights for {weights.model} are missing: {weights.file} is not in "
            f"{source.folder.resolve()} and fetching is off (KONSTRUKTOR_WEIGHTS_OFFLINE, the "
            "CLI's --offline); fetch it with "
            f"{pull_command(weights.model, source.folder.resolve())} where the network or a "
            "mirror is reachable, or train with pretrained=false"
        )
    source.folder.mkdir(parents=True, exist_ok=True)
    with exclusive(source.folder / f".{weights.file}.lock"):
        if not final.is_file():  # else another process fetched it while this one waited
            download(weights, source.url(weights), final, report)
    return final


@contextmanager
def exclusive(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `lock_path` (waits for any other holder, in any process)."""
    with lock_path.open("a") as lock:
        flock(lock, LOCK_EX)
        try:
            yield
        finally:
            flock(lock, LOCK_UN)


def download(weights: PublisherWeights, url: str, final: Path, report: Report) -> None:
    """Stream `url` to a temporary file beside `final`, check it, move it into place."""
    handle, name = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".part")
    part = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            sha256 = stream(url, out, weights.file, report)
        check(weights, part, sha256, url)
        part.chmod(FILE_MODE)  # mkstemp's 0600 would hide it from other users of the cache
        os.replace(part, final)
    except TransferFailed as exc:
        raise WeightsUnavailable(
            f"downloading {weights.file} from {url} failed: {exc}; nothing was kept. Try "
            "again, set a mirror that serves it (KONSTRUKTOR_WEIGHTS_MIRROR, the CLI's "
            f"--weights-mirror), or put the file into {final.parent.resolve()}, e.g. with "
            f"{pull_command(weights.model, final.parent.resolve())} where it can be fetched"
        ) from exc
    finally:
        part.unlink(missing_ok=True)


def stream(url: str, out: IO[bytes], file: str, report: Report) -> str:
    """Copy `url` into `out`; the SHA-256 (hex) of what arrived. A failed or short
    transfer raises TransferFailed."""
    digest, done, total = hashlib.sha256(), 0, None
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            progress = DownloadProgress(file, total, report)
            progress.update(0)
            while chunk := response.read(CHUNK_SIZE):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                progress.update(done)
    except (OSError, http.client.HTTPException) as exc:
        raise TransferFailed(f"{exc} (after {done} bytes)") from exc
    if total is not None and done < total:
        raise TransferFailed(f"the connection closed after {done} of {total} bytes")
    return digest.hexdigest()


def check(weights: PublisherWeights, path: Path, sha256: str, url: str) -> None:
    """Raise WeightsRejected unless `path` is the publisher's file (see the module doc)."""
    if weights.sha256_prefix is not None:
        if not sha256.startswith(weights.sha256_prefix):
            raise WeightsRejected(
                f"{weights.file} from {url} is not the publisher's file: its SHA-256 is "
                f"{sha256}, which does not start with {weights.sha256_prefix}; nothing was kept"
            )
    elif not is_torch_archive(path):
        raise WeightsRejected(
            f"{weights.file} from {url} is not a complete torch checkpoint (a zip archive "
            f"with a {TORCH_PICKLE} record); nothing was kept"
        )


def is_torch_archive(path: Path) -> bool:
    """Whether `path` is a whole torch.save archive: a zip holding a data.pkl record whose
    members all pass their CRC check (the pickle itself is not loaded)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            has_pickle = any(Path(name).name == TORCH_PICKLE for name in names)
            return has_pickle and archive.testzip() is None
    except (zipfile.BadZipFile, OSError):
        return False
