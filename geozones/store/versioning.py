"""A store version without opening the database on every call.

:meth:`GeoPackageStore.version` reads two sequence numbers with sqlite3; opening the file,
registering the GeoPackage functions and closing it costs more than the rest of a cached API
request. :class:`VersionCache` keeps the last answer and recomputes it when

* this process wrote the store (:meth:`VersionCache.invalidate`, called by the store's writers);
* another process may have written it: the ``stat`` signature (inode, size, mtime in ns) of the
  GeoPackage or of its ``-wal`` journal differs from the one taken before the cached answer was
  computed -- every SQLite commit appends to the WAL (or, outside WAL mode, rewrites the file);
* the cached answer is older than ``ttl`` seconds. This bounds the one case the signature can
  miss: a commit that reuses a WAL of the same size, after a checkpoint, within the file
  system's timestamp granularity (a few milliseconds) of the previous signature.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

#: Seconds a cached version is trusted while the file signature is unchanged.
DEFAULT_TTL = 1.0

_Signature = tuple[tuple[int, int, int] | None, tuple[int, int, int] | None]


def _stat(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


class VersionCache:
    """The last computed version of a file-backed store, revalidated by ``stat`` (see the module)."""

    def __init__(self, path: str | os.PathLike, ttl: float = DEFAULT_TTL):
        self.path = os.fspath(Path(path))
        self.ttl = ttl
        self._lock = threading.Lock()
        self._generation = 0
        self._cached: tuple[_Signature, int, float, str] | None = None

    def signature(self) -> _Signature:
        """The (inode, size, mtime) of the file and of its WAL journal (None when absent)."""
        return _stat(self.path), _stat(self.path + "-wal")

    def get(self, compute: Callable[[], str]) -> str:
        """The cached version, or ``compute()`` when it may be out of date."""
        signature = self.signature()  # before computing: a write after this changes the next signature
        now = time.monotonic()
        with self._lock:
            cached, generation = self._cached, self._generation
        if cached is not None:
            seen, made_in, at, value = cached
            if seen == signature and made_in == generation and now - at < self.ttl:
                return value
        value = compute()
        with self._lock:
            if generation == self._generation:  # no write of this process since we started
                self._cached = (signature, generation, now, value)
        return value

    def invalidate(self) -> None:
        """Forget the cached version (this process has written the store)."""
        with self._lock:
            self._generation += 1
            self._cached = None
