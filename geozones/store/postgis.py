"""The PostGIS store: the same interface as the GeoPackage store, for a shared provincial server.

Choose it with ``GEOZONES_DATABASE_URL=postgresql://user@host/db`` (or
``open_store(url=...)``). The schema is created and upgraded by the versioned SQL files
in ``geozones/migrations`` (``0001_init.sql``, ...), applied in order and recorded in
``schema_migrations``. Zones live in the ``zones`` table with a GiST index on their
geometry, in the storage CRS chosen at creation (EPSG:4326 by default, or a VN-2000
CRS such as EPSG:9213); other layers get one table each (``layer_<name>``).

Every write is one transaction. SQL is composed only with :mod:`psycopg.sql`
identifiers and bound parameters.

Locks: every write transaction starts with the store's advisory locks, taken through
:class:`geozones.store.locking.AdvisoryLocks` in one order -- ``migrate`` -> ``fill`` ->
``layers`` (exclusive for whole-layer writes, shared for single-zone edits) -> table and
row locks in statement order -> the ``data_version`` row (the last statement). Reads take
none. See :mod:`geozones.store.locking` and docs/storage.md ("Locks").
"""

from __future__ import annotations

import queue
import re
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geozones.errors import (
    ConflictError,
    InputTooLargeError,
    InvalidParameterError,
    StoreError,
    UnknownAttributeError,
    ZoneNotFoundError,
)
from geozones.schema import ZONE_FIELD_NAMES, check_ids, validate_zones
from geozones.store.base import ZONES, read_shipped, shipped_layers
from geozones.store.edits import FeatureEditing
from geozones.store.locking import AdvisoryLocks
from geozones.store.records import HistoryEntry, StoredZone, plain_value

try:  # an optional dependency: pip install 'geozones[postgis]'
    import psycopg
    from psycopg import sql
    from psycopg.types.json import Jsonb
except ImportError:  # pragma: no cover - exercised only without the extra
    psycopg = None  # type: ignore[assignment]

#: Layer names that can become table names (checked before any SQL is composed).
LAYER_NAME = re.compile(r"^[a-z][a-z0-9_]{0,50}$")
_MIGRATION_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_HISTORY_COLUMNS = "seq, zone_id, version, op, actor, at, etag_before, etag_after, before, after"
_SQL_TYPES = {"b": "boolean", "i": "bigint", "u": "bigint", "f": "double precision"}


def migrations() -> list[tuple[int, str, str]]:
    """The shipped migrations in order: (version, name, SQL text)."""
    found = []
    for entry in resources.files("geozones.store.migrations").iterdir():
        match = _MIGRATION_FILE.match(entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found)


def _scalar(conn, query: str):
    """The first column of the one row ``query`` returns (a store without that row is broken)."""
    row = conn.execute(query).fetchone()
    if row is None:
        raise StoreError(f"the PostGIS store is incomplete: no row for {query!r}; run 'geozones store migrate'")
    return row[0]


def _require_psycopg() -> None:
    if psycopg is None:
        raise StoreError("the PostGIS store needs psycopg: pip install 'geozones[postgis]'")


