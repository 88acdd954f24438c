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


def encode(geometry: BaseGeometry, srs_id: int) -> bytes:
    """A little-endian GeoPackage geometry blob with an XY envelope."""
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
