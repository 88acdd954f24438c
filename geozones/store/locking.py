"""Every lock a store takes, and the one order it takes them in.

No store code acquires a lock anywhere else: the GeoPackage store goes through
:func:`file_locks`, the PostGIS store through :class:`AdvisoryLocks`. Both take their
locks in a fixed order, so two operations can never each hold a lock the other waits for
(the cause of the GeoPackage deadlock of issue 20: a layer write held the file lock and
waited for the thread lock, an edit held the thread lock and waited for the file lock).

GeoPackage, per store file (its real path), outermost first
----------------------------------------------------------
1. **write mutex** -- a re-entrant ``threading.RLock`` shared by every
   :class:`~geozones.store.geopackage.GeoPackageStore` on that file in this process. One thread of
   the process writes at a time; a nested write on the same thread re-enters.
2. **file lock** -- ``flock(LOCK_EX)`` on ``<store>.lock``: one process writes at a time (other
   ``serve --workers``, the CLI's ``store import``). Taken by the outermost write of the thread that
   holds 1, released when that write ends: a nested write reuses it (``flock`` belongs to an open
   file description, so a second ``open()`` + ``flock`` by the same thread would wait for itself
   forever).
3. **library gate** (``gdal`` or ``sqlite3``) -- many users of one SQLite library at a time in this
   process (see :class:`LibraryGate`). Innermost: held only around the library call, and a thread
   holding a gate never waits for 1 or 2 (:class:`LockOrderError` instead of a deadlock) nor enters
   the other library's gate. Re-entering the same library on the same thread passes straight through.
4. **SQLite's own locks** (``BEGIN IMMEDIATE``, WAL, busy timeout), inside the ``sqlite3`` gate.
   Every writer of ours already holds 2, so they only wait for other programs (QGIS editing the
   file), at most the busy timeout.

Writes (single-zone edits, whole-layer writes, reset, delete_layer, append_rows, added columns and
shipped layers): ``write()`` = 1 -> 2, then ``library(...)`` = 3 -> 4. Reads (``version``, ``layers``,
``layer``, ``get_zone``, ``history``): ``library(...)`` = 3 only; they never wait for a writer's
1 or 2. A thread writes to one store file at a time (a write to another file inside a write is a
:class:`LockOrderError`). The API key file's own ``flock`` (:mod:`geozones.store.keys`) is a
separate leaf lock, never held together with these.

PostGIS, per schema, outermost first (all transaction-scoped, released at commit or rollback)
-----------------------------------------------------------------------------------------------
1. ``migrate`` advisory lock -- schema migrations;
2. ``fill`` advisory lock -- filling a new store from the shipped data;
3. ``layers`` advisory lock -- exclusive for every whole-layer write (``write_layer``,
   ``write_zones``, ``reset``, ``delete_layer``, ``append_rows``, migrate and fill), shared for a single-zone edit:
   edits run side by side, a layer write runs alone;
4. table and row locks, in the order of the transaction's statements (``LOCK TABLE zones``,
   ``SELECT ... FOR UPDATE``, history rows);
5. the ``data_version`` row of ``geozones_meta`` -- always the last statement of a write.

:meth:`AdvisoryLocks.transaction` takes 1-3 in that order whatever the caller asks for. A thread
never opens a second write transaction on the same store while it holds one (the second would wait
for the first, which waits for the thread: :class:`LockOrderError` instead). Reads take no lock
(MVCC).

Processes
---------
Locks 1 and 3 of the GeoPackage order live in this process; 2 and SQLite's locks are shared
between processes; PostgreSQL's advisory locks are database-wide. A child made by ``fork``
starts with fresh mutexes and gates and does not own its parent's file lock.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from geozones.errors import StoreError
from geozones.store.versioning import VersionCache


class LockOrderError(StoreError):
    """An operation asked for a store lock out of order: raised at once instead of deadlocking."""


# --- the library gate (GeoPackage level 3) ------------------------------------------------------
#
# GDAL (through pyogrio) links its own copy of SQLite; Python's sqlite3 module another.
# POSIX locks belong to the process, so two SQLite copies in one process cannot see each
# other's locks: one may decide it is the file's last user and fold and delete the WAL
# (or roll back a "hot" journal) under the other's feet -- a SIGBUS or a lost write.
# Inside one process the store therefore never lets the two touch the same file at once.
# Between processes SQLite's own locking works as usual.


class LibraryGate:
    """Many users of one library at a time; the other library waits its turn (no starvation)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._owner: str | None = None
        self._count = 0
        self._turn: str | None = None
        self._waiting = {"gdal": 0, "sqlite3": 0}

    @staticmethod
    def _other(who: str) -> str:
        return "sqlite3" if who == "gdal" else "gdal"

    def _may_enter(self, who: str) -> bool:
        if self._owner not in (None, who) or self._turn not in (None, who):
            return False
        return not (self._owner == who and self._waiting[self._other(who)] > 0)

    @contextmanager
    def use(self, who: str) -> Iterator[None]:
        with self._cond:
            self._waiting[who] += 1
            while not self._may_enter(who):
                self._cond.wait()
            self._waiting[who] -= 1
            self._owner, self._count = who, self._count + 1
            if self._turn == who:
                self._turn = None
        try:
            yield
        finally:
            with self._cond:
                self._count -= 1
                if self._count == 0:
                    self._owner = None
                    other = self._other(who)
                    self._turn = other if self._waiting[other] else None
                    self._cond.notify_all()


