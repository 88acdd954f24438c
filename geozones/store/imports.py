"""Managed imports: what a zone file would change in the store, and writing it without losing an edit.

``geozones store import`` compares the file with the store zone by zone (:func:`plan_import`):
added, changed (which fields, old and new value), moved (how far the outline moved), removed
(``--replace`` only) and unchanged. A file written by ``geozones export`` carries each zone's
ETag at export time (:mod:`geozones.io.versions`); a zone whose ETag in the store has changed
since -- edited through the API, restored, imported from another file -- is a *conflict*: writing
the file's older values would revert that edit, so the import is refused unless forced.

:func:`apply_import` writes every change in one transaction with one history entry per zone,
whose actor names the source file (``import zones.shp (gis)``), so any imported change can be
seen and restored like an API edit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geozones import crs as _crs
from geozones.errors import ConflictError
from geozones.schema import ZONE_FIELD_NAMES
from geozones.store.records import StoredZone, plain_value, zone_record

#: An outline is "moved" when some point of it is farther than this from the stored one (metres);
#: a reprojection round trip (file in VN-2000, store in WGS 84) moves nothing by millimetres.
MOVE_TOLERANCE_M = 0.05


@dataclass
class ZoneChange:
    """What importing one zone does."""

    zone_id: str
    kind: str  # added, changed, removed, unchanged
    fields: dict[str, tuple] = field(default_factory=dict)
    moved_m: float = 0.0
    conflict: str | None = None
    record: dict | None = None
    geometry: object = None
    etag: str | None = None  # the store's ETag when the plan was made (None: not in the store)

    def describe(self) -> str:
        """One line for the dry run: ``~ id  status: planned → operating; moved 35.2 m``."""
        mark = {"added": "+", "changed": "~", "removed": "-", "unchanged": "="}[self.kind]
        parts = [f"{name}: {_show(old)} → {_show(new)}" for name, (old, new) in self.fields.items()]
        if self.moved_m:
            parts.append(f"outline moved up to {self.moved_m:,.1f} m")
        text = f"{mark} {self.zone_id}  {self.kind}" + (f": {'; '.join(parts)}" if parts else "")
        if self.conflict:
            text += f"\n  ! conflict: {self.conflict}"
        return text


@dataclass
class ImportPlan:
    """Every zone's change, and whether the file carried versions (``etag``)."""

    source: str
    changes: list[ZoneChange]
    versioned: bool

    def of_kind(self, kind: str) -> list[ZoneChange]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def conflicts(self) -> list[ZoneChange]:
        return [c for c in self.changes if c.conflict]

    @property
    def writes(self) -> list[ZoneChange]:
        return [c for c in self.changes if c.kind != "unchanged"]

    def summary(self) -> str:
        counts = {k: len(self.of_kind(k)) for k in ("added", "changed", "removed", "unchanged")}
        text = ", ".join(f"{n} {k}" for k, n in counts.items())
        return text + (f", {len(self.conflicts)} conflict(s)" if self.conflicts else "")


def _show(value) -> str:
    if value is None:
        return "—"
    text = str(value)
    return repr(text[:60] + "…") if len(text) > 60 else repr(value) if isinstance(value, str) else text


def _same(old, new) -> bool:
    if old is None or new is None:
        return old is None and new is None
    if isinstance(old, float) or isinstance(new, float):
        try:
            return math.isclose(float(old), float(new), rel_tol=1e-9, abs_tol=1e-9)
        except (TypeError, ValueError):
            return False
    return plain_value(old) == plain_value(new)


def _moved_m(old, new, metric) -> float:
    """How far (m) the new outline strays from the old one: their Hausdorff distance in ``metric``."""
    if old is None or new is None:
        return 0.0 if old is None and new is None else math.inf
    a, b = gpd.GeoSeries([old, new], crs=metric[0]).to_crs(metric[1]).array
    return float(shapely.hausdorff_distance(a, b))


def _records(frame: gpd.GeoDataFrame) -> dict[str, tuple[dict, object]]:
    geometry = frame.geometry.name
    return {
        str(row["id"]): (zone_record({n: row.get(n) for n in ZONE_FIELD_NAMES}), row[geometry])
        for _, row in frame.iterrows()
    }


def edited_since(history: Iterable, etag: str, current: StoredZone) -> str:
    """Which fields of a zone changed since its version with ``etag``, and by whom (from its history)."""
    entries = list(history)  # newest first
    then, later = None, []
    for i, entry in enumerate(entries):
        if entry.etag_after == etag:
            then, later = entry.snapshot("after"), entries[:i]
            break
        if entry.etag_before == etag:
            then, later = entry.snapshot("before"), entries[: i + 1]
            break
    if then is None:
        return "its ETag in the file matches none of its recorded versions"
    names = [n for n in ZONE_FIELD_NAMES if not _same(then.properties.get(n), current.properties.get(n))]
    if then.geometry is not None and current.geometry is not None:
        if not shapely.equals_exact(then.geometry, current.geometry, 0.0):
            names.append("geometry")
    actors = ", ".join(dict.fromkeys(e.actor for e in reversed(later)))
    when = f", last at {later[0].at}" if later else ""
    return f"{', '.join(names) or 'nothing'} changed since, by {actors or 'nobody recorded'}{when}"