class PostGISStore(FeatureEditing):
    """A zone store in a PostgreSQL/PostGIS database.

    Parameters
    ----------
    url : str
        libpq connection URL, e.g. ``postgresql://geozones@db.example/geozones``.
    schema : str
        Database schema holding the store's tables (created if missing).
    srid : int
        Storage CRS for a new store (EPSG code); an existing store keeps its own.
    data_dir : path-like, optional
        Shipped data to fill a new store from (default: the repository's ``data/``).
    pool_size : int
        Idle connections kept open for reuse.
    """

    def __init__(self, url: str, *, schema: str = "public", srid: int = 4326, data_dir=None, pool_size: int = 8):
        _require_psycopg()
        if not LAYER_NAME.match(schema):
            raise InvalidParameterError(f"schema name {schema!r} must match {LAYER_NAME.pattern}")
        self.url = url
        self.schema = schema
        self.srid = int(srid)
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self._idle: queue.LifoQueue = queue.LifoQueue(maxsize=pool_size)
        self._cache: dict[str, tuple[str, gpd.GeoDataFrame | pd.DataFrame]] = {}
        self._locks = AdvisoryLocks(f"{url}#{schema}")

    def __repr__(self) -> str:
        return f"PostGISStore(schema={self.schema!r})"

    # -- connections -------------------------------------------------------------------------

    def _connect(self):
        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as exc:
            raise StoreError(f"cannot connect to PostgreSQL: {exc}") from exc
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema)))
        conn.execute(sql.SQL("SET search_path TO {}, public").format(sql.Identifier(self.schema)))
        if _scalar(conn, "SELECT to_regclass('geozones_meta')") is not None:
            row = conn.execute("SELECT value FROM geozones_meta WHERE key = 'srid'").fetchone()
            self.srid = int(row[0]) if row else self.srid  # an existing store keeps its storage CRS
        return conn

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection]:
        try:
            conn = self._idle.get_nowait()
        except queue.Empty:
            conn = self._connect()
        try:
            yield conn
        finally:
            if conn.closed or conn.broken or conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                conn.close()
            else:
                try:
                    self._idle.put_nowait(conn)
                except queue.Full:
                    conn.close()

    @contextmanager
    def _transaction(self, *locks: str, shared: bool = False) -> Iterator[psycopg.Connection]:
        """One write transaction that first takes the advisory ``locks`` in the store's one order.

        ``locks`` name :data:`geozones.store.locking.ADVISORY_ORDER` entries; ``shared`` takes the
        ``layers`` lock in shared mode (single-zone edits).
        """
        with self._connection() as conn:
            try:
                with conn.transaction(), self._locks.transaction(conn, locks, shared=shared):
                    yield conn
            except psycopg.errors.UniqueViolation as exc:
                raise ConflictError(f"a concurrent edit got there first: {exc.diag.message_detail or exc}") from exc
            except psycopg.Error as exc:
                raise StoreError(f"database write failed, store unchanged: {exc}") from exc

    def close(self) -> None:
        """Close the pooled connections."""
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return

    # -- life cycle ----------------------------------------------------------------------------

    def migrate(self) -> list[int]:
        """Apply the migrations this database lacks, in order; returns the versions applied."""
        applied_now = []
        with self._transaction("migrate", "layers") as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, "
                "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
            for version, name, text in migrations():
                if version in done:
                    continue
                conn.execute(sql.SQL(text.replace("{srid}", "{srid_}")).format(srid_=sql.Literal(self.srid)))
                conn.execute("INSERT INTO schema_migrations (version, name) VALUES (%s, %s)", (version, name))
                applied_now.append(version)
        return applied_now

    def schema_version(self) -> int:
        """The highest migration applied (0 for an empty database)."""
        with self._connection() as conn:
            exists = _scalar(conn, "SELECT to_regclass('schema_migrations')")
            if exists is None:
                return 0
            return int(_scalar(conn, "SELECT coalesce(max(version), 0) FROM schema_migrations"))

    def ensure(self) -> PostGISStore:
        """Create or upgrade the schema; fill an empty store from the shipped data."""
        self.migrate()
        with self._transaction("fill", "layers") as conn:
            self.srid = int(_scalar(conn, "SELECT value FROM geozones_meta WHERE key = 'srid'"))
            filled = conn.execute("SELECT value FROM geozones_meta WHERE key = 'filled'").fetchone()
            if filled is None:
                for name, path in shipped_layers(self.data_dir).items():
                    self._write(conn, name, read_shipped(name, path))
                conn.execute("INSERT INTO geozones_meta (key, value) VALUES ('filled', now()::text)")
        return self

    def reset(self) -> PostGISStore:
        """Replace every layer by the shipped data (the history is kept)."""
        with self._transaction("layers") as conn:
            for name, path in shipped_layers(self.data_dir).items():
                self._write(conn, name, read_shipped(name, path))
        return self

    # -- reading -----------------------------------------------------------------------------

    def version(self) -> str:
        """Changes with every committed write."""
        with self._connection() as conn:
            return _scalar(conn, "SELECT value FROM geozones_meta WHERE key = 'data_version'")

    def layers(self) -> list[str]:
        """Names of every layer and table in the store."""
        with self._connection() as conn:
            return [ZONES] + [r[0] for r in conn.execute("SELECT name FROM geozones_layers ORDER BY name")]

    def layer(self, name: str) -> gpd.GeoDataFrame | pd.DataFrame:
        """Read one layer (a GeoDataFrame) or table (a DataFrame); cached until the next write."""
        version = self.version()
        cached = self._cache.get(name)
        if cached and cached[0] == version:
            return cached[1].copy()
        frame = self._read_zones() if name == ZONES else self._read_layer(name)
        self._cache[name] = (version, frame)
        return frame.copy()

    def zones(self) -> gpd.GeoDataFrame:
        """The validated zone layer."""
        return self.layer(ZONES)

    def _read_zones(self) -> gpd.GeoDataFrame:
        query = sql.SQL("SELECT {}, public.ST_AsBinary(geometry) FROM zones ORDER BY fid").format(
            sql.SQL(", ").join(map(sql.Identifier, ZONE_FIELD_NAMES))
        )
        with self._connection() as conn:
            rows = conn.execute(query).fetchall()
        frame = pd.DataFrame.from_records([r[:-1] for r in rows], columns=list(ZONE_FIELD_NAMES))
        geometry = (
            shapely.from_wkb(np.array([bytes(r[-1]) if r[-1] is not None else None for r in rows], dtype=object))
            if rows
            else []
        )
        return validate_zones(gpd.GeoDataFrame(frame, geometry=geometry, crs=f"EPSG:{self.srid}"))

    def _read_layer(self, name: str) -> gpd.GeoDataFrame | pd.DataFrame:
        with self._connection() as conn:
            meta = conn.execute(
                "SELECT table_name, srid, columns FROM geozones_layers WHERE name = %s", (name,)
            ).fetchone()
            if meta is None:
                raise UnknownAttributeError(f"no layer {name!r} in the store; layers: {', '.join(self.layers())}")
            table, srid, columns = meta
            names = [c[0] for c in columns]
            selected: list[sql.Composable] = [sql.Identifier(c) for c in names]
            if srid is not None:
                selected.append(sql.SQL("public.ST_AsBinary(geometry)"))
            query = sql.SQL("SELECT {} FROM {} ORDER BY geozones_fid").format(
                sql.SQL(", ").join(selected) if selected else sql.SQL("1"), sql.Identifier(table)
            )
            rows = conn.execute(query).fetchall()
        frame = pd.DataFrame.from_records([r[: len(names)] for r in rows], columns=names)
        for column, dtype in columns:
            if dtype != "object":
                frame[column] = frame[column].astype(dtype if not dtype.startswith("int") else "Int64")
        if srid is None:
            return frame
        geometry = (
            shapely.from_wkb(np.array([bytes(r[-1]) if r[-1] is not None else None for r in rows], dtype=object))
            if rows
            else []
        )
        return gpd.GeoDataFrame(frame, geometry=geometry, crs=f"EPSG:{srid}")

    # -- writing whole layers ------------------------------------------------------------------

    def write_zones(self, zones: gpd.GeoDataFrame) -> None:
        """Validate and replace the zone layer in one transaction."""
        self.write_layer(ZONES, zones)

    def write_layer(self, name: str, frame: gpd.GeoDataFrame | pd.DataFrame) -> None:
        """Add or replace one layer in one transaction; the rest of the store is kept."""
        if name == ZONES:
            frame = validate_zones(frame)
            check_ids(frame)  # a store never takes an id it could not serve (docs/security.md)
        elif not LAYER_NAME.match(name):
            raise InvalidParameterError(
                f"layer name {name!r} must match {LAYER_NAME.pattern} (lower-case letters, digits, _)"
            )
        with self._transaction("layers") as conn:
            self._write(conn, name, frame)

    def append_rows(self, name: str, frame: pd.DataFrame, *, max_rows: int | None = None) -> int:
        """Append rows to a non-spatial table in one transaction, under the exclusive ``layers`` advisory lock.

        The lock is taken through :class:`geozones.store.locking.AdvisoryLocks` (the store's one lock
        order): the append rewrites the table, so it runs alone like any whole-layer write.

        Returns the number of rows the table then holds; a table that would exceed ``max_rows``
        raises :class:`~geozones.errors.InputTooLargeError` and is left unchanged.
        """
        if name == ZONES:
            raise StoreError("zones are added with create_zone")
        if not LAYER_NAME.match(name):
            raise InvalidParameterError(f"layer name {name!r} must match {LAYER_NAME.pattern}")
        with self._transaction("layers") as conn:
            new = pd.DataFrame(frame)
            if conn.execute("SELECT 1 FROM geozones_layers WHERE name = %s", (name,)).fetchone():
                new = pd.concat([self._read_layer(name), new], ignore_index=True)
            if max_rows is not None and len(new) > max_rows:
                raise InputTooLargeError(f"the {name} table is full ({max_rows} rows)")
            self._write(conn, name, new)
            return len(new)

    def delete_layer(self, name: str) -> None:
        """Remove a layer (never the zone layer)."""
        if name == ZONES:
            raise StoreError("the zone layer cannot be deleted")
        with self._transaction("layers") as conn:
            row = conn.execute("DELETE FROM geozones_layers WHERE name = %s RETURNING table_name", (name,)).fetchone()
            if row is not None:
                conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(row[0])))
                _bump(conn)

    def _write(self, conn, name: str, frame) -> None:
        if name == ZONES:
            self._write_zones(conn, validate_zones(frame))
        else:
            self._write_other(conn, name, frame)
        _bump(conn)

    def _write_zones(self, conn, zones: gpd.GeoDataFrame) -> None:
        zones = zones.to_crs(epsg=self.srid) if zones.crs.to_epsg() != self.srid else zones
        conn.execute("LOCK TABLE zones IN SHARE ROW EXCLUSIVE MODE")
        conn.execute("DELETE FROM zones")
        columns = sql.SQL(", ").join(map(sql.Identifier, [*ZONE_FIELD_NAMES, "geometry"]))
        geometry = shapely.to_wkb(shapely.set_srid(zones.geometry.array, self.srid), hex=True, include_srid=True)
        with conn.cursor().copy(sql.SQL("COPY zones ({}) FROM STDIN").format(columns)) as copy:
            for row, wkb in zip(zones[list(ZONE_FIELD_NAMES)].itertuples(index=False, name=None), geometry):
                copy.write_row((*map(_python, row), wkb))

    def _write_other(self, conn, name: str, frame) -> None:
        table = f"layer_{name}"
        spatial = isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None
        attributes = pd.DataFrame(frame.drop(columns=frame.geometry.name) if spatial else frame)
        srid = None
        if spatial:
            srid = frame.crs.to_epsg()
            if srid is None:
                frame, srid = frame.to_crs(epsg=4326), 4326
        columns = [(str(c), str(attributes[c].dtype)) for c in attributes.columns]
        definitions: list[sql.Composable] = [sql.SQL("geozones_fid bigserial PRIMARY KEY")]
        for column, dtype in columns:
            kind = _SQL_TYPES.get(
                np.dtype(dtype).kind if dtype in ("bool", "int64", "float64", "int32", "float32") else "O", "text"
            )
            definitions.append(sql.SQL("{} {}").format(sql.Identifier(column), sql.SQL(kind)))
        if spatial:
            definitions.append(sql.SQL("geometry public.geometry(Geometry, {})").format(sql.Literal(srid)))
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(table)))
        conn.execute(sql.SQL("CREATE TABLE {} ({})").format(sql.Identifier(table), sql.SQL(", ").join(definitions)))
        names = [sql.Identifier(c) for c, _ in columns] + ([sql.Identifier("geometry")] if spatial else [])
        geometry = (
            shapely.to_wkb(shapely.set_srid(frame.geometry.array, srid), hex=True, include_srid=True)
            if spatial
            else [None] * len(attributes)
        )
        if names:
            with conn.cursor().copy(
                sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), sql.SQL(", ").join(names))
            ) as copy:
                for row, wkb in zip(attributes.itertuples(index=False, name=None), geometry):
                    values = tuple(_python(v) for v in row)
                    copy.write_row((*values, wkb) if spatial else values)
        if spatial:
            conn.execute(sql.SQL("CREATE INDEX ON {} USING gist (geometry)").format(sql.Identifier(table)))
        conn.execute(
            "INSERT INTO geozones_layers (name, table_name, srid, columns) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (name) DO UPDATE SET table_name = EXCLUDED.table_name, srid = EXCLUDED.srid, "
            "columns = EXCLUDED.columns, written_at = now()",
            (name, table, srid, Jsonb(columns)),
        )

    # -- feature-level edits -----------------------------------------------------------------

    @contextmanager
    def _edit(self) -> Iterator[_PgTransaction]:
        with self._transaction("layers", shared=True) as conn:
            tx = _PgTransaction(conn, self.srid)
            yield tx
            _bump(conn)

    def get_zone(self, zone_id: str) -> StoredZone:
        """One zone as stored, with its ETag.

        Raises
        ------
        ZoneNotFoundError
        """
        with self._connection() as conn:
            found = _PgTransaction(conn, self.srid).fetch(str(zone_id), lock=False)
        if found is None:
            raise ZoneNotFoundError(f"no zone with id {zone_id!r}")
        return found[1]

    def history(self, zone_id: str | None = None, limit: int | None = None) -> list[HistoryEntry]:
        """Recorded changes, newest first: of one zone, or of every zone."""
        where = sql.SQL("WHERE zone_id = %s") if zone_id is not None else sql.SQL("")
        query = sql.SQL("SELECT {} FROM zone_history {} ORDER BY seq DESC LIMIT %s").format(
            sql.SQL(_HISTORY_COLUMNS), where
        )
        params = ([zone_id] if zone_id is not None else []) + [limit]
        with self._connection() as conn:
            return [HistoryEntry.from_row(r) for r in conn.execute(query, params).fetchall()]


