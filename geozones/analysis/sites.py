"""What an investor asks of a site, derived from the zone records: mapped area, phases, available land,
distances to infrastructure.

Functions take a zone GeoDataFrame and return a named Series or a frame on the same index
(momepy style). May import: the core and :mod:`geozones.analysis.proximity`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from geozones.analysis.proximity import infrastructure_distances
from geozones.area import area_ha
from geozones.crs import require_crs

#: Columns of :func:`geozones.analysis.proximity.infrastructure_distances` shown to investors.
DISTANCE_COLUMNS = (
    "dist_highway_m",
    "nearest_highway",
    "dist_substation_m",
    "nearest_substation",
    "substation_note",
    "dist_border_gate_m",
    "travel",
)
#: Destinations the investor popup lists, in this order, when the destination layer has them; then
#: the nearest railway station; then Hà Nội, which no shipped layer reaches ("no data").
TRAVEL_DESTINATIONS = ("bac_kan_city", "thai_nguyen_city", "lang_son_city", "huu_nghi_border_gate")
#: Attributes :func:`enrich_sites` adds (the maps show them in popups).
DERIVED_COLUMNS = ("area_mapped_ha", "phases", "available_ha") + DISTANCE_COLUMNS


def phases(zones: pd.DataFrame) -> pd.Series:
    """The phases of each zone's ``zone_group``, e.g. ``"I, II, expansion"`` (empty when not phased)."""
    if not {"zone_group", "phase"} <= set(zones.columns):
        return pd.Series(None, index=zones.index, name="phases", dtype=object)
    labels = zones["phase"].where(zones["phase"].notna() & (zones["phase"].astype(str).str.strip() != ""))
    grouped = labels.groupby(zones["zone_group"]).agg(lambda s: ", ".join(dict.fromkeys(s.dropna().astype(str))))
    out = zones["zone_group"].map(grouped)
    return out.where(out.astype(str).str.len() > 0, None).rename("phases")


def available_ha(zones: pd.DataFrame) -> pd.Series:
    """Hectares still available: ``available_ha`` if given, else published area x (1 - occupancy).

    Only where both published figures exist; never estimated from the mapped area.
    """
    if "available_ha" in zones.columns:
        return pd.to_numeric(zones["available_ha"], errors="coerce").rename("available_ha")
    if not {"area_published_ha", "occupancy_pct"} <= set(zones.columns):
        return pd.Series(np.nan, index=zones.index, name="available_ha")
    area = pd.to_numeric(zones["area_published_ha"], errors="coerce")
    occupancy = pd.to_numeric(zones["occupancy_pct"], errors="coerce")
    return (area * (1 - occupancy / 100)).round(1).rename("available_ha")


def site_distances(zones: gpd.GeoDataFrame, infra: Mapping[str, gpd.GeoDataFrame] | None) -> pd.DataFrame:
    """The investor distance columns (:data:`DISTANCE_COLUMNS`), from the frame itself or measured.

    Parameters
    ----------
    zones : GeoDataFrame
    infra : mapping or None
        ``{"roads", "power", "destinations"}`` layers (:func:`geozones.store.load_infrastructure`).
        ``None``: only columns the frame already has.

    Returns
    -------
    pandas.DataFrame
        Same index; empty (no columns) when no distances can be had.
    """
    have = [c for c in DISTANCE_COLUMNS if c in zones.columns]
    if have or infra is None:
        return pd.DataFrame(zones[have])
    drawable = ~(zones.geometry.isna() | zones.geometry.is_empty)
    if {"site_lon", "site_lat"} <= set(zones.columns):
        drawable |= zones["site_lon"].notna() & zones["site_lat"].notna()
    if not drawable.any():
        return pd.DataFrame(index=zones.index)
    try:
        table = infrastructure_distances(zones[drawable], infra)
    except (ValueError, KeyError) as exc:  # a missing or empty layer leaves the distances out, with a warning
        warnings.warn(f"distances left out of the map: {exc}", stacklevel=2)
        return pd.DataFrame(index=zones.index)
    table["travel"] = travel_rows(table, infra["destinations"])
    return pd.DataFrame(table[[c for c in DISTANCE_COLUMNS if c in table.columns]]).reindex(zones.index)


def travel_rows(table: pd.DataFrame, destinations: gpd.GeoDataFrame) -> pd.Series:
    """Per zone, the popup's travel list: road km, drive hours and the straight line per destination.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`geozones.analysis.proximity.infrastructure_distances`.
    destinations : GeoDataFrame
        The destination layer (``id``, ``name``).

    Returns
    -------
    pandas.Series
        Named ``travel``, same index: a list of ``{"name", "road_km", "road_h", "straight_km"}``
        (``None`` where unreachable, with a ``note`` label key the popup translates). The
        :data:`TRAVEL_DESTINATIONS` present come first, then the nearest railway station
        (``"station": True``), then Hà Nội, for which no shipped layer has a point or a road.
    """
    names = dict(zip(destinations["id"], destinations["name"])) if {"id", "name"} <= set(destinations.columns) else {}
    wanted = [d for d in TRAVEL_DESTINATIONS if d in names]

    def figure(value):
        return None if value is None or pd.isna(value) else round(float(value), 1)

    rows = []
    for _, row in table.iterrows():
        items = []
        for dest in wanted:
            road = figure(row.get(f"road_km_{dest}"))
            item = {
                "name": names[dest],
                "road_km": road,
                "road_h": figure(row.get(f"road_h_{dest}")),
                "straight_km": figure(row.get(f"straight_km_{dest}")),
            }
            if road is None:
                item["note"] = "unreachable"
            items.append(item)
        if isinstance(row.get("nearest_station"), str):
            items.append(
                {
                    "name": row["nearest_station"],
                    "station": True,
                    "road_km": figure(row.get("road_km_nearest_station")),
                    "road_h": figure(row.get("road_h_nearest_station")),
                    "straight_km": figure(row.get("straight_km_nearest_station")),
                }
            )
        items.append({"name": "Hà Nội", "road_km": None, "road_h": None, "straight_km": None, "note": "hanoi_note"})
        rows.append(items if wanted else None)
    return pd.Series(rows, index=table.index, name="travel", dtype=object)


def enrich_sites(zones: gpd.GeoDataFrame, infra: Mapping[str, gpd.GeoDataFrame] | None = None) -> gpd.GeoDataFrame:
    """Zones with the derived attributes added: mapped area (metric CRS), phases, available ha, distances.

    Parameters
    ----------
    zones : GeoDataFrame
        Zone records in any CRS.
    infra : mapping, optional
        Infrastructure layers for the distances (see :func:`site_distances`).
    """
    require_crs(zones, "zone layer")
    out = zones.copy()
    out["area_mapped_ha"] = area_ha(zones).round(2)
    out["phases"] = phases(zones)
    out["available_ha"] = available_ha(zones)
    for column, values in site_distances(zones, infra).items():
        out[column] = values
    return out


__all__ = [
    "DERIVED_COLUMNS",
    "DISTANCE_COLUMNS",
    "TRAVEL_DESTINATIONS",
    "available_ha",
    "enrich_sites",
    "phases",
    "site_distances",
    "travel_rows",
]
