"""The embedded zone store: one GeoPackage, created from the shipped files on first use.

The API and the CLI read through a store. Every write is atomic: a single-zone edit is one
SQLite transaction, a whole-layer write is copied in from a scratch file in one transaction,
so a failed or killed write leaves the previous state intact and readers never see half a write.

Locks: every operation takes them through :mod:`geozones.store.locking`, in one order --
write mutex (this process) -> file lock (``flock`` on ``<store>.lock``, other processes) ->
library gate (``gdal`` or ``sqlite3``) -> SQLite's own locks. Writes take all of them,
reads only the gate. See that module's docstring and docs/storage.md ("Locks").
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geozones import io as _io
from geozones.errors import InputTooLargeError, StoreError, UnknownAttributeError, ZoneNotFoundError
from geozones.paths import default_store_path
from geozones.schema import ZONE_FIELD_NAMES, ZONE_FIELDS, check_ids, validate_zones
from geozones.store import gpkg_sql, locking
from geozones.store.base import ZONES, read_shipped, shipped_layers
from geozones.store.edits import FeatureEditing
from geozones.store.records import HistoryEntry, StoredZone

#: Tables the store keeps for itself (never listed as layers).
HISTORY_TABLE = "geozones_history"
#: One row per whole-layer write (its sequence is part of :meth:`GeoPackageStore.version`).
LAYER_WRITES_TABLE = "geozones_layer_writes"


def _process_alive(pid: int) -> bool:
    """Whether a process with this pid runs on this machine (a pid we may not signal counts as alive)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True
    return True


