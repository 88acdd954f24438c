"""One zone record as plain Python values, and its entity tag.

The API's ETag for a feature is :func:`record_etag` of the stored record, so the same
function is used by the read routes (via ``api.etag``) and by the stores, which check
``If-Match`` inside their write transactions.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geozones.schema import ZONE_FIELDS


def plain_value(value):
    """A JSON-ready Python value: missing values (None, NA, NaT, NaN) as None, dates as ISO text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
        return None if isinstance(value, float) and math.isnan(value) else value
    return value


def record_etag(properties: Mapping, geometry: BaseGeometry | None) -> str:
    """A strong ETag (quoted) for one stored record: its attributes and its geometry's WKB.

    Parameters
    ----------
    properties : mapping
        Attribute values as stored (dates, numpy scalars, NaN and ``pd.NA`` are normalised).
    geometry : shapely geometry or None
        In the storage CRS.
    """
    digest = hashlib.sha256()
    digest.update(orjson.dumps({k: plain_value(v) for k, v in sorted(properties.items())}, default=str))
    if geometry is not None and not shapely.is_empty(geometry):
        digest.update(shapely.to_wkb(geometry, hex=False, output_dimension=2, byte_order=1))
    return f'"{digest.hexdigest()[:32]}"'


def _date(value) -> _dt.date | None:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    return _dt.date.fromisoformat(str(value)[:10])


_CASTS: dict[str, Callable[[Any], Any]] = {
    "str": str,
    "float": float,
    "int": lambda v: int(round(float(v))),
    "date": _date,
}


def zone_record(values: Mapping) -> dict:
    """Every schema field of a stored zone as a plain Python value (None when missing).

    Strings stay strings, numbers become ``float``/``int``, dates ``datetime.date``:
    the same record (and so the same ETag) whichever backend or reader produced it.
    """
    record = {}
    for f in ZONE_FIELDS:
        value = plain_value(values.get(f.name))
        record[f.name] = None if value is None else _CASTS[f.dtype](value)
    return record


def json_record(record: Mapping) -> dict:
    """A record with dates as ISO strings (for JSON output and history snapshots)."""
    return {k: plain_value(v) for k, v in record.items()}


@dataclass(frozen=True)
class StoredZone:
    """A zone as stored: attributes, geometry in the store's CRS, and its ETag."""

    properties: dict
    geometry: BaseGeometry | None
    crs: str
    etag: str = field(default="")

    @property
    def id(self) -> str:
        return self.properties["id"]

    @classmethod
    def of(cls, properties: Mapping, geometry: BaseGeometry, crs: str) -> StoredZone:
        record = zone_record(properties)
        return cls(record, geometry, crs, record_etag(record, geometry))


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded change of one zone.

    ``version`` counts the zone's recorded changes from 1; ``before`` and ``after`` are
    snapshots (``{"properties": ..., "geometry": <WKB hex>, "crs": ...}``) or None
    (before a create, after a delete).
    """

    seq: int
    zone_id: str
    version: int
    op: str
    actor: str
    at: str
    etag_before: str | None
    etag_after: str | None
    before: dict | None
    after: dict | None

    @classmethod
    def from_row(cls, row) -> HistoryEntry:
        """An entry from a history-table row in column order (``seq, zone_id, version, op, actor, at,
        etag_before, etag_after, before, after``), as both backends store it: ``at`` a timestamp or ISO
        text, the snapshots JSON text or already-decoded objects."""
        seq, zone_id, version, op, actor, at, etag_before, etag_after, before, after = row

        def decoded(snapshot):
            return orjson.loads(snapshot) if isinstance(snapshot, str | bytes) and snapshot else snapshot or None

        at = at.isoformat() if hasattr(at, "isoformat") else at
        return cls(seq, zone_id, version, op, actor, at, etag_before, etag_after, decoded(before), decoded(after))

    def snapshot(self, which: str = "after") -> StoredZone | None:
        """The zone as it was before or after this change (None if it did not exist)."""
        data = self.before if which == "before" else self.after
        if data is None:
            return None
        geometry = shapely.from_wkb(bytes.fromhex(data["geometry"])) if data.get("geometry") else None
        return StoredZone.of(data["properties"], geometry, data["crs"])


def snapshot(zone: StoredZone | None) -> dict | None:
    """A JSON-able snapshot of a stored zone for the history table."""
    if zone is None:
        return None
    geometry = (
        None if zone.geometry is None else shapely.to_wkb(zone.geometry, hex=True, output_dimension=2, byte_order=1)
    )
    return {"properties": json_record(zone.properties), "crs": zone.crs, "geometry": geometry}
