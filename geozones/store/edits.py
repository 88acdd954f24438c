"""Feature-level edits shared by every store backend: create, replace, update, delete, restore.

A backend supplies a transaction (:meth:`FeatureEditing._edit`) whose handle can fetch,
insert, update and delete one zone row and append to the history table; the logic here
(validation, optional repair, If-Match checks, history snapshots) is the same for the
GeoPackage and the PostGIS store. Every change is one transaction: the zone row and its
history entry are written together or not at all.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from functools import lru_cache
from typing import Any, Protocol

import geopandas as gpd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from geozones import bounded
from geozones import crs as _crs
from geozones.errors import (
    ConflictError,
    CRSError,
    GeometryError,
    PreconditionFailedError,
    VersionNotFoundError,
    WorkLimitError,
    ZoneNotFoundError,
    ZoneValidationError,
)
from geozones.schema import (
    ID_RE,
    INVESTOR_FIELD_NAMES,
    ZONE_FIELD_NAMES,
    ZONE_FIELDS,
    Field,
    check_ids,
    check_types,
    validate_zones,
)
from geozones.store.records import HistoryEntry, StoredZone, snapshot

#: Largest version number a restore may name (SQL BIGINT).
MAX_VERSION = 2**63 - 1

#: The CRS of GeoJSON geometries when the caller names none (RFC 7946, OGC API).
DEFAULT_INPUT_CRS = "OGC:CRS84"


class EditTransaction(Protocol):
    """What a backend's edit transaction offers the shared edit logic."""

    crs: str

    def fetch(self, zone_id: str) -> tuple[Any, StoredZone] | None: ...

    def insert(self, zone: StoredZone) -> None: ...

    def update(self, key: Any, zone: StoredZone) -> None: ...

    def delete(self, key: Any) -> None: ...

    def last_version(self, zone_id: str) -> int: ...

    def entry(self, zone_id: str, version: int) -> HistoryEntry | None: ...

    def record(self, entry: HistoryEntry) -> None: ...


# --- turning a GeoJSON-like feature into a validated record ------------------------------


#: The per-geometry budget checked before any GEOS work (the API's settings may lower it).
MAX_VERTICES = 50_000
MAX_RINGS = 2_000
MAX_PARTS = 1_000
#: Largest coordinate magnitude accepted (metres or degrees; no CRS on Earth needs more).
MAX_COORDINATE = 1e8


def check_geometry_budget(
    value,
    *,
    max_vertices: int = MAX_VERTICES,
    max_rings: int = MAX_RINGS,
    max_parts: int = MAX_PARTS,
    max_coordinate: float = MAX_COORDINATE,
) -> None:
    """Refuse a GeoJSON (Multi)Polygon that is malformed or over budget, before GEOS sees it.

    Walks the coordinate arrays in Python: counts parts, rings and vertices, and checks that
    every position holds 2 or 3 finite numbers no larger than ``max_coordinate``.

    Raises
    ------
    GeometryError
        Malformed coordinates.
    WorkLimitError
        Over one of the limits.
    """
    if isinstance(value, BaseGeometry):
        count = shapely.get_num_coordinates(value)
        if count > max_vertices:
            raise WorkLimitError(f"geometry has {count:,} vertices; the limit is {max_vertices:,}")
        return
    if not isinstance(value, Mapping):
        raise GeometryError("geometry must be a GeoJSON Polygon or MultiPolygon object", field="geometry")
    kind, coordinates = value.get("type"), value.get("coordinates")
    if kind not in ("Polygon", "MultiPolygon"):
        raise GeometryError(f"geometry must be a GeoJSON Polygon or MultiPolygon, not {kind!r}", field="geometry")
    if not isinstance(coordinates, (list, tuple)):
        raise GeometryError("geometry coordinates must be an array", field="geometry")
    polygons = coordinates if kind == "MultiPolygon" else [coordinates]
    if len(polygons) > max_parts:
        raise WorkLimitError(f"geometry has {len(polygons):,} polygons; the limit is {max_parts:,}")
    rings = vertices = 0
    for polygon in polygons:
        if not isinstance(polygon, (list, tuple)):
            raise GeometryError("each polygon must be an array of rings", field="geometry")
        rings += len(polygon)
        if rings > max_rings:
            raise WorkLimitError(f"geometry has more than {max_rings:,} rings; the limit is {max_rings:,}")
        for ring in polygon:
            if not isinstance(ring, (list, tuple)):
                raise GeometryError("each ring must be an array of positions", field="geometry")
            vertices += len(ring)
            if vertices > max_vertices:
                raise WorkLimitError(f"geometry has more than {max_vertices:,} vertices; the limit is {max_vertices:,}")
            for position in ring:
                if not isinstance(position, (list, tuple)) or len(position) not in (2, 3):
                    raise GeometryError("each position must be an array of 2 or 3 numbers", field="geometry")
                for number in position:
                    if isinstance(number, bool) or not isinstance(number, (int, float)):
                        raise GeometryError("coordinates must be numbers", field="geometry")
                    if not math.isfinite(number) or abs(number) > max_coordinate:
                        raise GeometryError(
                            f"coordinate {number!r} is not a finite number within +-{max_coordinate:g}",
                            field="geometry",
                        )