class GeoPackageStore(FeatureEditing):
    """A zone store in one GeoPackage file.

    Whole layers are written atomically (a temporary copy renamed into place under a
    file lock). Single-zone edits are SQLite transactions on the zone table (WAL
    journal, ``BEGIN IMMEDIATE``, a busy timeout) that also append to the history table;
    the GeoPackage's R-tree index is kept in sync by its own triggers.

    Parameters
    ----------
    path : path-like, optional
        The GeoPackage; default :func:`geozones.paths.default_store_path`.
    data_dir : path-like, optional
        Shipped data to create the store from on first use.
    """

    def __init__(self, path: str | os.PathLike | None = None, data_dir: str | os.PathLike | None = None):
        self.path = Path(path) if path is not None else default_store_path()
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self._cache: dict[str, tuple[str, gpd.GeoDataFrame | pd.DataFrame]] = {}
        self._locks = locking.file_locks(self.path)  # shared by every store object on this file
        self._shipped_checked = False
        self._versions = self._locks.versions  # version() without opening SQLite per call (shared per file)

    def __repr__(self) -> str:
        return f"GeoPackageStore({str(self.path)!r})"

    # -- life cycle ---------------------------------------------------------------------

    def ensure(self) -> GeoPackageStore:
        """Create the store from the shipped files if it does not exist yet.

        An existing store made by an older geozones gets the shipped layers it lacks (e.g.
        new infrastructure layers), once per instance; layers it has are never touched.
        """
        if self.path.exists():
            if not self._shipped_checked:
                self._shipped_checked = True
                self._sweep_scratch()
                self._add_missing_shipped()
                self._add_missing_columns()
            return self
        with self._locks.write():
            if not self.path.exists():
                self._build(shipped_layers(self.data_dir))
        self._shipped_checked = True
        return self

    def _sweep_scratch(self) -> None:
        """Delete the scratch GeoPackages of layer writers that died (killed mid-write) beside the store.

        A scratch file is named ``.<store>.scratch.<pid>.<random>.gpkg``; it is removed when no process
        with that pid runs on this machine (a live writer's file is left alone).
        """
        pattern = re.compile(rf"^\.{re.escape(self.path.stem)}\.scratch\.(\d+)\.[^.]+\.gpkg(-wal|-shm|-journal)?$")
        try:
            entries = list(os.scandir(self.path.parent))
        except OSError:
            return
        for entry in entries:
            match = pattern.match(entry.name)
            if match is None or _process_alive(int(match.group(1))):
                continue
            with suppress(OSError):
                os.unlink(entry.path)

    def _add_missing_shipped(self) -> None:
        try:
            shipped = shipped_layers(self.data_dir)
        except FileNotFoundError:  # no shipped data next to this installation
            return
        with self._locks.library("gdal"):
            present = set(_io.layer_names(self.path))
        missing = {name: path for name, path in shipped.items() if name not in present}
        if missing:
            with self._locks.write():
                self._write_many({name: read_shipped(name, path) for name, path in missing.items()}, start_empty=False)

    def _add_missing_columns(self) -> None:
        """A store made before a zone field existed (e.g. the investor fields) gets it as an empty column."""
        if not self._missing_columns():
            return
        with self._locks.write(), self._locks.library("sqlite3"):  # the lock order: write locks, then the gate
            db = gpkg_sql.connect(self.path)
            try:
                with db:
                    for field in self._missing_columns(db):
                        kind = {"float": "REAL", "int": "INTEGER", "date": "DATE"}.get(field.dtype, "TEXT")
                        db.execute(
                            f"ALTER TABLE {gpkg_sql.quote(ZONES)} ADD COLUMN {gpkg_sql.quote(field.name)} {kind}"
                        )
            finally:
                db.close()

    def _missing_columns(self, db: sqlite3.Connection | None = None) -> list:
        """Zone fields the zone table lacks (none when there is no zone table)."""
        with self._locks.library("sqlite3"):
            own = db is None
            db = gpkg_sql.connect(self.path) if db is None else db
            try:
                present = {row[1] for row in db.execute(f"PRAGMA table_info({gpkg_sql.quote(ZONES)})")}
            finally:
                if own:
                    db.close()
        return [f for f in ZONE_FIELDS if f.name not in present] if present else []

    def reset(self) -> GeoPackageStore:
        """Rebuild the store from the shipped files, atomically."""
        with self._locks.write():
            self._build(shipped_layers(self.data_dir))
        return self

    def _build(self, layers: dict[str, Path]) -> None:
        frames = {name: read_shipped(name, path) for name, path in layers.items()}
        self._write_many(frames, start_empty=True)

    # -- reading --------------------------------------------------------------------------

    def version(self) -> str:
        """Changes whenever the store is written: the file's identity, the last edit's and layer write's numbers.

        (Not the file's size or time: in WAL mode a commit lands in the -wal file first.) The answer
        is cached and revalidated by a ``stat`` of the file and its WAL (:mod:`geozones.store.versioning`),
        so a call opens SQLite only after a write, by this process or another.
        """
        self.ensure()

        def compute() -> str:
            stat = self.path.stat()
            edits, writes = self._sequences()
            return f"{stat.st_ino}-{edits}-{writes}"

        return self._versions.get(compute)

    def _sequences(self) -> tuple[int, int]:
        with self._locks.library("sqlite3"):
            db = gpkg_sql.connect(self.path)
            try:
                rows = dict(
                    db.execute(
                        "SELECT name, seq FROM sqlite_sequence WHERE name IN (?, ?)",
                        (HISTORY_TABLE, LAYER_WRITES_TABLE),
                    ).fetchall()
                )
            except sqlite3.OperationalError:  # no AUTOINCREMENT table yet
                return 0, 0
            finally:
                db.close()
        return int(rows.get(HISTORY_TABLE, 0)), int(rows.get(LAYER_WRITES_TABLE, 0))

    def layers(self) -> list[str]:
        """Names of every layer and table in the store."""
        self.ensure()
        with self._locks.library("gdal"):
            names = _io.layer_names(self.path)
        return [n for n in names if n != "layer_styles" and not n.startswith("geozones_")]

    def layer(self, name: str) -> gpd.GeoDataFrame | pd.DataFrame:
        """Read one layer (a GeoDataFrame) or table (a DataFrame); cached until the next write."""
        version = self.version()
        cached = self._cache.get(name)
        if cached and cached[0] == version:
            return cached[1].copy()
        if name not in self.layers():
            raise UnknownAttributeError(f"no layer {name!r} in {self.path}; layers: {', '.join(self.layers())}")
        with self._locks.library("gdal"):
            frame = pyogrio.read_dataframe(self.path, layer=name)
        if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name != "geometry":
            frame = frame.rename_geometry("geometry")
        if name == ZONES:
            frame = validate_zones(frame)
        elif not isinstance(frame, gpd.GeoDataFrame) or frame.crs is None:
            frame = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).replace("", None)
        self._cache[name] = (version, frame)
        return frame.copy()

    def zones(self) -> gpd.GeoDataFrame:
        """The validated zone layer."""
        return self.layer(ZONES)

    # -- writing --------------------------------------------------------------------------

    def write_zones(self, zones: gpd.GeoDataFrame) -> None:
        """Validate and replace the zone layer atomically."""
        self.write_layer(ZONES, validate_zones(zones))

    def write_layer(self, name: str, frame: gpd.GeoDataFrame | pd.DataFrame) -> None:
        """Add or replace one layer atomically; the rest of the store is kept."""
        if name == ZONES:
            frame = validate_zones(frame)
            check_ids(frame)  # a store never takes an id it could not serve (docs/security.md)
        self.ensure()
        with self._locks.write():
            self._write_many({name: frame}, start_empty=False)

    def append_rows(self, name: str, frame: pd.DataFrame, *, max_rows: int | None = None) -> int:
        """Append rows to a non-spatial table under the store's write locks (:mod:`geozones.store.locking`).

        The one lock order: ``self._locks.write()`` (write mutex, file lock), then the ``sqlite3``
        gate around one ``BEGIN IMMEDIATE`` transaction that counts, inserts and records a layer write
        (so :meth:`version` changes). A table that does not exist yet, or lacks a column of ``frame``,
        is written whole through the layer path (:meth:`_write_many`, same write locks).

        Returns the number of rows the table then holds; a table that would exceed ``max_rows``
        raises :class:`~geozones.errors.InputTooLargeError` and is left unchanged.
        """
        if name == ZONES:
            raise StoreError("zones are added with create_zone")
        self.ensure()
        new = pd.DataFrame(frame)
        with self._locks.write():
            with self._locks.library("sqlite3"):
                db = gpkg_sql.connect(self.path)
                try:
                    columns = [row[1] for row in db.execute(f"PRAGMA table_info({gpkg_sql.quote(name)})")]
                    if columns and set(new.columns) <= set(columns):
                        return self._insert_rows(db, name, new, max_rows)
                finally:
                    db.close()
            if columns:  # a new column: the whole table is rewritten
                new = pd.concat([self.layer(name), new], ignore_index=True)
            if max_rows is not None and len(new) > max_rows:
                raise InputTooLargeError(f"the {name} table is full ({max_rows} rows)")
            self._write_many({name: new}, start_empty=False)
            return len(new)

    def _insert_rows(self, db: sqlite3.Connection, name: str, new: pd.DataFrame, max_rows: int | None) -> int:
        """INSERT ``new`` into the existing table ``name`` in one transaction (caller holds write + sqlite3)."""
        table = gpkg_sql.quote(name)
        names = list(new.columns)
        rows = [
            tuple(_cell_value(v) for v in record) for record in new.astype(object).itertuples(index=False, name=None)
        ]
        try:
            db.execute("BEGIN IMMEDIATE")
            count = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] + len(rows)
            if max_rows is not None and count > max_rows:
                db.execute("ROLLBACK")
                raise InputTooLargeError(f"the {name} table is full ({max_rows} rows)")
            db.executemany(
                f"INSERT INTO {table} ({', '.join(gpkg_sql.quote(c) for c in names)}) "
                f"VALUES ({', '.join('?' for _ in names)})",
                rows,
            )
            db.execute(_LAYER_WRITES_DDL)
            db.execute(
                f"INSERT INTO {LAYER_WRITES_TABLE} (at, layers) VALUES "
                f"(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), {_sql_text(name)})"
            )
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise StoreError(f"append to {name} in {self.path} failed, store unchanged: {exc}") from exc
        return count

    def delete_layer(self, name: str) -> None:
        """Remove a layer (never the zone layer)."""
        if name == ZONES:
            raise StoreError("the zone layer cannot be deleted")
        self.ensure()
        with self._locks.write():
            self._in_place(None, [], drop=(name,))

    def _write_many(self, frames: dict[str, gpd.GeoDataFrame | pd.DataFrame], start_empty: bool) -> None:
        """Write whole layers: into a new file when the store does not exist yet, else in place.

        In place means: GDAL writes the layers into a scratch GeoPackage beside the store,
        then one SQLite transaction on the store copies them in (see
        :func:`geozones.store.gpkg_sql.replace_layers`). The store file is never replaced, so its
        WAL journal, concurrent edits and open readers stay consistent, and a killed write
        leaves either the old or the new layers -- never a half-written or orphaned state.
        """

        def write(target: str) -> None:
            for name, frame in frames.items():
                if isinstance(frame, gpd.GeoDataFrame):
                    _io.write_gpkg_layer(frame, target, name)
                else:
                    pyogrio.write_dataframe(
                        pd.DataFrame(frame).astype(object).where(frame.notna(), None),
                        target,
                        layer=name,
                        driver="GPKG",
                        layer_options={"OVERWRITE": "YES"},
                    )

        if not self.path.exists():

            def build(tmp: str) -> None:
                write(tmp)
                if ZONES in frames:  # zones are looked up by id (edits, GET items/{id}): index it
                    with closing(sqlite3.connect(tmp)) as db, db:
                        db.execute(_ZONES_ID_INDEX)

            try:
                _io.replace_atomically(self.path, build)
            except Exception as exc:
                raise StoreError(f"write to {self.path} failed, store unchanged: {exc}") from exc
            return
        drop: tuple[str, ...] = ()
        if start_empty:  # a reset: every other layer and the edit history go
            with self._locks.library("gdal"):
                present = _io.layer_names(self.path)
            drop = tuple(
                n for n in present if n not in frames and n != "layer_styles" and not n.startswith("geozones_")
            )
        self._in_place(write, list(frames), drop=drop, reset=start_empty)

    def _in_place(self, write, names: list[str], *, drop: tuple[str, ...] = (), reset: bool = False) -> None:
        """Write ``names`` into a scratch file with ``write`` and copy them into the store in one transaction.

        The caller holds the store's write locks (``self._locks.write()``).
        """
        if not self._locks.writing():
            raise locking.LockOrderError("a whole-layer write must hold the store's write locks")
        # the writer's pid in the name: a scratch file left by a killed writer is swept on the next open
        fd, scratch = tempfile.mkstemp(
            prefix=f".{self.path.stem}.scratch.{os.getpid()}.", suffix=".gpkg", dir=self.path.parent
        )
        os.close(fd)
        os.unlink(scratch)
        extra = [_LAYER_WRITES_DDL]
        if reset:
            extra.append(f"DROP TABLE IF EXISTS {HISTORY_TABLE}")
        if ZONES in names:
            extra.append(_ZONES_ID_INDEX)
        extra.append(
            f"INSERT INTO {LAYER_WRITES_TABLE} (at, layers) VALUES "
            f"(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), {_sql_text(', '.join([*names, *drop]))})"
        )
        try:
            if write is not None:
                write(scratch)
            else:  # nothing to copy: an empty scratch GeoPackage to attach
                with closing(sqlite3.connect(scratch)) as db:
                    db.execute("CREATE TABLE gpkg_contents (table_name TEXT)")
            with self._locks.library("sqlite3"):  # the caller holds the write locks
                gpkg_sql.replace_layers(self.path, scratch, names, drop=drop, extra_sql=tuple(extra))
        except Exception as exc:
            raise StoreError(f"write to {self.path} failed, store unchanged: {exc}") from exc
        finally:
            for suffix in ("", "-wal", "-shm", "-journal"):
                if os.path.exists(scratch + suffix):
                    os.unlink(scratch + suffix)

    # -- feature-level edits -----------------------------------------------------------------

    @contextmanager
    def _edit(self) -> Iterator[_GpkgTransaction]:
        """One SQLite write transaction on the zone table and the history, under the store's write locks."""
        self.ensure()
        with self._locks.write(), self._locks.library("sqlite3"):  # the one lock order (geozones.store.locking)
            db = gpkg_sql.connect(self.path)
            try:
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = NORMAL")  # WAL: a commit survives a killed process
                db.execute("BEGIN IMMEDIATE")
                tx = _GpkgTransaction(db, writing=True)
                yield tx
                tx.finish()
                db.execute("COMMIT")
            except sqlite3.Error as exc:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise StoreError(f"edit of {self.path} failed, store unchanged: {exc}") from exc
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            finally:
                db.close()

    @contextmanager
    def _read(self) -> Iterator[_GpkgTransaction]:
        self.ensure()
        with self._locks.library("sqlite3"):
            db = gpkg_sql.connect(self.path)
            try:
                db.execute("BEGIN")
                yield _GpkgTransaction(db, writing=False)
            finally:
                db.close()

    def get_zone(self, zone_id: str) -> StoredZone:
        """One zone as stored, with its ETag.

        Raises
        ------
        ZoneNotFoundError
        """
        with self._read() as tx:
            found = tx.fetch(str(zone_id))
        if found is None:
            raise ZoneNotFoundError(f"no zone with id {zone_id!r}")
        return found[1]

    def history(self, zone_id: str | None = None, limit: int | None = None) -> list[HistoryEntry]:
        """Recorded changes, newest first: of one zone, or of every zone."""
        with self._read() as tx:
            return tx.history(zone_id, limit)


