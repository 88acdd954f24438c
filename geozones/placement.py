"""Placement checks: is each zone where its attributes say it is?

A zone must lie inside the province and the district it names (checked against real
boundary polygons; a name with no boundary is itself a problem, naming the closest known
names, never a skipped check), must not overlap another zone unless both are phases of the
same park (same ``zone_group``) and not copies of each other (shared area above
:data:`DUPLICATE_SHARE` of their combined area, whatever their group), must have a
well-formed id, and its mapped area should agree with its published area. Each problem names the zone and the fix; a user who means it can
allow a kind of problem (CLI ``--allow overlap`` etc.).

Areas are measured in the zone's provincial VN-2000 TM-3 CRS (see :mod:`geozones.area`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geozones import area as _area
from geozones import crs as _crs
from geozones.errors import PlacementError, ZoneValidationError
from geozones.schema import ID_PATTERN, ascii_name

#: The kinds of placement check, as named by ``allow=`` and the CLI's ``--allow``.
CHECKS: dict[str, str] = {
    "id": "the id is lower-case letters, digits and hyphens",
    "province": "the zone lies inside the province it names (province_pre2025)",
    "district": "the zone lies inside the district it names (district_pre2025)",
    "overlap": "the zone overlaps no other zone, unless both are phases of the same park (zone_group) and not "
    "copies of each other",
    "area": "the mapped area agrees with the published area",
}

_ID = re.compile(ID_PATTERN)

#: Two zones sharing more than this share of their combined area (intersection over union) are
#: copies of one zone, whatever their ``zone_group``: a new phase drawn inside a park's whole
#: outline shares little of their union, a copy under a new id shares all of it.
DUPLICATE_SHARE = 0.5


@dataclass(frozen=True)
class Boundaries:
    """Province and district polygons, each with a ``name`` column (pre-2025 names).

    Districts also carry ``province_pre2025``. Build from a store with :meth:`from_store`.
    """

    provinces: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame | None = None

    @classmethod
    def from_store(cls, store) -> Boundaries:
        """The ``boundaries_provinces`` and ``boundaries_districts`` layers of a zone store."""
        names = store.layers()
        if "boundaries_provinces" not in names:
            raise ZoneValidationError("the store has no boundaries_provinces layer; placement cannot be checked")
        districts = store.layer("boundaries_districts") if "boundaries_districts" in names else None
        return cls(store.layer("boundaries_provinces"), districts)


def slug(text: str) -> str:
    """A well-formed id from any text: ``'Bad ID!'`` -> ``'bad-id'``."""
    value = re.sub(r"[^a-z0-9]+", "-", ascii_name(str(text)).lower()).strip("-")
    return value[:64].rstrip("-") or "zone"


def _key(text) -> str:
    return ascii_name(str(text)).lower().strip() if isinstance(text, str) else ""


def _district_keys(name: str) -> set[str]:
    """A district name with and without its unit prefix (``Thành phố Bắc Kạn`` / ``Bắc Kạn``)."""
    key = _key(name)
    keys = {key}
    for prefix in ("thanh pho ", "thi xa ", "huyen ", "tp. ", "tp "):
        if key.startswith(prefix):
            keys.add(key.removeprefix(prefix))
    return keys


def _label(zones: gpd.GeoDataFrame, index) -> str:
    value = zones.at[index, "id"] if "id" in zones.columns else None
    return str(value) if isinstance(value, str) and value else f"row {index}"


def check_placement(
    zones: gpd.GeoDataFrame,
    boundaries: Boundaries,
    *,
    allow: Iterable[str] = (),
    only: Iterable | None = None,
    inside_tolerance: float = 0.01,
    area_tolerance: float = 0.05,
    overlap_tolerance_m2: float = 1.0,
    duplicate_share: float = DUPLICATE_SHARE,
) -> list[PlacementError]:
    """Check where each zone lies; return every problem (an empty list when all is well).

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        Validated zones (schema columns) with a CRS.
    boundaries : Boundaries
        Province and district polygons.
    allow : iterable of str
        Checks to skip (keys of :data:`CHECKS`).
    only : iterable, optional
        Index labels of the zones to report on (e.g. the zones being imported); the other
        zones still count for the overlap check.
    inside_tolerance : float
        Share of a zone's area that may lie outside its province or district (boundary
        data are generalised; 0.01 = 1 %).
    area_tolerance : float
        Relative difference between mapped and published area that is reported
        (0.05 = 5 %). For an ``over`` qualifier only a mapped area below the published
        one counts.
    overlap_tolerance_m2 : float
        Overlaps up to this area (shared edges, rounding) are ignored.
    duplicate_share : float
        Zones of the same park (``zone_group``) may overlap, but not by more than this share
        of their combined area (intersection over union): above it they are copies.

    Returns
    -------
    list of PlacementError
        Each naming the zone (``record``), the field, the ``check`` and the ``fix``.
    """
    allowed = set(allow)
    unknown = allowed - set(CHECKS)
    if unknown:
        raise ValueError(f"unknown check(s) {', '.join(sorted(unknown))}; choose from {', '.join(CHECKS)}")
    _crs.require_crs(zones, "zones")
    report = set(zones.index if only is None else only)
    problems: list[PlacementError] = []
    if "id" not in allowed:
        problems += _check_ids(zones, report)
    codes = _crs.metric_epsg(zones)
    if "province" not in allowed:
        problems += _check_inside(
            zones, codes, boundaries.provinces, "province_pre2025", "province", report, inside_tolerance
        )
    if "district" not in allowed and boundaries.districts is not None:
        problems += _check_inside(
            zones, codes, boundaries.districts, "district_pre2025", "district", report, inside_tolerance
        )
    if "overlap" not in allowed:
        problems += _check_overlaps(zones, report, overlap_tolerance_m2, duplicate_share)
    if "area" not in allowed:
        problems += _check_areas(zones, report, area_tolerance)
    return problems


def check_incoming(
    incoming: gpd.GeoDataFrame,
    current: gpd.GeoDataFrame | None,
    boundaries: Boundaries,
    *,
    replace: bool = False,
    allow: Iterable[str] = (),
) -> list[PlacementError]:
    """Placement problems of zones about to enter a store (``geozones validate`` / ``store import``).

    The incoming zones are checked together with the store's zones they would join (those
    with other ids, or none with ``replace``), so a new zone drawn over a stored zone of
    another park is reported; only problems of incoming zones are returned.
    """
    frames = [incoming.reset_index(drop=True)]
    if current is not None and not replace and len(current):
        kept = current[~current["id"].isin(incoming["id"])].to_crs(incoming.crs)
        frames.append(kept.reset_index(drop=True))
    merged = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry=incoming.geometry.name, crs=incoming.crs)
    return check_placement(merged, boundaries, allow=allow, only=range(len(incoming)))


def derive_places(zones: gpd.GeoDataFrame, boundaries: Boundaries) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """Fill an empty ``province_pre2025`` / ``district_pre2025`` with the boundary holding most of the zone.

    Returns the zones and how many values of each column were derived. A zone outside every
    boundary keeps its empty value (the schema then asks for it).
    """
    out = zones.copy()
    derived: dict[str, int] = {}
    if not len(out) or out.crs is None:
        return out, derived
    metric = _crs.working_crs(out)
    geoms = out.to_crs(metric).geometry.array
    for column, layer in (("province_pre2025", boundaries.provinces), ("district_pre2025", boundaries.districts)):
        if layer is None or not len(layer):
            continue
        values = out[column] if column in out.columns else pd.Series(None, index=out.index, dtype=object)
        empty = values.isna() | (values.astype(str).str.strip() == "")
        if not empty.any():
            continue
        polygons = layer.to_crs(metric)
        if column == "district_pre2025" and "province_pre2025" in polygons.columns:
            provinces = out["province_pre2025"] if "province_pre2025" in out.columns else None
        else:
            provinces = None
        values = values.astype(object).copy()
        count = 0
        for position in np.flatnonzero(empty.to_numpy()):
            geom = geoms[position]
            if geom is None or geom.is_empty:
                continue
            candidates = polygons
            if provinces is not None and isinstance(provinces.iloc[position], str):
                key = _key(provinces.iloc[position])
                same = polygons[[_key(p) == key for p in polygons["province_pre2025"]]]
                candidates = same if len(same) else polygons
            shares = shapely.area(shapely.intersection(candidates.geometry.array, geom))
            if np.any(shares > 0):
                values.iloc[position] = str(candidates["name"].iloc[int(np.argmax(shares))])
                count += 1
        out[column] = values
        if count:
            derived[column] = count
    return out, derived


def _check_ids(zones: gpd.GeoDataFrame, report: set) -> list[PlacementError]:
    out = []
    for index, value in zones["id"].items():
        if index in report and isinstance(value, str) and not _ID.match(value):
            out.append(
                PlacementError(
                    f"id {value!r} is not lower-case letters, digits and hyphens (at most 64, starting with a letter "
                    f"or digit)",
                    _label(zones, index),
                    "id",
                    "id",
                    f"rename it, e.g. to {slug(value)!r}",
                )
            )
    return out


def _polygons_by_name(layer: gpd.GeoDataFrame, district: bool) -> dict[str, list[int]]:
    lookup: dict[str, list[int]] = {}
    for position, name in enumerate(layer["name"]):
        for key in _district_keys(name) if district else {_key(name)}:
            lookup.setdefault(key, []).append(position)
    return lookup


def _check_inside(zones, codes, layer, column, check, report, tolerance) -> list[PlacementError]:
    if column not in zones.columns or layer is None or len(layer) == 0:
        return []
    district = check == "district"
    lookup = _polygons_by_name(layer, district)
    out = []
    for code in np.unique(codes):
        metric = zones[codes == code].to_crs(epsg=int(code))
        polygons = layer.to_crs(epsg=int(code))
        geoms = polygons.geometry.array
        for index, row in metric.iterrows():
            named, geom = row[column], row.geometry
            if index not in report or not isinstance(named, str) or geom is None or geom.is_empty:
                continue
            keys = _district_keys(named) if district else {_key(named)}
            positions = sorted({p for k in keys for p in lookup.get(k, [])})
            if district and "province_pre2025" in polygons.columns:
                province = _key(row.get("province_pre2025"))
                if province in {_key(p) for p in polygons["province_pre2025"]}:  # else: the province check says so
                    positions = [p for p in positions if _key(polygons["province_pre2025"].iloc[p]) == province]
            if not positions:
                out.append(_unknown_name(polygons, named, row, index, zones, column, check))
                continue
            target = shapely.union_all(geoms[positions])
            total = geom.area
            outside = total - geom.intersection(target).area
            if total <= 0 or outside / total <= tolerance:
                continue
            where = _where(geom, polygons)
            out.append(
                PlacementError(
                    f"{outside / total:.0%} of the zone lies outside the {check} it names ({named}){where}",
                    _label(zones, index),
                    column,
                    check,
                    f"if {column} is right, the geometry is misplaced (was it read with another province's CRS? "
                    f"{row.get('province_pre2025') or named} uses {_province_crs_hint(row)}); otherwise correct {column}",
                )
            )
    return out


def _unknown_name(polygons, named: str, row, index, zones, column: str, check: str) -> PlacementError:
    """A name with no boundary polygon: a problem naming the closest known names and where the zone lies."""
    candidates = polygons
    within = ""
    if check == "district" and "province_pre2025" in polygons.columns:
        province = _key(row.get("province_pre2025"))
        same = polygons[[_key(p) == province for p in polygons["province_pre2025"]]]
        if len(same):
            candidates = same
            within = f" of {row.get('province_pre2025')}"
    names = list(dict.fromkeys(str(n) for n in candidates["name"]))
    keys = {_key(n): n for n in names}
    close = [keys[k] for k in difflib.get_close_matches(_key(named), list(keys), n=3, cutoff=0.6)]
    hint = ", ".join(close or names[:8])
    where = _where(row.geometry, polygons) if row.geometry is not None else ""
    return PlacementError(
        f"{check} {named!r} has no boundary in the store, so the zone cannot be placed{where}",
        _label(zones, index),
        column,
        check,
        f"correct {column}: {'closest known' if close else 'known'} {check} names{within}: {hint}",
    )


def _where(geom, polygons: gpd.GeoDataFrame) -> str:
    shares = shapely.area(shapely.intersection(polygons.geometry.array, geom))
    if not np.any(shares > 0):
        return "; it lies outside every boundary in the store"
    best = int(np.argmax(shares))
    return f"; {shares[best] / geom.area:.0%} of it is in {polygons['name'].iloc[best]}"


def _province_crs_hint(row) -> str:
    try:
        return f"EPSG:{_crs.tm3_crs(row['province_pre2025']).to_epsg()}"
    except (ValueError, TypeError, KeyError):
        return "its own VN-2000 TM-3 zone"


def _check_overlaps(zones, report, tolerance_m2, duplicate_share) -> list[PlacementError]:
    # one metric CRS for the whole layer so that pairs across provinces compare
    metric = zones.to_crs(_crs.working_crs(zones)) if len(zones) else zones
    geoms = metric.geometry.array
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    tree = shapely.STRtree(np.where(present, geoms, None))
    left, right = tree.query(geoms, predicate="intersects")
    groups = zones["zone_group"] if "zone_group" in zones.columns else pd.Series(None, index=zones.index)
    index = list(zones.index)
    out = []
    for i, j in zip(left, right):
        if i >= j or not (present[i] and present[j]):
            continue
        a, b = index[i], index[j]
        if a not in report and b not in report:
            continue
        shared = shapely.intersection(geoms[i], geoms[j]).area
        if shared <= tolerance_m2:
            continue
        union = shapely.union(geoms[i], geoms[j]).area
        copy = union > 0 and shared / union > duplicate_share
        group_a, group_b = groups.iloc[i], groups.iloc[j]
        if isinstance(group_a, str) and group_a == group_b and not copy:
            continue  # phases of the same park may share ground
        for own, other, position in ((a, b, i), (b, a, j)):
            if own not in report:
                continue
            text = (
                f"overlaps zone {_label(zones, other)!r} by {shared / 10_000:,.2f} ha "
                f"({shared / geoms[position].area:.0%} of this zone)"
            )
            if copy:
                text += (
                    f"; they share {shared / union:.0%} of their combined area (over {duplicate_share:.0%}): "
                    f"a copy of one zone, counted twice in every total"
                )
                fix = f"remove the copy or redraw it; same zone_group ({group_a}) does not make a copy a phase"
                if not (isinstance(group_a, str) and group_a == group_b):
                    fix = "remove the copy or redraw the boundary"
            else:
                fix = "redraw the boundary, or give both the same zone_group if they are phases of one park"
            out.append(PlacementError(text, _label(zones, own), "geometry", "overlap", fix))
    return out


def _check_areas(zones, report, tolerance) -> list[PlacementError]:
    if "area_published_ha" not in zones.columns:
        return []
    mapped = _area.area_ha(zones)
    published = pd.to_numeric(zones["area_published_ha"], errors="coerce")
    qualifier = zones["area_qualifier"] if "area_qualifier" in zones.columns else pd.Series(None, index=zones.index)
    out = []
    for index in zones.index:
        m, p = mapped.get(index), published.get(index)
        if index not in report or not (np.isfinite(m) and np.isfinite(p)) or p <= 0:
            continue
        rel = (m - p) / p
        if qualifier.get(index) == "over":
            bad = rel < -tolerance
        else:
            bad = abs(rel) > tolerance
        if bad:
            out.append(
                PlacementError(
                    f"mapped area {m:,.2f} ha differs from the published {p:,.2f} ha by {rel:+.1%}",
                    _label(zones, index),
                    "area_published_ha",
                    "area",
                    "check the polygon (units? a missing part?) or the published figure",
                )
            )
    return out


__all__ = [
    "CHECKS",
    "DUPLICATE_SHARE",
    "Boundaries",
    "PlacementError",
    "check_incoming",
    "check_placement",
    "derive_places",
    "slug",
]
