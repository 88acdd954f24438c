"""Heavy analysis routes: a few at a time, none waiting on a thread, each answer computed once per store version.

``/analysis/proximity`` builds the road graph and measures every zone: its work grows with the store,
and a burst of such requests would hold every server thread. :class:`AnalysisGate` lets at most
``analysis_workers`` of them compute at once (each in a thread); the others wait **asynchronously** on
the event loop (no thread is held while waiting, so ``/health`` and reads keep answering), at most
``analysis_queue`` of them: one more gets 429 at once, and a waiter that cannot start within
``analysis_wait_s`` gets 429 (``WorkersBusyError``) instead of queueing without end. Answers are kept per
(store version, normalised parameters) in a small LRU cache (``analysis_cache`` entries), so repeating a
request, or many clients asking the same, costs nothing until the store changes.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from fastapi import Request

from geozones.errors import WorkersBusyError


class AnalysisGate:
    """Bounded concurrency (async waiting, bounded queue) plus an LRU cache for one app."""

    def __init__(self, workers: int, wait_s: float, cache_size: int, queue: int | None = None):
        self.workers = workers
        self.wait_s = wait_s
        self.cache_size = cache_size
        self.queue = 4 * workers if queue is None else queue
        self._cache: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots: asyncio.Semaphore | None = None
        self._waiting = 0

    def _cached(self, key: Hashable) -> tuple[bool, Any]:
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return True, self._cache[key]
        return False, None

    def _store(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._cache[key] = value
            self._cache.move_to_end(key)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._slots is None:  # one per event loop (a server has one)
            self._loop, self._slots, self._waiting = loop, asyncio.Semaphore(self.workers), 0
        return self._slots

    def _busy(self, what: str) -> WorkersBusyError:
        return WorkersBusyError(
            f"{what}: {self.workers} such request(s) are being computed (setting GEOZONES_ANALYSIS_WORKERS); "
            "try again in a few seconds"
        )

    async def run(self, key: Hashable, compute: Callable[[], Any], what: str) -> Any:
        """``compute()`` (in a thread) unless ``key`` is cached; at most ``workers`` computations at once.

        Raises
        ------
        WorkersBusyError
            At once when ``queue`` requests already wait, or when no slot frees up within ``wait_s``.
        """
        from fastapi.concurrency import run_in_threadpool

        hit, value = self._cached(key)
        if hit:
            return value
        slots = self._semaphore()
        if slots.locked():
            if self._waiting >= self.queue:
                raise self._busy(what)
            self._waiting += 1
            try:
                await asyncio.wait_for(slots.acquire(), self.wait_s)
            except TimeoutError:
                raise self._busy(what) from None
            finally:
                self._waiting -= 1
        else:
            await slots.acquire()
        try:
            hit, value = self._cached(key)  # computed by another request meanwhile
            if hit:
                return value
            value = await run_in_threadpool(compute)
            self._store(key, value)
            return value
        finally:
            slots.release()


_GATE_LOCK = threading.Lock()


def get_gate(request: Request) -> AnalysisGate:
    """The app's gate (a FastAPI dependency), made from its settings on first use."""
    state = request.app.state
    gate = getattr(state, "analysis_gate", None)
    if gate is None:
        with _GATE_LOCK:
            gate = getattr(state, "analysis_gate", None)
            if gate is None:
                settings = state.settings
                gate = AnalysisGate(
                    settings.analysis_workers,
                    settings.analysis_wait_s,
                    settings.analysis_cache,
                    settings.analysis_queue,
                )
                state.analysis_gate = gate
    return gate


__all__ = ["AnalysisGate", "get_gate"]