def plan_import(
    store,
    incoming: gpd.GeoDataFrame,
    etags: pd.Series | None = None,
    *,
    replace: bool = False,
    source: str = "file",
) -> ImportPlan:
    """What importing ``incoming`` (validated zones) would change in ``store``, zone by zone.

    ``etags`` (aligned with ``incoming``) are the ETags the file was exported with: a zone whose
    store ETag differs and whose values in the file differ from the store's is a conflict (the
    file would revert an edit made since the export); so is a zone of the export deleted since.
    """
    current = store.zones()
    target = current.crs or incoming.crs
    incoming = incoming.to_crs(target) if incoming.crs is not None and target is not None else incoming
    stored = _records(current)
    stored_crs = store_crs_name(current)
    tags = {} if etags is None else {str(i): t for i, t in zip(incoming["id"], etags, strict=True)}
    metric = (target, _crs.working_crs(incoming) if len(incoming) else target)
    changes: list[ZoneChange] = []
    for zone_id, (record, geometry) in _records(incoming).items():
        tag = tags.get(zone_id)
        if zone_id not in stored:
            conflict = None
            if tag:
                conflict = "deleted in the store since the file was exported; --force adds it back"
            changes.append(ZoneChange(zone_id, "added", conflict=conflict, record=record, geometry=geometry))
            continue
        old_record, old_geometry = stored[zone_id]
        now = StoredZone.of(old_record, old_geometry, stored_crs)
        fields = {n: (old_record[n], record[n]) for n in ZONE_FIELD_NAMES if not _same(old_record[n], record[n])}
        moved = _moved_m(old_geometry, geometry, metric)
        moved = moved if moved > MOVE_TOLERANCE_M else 0.0
        if not fields and not moved:
            changes.append(ZoneChange(zone_id, "unchanged", etag=now.etag))
            continue
        conflict = None
        if tag and tag != now.etag:
            since = edited_since(store.history(zone_id), tag, now)
            conflict = (
                f"edited in the store since the file was exported ({since}); importing would revert it. "
                "Export again and redo the file's change, or --force to overwrite"
            )
        changes.append(
            ZoneChange(
                zone_id,
                "changed",
                fields,
                moved,
                conflict,
                record,
                geometry if moved else old_geometry,  # no reprojection noise written back
                now.etag,
            )
        )
    if replace:
        kept = set(incoming["id"].astype(str))
        for zone_id, (record, geometry) in stored.items():
            if zone_id not in kept:
                etag = StoredZone.of(record, geometry, stored_crs).etag
                changes.append(ZoneChange(zone_id, "removed", etag=etag))
    return ImportPlan(source, changes, etags is not None and bool(np.any(pd.notna(etags))))


def store_crs_name(frame: gpd.GeoDataFrame) -> str:
    """The store CRS as the stores name it (``EPSG:4326``)."""
    code = frame.crs.to_epsg() if frame.crs is not None else None
    return f"EPSG:{code}" if code else (frame.crs.to_wkt() if frame.crs is not None else "EPSG:4326")


def with_etags(zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The zone layer with an ``etag`` column (each zone's ETag now), as ``geozones export`` writes it."""
    from geozones.io.versions import ETAG_COLUMN

    crs_name = store_crs_name(zones)
    geometry = zones.geometry.name
    tags = [
        StoredZone.of({n: row.get(n) for n in ZONE_FIELD_NAMES}, row[geometry], crs_name).etag
        for _, row in zones.iterrows()
    ]
    out = zones.copy()
    out.insert(len(out.columns) - (1 if out.columns[-1] == geometry else 0), ETAG_COLUMN, tags)
    return out


def apply_import(store, plan: ImportPlan, *, actor: str, force: bool = False) -> int:
    """Write the plan's changes in one transaction, one history entry each; returns how many.

    Raises
    ------
    ConflictError
        When the plan has conflicts and ``force`` is not given, or a zone changed in the store
        after the plan was made (nothing is written then).
    """
    if plan.conflicts and not force:
        raise ConflictError(
            f"{plan.source}: {len(plan.conflicts)} zone(s) were edited in the store since the file was exported "
            f"({', '.join(c.zone_id for c in plan.conflicts[:5])}); nothing was written"
        )
    writes = [(c.zone_id, c.record, c.geometry, c.etag) for c in plan.writes]
    if not writes:
        return 0
    return store.import_changes(writes, actor=actor)


__all__ = [
    "MOVE_TOLERANCE_M",
    "ImportPlan",
    "ZoneChange",
    "apply_import",
    "edited_since",
    "plan_import",
    "with_etags",
]