# --- GeoPackage: one FileLocks per store file and process -----------------------------------------


class _Held(threading.local):
    """What the current thread holds: gates per file key, and the file it writes to."""

    def __init__(self) -> None:
        self.gates: dict[str, list] = {}  # key -> [library, depth]
        self.writing: str | None = None


_HELD = _Held()


class FileLocks:
    """The locks of one GeoPackage store file (made by :func:`file_locks`; see the module docstring)."""

    def __init__(self, key: str):
        self.key = key
        self.lock_path = f"{key}.lock"
        self.gate = LibraryGate()
        self._mutex = threading.RLock()
        self._depth = 0  # nested write() calls of the thread holding the mutex
        self._handle: IO[str] | None = None
        #: The file's cached version (:mod:`geozones.store.versioning`), forgotten when a write ends.
        self.versions = VersionCache(key)

    def __repr__(self) -> str:
        return f"FileLocks({self.key!r})"

    def writing(self) -> bool:
        """Whether the current thread holds this file's write locks (1 and 2)."""
        return _HELD.writing == self.key

    @contextmanager
    def write(self) -> Iterator[None]:
        """Levels 1 and 2: this file's write mutex, then its file lock (re-entrant on one thread)."""
        if _HELD.gates:
            raise LockOrderError(
                f"a store write lock was requested while holding a library gate ({', '.join(_HELD.gates)}); "
                "the gate is always the innermost lock"
            )
        if _HELD.writing not in (None, self.key):
            raise LockOrderError(f"a write to {self.key} was started inside a write to {_HELD.writing}")
        pid = os.getpid()
        self._mutex.acquire()
        try:
            outermost = self._depth == 0
            if outermost:
                Path(self.lock_path).parent.mkdir(parents=True, exist_ok=True)
                handle = open(self.lock_path, "a+")  # kept open for the whole write
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX)
                except BaseException:
                    handle.close()
                    raise
                self._handle = handle
                _HELD.writing = self.key
            self._depth += 1
        except BaseException:
            self._mutex.release()
            raise
        try:
            yield
        finally:
            if os.getpid() == pid:  # a child forked inside the write leaves its parent's locks alone
                self._release(outermost)

    def _release(self, outermost: bool) -> None:
        try:
            self._depth -= 1
            if outermost:
                held, self._handle = self._handle, None
                _HELD.writing = None
                self.versions.invalidate()  # whatever was written under the lock is a new version
                if held is not None:
                    try:
                        fcntl.flock(held, fcntl.LOCK_UN)
                    finally:
                        held.close()
        finally:
            self._mutex.release()

    @contextmanager
    def library(self, who: str) -> Iterator[None]:
        """Level 3: the ``gdal`` or ``sqlite3`` gate of this file; the same library re-enters on one thread."""
        if who not in ("gdal", "sqlite3"):
            raise ValueError(f"unknown library {who!r}")
        held = _HELD.gates.get(self.key)
        if held is not None:
            if held[0] != who:
                raise LockOrderError(
                    f"{who} was asked to open {self.key} while this thread uses it through {held[0]}; "
                    "the two SQLite libraries never touch one file at once"
                )
            held[1] += 1
            try:
                yield
            finally:
                held[1] -= 1
            return
        with self.gate.use(who):
            _HELD.gates[self.key] = [who, 1]
            try:
                yield
            finally:
                del _HELD.gates[self.key]


