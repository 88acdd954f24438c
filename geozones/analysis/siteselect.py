"""Site selection: one row per zone with the figures the explorer, comparison and fact sheets show.

Distances to four kinds of place -- the nearest highway, border gate, railway station and city --
come by road and in a straight line. By road they follow the road layer with
:func:`geozones.roadnet.travel` (access leg from the zone's edge to the nearest road, then along the
network); drive times use its assumed speeds and are labelled estimates. When the zones already
carry ``road_km_<kind>`` / ``road_h_<kind>`` / ``straight_km_<kind>`` columns (the per-zone road
distances of the real road network, issue "Real geography"), those are used as they are.

Destinations are the ``infrastructure_destinations`` features of class ``border_gate``,
``railway_station`` and ``city``; highways are the road features of class ``national_highway``
or ``expressway``. A kind with no feature in the data gives NaN ("not in the data"); a place
that the roads do not reach gives NaN by road with ``reachable_<kind> == False``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geozones import crs as _crs
from geozones.analysis.proximity import measured_geometry
from geozones.analysis.roadnet import SHIPPED_SNAP_M, travel
from geozones.analysis.sites import available_ha, phases
from geozones.area import area_ha
from geozones.errors import GeozonesError

#: Kinds of place distances are given to, in display order.
PLACE_KINDS: tuple[str, ...] = ("highway", "border_gate", "railway_station", "city")
#: Road classes counted as highways.
HIGHWAY_CLASSES: tuple[str, ...] = ("national_highway", "expressway")
#: Optional investor fields (schema fields when present; "not published" when empty).
INVESTOR_FIELDS: tuple[str, ...] = (
    "land_price",
    "land_price_currency",
    "land_price_unit",
    "land_price_period",
    "available_land_ha",
    "leased_land_ha",
    "power_capacity_mva",
    "water_capacity_m3_day",
    "wastewater_capacity_m3_day",
    "incentives",
    "contact",
    "investor_info_sources",
)
#: Columns of the site table sent to the browser, in order.
SITE_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "name_ascii",
    "kind",
    "zone_group",
    "phases",
    "province",
    "province_pre2025",
    "district_pre2025",
    "commune",
    "status",
    "status_year",
    "area_published_ha",
    "area_qualifier",
    "area_mapped_ha",
    "available_ha",
    "available_basis",
    "occupancy_pct",
    "investor",
    "decision",
    "geometry_quality",
    "location_basis",
    "location_only",
    "sources",
    "lon",
    "lat",
    "access_km",
    *(f"{p}_{k}" for k in PLACE_KINDS for p in ("road_km", "road_h", "straight_km", "nearest")),
    *INVESTOR_FIELDS,
)


def _destination_kind(destinations: gpd.GeoDataFrame) -> pd.Series:
    return destinations["class"] if "class" in destinations.columns else pd.Series(None, index=destinations.index)


def _nearest_in(origins: gpd.GeoSeries, targets: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Straight-line metres and the position of the nearest target, per origin (NaN / -1 when none)."""
    dist = np.full(len(origins), np.nan)
    which = np.full(len(origins), -1)
    geoms = np.asarray(origins.array)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if len(targets) == 0 or not ok.any():
        return dist, which
    tree = shapely.STRtree(np.asarray(targets.geometry.array))
    (q, t), d = tree.query_nearest(geoms[ok], return_distance=True, all_matches=False)
    dist[np.flatnonzero(ok)[q]] = d
    which[np.flatnonzero(ok)[q]] = t
    return dist, which