def prepare_geometry(value, *, repair: bool = False):
    """Check a posted geometry's budget and, with ``repair``, repair it in its own CRS.

    Called before a store takes its write lock, so a slow repair (bounded by
    :mod:`geozones.bounded`) never holds up other edits or readers. Returns the value to
    build the zone from (GeoJSON in, GeoJSON out).
    """
    if value is None or isinstance(value, BaseGeometry):
        return value
    check_geometry_budget(value)
    if not repair:
        return value
    shape = _geometry(value)
    if shapely.is_empty(shape) or shapely.is_valid(shape):
        return value
    return shapely.geometry.mapping(repair_geometry(shape))


def _geometry(value) -> BaseGeometry:
    if isinstance(value, BaseGeometry):
        return value
    check_geometry_budget(value)
    try:
        return shapely.geometry.shape(value)
    except Exception as exc:  # shapely raises several types for malformed GeoJSON
        raise GeometryError(f"geometry is not valid GeoJSON: {exc}", field="geometry") from exc


def repair_geometry(geometry: BaseGeometry, *, timeout: float | None = None) -> BaseGeometry:
    """``shapely.make_valid`` keeping only the polygonal parts (a bow-tie becomes two triangles).

    The repair runs in a worker process bounded in time and memory (:mod:`geozones.bounded`;
    ``make_valid`` can take minutes on a small self-intersecting star).

    Raises
    ------
    GeometryError
        Nothing polygonal is left.
    WorkLimitError
        The repair took longer than ``timeout`` (default ``GEOZONES_GEOMETRY_TIMEOUT_S``) or
        made more than :data:`MAX_PARTS` polygons.
    """
    if shapely.is_valid(geometry):
        return geometry
    wkb = bounded.call(bounded.make_valid_wkb, shapely.to_wkb(geometry), timeout=timeout, what="geometry repair")
    if not wkb:
        raise GeometryError("geometry has no area left after repair", field="geometry")
    fixed = shapely.from_wkb(wkb)
    parts = shapely.get_num_geometries(fixed)
    if parts > MAX_PARTS:
        raise WorkLimitError(f"the repaired geometry has {parts:,} polygons (limit {MAX_PARTS:,}); fix it by hand")
    return fixed


_ABSENT = ("", "nan", "None", "<NA>")


