"""Uploads are checked a few at a time, in a line of their own (never behind training), so a
burst of uploads never takes the CPU, threads or database connections that reads need."""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache

from backend.loop_slots import LoopSlots
from backend.settings import get_settings

FIRST_GUESS_S = 2.0  # a check's duration before any was measured


class IngestBusy(Exception):
    """The line is full: try again after `retry_after_s`."""

    def __init__(self, retry_after_s: int, admitted: int) -> None:
        super().__init__(
            f"{admitted} uploads are being received or checked, the most this server takes at "
            f"once; send it again in {retry_after_s} s"
        )
        self.retry_after_s = retry_after_s


class IngestLine:
    """At most `concurrency` checks at once and `waiting` more uploads in line, per process."""

    def __init__(self, concurrency: int, waiting: int) -> None:
        self.concurrency = concurrency
        self.capacity = concurrency + waiting
        self.admitted = 0
        self.check_s = FIRST_GUESS_S  # moving average of a check's duration
        self._slots = LoopSlots(concurrency)

    def retry_after_s(self) -> int:
        """When a place is likely free: the checks ahead of a new upload, run side by side."""
        return max(1, math.ceil(self.check_s * (self.admitted + 1) / self.concurrency))

    @asynccontextmanager
    async def admit(self) -> AsyncIterator[None]:
        """A place in line for one upload, from its first byte to its stored version;
        IngestBusy at once when the line is full."""
        if self.admitted >= self.capacity:
            raise IngestBusy(self.retry_after_s(), self.admitted)
        self.admitted += 1
        try:
            yield
        finally:
            self.admitted -= 1

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Wait for one of the `concurrency` check slots (inside `admit`)."""
        async with self._slots.semaphore():
            started = time.monotonic()
            try:
                yield
            finally:
                self.check_s = 0.8 * self.check_s + 0.2 * (time.monotonic() - started)


@lru_cache
def get_ingest_line() -> IngestLine:
    """This process's line, sized by KONSTRUKTOR_INGEST_CONCURRENCY and _QUEUE."""
    settings = get_settings()
    return IngestLine(settings.ingest_concurrency, settings.ingest_queue)