_ZONES_ID_INDEX = "CREATE UNIQUE INDEX IF NOT EXISTS geozones_zones_id ON zones (id)"
_HISTORY_DDL = (
    f"CREATE TABLE IF NOT EXISTS {HISTORY_TABLE} (seq INTEGER PRIMARY KEY AUTOINCREMENT, zone_id TEXT NOT NULL, "
    "version INTEGER NOT NULL, op TEXT NOT NULL, actor TEXT NOT NULL, at TEXT NOT NULL, etag_before TEXT, "
    "etag_after TEXT, before TEXT, after TEXT, UNIQUE (zone_id, version))",
    _ZONES_ID_INDEX,
)
_LAYER_WRITES_DDL = (
    f"CREATE TABLE IF NOT EXISTS {LAYER_WRITES_TABLE} (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
    "at TEXT NOT NULL, layers TEXT NOT NULL)"
)
_HISTORY_COLUMNS = "seq, zone_id, version, op, actor, at, etag_before, etag_after, before, after"


def _cell_value(value):
    """A cell as sqlite3 binds it: ``None`` for missing, Python scalars for numpy ones."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value


def _sql_text(text: str) -> str:
    """An SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _sql_value(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


class _GpkgTransaction:
    """Row-level access to the zone table of a GeoPackage inside one SQLite transaction."""

    def __init__(self, db: sqlite3.Connection, writing: bool):
        self.db = db
        self.writing = writing
        row = db.execute(
            "SELECT g.column_name, g.srs_id, g.geometry_type_name, s.organization, s.organization_coordsys_id, "
            "s.definition FROM gpkg_geometry_columns g JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id "
            "WHERE g.table_name = ?",
            (ZONES,),
        ).fetchone()
        if row is None:
            raise StoreError("the store has no zone layer")
        column, self.srs_id, self.geometry_type, organization, code, definition = row
        self.geom = gpkg_sql.quote(column)
        self.crs = f"{organization.upper()}:{code}" if organization.upper() == "EPSG" else definition
        self.columns = ", ".join(gpkg_sql.quote(n) for n in ZONE_FIELD_NAMES)
        self.has_history = bool(db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (HISTORY_TABLE,)).fetchone())
        if writing:
            for statement in _HISTORY_DDL:
                db.execute(statement)
            self.has_history = True
        self.extent: list[tuple[float, float, float, float]] = []

    def fetch(self, zone_id: str):
        row = self.db.execute(f"SELECT fid, {self.columns}, {self.geom} FROM zones WHERE id = ?", (zone_id,)).fetchone()
        if row is None:
            return None
        return row[0], StoredZone.of(dict(zip(ZONE_FIELD_NAMES, row[1:-1])), gpkg_sql.decode(row[-1]), self.crs)

    def _values(self, zone: StoredZone) -> list:
        self._accept(zone.geometry)
        return [_sql_value(zone.properties[n]) for n in ZONE_FIELD_NAMES] + [
            gpkg_sql.encode(zone.geometry, self.srs_id)
        ]

    def _accept(self, geometry) -> None:
        """Widen the declared geometry type when a Polygon layer receives a MultiPolygon (or vice versa)."""
        if geometry is None:
            return
        declared = self.geometry_type.upper()
        if declared not in ("GEOMETRY", geometry.geom_type.upper()):
            self.db.execute(
                "UPDATE gpkg_geometry_columns SET geometry_type_name = 'GEOMETRY' WHERE table_name = ?", (ZONES,)
            )
            self.geometry_type = "GEOMETRY"
        self.extent.append(tuple(geometry.bounds))

    def insert(self, zone: StoredZone) -> None:
        marks = ", ".join("?" * (len(ZONE_FIELD_NAMES) + 1))
        self.db.execute(f"INSERT INTO zones ({self.columns}, {self.geom}) VALUES ({marks})", self._values(zone))

    def update(self, key, zone: StoredZone) -> None:
        assignments = ", ".join(f"{gpkg_sql.quote(n)} = ?" for n in ZONE_FIELD_NAMES)
        self.db.execute(f"UPDATE zones SET {assignments}, {self.geom} = ? WHERE fid = ?", [*self._values(zone), key])

    def delete(self, key) -> None:
        self.db.execute("DELETE FROM zones WHERE fid = ?", (key,))

    def last_version(self, zone_id: str) -> int:
        if not self.has_history:
            return 0
        row = self.db.execute(f"SELECT max(version) FROM {HISTORY_TABLE} WHERE zone_id = ?", (zone_id,)).fetchone()
        return int(row[0] or 0)

    def entry(self, zone_id: str, version: int) -> HistoryEntry | None:
        if not self.has_history:
            return None
        row = self.db.execute(
            f"SELECT {_HISTORY_COLUMNS} FROM {HISTORY_TABLE} WHERE zone_id = ? AND version = ?", (zone_id, version)
        ).fetchone()
        return HistoryEntry.from_row(row) if row else None

    def record(self, entry: HistoryEntry) -> None:
        self.db.execute(
            f"INSERT INTO {HISTORY_TABLE} (zone_id, version, op, actor, at, etag_before, etag_after, before, after) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                entry.zone_id,
                entry.version,
                entry.op,
                entry.actor,
                entry.at,
                entry.etag_before,
                entry.etag_after,
                json.dumps(entry.before, ensure_ascii=False) if entry.before else None,
                json.dumps(entry.after, ensure_ascii=False) if entry.after else None,
            ),
        )

    def history(self, zone_id: str | None, limit: int | None) -> list[HistoryEntry]:
        if not self.has_history:
            return []
        where, params = ("WHERE zone_id = ?", [zone_id]) if zone_id is not None else ("", [])
        rows = self.db.execute(
            f"SELECT {_HISTORY_COLUMNS} FROM {HISTORY_TABLE} {where} ORDER BY seq DESC LIMIT ?",
            [*params, -1 if limit is None else int(limit)],
        ).fetchall()
        return [HistoryEntry.from_row(r) for r in rows]

    def finish(self) -> None:
        """Record the change time and grown extent in gpkg_contents (GeoPackage requirement 13)."""
        if not self.extent:
            return
        minx = min(b[0] for b in self.extent)
        miny = min(b[1] for b in self.extent)
        maxx = max(b[2] for b in self.extent)
        maxy = max(b[3] for b in self.extent)
        self.db.execute(
            "UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), "
            "min_x = min(coalesce(min_x, ?), ?), min_y = min(coalesce(min_y, ?), ?), "
            "max_x = max(coalesce(max_x, ?), ?), max_y = max(coalesce(max_y, ?), ?) WHERE table_name = ?",
            (minx, minx, miny, miny, maxx, maxx, maxy, maxy, ZONES),
        )