def _fast_value(f: Field, value):
    """The coerced value of one field, or raise ``_Slow`` when only validate_zones can judge it."""
    if value is None or (isinstance(value, str) and value.strip() in _ABSENT):
        if f.required:
            raise _Slow
        return None
    if f.dtype == "str":
        if not isinstance(value, str):
            raise _Slow
        value = value.strip()
    elif f.dtype in ("float", "int"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise _Slow
        if f.dtype == "int":
            if value % 1:
                raise _Slow
            value = int(value)
        else:
            value = float(value)
    elif isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        pass
    elif isinstance(value, str):
        try:
            value = _dt.date.fromisoformat(value[:10])
        except ValueError:
            raise _Slow from None
    else:
        raise _Slow
    if f.choices is not None and value not in f.choices:
        raise _Slow
    if (f.minimum is not None and value < f.minimum) or (f.maximum is not None and value > f.maximum):
        raise _Slow
    return value


class _Slow(Exception):
    """The quick check cannot accept the record: let validate_zones decide (and word the error)."""


def _fast_record(properties: Mapping, geometry: BaseGeometry) -> dict | None:
    """Validate one clean record without pandas (about 50x faster than a one-row validate_zones).

    Returns None whenever anything is unusual, so that :func:`validate_zones` -- the
    single source of truth -- coerces it or raises its own error.
    """
    if set(properties) - set(ZONE_FIELD_NAMES):
        return None
    if any(properties.get(name) is not None for name in INVESTOR_FIELD_NAMES):
        return None  # the investor fields' cross-field rules (a published source) live in validate_zones
    try:
        record = {f.name: _fast_value(f, properties.get(f.name)) for f in ZONE_FIELDS}
    except _Slow:
        return None
    if not ID_RE.match(record["id"]):
        return None
    if geometry.geom_type not in ("Polygon", "MultiPolygon") or geometry.is_empty:
        return None
    if not shapely.is_valid(geometry) or geometry.area <= 0:
        return None
    return record


@lru_cache(maxsize=64)
def _known_crs(name: str) -> None:
    """Raise :class:`~geozones.errors.CRSError` unless PROJ knows the CRS ``name`` (e.g. ``EPSG:99999``)."""
    try:
        pyproj.CRS.from_user_input(name)
    except pyproj.exceptions.CRSError as exc:
        raise CRSError(f"unknown CRS {name!r}: {exc}") from None


def build_zone(properties: Mapping, geometry, store_crs: str, *, crs=None, repair: bool = False) -> StoredZone:
    """Validate one zone (schema, geometry) and express it in the store's CRS.

    Parameters
    ----------
    properties : mapping
        Schema attributes; unknown names are an error.
    geometry : GeoJSON mapping or shapely geometry
        In ``crs`` (default OGC:CRS84, longitude/latitude).
    store_crs : str
        The store's CRS.
    repair : bool
        Repair an invalid geometry with :func:`repair_geometry` instead of rejecting it.

    Raises
    ------
    ZoneValidationError, GeometryError, CRSError, AxisOrderError
    """
    if not isinstance(properties, Mapping):
        raise ZoneValidationError("properties must be a JSON object")
    check_types(properties)
    if geometry is None:  # a zone known only by its site marker (the schema allows it)
        frame = gpd.GeoDataFrame({k: [v] for k, v in properties.items()}, geometry=[None], crs=store_crs)
        checked = validate_zones(frame)
        check_ids(checked)
        row = checked.iloc[0]
        return StoredZone.of({name: row[name] for name in ZONE_FIELD_NAMES}, None, store_crs)
    shape = _geometry(geometry)
    source = str(crs or DEFAULT_INPUT_CRS)
    _known_crs(source)
    stored = isinstance(geometry, BaseGeometry) and source == store_crs  # already checked when it was stored
    if not stored and not shapely.is_empty(shape):
        _crs.check_coordinates(gpd.GeoDataFrame(geometry=[shape], crs=source))
    shape = _crs.reproject_geometry(shape, source, store_crs)
    if repair:
        shape = repair_geometry(shape)
    record = _fast_record(properties, shape)
    if record is not None:
        return StoredZone.of(record, shape, store_crs)
    frame = gpd.GeoDataFrame({k: [v] for k, v in properties.items()}, geometry=[shape], crs=store_crs)
    valid = validate_zones(frame)
    check_ids(valid)
    row = valid.iloc[0]
    return StoredZone.of({name: row[name] for name in ZONE_FIELD_NAMES}, valid.geometry.iloc[0], store_crs)


def _feature_id(feature: Mapping) -> str | None:
    properties = feature.get("properties") or {}
    outer, inner = feature.get("id"), properties.get("id") if isinstance(properties, Mapping) else None
    if outer is not None and inner is not None and str(outer) != str(inner):
        raise ZoneValidationError(f"feature id {outer!r} and properties.id {inner!r} differ", field="id")
    value = inner if inner is not None else outer
    return None if value is None else str(value)


def _properties(feature: Mapping, zone_id: str | None) -> dict:
    if not isinstance(feature, Mapping):
        raise ZoneValidationError("a zone must be a GeoJSON Feature object")
    properties = feature.get("properties")
    if properties is None:
        properties = {}
    if not isinstance(properties, Mapping):
        raise ZoneValidationError("properties must be a JSON object")
    found = _feature_id(feature)
    if zone_id is not None and found is not None and found != zone_id:
        raise ZoneValidationError(f"the feature's id {found!r} differs from {zone_id!r}; ids cannot change", field="id")
    merged = dict(properties)
    merged["id"] = zone_id if zone_id is not None else found
    return merged


def merge_patch(current: StoredZone, patch: Mapping) -> tuple[dict, Any, bool]:
    """Apply a JSON merge patch (RFC 7396) of a feature to a stored zone.

    ``properties`` members replace values (``null`` clears an optional one);
    ``geometry`` replaces the geometry. Returns properties, geometry and whether the
    geometry came from the patch (and so is in the caller's CRS).
    """
    if not isinstance(patch, Mapping):
        raise ZoneValidationError("a patch must be a JSON object")
    unknown = set(patch) - {"type", "id", "properties", "geometry"}
    if unknown:
        raise ZoneValidationError(f"a patch may hold properties and geometry, not {', '.join(sorted(unknown))}")
    properties = _properties({"id": patch.get("id"), "properties": patch.get("properties") or {}}, current.id)
    merged = {**current.properties, **properties}
    if "geometry" in patch:
        if patch["geometry"] is None:
            raise GeometryError("geometry cannot be removed from a zone", record=current.id, field="geometry")
        return merged, patch["geometry"], True
    return merged, current.geometry, False


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="microseconds")


