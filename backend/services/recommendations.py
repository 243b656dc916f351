"""Architecture recommendations: the whole classification portfolio ranked for one dataset
version by the shipped recommender (`mlcore.recommend`).

The ranking runs in a torch-free child process (ONNX Runtime, NumPy, Pillow), never in the
API process: one long-lived `--serve` child per API process and event loop, started on the
first request, asked one request at a time, started again when it has died, and stopped
when the API shuts down (or killed with it: the parent-death signal). Each request samples
up to 32 training images of the stored version into a scratch folder of this process
(`var/tmp/pid-PID`, see sweep_tmp), asks the child with the version's statistics from its
health report, and removes the folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import random
import shutil
import sys
import tempfile
import weakref
import zipfile
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import anyio.to_thread
from PIL import Image
from pydantic import ValidationError

from backend.child_processes import child_environment
from backend.models import DatasetVersion
from backend.services import rank_child
from backend.services.local_copies import cached_file
from backend.services.uploads import process_tmp_dir
from backend.settings import Settings
from mlcore.contract.profile import DataProfile
from mlcore.contract.recommend import Recommendation
from mlcore.package.runtime.predict import IMAGE_EXTENSIONS
from mlcore.recommend.features import SAMPLE
from storage import Storage

log = logging.getLogger(__name__)
TRAIN = "train"  # the training split's folder in a version's normalised zip
GREY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"})
CHILD_COMMAND = ("-m", "backend.services.rank_child", "--serve")
ROOT = Path(__file__).resolve().parents[2]  # where `backend` and `mlcore` are importable
REPLY_LIMIT = 16 << 20  # one answer line: the whole portfolio, ~75 kB today
STOP_WAIT_S = 5.0
STDERR_LINES = 20


class RecommendationRefused(Exception):
    """The version cannot be ranked (detection data, fewer than two classes, ...): why."""


class RecommenderUnavailable(RuntimeError):
    """The ranking child could not start, died, or took too long: why."""


@dataclass(frozen=True)
class RankLimits:
    """What the ranking child may use."""

    memory_mb: int = 2048
    wall_s: float = 60.0

    @classmethod
    def of(cls, settings: Settings) -> RankLimits:
        return cls(settings.recommend_memory_mb, settings.recommend_timeout_s)


@dataclass(frozen=True)
class RankTarget:
    """A version the recommender can rank, with the statistics it reads (from the health
    report: read before the request's database session ends)."""

    version_id: str
    storage_key: str
    classes: int
    per_class: float
    side: int
    grey: bool | None  # None: no image modes recorded; decided from the sampled images


def rank_target(version: DatasetVersion) -> RankTarget:
    """What the ranking needs of `version`; RecommendationRefused when it cannot be ranked.
    The caller checks that the version is the user's."""
    report = version.report
    if not report:
        raise RecommendationRefused(
            f"dataset version {version.id} predates dataset health reports; upload the data "
            "again to get a recommendation"
        )
    if report.get("task") != "classify":
        raise RecommendationRefused(
            f"recommendations rank classification models, and dataset version {version.id} "
            "is a detection dataset; pick a detector from GET /api/v1/catalog"
        )
    train = report["counts"]["train"]
    present = sum(1 for count in train.values() if count)
    if present < 2:
        raise RecommendationRefused(
            f"dataset version {version.id} has training images of {present} class(es); "
            "a classifier needs at least two"
        )
    profile = DataProfile.from_report(report)
    modes = report.get("image_sizes", {}).get("modes")
    return RankTarget(
        version_id=version.id,
        storage_key=version.storage_key,
        classes=profile.classes,
        per_class=profile.images_per_class,
        side=max(profile.median_side, 1),
        grey=all(mode in GREY_MODES for mode in modes) if modes else None,
    )


def sample_training_images(
    archive: Path, folder: Path, seed: str, count: int = SAMPLE
) -> list[Path]:
    """Copy up to `count` training images of the version's zip into `folder`: a seeded
    sample, the classes in turn (each class's images in a seeded order)."""
    by_class: dict[str, list[zipfile.ZipInfo]] = defaultdict(list)
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            parts = info.filename.split("/")
            suffix = PurePosixPath(info.filename).suffix.lower()
            if len(parts) == 3 and parts[0] == TRAIN and parts[2] and suffix in IMAGE_EXTENSIONS:
                by_class[parts[1]].append(info)
        rng = random.Random(seed)
        queues = [rng.sample(members, len(members)) for _, members in sorted(by_class.items())]
        picks: list[zipfile.ZipInfo] = []
        while len(picks) < count and any(queues):
            for queue in queues:
                if queue and len(picks) < count:
                    picks.append(queue.pop())
        written = []
        for index, info in enumerate(picks):
            path = folder / f"{index:03d}{PurePosixPath(info.filename).suffix.lower()}"
            with zf.open(info) as source, path.open("wb") as out:
                shutil.copyfileobj(source, out)
            written.append(path)
    return written


def looks_grey(images: list[Path]) -> bool:
    """Whether every image is stored in a grey mode (read from its header, not decoded)."""
    for path in images:
        with Image.open(path) as image:
            if image.mode not in GREY_MODES:
                return False
    return bool(images)


def _rank_request(
    target: RankTarget, storage: Storage, settings: Settings, folder: Path
) -> dict[str, Any]:
    """Sample the version's training images into `folder`; the child's request for them."""
    archive = cached_file(
        storage,
        target.storage_key,
        settings.cache_dir.resolve() / "datasets" / f"{target.version_id}.zip",
    )
    images = sample_training_images(archive, folder, target.version_id)
    if not images:
        raise RecommendationRefused(
            f"dataset version {target.version_id} has no training images the recommender can read"
        )
    return {
        "images": str(folder),
        "classes": target.classes,
        "per_class": target.per_class,
        "side": target.side,
        "grey": looks_grey(images) if target.grey is None else target.grey,
    }


async def recommend(target: RankTarget, storage: Storage, settings: Settings) -> Recommendation:
    """The portfolio ranked for `target`: its images sampled into a scratch folder of this
    process, the child asked, the folder removed."""
    tmp = process_tmp_dir(settings.var_dir).resolve()
    tmp.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=tmp, prefix="recommend-"))
    try:
        request = await anyio.to_thread.run_sync(_rank_request, target, storage, settings, folder)
        return await rankers.child(RankLimits.of(settings)).rank(request)
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # a few files: no thread needed


