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
    envelope = struct.unpack(order + f"{count}d", blob[8 : 8 + 8 * count]) if count else None
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
        return (envelope[0], envelope[1], envelope[2], envelope[3])
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


# --- whole-layer writes inside the live file ----------------------------------------------------
#
# A whole layer (a scenario result, an import, a reset) is written by GDAL into a fresh
# scratch GeoPackage, then copied into the store in ONE SQLite write transaction on the
# store's own connection (WAL journal, the same lock edits take). The store file is never
# replaced: its write-ahead log, its -shm index and every open connection stay valid, the
# copy is atomic (all layers or none) and durable once it commits, and edits interleave
# with it like any other transaction.

#: GeoPackage bookkeeping tables whose rows describe one layer (column holding the name).
_LAYER_ROWS = (
    ("gpkg_contents", "table_name"),
    ("gpkg_geometry_columns", "table_name"),
    ("gpkg_extensions", "table_name"),
    ("gpkg_ogr_contents", "table_name"),
    ("gpkg_data_columns", "table_name"),
)


def _tables(db: sqlite3.Connection, schema: str) -> set[str]:
    return {r[0] for r in db.execute(f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table'")}


def _owned(db: sqlite3.Connection, schema: str, name: str) -> list[tuple[str, str, str]]:
    """(type, name, sql) of the layer's table, its R-tree and the indexes and triggers on it."""
    rtrees: list[str] = []
    if "gpkg_geometry_columns" in _tables(db, schema):
        rtrees = [
            f"rtree_{name}_{r[0]}"
            for r in db.execute(f"SELECT column_name FROM {schema}.gpkg_geometry_columns WHERE table_name = ?", (name,))
        ]
    rows = db.execute(
        f"SELECT type, name, sql FROM {schema}.sqlite_master WHERE sql IS NOT NULL AND "
        "(name = ? OR (tbl_name = ? AND type IN ('index', 'trigger')))",
        (name, name),
    ).fetchall()
    for rtree in rtrees:
        found = db.execute(f"SELECT type, name, sql FROM {schema}.sqlite_master WHERE name = ?", (rtree,)).fetchone()
        if found:
            rows.append(found)
    return rows


def drop_layer(db: sqlite3.Connection, name: str) -> None:
    """Remove one layer (table, R-tree, bookkeeping rows, styles) inside the caller's transaction."""
    tables = _tables(db, "main")
    for kind, obj, _ in _owned(db, "main", name):
        if kind == "table":
            db.execute(f"DROP TABLE IF EXISTS main.{quote(obj)}")
    for table, column in _LAYER_ROWS:
        if table in tables:
            db.execute(f"DELETE FROM main.{table} WHERE {column} = ?", (name,))
    if "gpkg_metadata_reference" in tables:
        db.execute("DELETE FROM main.gpkg_metadata_reference WHERE table_name = ?", (name,))
    if "layer_styles" in tables:
        db.execute("DELETE FROM main.layer_styles WHERE f_table_name = ?", (name,))
    if "sqlite_sequence" in tables:
        db.execute("DELETE FROM main.sqlite_sequence WHERE name = ?", (name,))


def copy_layer(db: sqlite3.Connection, name: str, source: str = "src") -> None:
    """Replace layer ``name`` of the store by the one in the attached scratch file ``source``.

    Runs inside the caller's transaction. The layer's style rows are replaced only when the
    scratch file carries a style for it; otherwise the store's style rows are kept.
    """
    main_tables, src_tables = _tables(db, "main"), _tables(db, source)
    if name not in src_tables:
        raise ValueError(f"layer {name!r} is not in the scratch file")
    styled = (
        "layer_styles" in src_tables
        and db.execute(f"SELECT 1 FROM {source}.layer_styles WHERE f_table_name = ?", (name,)).fetchone()
    )
    kept_styles = []
    if not styled and "layer_styles" in main_tables:
        kept_styles = db.execute("SELECT * FROM main.layer_styles WHERE f_table_name = ?", (name,)).fetchall()
    drop_layer(db, name)
    # bookkeeping tables the store lacks (e.g. layer_styles, gpkg_metadata on an old store)
    for table in sorted(src_tables - main_tables):
        if table.startswith(("gpkg_", "layer_styles")):
            sql = db.execute(f"SELECT sql FROM {source}.sqlite_master WHERE name = ?", (table,)).fetchone()[0]
            db.execute(sql)
    main_tables = _tables(db, "main")
    owned = _owned(db, source, name)
    for kind, obj, sql in owned:  # the table and its R-tree first
        if kind == "table":
            db.execute(sql)
            db.execute(f"INSERT INTO main.{quote(obj)} SELECT * FROM {source}.{quote(obj)}")
    for kind, _, sql in owned:  # then indexes and triggers (which reference them)
        if kind in ("index", "trigger"):
            db.execute(sql)
    db.execute(
        f"INSERT OR IGNORE INTO main.gpkg_spatial_ref_sys SELECT * FROM {source}.gpkg_spatial_ref_sys "
        f"WHERE srs_id IN (SELECT srs_id FROM {source}.gpkg_contents WHERE table_name = ?)",
        (name,),
    )
    for table, column in _LAYER_ROWS:
        if table in src_tables and table in main_tables:
            db.execute(f"INSERT INTO main.{table} SELECT * FROM {source}.{table} WHERE {column} = ?", (name,))
    if "gpkg_metadata_reference" in src_tables:
        for md_id, scope, standard, mime, metadata in db.execute(
            f"SELECT m.id, m.md_scope, m.md_standard_uri, m.mime_type, m.metadata FROM {source}.gpkg_metadata m "
            f"JOIN {source}.gpkg_metadata_reference r ON r.md_file_id = m.id WHERE r.table_name = ?",
            (name,),
        ).fetchall():
            new_id = db.execute(
                "INSERT INTO main.gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) VALUES (?, ?, ?, ?)",
                (scope, standard, mime, metadata),
            ).lastrowid
            db.execute(
                "INSERT INTO main.gpkg_metadata_reference (reference_scope, table_name, column_name, "
                "row_id_value, timestamp, md_file_id, md_parent_id) SELECT reference_scope, table_name, "
                f"column_name, row_id_value, timestamp, ?, NULL FROM {source}.gpkg_metadata_reference "
                "WHERE table_name = ? AND md_file_id = ?",
                (new_id, name, md_id),
            )
    columns = (
        "f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, styleQML, styleSLD, "
        "useAsDefault, description, owner, ui, update_time"
    )
    if styled:
        db.execute(
            f"INSERT INTO main.layer_styles ({columns}) SELECT {columns} FROM {source}.layer_styles "
            "WHERE f_table_name = ?",
            (name,),
        )
    elif kept_styles:
        marks = ", ".join("?" * len(kept_styles[0]))
        db.executemany(f"INSERT INTO main.layer_styles VALUES ({marks})", kept_styles)


def replace_layers(
    path: str | os.PathLike,
    scratch: str | os.PathLike,
    names: list[str],
    *,
    drop: tuple[str, ...] = (),
    extra_sql: tuple[str, ...] = (),
    timeout: float = 60.0,
) -> None:
    """Copy ``names`` from the GeoPackage ``scratch`` into ``path`` (and drop ``drop``) in one transaction.

    The store is switched to (and kept in) WAL mode; the caller holds the store's write locks and its
    ``sqlite3`` gate (:mod:`geozones.store.locking`).
    ``extra_sql`` statements run in the same transaction after the copy.
    """
    db = connect(path, timeout=timeout)
    try:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        db.execute("ATTACH DATABASE ? AS src", (os.fspath(scratch),))
        db.execute("BEGIN IMMEDIATE")
        try:
            for name in drop:
                drop_layer(db, name)
            for name in names:
                copy_layer(db, name)
            for statement in extra_sql:
                db.execute(statement)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        db.execute("DETACH DATABASE src")
    finally:
        db.close()