def _distances_in(
    origins: gpd.GeoSeries,
    roads: gpd.GeoDataFrame,
    destinations: gpd.GeoDataFrame,
    speeds_kmh,
    max_access_m,
    network: dict,
) -> pd.DataFrame:
    """Distance columns for origins in one metric CRS (roads and destinations already in it)."""
    out = pd.DataFrame(index=origins.index)
    # The straight leg from the site to the nearest mapped road, counted in every road distance.
    out["access_km"] = _nearest_in(origins, roads)[0] / 1000.0 if len(roads) else np.nan
    kinds = _destination_kind(destinations)
    road_class = roads["class"] if "class" in roads.columns else pd.Series(None, index=roads.index)
    for kind in PLACE_KINDS:
        if kind == "highway":
            targets = roads[road_class.isin(HIGHWAY_CLASSES).to_numpy()]
            label = (
                targets["ref"].where(targets["ref"].notna(), targets["name"]) if "ref" in targets else targets["name"]
            )
        else:
            targets = destinations[(kinds == kind).to_numpy()]
            label = targets["name"] if "name" in targets else pd.Series(None, index=targets.index)
        metres, which = _nearest_in(origins, targets)
        out[f"straight_km_{kind}"] = metres / 1000.0
        out[f"nearest_{kind}"] = [label.iloc[w] if w >= 0 else None for w in which]
        out[f"road_km_{kind}"] = np.nan
        out[f"road_h_{kind}"] = np.nan
        out[f"reachable_{kind}"] = False
        if len(targets) == 0 or len(roads) == 0:
            continue
        if kind == "highway":
            # Per origin, the straight-line nearest point on a highway, then the trip there by road.
            ends = np.asarray(origins.array).copy()
            ok = ~(shapely.is_missing(ends) | shapely.is_empty(ends))
            lines = shapely.shortest_line(ends[ok], shapely.union_all(np.asarray(targets.geometry.array)))
            points = shapely.get_point(lines, 1)
            stops = gpd.GeoDataFrame({"id": [f"o{i}" for i in range(len(points))]}, geometry=points, crs=origins.crs)
            for j, position in enumerate(np.flatnonzero(ok)):
                trip = travel(
                    origins.iloc[[position]],
                    roads,
                    stops.iloc[[j]],
                    speeds_kmh=speeds_kmh,
                    max_access_m=max_access_m,
                    **network,
                )
                out.iloc[position, out.columns.get_loc("road_km_highway")] = trip[f"road_km_o{j}"].iloc[0]
                out.iloc[position, out.columns.get_loc("road_h_highway")] = trip[f"road_h_o{j}"].iloc[0]
                out.iloc[position, out.columns.get_loc("reachable_highway")] = bool(trip[f"reachable_o{j}"].iloc[0])
            continue
        stops = targets.reset_index(drop=True).assign(id=lambda f: [f"d{i}" for i in range(len(f))])
        trips = travel(origins, roads, stops, speeds_kmh=speeds_kmh, max_access_m=max_access_m, **network)
        km = trips[[f"road_km_d{i}" for i in range(len(stops))]].to_numpy(dtype=float)
        hours = trips[[f"road_h_d{i}" for i in range(len(stops))]].to_numpy(dtype=float)
        reachable = np.isfinite(km).any(axis=1)
        best = np.where(reachable, np.nanargmin(np.where(np.isfinite(km), km, np.inf), axis=1), 0)
        rows = np.arange(len(km))
        out[f"road_km_{kind}"] = np.where(reachable, km[rows, best], np.nan)
        out[f"road_h_{kind}"] = np.where(
            reachable, np.nanmin(np.where(np.isfinite(hours), hours, np.inf), axis=1), np.nan
        )
        out[f"reachable_{kind}"] = reachable
        # The named place is the one reached by road when there is one.
        names = stops["name"] if "name" in stops else pd.Series(None, index=stops.index)
        out[f"nearest_{kind}"] = [names.iloc[b] if r else n for b, r, n in zip(best, reachable, out[f"nearest_{kind}"])]
    return out


#: A bound on the straight access leg (m) callers may pass as ``max_access_m``; the default is no bound,
#: as in :func:`geozones.analysis.proximity.infrastructure_distances`, and ``access_km`` says how long it is.
MAX_ACCESS_M = 5000.0


def place_distances(
    zones: gpd.GeoDataFrame,
    infra: Mapping[str, gpd.GeoDataFrame],
    *,
    speeds_kmh: Mapping[str, float] | None = None,
    max_access_m: float | None = None,
    snap_m: float | None = None,
    node_crossings: bool = True,
) -> pd.DataFrame:
    """Road and straight-line distances from each zone to the nearest highway, border gate, railway station and city.

    Parameters
    ----------
    zones : GeoDataFrame
        Zones in any CRS; measured from the polygon edge, or from ``site_lon``/``site_lat``.
    infra : mapping
        ``{"roads", "destinations", ...}`` layers as :func:`geozones.store.load_infrastructure`
        returns them (any CRS).
    speeds_kmh : mapping, optional
        Assumed speeds by road class (see :data:`geozones.roadnet.DEFAULT_SPEEDS_KMH`).
    max_access_m : float or None
        Longest straight leg between a zone (or a place) and the road network (e.g. :data:`MAX_ACCESS_M`);
        ``None`` (default) for no limit: the leg is then counted in the road distance and reported as
        ``access_km``.
    snap_m, node_crossings
        How the road graph is built, as in :func:`geozones.analysis.proximity.infrastructure_distances`
        (default: ends snapped within :data:`geozones.analysis.roadnet.SHIPPED_SNAP_M` and crossings
        joined, for the coarse shipped layer; ``snap_m=0, node_crossings=False`` for OpenStreetMap).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``zones``; per kind ``road_km_<kind>``, ``road_h_<kind>`` (estimate),
        ``reachable_<kind>``, ``straight_km_<kind>`` and ``nearest_<kind>`` (its name or road
        number). Each zone is measured in the VN-2000 TM-3 CRS of its province.
    """
    layers = infra
    network = {"snap_m": SHIPPED_SNAP_M if snap_m is None else float(snap_m), "node_crossings": node_crossings}
    geometry, _ = measured_geometry(zones)
    codes = _crs.metric_epsg(zones) if len(zones) else np.zeros(0, int)
    parts = []
    for code in sorted(set(codes.tolist())):
        target = pyproj.CRS.from_epsg(int(code))
        origins = geometry[codes == code].to_crs(target)
        parts.append(
            _distances_in(
                origins,
                layers["roads"].to_crs(target),
                layers["destinations"].to_crs(target),
                speeds_kmh,
                max_access_m,
                network,
            )
        )
    columns = ["access_km"] + [
        f"{p}_{k}" for k in PLACE_KINDS for p in ("road_km", "road_h", "reachable", "straight_km", "nearest")
    ]
    table = pd.concat(parts) if parts else pd.DataFrame(index=zones.index[:0])
    return table.reindex(index=zones.index, columns=columns)