class _ChildGone(Exception):
    """The child's pipes closed: it is not running (any more)."""


class RankChild:
    """One `--serve` ranking child, started on first use, one request at a time."""

    def __init__(self, limits: RankLimits) -> None:
        self.limits = limits
        self._proc: asyncio.subprocess.Process | None = None
        self._stderr: asyncio.Task[None] | None = None
        self._stderr_tail: deque[str] = deque(maxlen=STDERR_LINES)
        self._last_exit: int | None = None
        self._lock = asyncio.Lock()

    @property
    def pid(self) -> int | None:
        """The running child's process id; None before the first request or after close."""
        return self._proc.pid if self._proc is not None else None

    async def rank(self, request: dict[str, Any]) -> Recommendation:
        """The child's answer to `request` (a RankRequest). A child that has died is started
        again; RecommenderUnavailable if that fails, RecommendationRefused if the child
        refuses the request."""
        async with self._lock:
            line = json.dumps(request).encode() + b"\n"
            reused = self._proc is not None and self._proc.returncode is None
            try:
                reply = await self._ask(line)
            except _ChildGone:
                await self._stop(ended=True)
                if not reused:
                    raise RecommenderUnavailable(self._why_stopped()) from None
                log.warning(
                    "the ranking child had stopped (%s); starting it again", self._last_exit
                )
                try:  # it died while idle: once more, with a fresh one
                    reply = await self._ask(line)
                except _ChildGone:
                    await self._stop(ended=True)
                    raise RecommenderUnavailable(self._why_stopped()) from None
        if "error" in reply:
            raise RecommendationRefused(f"the recommender could not rank it: {reply['error']}")
        try:
            recommendation = Recommendation.model_validate(reply["ok"])
        except (KeyError, ValidationError) as exc:
            log.error("the ranking child answered out of contract: %s", exc)
            raise RecommenderUnavailable(
                "the recommender answered out of contract; the service's log has the details"
            ) from exc
        if not recommendation.models:
            raise RecommenderUnavailable("the recommender's bundle ranks no models")
        return recommendation

    async def _ask(self, line: bytes) -> dict[str, Any]:
        """Send one request line and read its answer line (starting the child if needed)."""
        if self._proc is None or self._proc.returncode is not None:
            await self._start()
        proc = self._proc
        assert proc is not None and proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(line)
            await proc.stdin.drain()
            reply = await asyncio.wait_for(proc.stdout.readline(), self.limits.wall_s)
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise _ChildGone from exc
        except TimeoutError:
            await self._stop()
            raise RecommenderUnavailable(
                f"the recommender took longer than {self.limits.wall_s:g}s; try again shortly"
            ) from None
        except BaseException:  # cancelled mid-request: its answer would be out of step
            await self._stop()
            raise
        if not reply.endswith(b"\n"):  # end of file: it died, before or while answering
            raise _ChildGone
        try:
            answer: dict[str, Any] = json.loads(reply)
        except json.JSONDecodeError as exc:
            await self._stop()
            log.error("the ranking child wrote %r", reply[:500])
            raise RecommenderUnavailable(
                "the recommender answered with something other than JSON; the service's log "
                "has the details"
            ) from exc
        return answer

    async def _start(self) -> None:
        await self._stop()
        env = child_environment(
            {
                **os.environ,
                "OMP_NUM_THREADS": "1",
                "OPENBLAS_NUM_THREADS": "1",
                # ONNX Runtime runs a thread per core; glibc would reserve an arena of 64 MiB
                # of address space for each (1.4 GiB at 16 cores, 0.5 GiB with this)
                "MALLOC_ARENA_MAX": "2",
                rank_child.MEMORY_MB: str(self.limits.memory_mb),
            }
        )
        try:
            self._proc = await asyncio.create_subprocess_exec(
                sys.executable,
                *CHILD_COMMAND,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                cwd=ROOT,
                env=env,
                limit=REPLY_LIMIT,
            )
        except OSError as exc:
            raise RecommenderUnavailable(f"the recommender could not start: {exc}") from exc
        self._stderr_tail.clear()
        self._stderr = asyncio.create_task(self._drain_stderr(self._proc))
        log.info("started the ranking child (pid %d)", self._proc.pid)

    async def _drain_stderr(self, proc: asyncio.subprocess.Process) -> None:
        """Log what the child writes to stderr; keep its last lines for error messages."""
        assert proc.stderr is not None
        while line := await proc.stderr.readline():
            text = line.decode(errors="replace").rstrip()
            self._stderr_tail.append(text)
            log.warning("ranking child %d: %s", proc.pid, text)

    def _why_stopped(self) -> str:
        code = self._last_exit
        last = next((line for line in reversed(self._stderr_tail) if line.strip()), "")
        return (
            f"the recommender stopped (exit code {code})"
            + (f": {last.strip()[:300]}" if last else "")
            + "; try again, and tell the operator if it keeps happening"
        )

    async def _stop(self, *, ended: bool = False) -> None:
        """Kill the child if it runs; wait for it and its stderr. A child whose pipes
        `ended` gets STOP_WAIT_S to exit by itself first: killing one that has exited but
        is not yet reaped polls it (Popen.send_signal), which reaps it ahead of asyncio's
        child watcher, and that watcher then reports exit code 255, not the real one."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if ended and proc.returncode is None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(proc.wait()), STOP_WAIT_S)
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
                proc.kill()
        try:
            self._last_exit = await asyncio.wait_for(proc.wait(), STOP_WAIT_S)
        except TimeoutError:
            log.error("the ranking child %d did not stop", proc.pid)
        if self._stderr is not None:
            try:
                await asyncio.wait_for(self._stderr, STOP_WAIT_S)
            except TimeoutError:
                self._stderr.cancel()
            self._stderr = None

    async def close(self) -> None:
        """Stop the child (at shutdown)."""
        async with self._lock:
            await self._stop()


class Rankers:
    """The ranking child of each event loop (the service has one loop; a test client one
    each): asyncio pipes belong to the loop that made them."""

    def __init__(self) -> None:
        self._by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, RankChild] = (
            weakref.WeakKeyDictionary()
        )

    def child(self, limits: RankLimits) -> RankChild:
        """This loop's child (not started until its first request)."""
        loop = asyncio.get_running_loop()
        found = self._by_loop.get(loop)
        if found is None:
            found = self._by_loop[loop] = RankChild(limits)
        return found

    def children(self) -> list[RankChild]:
        return list(self._by_loop.values())

    async def close(self) -> None:
        """Stop this loop's child (the API's shutdown)."""
        found = self._by_loop.pop(asyncio.get_running_loop(), None)
        if found is not None:
            await found.close()


rankers = Rankers()
