"""A count of slots shared by the coroutines of an event loop (a fresh asyncio.Semaphore per
loop: the service has one loop, a test client one each)."""

from __future__ import annotations

import asyncio
import weakref


class LoopSlots:
    """`size` slots; `semaphore()` is this loop's."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    def semaphore(self) -> asyncio.Semaphore:
        """This loop's semaphore, made on its first use (a hot path: one per request)."""
        loop = asyncio.get_running_loop()
        found = self._by_loop.get(loop)
        if found is None:
            found = self._by_loop[loop] = asyncio.Semaphore(self.size)
        return found
