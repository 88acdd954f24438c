"""Heavy analysis routes: a few at a time, and each answer computed once per store version.

``/analysis/proximity`` builds the road graph and measures every zone: its work grows with the store,
and a burst of such requests would hold every server thread. :class:`AnalysisGate` lets at most
``analysis_workers`` of them compute at once; a request that cannot start within
``analysis_wait_s`` gets 429 (``WorkersBusyError``) instead of queueing without end. Answers are
kept per (store version, parameters) in a small LRU cache, so repeating a request, or many
clients asking the same, costs nothing until the store changes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from fastapi import Request

from geozones.errors import WorkersBusyError


class AnalysisGate:
    """Bounded concurrency plus a per-store-version LRU cache for one app."""

    def __init__(self, workers: int, wait_s: float, cache_size: int):
        self._slots = threading.BoundedSemaphore(workers)
        self.workers = workers
        self.wait_s = wait_s
        self.cache_size = cache_size
        self._cache: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def _cached(self, key: Hashable) -> tuple[bool, Any]:
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return True, self._cache[key]
        return False, None

    def run(self, key: Hashable, compute: Callable[[], Any], what: str) -> Any:
        """``compute()`` unless ``key`` is cached; at most ``workers`` computations at once.

        Raises
        ------
        WorkersBusyError
            When no slot frees up within ``wait_s`` seconds.
        """
        hit, value = self._cached(key)
        if hit:
            return value
        if not self._slots.acquire(timeout=self.wait_s):
            raise WorkersBusyError(
                f"{what}: {self.workers} such request(s) are being computed; try again in a few seconds"
            )
        try:
            hit, value = self._cached(key)  # computed by another request meanwhile
            if hit:
                return value
            value = compute()
            with self._lock:
                self._cache[key] = value
                self._cache.move_to_end(key)
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
            return value
        finally:
            self._slots.release()


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
                gate = AnalysisGate(settings.analysis_workers, settings.analysis_wait_s, settings.analysis_cache)
                state.analysis_gate = gate
    return gate


__all__ = ["AnalysisGate", "get_gate"]