def _python(value):
    """A value psycopg can send: None for every kind of missing, Python scalars for numpy ones."""
    plain = plain_value(value)
    if plain is None or isinstance(plain, (bool, int, float, str)) or hasattr(value, "isoformat"):
        return None if plain is None else (value if hasattr(value, "isoformat") else plain)
    return str(plain)


def _bump(conn) -> None:
    conn.execute("UPDATE geozones_meta SET value = (value::bigint + 1)::text WHERE key = 'data_version'")


class _PgTransaction:
    """Row-level access to the zones table inside one PostgreSQL transaction."""

    def __init__(self, conn, srid: int):
        self.conn = conn
        self.srid = srid
        self.crs = f"EPSG:{srid}"
        self.columns = sql.SQL(", ").join(map(sql.Identifier, ZONE_FIELD_NAMES))

    def fetch(self, zone_id: str, lock: bool = True):
        query = sql.SQL("SELECT fid, {}, public.ST_AsBinary(geometry) FROM zones WHERE id = %s{}").format(
            self.columns, sql.SQL(" FOR UPDATE") if lock else sql.SQL("")
        )
        row = self.conn.execute(query, (zone_id,)).fetchone()
        if row is None:
            return None
        geometry = shapely.from_wkb(bytes(row[-1])) if row[-1] is not None else None
        return row[0], StoredZone.of(dict(zip(ZONE_FIELD_NAMES, row[1:-1])), geometry, self.crs)

    def _values(self, zone: StoredZone) -> list:
        wkb = None if zone.geometry is None else shapely.to_wkb(zone.geometry, output_dimension=2, byte_order=1)
        return [zone.properties[n] for n in ZONE_FIELD_NAMES] + [wkb, self.srid]

    def insert(self, zone: StoredZone) -> None:
        marks = sql.SQL(", ").join(sql.Placeholder() * len(ZONE_FIELD_NAMES))
        self.conn.execute(
            sql.SQL("INSERT INTO zones ({}, geometry) VALUES ({}, public.ST_GeomFromWKB(%s, %s))").format(
                self.columns, marks
            ),
            self._values(zone),
        )

    def update(self, key, zone: StoredZone) -> None:
        marks = sql.SQL(", ").join(sql.Placeholder() * len(ZONE_FIELD_NAMES))
        self.conn.execute(
            sql.SQL("UPDATE zones SET ({}, geometry) = ({}, public.ST_GeomFromWKB(%s, %s)) WHERE fid = %s").format(
                self.columns, marks
            ),
            [*self._values(zone), key],
        )

    def delete(self, key) -> None:
        self.conn.execute("DELETE FROM zones WHERE fid = %s", (key,))

    def last_version(self, zone_id: str) -> int:
        row = self.conn.execute("SELECT max(version) FROM zone_history WHERE zone_id = %s", (zone_id,)).fetchone()
        return int(row[0] or 0)

    def entry(self, zone_id: str, version: int) -> HistoryEntry | None:
        row = self.conn.execute(
            f"SELECT {_HISTORY_COLUMNS} FROM zone_history WHERE zone_id = %s AND version = %s", (zone_id, version)
        ).fetchone()
        return HistoryEntry.from_row(row) if row else None

    def record(self, entry: HistoryEntry) -> None:
        self.conn.execute(
            "INSERT INTO zone_history (zone_id, version, op, actor, at, etag_before, etag_after, before, after) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                entry.zone_id,
                entry.version,
                entry.op,
                entry.actor,
                entry.at,
                entry.etag_before,
                entry.etag_after,
                Jsonb(entry.before) if entry.before else None,
                Jsonb(entry.after) if entry.after else None,
            ),
        )


__all__ = ["PostGISStore", "migrations", "LAYER_NAME"]