_FILES: dict[str, FileLocks] = {}
_FILES_LOCK = threading.Lock()


def file_locks(path: str | os.PathLike) -> FileLocks:
    """The process-wide locks of one GeoPackage store file (every store object on it shares them)."""
    key = os.path.realpath(os.fspath(path))
    with _FILES_LOCK:
        found = _FILES.get(key)
        if found is None:
            found = _FILES[key] = FileLocks(key)
        return found


def _after_fork_in_child() -> None:
    """A forked child owns none of its parent's locks: fresh mutexes and gates, the file lock not held.

    Reset in place: store objects made before the fork keep their :class:`FileLocks`.
    """
    global _FILES_LOCK, _HELD
    _FILES_LOCK = threading.Lock()
    for locks in _FILES.values():
        handle, locks._handle = locks._handle, None
        if handle is not None:  # closing our copy leaves the parent's lock alone (never LOCK_UN here)
            try:
                handle.close()
            except OSError:
                pass
        locks._mutex = threading.RLock()
        locks._depth = 0
        locks.gate = LibraryGate()
    _HELD = _Held()


os.register_at_fork(after_in_child=_after_fork_in_child)


# --- PostGIS: advisory locks in one order -----------------------------------------------------------

#: The advisory locks, outermost first (module docstring, PostGIS levels 1-3).
ADVISORY_ORDER = ("migrate", "fill", "layers")


class _OpenTransactions(threading.local):
    def __init__(self) -> None:
        self.stores: set[str] = set()


_OPEN = _OpenTransactions()


class AdvisoryLocks:
    """The PostGIS store's lock order: advisory locks 1-3 at the start of every write transaction."""

    def __init__(self, key: str):
        self.key = key

    @contextmanager
    def transaction(self, conn, locks: Iterable[str] = (), *, shared: bool = False) -> Iterator[None]:
        """Inside ``conn``'s open transaction: take ``locks`` (names of :data:`ADVISORY_ORDER`) in that order.

        ``shared`` takes the ``layers`` lock in shared mode (a single-zone edit). A write
        transaction on a store this thread already writes to raises :class:`LockOrderError`.
        """
        wanted = set(locks)
        unknown = wanted - set(ADVISORY_ORDER)
        if unknown:
            raise ValueError(f"unknown advisory lock(s) {sorted(unknown)}")
        if self.key in _OPEN.stores:
            raise LockOrderError(
                "a write transaction was opened on a PostGIS store inside another on the same thread; "
                "it would wait for the outer one forever"
            )
        _OPEN.stores.add(self.key)
        try:
            for name in ADVISORY_ORDER:
                if name in wanted:
                    function = (
                        "pg_advisory_xact_lock_shared" if shared and name == "layers" else "pg_advisory_xact_lock"
                    )
                    conn.execute(f"SELECT {function}(hashtext('geozones-{name}:' || current_schema()))")
            yield
        finally:
            _OPEN.stores.discard(self.key)


__all__ = ["ADVISORY_ORDER", "AdvisoryLocks", "FileLocks", "LibraryGate", "LockOrderError", "file_locks"]