def site_table(zones: gpd.GeoDataFrame, infra: Mapping[str, gpd.GeoDataFrame] | None = None) -> pd.DataFrame:
    """One row per zone with every figure the explorer, the comparison and the fact sheet show.

    Parameters
    ----------
    zones : GeoDataFrame
        Zone records (any CRS).
    infra : mapping, optional
        Infrastructure layers for :func:`place_distances`, used only for the distance columns the
        zones do not already carry; ``None`` leaves them empty. A layer that cannot be used (empty,
        no CRS) leaves the distances empty with a warning rather than breaking the pages.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``zones``, columns :data:`SITE_COLUMNS`. ``available_ha`` is the published
        available land, else published area x (1 - published occupancy) (``available_basis``
        says which); ``lon``/``lat`` (WGS84) is where the marker and label go.
    """
    _crs.require_crs(zones, "zone layer")
    enriched = zones.copy()
    enriched["area_mapped_ha"] = area_ha(zones).round(2)
    enriched["phases"] = phases(zones)
    enriched["available_ha"] = available_ha(zones)
    out = pd.DataFrame(index=zones.index)
    for column in SITE_COLUMNS:
        if column in enriched.columns:
            out[column] = enriched[column]
    if "available_land_ha" in zones.columns and zones["available_land_ha"].notna().any():
        published = pd.to_numeric(zones["available_land_ha"], errors="coerce")
        out["available_ha"] = published.where(published.notna(), out.get("available_ha"))
        basis = np.where(published.notna(), "published", np.where(out["available_ha"].notna(), "derived", None))
    else:
        basis = np.where(out["available_ha"].notna(), "derived", None)
    out["available_basis"] = basis
    geoms = zones.geometry
    has_shape = ~(geoms.isna() | geoms.is_empty)
    out["location_only"] = ~has_shape.to_numpy()
    points = gpd.GeoSeries(geoms.array, index=zones.index, crs=zones.crs).to_crs(_crs.WGS84).representative_point()
    lon = np.where(has_shape, points.x, pd.to_numeric(zones.get("site_lon"), errors="coerce"))
    lat = np.where(has_shape, points.y, pd.to_numeric(zones.get("site_lat"), errors="coerce"))
    out["lon"], out["lat"] = np.round(lon, 6), np.round(lat, 6)
    given = [c for c in zones.columns if c.startswith(("road_km_", "road_h_", "straight_km_", "nearest_", "access_km"))]
    if {f"road_km_{k}" for k in PLACE_KINDS} <= set(zones.columns):
        distances = pd.DataFrame(zones[given])
    elif infra is None:
        distances = pd.DataFrame(index=zones.index)
    else:
        try:
            distances = place_distances(zones, infra)
        except (GeozonesError, KeyError, ValueError) as exc:  # an unusable layer must not break the pages
            warnings.warn(f"road distances left out: {exc}", stacklevel=2)
            distances = pd.DataFrame(index=zones.index)
    for column in SITE_COLUMNS:
        if column.startswith(("road_km_", "road_h_", "straight_km_", "access_km")):
            out[column] = pd.to_numeric(distances[column], errors="coerce").round(2) if column in distances else np.nan
        elif column.startswith("nearest_"):
            out[column] = distances[column] if column in distances else None
    for column in SITE_COLUMNS:
        if column not in out.columns:
            out[column] = zones[column] if column in zones.columns else None
    return out[list(SITE_COLUMNS)]


__all__ = [
    "PLACE_KINDS",
    "HIGHWAY_CLASSES",
    "INVESTOR_FIELDS",
    "SITE_COLUMNS",
    "place_distances",
    "site_table",
    "MAX_ACCESS_M",
]
