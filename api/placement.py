"""Placement checks on zones written over HTTP: the same checks as ``geozones validate`` / ``store import``.

A zone created, replaced or updated through the API must lie inside the province and district it
names, overlap no other park's zone, and have a mapped area that agrees with its published one
(:mod:`geozones.placement`). An edit that changes none of the geometry, the province, the district,
the park group or the published area is not checked again. ``?allow=overlap,area`` skips checks,
as the CLI's ``--allow`` does; a store without boundary layers skips the province and district
checks. The checks read a snapshot of the store's zones and boundaries taken before the write
(the catalog's, rebuilt when the store changes), so two concurrent edits can each pass the overlap
check against the other's old outline.
"""

from __future__ import annotations

from typing import Annotated

import geopandas as gpd
import shapely
from fastapi import Query

from geozones.api.errors import InvalidParameter
from geozones.api.layers import Catalog
from geozones.errors import ZoneValidationError
from geozones.placement import CHECKS, Boundaries, check_incoming
from geozones.schema import validate_zones
from geozones.store.records import StoredZone

#: Attributes whose change re-runs the placement checks (with the geometry).
PLACED_BY = ("province_pre2025", "district_pre2025", "zone_group", "area_published_ha", "area_qualifier")

Allow = Annotated[
    str | None,
    Query(
        description="Placement checks to skip, comma-separated: " + ", ".join(f"`{k}` ({v})" for k, v in CHECKS.items())
    ),
]


class PlacementRefusedError(ZoneValidationError):
    """An edited zone fails its placement checks (every problem listed, with its fix)."""


def parse_allow(value: str | None) -> frozenset[str]:
    """The checks named by ``?allow=`` (400 for an unknown one)."""
    names = frozenset(part.strip() for part in (value or "").split(",") if part.strip())
    unknown = sorted(names - set(CHECKS))
    if unknown:
        raise InvalidParameter(f"allow: unknown check(s) {', '.join(unknown)}; choose from {', '.join(CHECKS)}")
    return names


def patch_moves(patch) -> bool:
    """Whether a merge patch may change where a zone is (its geometry or a :data:`PLACED_BY` attribute)."""
    if not isinstance(patch, dict):
        return True  # let the store reject it
    properties = patch.get("properties")
    return "geometry" in patch or not isinstance(properties, dict) or any(k in properties for k in PLACED_BY)


def _changed(zone: StoredZone, before: StoredZone) -> bool:
    if any(zone.properties.get(name) != before.properties.get(name) for name in PLACED_BY):
        return True
    if (zone.geometry is None) != (before.geometry is None):
        return True
    return zone.geometry is not None and not shapely.equals_exact(zone.geometry, before.geometry, 0.0)


def placement_check(catalog: Catalog, allow: frozenset[str]):
    """``check(zone, before)`` for the store's edit methods: raises :class:`PlacementRefusedError`."""
    names = set(catalog.names())
    zones = catalog.get("zones")
    allowed = set(allow)
    if "boundaries_provinces" in names:
        districts = catalog.get("boundaries_districts").frame if "boundaries_districts" in names else None
        boundaries = Boundaries(catalog.get("boundaries_provinces").frame, districts)
    else:
        allowed |= {"province", "district"}
        boundaries = Boundaries(gpd.GeoDataFrame(geometry=[], crs=zones.frame.crs))

    def check(zone: StoredZone, before: StoredZone | None) -> None:
        if zone.geometry is None or (before is not None and not _changed(zone, before)):
            return
        incoming = validate_zones(
            gpd.GeoDataFrame({k: [v] for k, v in zone.properties.items()}, geometry=[zone.geometry], crs=zone.crs)
        )
        frame = zones.frame
        if len(frame):
            near = zones.sindex.query(shapely.box(*incoming.to_crs(frame.crs).total_bounds))
            frame = frame.iloc[sorted(near)]
            frame = frame[frame["id"] != zone.id]
        problems = check_incoming(incoming, frame, boundaries, allow=allowed)
        if problems:
            listed = "; ".join(
                f"{p.problem} ({p.check}): {p.fix}, or send ?allow={p.check} to store it anyway" for p in problems
            )
            raise PlacementRefusedError(f"zone {zone.id!r} fails its placement checks: {listed}")

    return check


__all__ = ["Allow", "PLACED_BY", "PlacementRefusedError", "parse_allow", "patch_moves", "placement_check"]
