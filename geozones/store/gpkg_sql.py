"""Row-level GeoPackage access with the standard library's sqlite3.

GeoPackage geometries are a small header plus WKB (GeoPackage 1.3, clause 2.1.3). The
R-tree spatial index GDAL creates is kept in sync by triggers stored in the file; they
call ``ST_IsEmpty`` and ``ST_MinX``/``ST_MaxX``/``ST_MinY``/``ST_MaxY``, which
:func:`connect` registers, so plain SQL inserts, updates and deletes keep the index
right.
"""

from __future__ import annotations

import os
import sqlite3
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import shapely
from shapely.geometry.base import BaseGeometry

_ENVELOPE_DOUBLES = {0: 0, 1: 4, 2: 6, 3: 6, 4: 8}


def _header(blob: bytes) -> tuple[int, int, tuple[float, ...] | None, bool]:
    """(header length, srs id, envelope or None, empty flag) of a GeoPackage geometry blob."""
    if blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry blob")
    flags = blob[3]
    order = "<" if flags & 1 else ">"
    envelope_type = (flags >> 1) & 7
    count = _ENVELOPE_DOUBLES[envelope_type]
    srs_id = struct.unpack(order + "i", blob[4:8])[0]
    envelope = struct.unpack(order + f"{count}d", blob[8:8 + 8 * count]) if count else None
    return 8 + 8 * count, srs_id, envelope, bool(flags & 0x10)


def decode(blob: bytes | None) -> BaseGeometry | None:
    """A shapely geometry from a GeoPackage geometry blob."""
    if blob is None:
        return None
    size, _, _, _ = _header(blob)
    return shapely.from_wkb(bytes(blob[size:]))


def encode(geometry: BaseGeometry | None, srs_id: int) -> bytes | None:
    """A little-endian GeoPackage geometry blob with an XY envelope (None stays NULL)."""
    if geometry is None:
        return None
    wkb = shapely.to_wkb(geometry, output_dimension=2, byte_order=1)
    if shapely.is_empty(geometry):
        return b"GP" + bytes([0, 0x11]) + struct.pack("<i", srs_id) + wkb
    minx, miny, maxx, maxy = shapely.bounds(geometry)
    return b"GP" + bytes([0, 0x03]) + struct.pack("<i4d", srs_id, minx, maxx, miny, maxy) + wkb


def _bounds(blob: bytes | None) -> tuple[float, float, float, float] | None:
    """(minx, maxx, miny, maxy) from the blob's envelope, or computed from its WKB."""
    if blob is None:
        return None
    size, _, envelope, empty = _header(blob)
    if empty:
        return None
    if envelope:
        return envelope[:4]
    minx, miny, maxx, maxy = shapely.bounds(shapely.from_wkb(bytes(blob[size:])))
    return minx, maxx, miny, maxy


def _is_empty(blob):
    if blob is None:
        return None
    size, _, _, empty = _header(blob)
    return 1 if empty or shapely.is_empty(shapely.from_wkb(bytes(blob[size:]))) else 0


def _coordinate(index: int):
    def value(blob):
        box = _bounds(blob)
        return None if box is None else box[index]
    return value


def connect(path: str | os.PathLike, *, timeout: float = 60.0, readonly: bool = False) -> sqlite3.Connection:
    """Open a GeoPackage for row-level SQL with the functions GDAL's triggers need.

    The connection is in autocommit mode (``isolation_level=None``): callers issue
    ``BEGIN IMMEDIATE`` / ``COMMIT`` themselves.
    """
    uri = f"file:{os.fspath(path)}?mode=ro" if readonly else os.fspath(path)
    db = sqlite3.connect(uri, timeout=timeout, isolation_level=None, uri=readonly, check_same_thread=False)
    db.create_function("ST_IsEmpty", 1, _is_empty, deterministic=True)
    for index, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        db.create_function(name, 1, _coordinate(index), deterministic=True)
    db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    return db


def quote(name: str) -> str:
    """Quote an SQL identifier (only ever used with schema field names and table names we own)."""
    return '"' + name.replace('"', '""') + '"'


# --- one SQLite library at a time per file ----------------------------------------------------
#
# GDAL (through pyogrio) links its own copy of SQLite; Python's sqlite3 module another.
# POSIX locks belong to the process, so two SQLite copies in one process cannot see each
# other's locks: one may decide it is the file's last user and fold and delete the WAL
# (or roll back a "hot" journal) under the other's feet -- a SIGBUS or a lost write.
# Inside one process the store therefore never lets the two touch the same file at once.
# Between processes SQLite's own locking works as usual.


class LibraryGate:
    """Many users of one library at a time; the other library waits its turn (no starvation)."""

    def __init__(self):
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


_GATES: dict[str, LibraryGate] = {}
_GATES_LOCK = threading.Lock()


def gate(path: str | os.PathLike) -> LibraryGate:
    """The process-wide gate of one GeoPackage file."""
    key = os.path.realpath(os.fspath(path))
    with _GATES_LOCK:
        return _GATES.setdefault(key, LibraryGate())