def _check_match(current: StoredZone, if_match: str | None) -> None:
    if if_match is None:
        return
    tags = [t.strip() for t in if_match.split(",")]
    if "*" in tags:
        return
    weakless = [t[2:] if t.startswith("W/") else t for t in tags]
    if current.etag not in weakless:
        raise PreconditionFailedError(
            f"zone {current.id!r} changed since you read it (its ETag is now {current.etag}, you sent {if_match}); "
            "read it again and re-apply your change"
        )


#: A check run on an edited zone before it is written: ``check(zone, before)``; raise to refuse.
ZoneCheck = Callable[[StoredZone, "StoredZone | None"], None]


class FeatureEditing:
    """Feature-level edits on top of a backend's :meth:`_edit` transaction."""

    def _edit(self) -> AbstractContextManager[EditTransaction]:  # pragma: no cover - backends override
        raise NotImplementedError

    def _log(
        self, tx: EditTransaction, op: str, actor: str, before: StoredZone | None, after: StoredZone | None
    ) -> None:
        zone = after or before
        assert zone is not None, "a history entry needs the zone before or after the change"
        zone_id = zone.id
        tx.record(
            HistoryEntry(
                0,
                zone_id,
                tx.last_version(zone_id) + 1,
                op,
                actor or "anonymous",
                _now(),
                before.etag if before else None,
                after.etag if after else None,
                snapshot(before),
                snapshot(after),
            )
        )

    def _require(self, tx: EditTransaction, zone_id: str) -> tuple[Any, StoredZone]:
        found = tx.fetch(str(zone_id))
        if found is None:
            raise ZoneNotFoundError(f"no zone with id {zone_id!r}")
        return found

    def create_zone(
        self, feature: Mapping, *, actor: str, crs=None, repair: bool = False, check: ZoneCheck | None = None
    ) -> StoredZone:
        """Add a new zone from a GeoJSON-like feature (``properties``, ``geometry``).

        ``check(zone, before)``, when given, sees the validated zone (in the store's CRS) and the
        zone it replaces (None here) inside the transaction, before anything is written; an
        exception it raises leaves the store unchanged (e.g. the API's placement checks).

        Raises
        ------
        ConflictError
            When a zone with that id exists.
        ZoneValidationError, GeometryError, CRSError
        """
        properties = _properties(feature, None)
        geometry = prepare_geometry(feature.get("geometry"), repair=repair)
        with self._edit() as tx:
            zone = build_zone(properties, geometry, tx.crs, crs=crs, repair=repair)
            if tx.fetch(zone.id) is not None:
                raise ConflictError(f"a zone with id {zone.id!r} already exists; use replace or update")
            if check is not None:
                check(zone, None)
            tx.insert(zone)
            self._log(tx, "create", actor, None, zone)
        return zone

    def replace_zone(
        self,
        zone_id: str,
        feature: Mapping,
        *,
        if_match: str | None,
        actor: str,
        crs=None,
        repair: bool = False,
        check: ZoneCheck | None = None,
    ) -> StoredZone:
        """Replace a zone's attributes and geometry (attributes left out become empty); ``check`` as for create."""
        properties = _properties(feature, str(zone_id))
        geometry = prepare_geometry(feature.get("geometry"), repair=repair)
        with self._edit() as tx:
            key, current = self._require(tx, zone_id)
            _check_match(current, if_match)
            zone = build_zone(properties, geometry, tx.crs, crs=crs, repair=repair)
            if check is not None:
                check(zone, current)
            tx.update(key, zone)
            self._log(tx, "replace", actor, current, zone)
        return zone

    def update_zone(
        self,
        zone_id: str,
        patch: Mapping,
        *,
        if_match: str | None,
        actor: str,
        crs=None,
        repair: bool = False,
        check: ZoneCheck | None = None,
    ) -> StoredZone:
        """Change some attributes and/or the geometry of a zone (JSON merge patch); ``check`` as for create."""
        if isinstance(patch, Mapping) and patch.get("geometry") is not None:
            patch = {**patch, "geometry": prepare_geometry(patch["geometry"], repair=repair)}
        with self._edit() as tx:
            key, current = self._require(tx, zone_id)
            _check_match(current, if_match)
            properties, geometry, patched = merge_patch(current, patch)
            zone = build_zone(properties, geometry, tx.crs, crs=crs if patched else tx.crs, repair=repair)
            if check is not None:
                check(zone, current)
            tx.update(key, zone)
            self._log(tx, "update", actor, current, zone)
        return zone

    def delete_zone(self, zone_id: str, *, if_match: str | None, actor: str) -> StoredZone:
        """Delete a zone; it stays in the history and can be restored. Returns what was deleted."""
        with self._edit() as tx:
            key, current = self._require(tx, zone_id)
            _check_match(current, if_match)
            tx.delete(key)
            self._log(tx, "delete", actor, current, None)
        return current

    def restore(
        self,
        zone_id: str,
        version: int,
        *,
        actor: str,
        if_match: str | None = None,
        check: ZoneCheck | None = None,
    ) -> StoredZone:
        """Bring a zone back to how it was after ``version`` (0: before its first recorded change).

        Works for deleted zones too. The restore is itself recorded as a new version. ``check`` as
        for create sees the restored zone and the current one (None for a deleted zone): an old
        outline put back over a zone created since is checked like a new one.
        """
        zone_id = str(zone_id)
        version = int(version)
        if not 0 <= version <= MAX_VERSION:  # also keeps the number within SQL's 64-bit integers
            raise VersionNotFoundError(f"zone {zone_id!r} has no version {version}")
        with self._edit() as tx:
            wanted = self._version(tx, zone_id, version)
            found = tx.fetch(zone_id)
            if found is not None:
                _check_match(found[1], if_match)
            zone = build_zone(wanted.properties, wanted.geometry, tx.crs, crs=wanted.crs)
            if check is not None:
                check(zone, found[1] if found else None)
            if found is None:
                tx.insert(zone)
            else:
                tx.update(found[0], zone)
            self._log(tx, "restore", actor, found[1] if found else None, zone)
        return zone

    def import_changes(self, changes, *, actor: str) -> int:
        """Write many zones in one transaction, each with its history entry (``geozones store import``).

        ``changes`` are ``(zone_id, record, geometry, etag)``: ``record`` None deletes the zone;
        ``geometry`` is in the store's CRS; ``etag`` is the zone's ETag when the import was planned
        (None: it was not in the store) and must still be current, else nothing is written.

        Raises
        ------
        PreconditionFailedError
            When a zone changed between the plan and the write.
        """
        count = 0
        with self._edit() as tx:
            for zone_id, record, geometry, etag in changes:
                found = tx.fetch(str(zone_id))
                now = found[1].etag if found else None
                if now != etag:
                    raise PreconditionFailedError(
                        f"zone {zone_id!r} changed in the store while the import was prepared; run the import again"
                    )
                if record is None:
                    if found is not None:
                        tx.delete(found[0])
                        self._log(tx, "delete", actor, found[1], None)
                        count += 1
                    continue
                zone = build_zone(record, geometry, tx.crs, crs=tx.crs)
                if found is None:
                    tx.insert(zone)
                    self._log(tx, "create", actor, None, zone)
                else:
                    tx.update(found[0], zone)
                    self._log(tx, "replace", actor, found[1], zone)
                count += 1
        return count

    @staticmethod
    def _version(tx: EditTransaction, zone_id: str, version: int) -> StoredZone:
        entry = tx.entry(zone_id, max(version, 1))
        if entry is None or version < 0:
            raise VersionNotFoundError(
                f"zone {zone_id!r} has no version {version} (it has {tx.last_version(zone_id)} recorded change(s))"
            )
        state = entry.snapshot("before" if version == 0 else "after")
        if state is None:
            what = "did not exist before it was created" if version == 0 else "was deleted in that version"
            raise VersionNotFoundError(f"zone {zone_id!r} {what}; restore another version")
        return state
