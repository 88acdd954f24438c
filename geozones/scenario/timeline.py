"""The indicators of one timeline row: hectares by status, CCN counts, occupancy, new land, distances.

:class:`Indicators` measures the zones of a run at the end of each year. Hectares are the mapped
polygon area where a zone has a polygon, else its published area (see :func:`refresh_area`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geozones import crs as _crs
from geozones.analysis.proximity import infrastructure_distances
from geozones.scenario.constraints import present
from geozones.schema import STATUSES
from geozones.store import load_infrastructure

#: Statuses counted as an established CCN (the programme's "CCN invested/established").
ESTABLISHED = ("established", "site_clearance", "under_construction", "operating")
INFRA_NOTE = "infrastructure layers not available (geozones.analysis.proximity or data/infrastructure missing)"


def refresh_area(zones: gpd.GeoDataFrame) -> None:
    """Set ``area_mapped_ha`` (polygon area) and ``hectares`` (mapped, else published) in place."""
    geoms = zones.geometry.array
    mapped = shapely.area(geoms) / 10_000.0
    mapped = np.where(shapely.is_missing(geoms) | shapely.is_empty(geoms), np.nan, mapped)
    zones["area_mapped_ha"] = mapped
    zones["hectares"] = pd.Series(mapped, index=zones.index).fillna(
        pd.to_numeric(zones["area_published_ha"], errors="coerce").astype(float)
    )


class Indicators:
    """Measures a run's zones year by year against its base (the zones before any action).

    Parameters
    ----------
    base : GeoDataFrame
        The zones before any action (for ``new_land_ha``).
    store : ZoneStore or None
        Source of the infrastructure layers when ``infra`` is None.
    infra : dict or None
        Infrastructure layers for :func:`geozones.analysis.proximity.infrastructure_distances`.
    cache : dict
        The run cache (keys ``infra`` and ``distances``).
    notes : list of str
        The run's notes (missing infrastructure is noted there once).
    """

    def __init__(self, base: gpd.GeoDataFrame, store, infra, cache: dict, notes: list[str]):
        self.base, self.store, self.cache, self.notes = base, store, cache, notes
        self.infra = infra if infra is not None else cache.get("infra")
        self._base_union = None
        self._distance_cache: dict[tuple, tuple[float, float]] = cache.setdefault("distances", {})

    def row(self, zones: gpd.GeoDataFrame, year: int) -> dict:
        """One timeline row for ``zones`` at the end of ``year``."""
        active = zones["status"].to_numpy() != "retired"
        status = zones["status"].to_numpy()[active]
        hectares = zones["hectares"].to_numpy(dtype=float)[active]
        occupancy = zones["occupancy_pct"].to_numpy(dtype=float)[active]
        row: dict = {"year": year}
        for name in STATUSES:
            if name != "retired":
                row[f"ha_{name}"] = float(np.nansum(hectares[status == name]))
        row["total_ha"] = float(np.nansum(hectares))
        row["occupied_ha"] = float(np.nansum(hectares * occupancy / 100))
        z = zones[active]
        row["new_land_ha"] = self.new_land(z)
        # a zone mapped at 0 ha is no zone: never counted (an unknown area, NaN, still counts)
        ccn = (zones["kind"].to_numpy()[active] == "CCN") & np.isin(status, ESTABLISHED) & ~(hectares <= 0)
        row["ccn_count"] = int(ccn.sum())
        row["ccn_area_ha"] = float(np.nansum(hectares[ccn]))
        row["ccn_area_unknown"] = int(np.isnan(hectares[ccn]).sum())
        full = ccn & zones["infrastructure_complete"].to_numpy(dtype=bool)[active]
        row["ccn_full_infra"] = int(full.sum())
        known = full & ~np.isnan(occupancy) & ~np.isnan(hectares)
        weights = hectares[known]
        row["ccn_full_infra_occupancy_pct"] = (
            float(np.average(occupancy[known], weights=weights)) if known.any() and weights.sum() > 0 else np.nan
        )
        row["ccn_full_infra_no_occupancy"] = int((full & ~known).sum())
        row["mean_dist_highway_m"], row["mean_dist_substation_m"] = self.distances(z)
        return row

    def new_land(self, z: gpd.GeoDataFrame) -> float:
        """Hectares of the active zones outside every base zone's outline."""
        if self._base_union is None:
            self._base_union = shapely.union_all(present(self.base.geometry.array))
        now = shapely.union_all(present(z.geometry.array))
        return float(shapely.area(shapely.difference(now, self._base_union)) / 10_000.0)

    def distances(self, z: gpd.GeoDataFrame) -> tuple[float, float]:
        """Mean distance of the active zones to a national highway and a >= 110 kV substation (proximity)."""
        key = tuple(zip(z.index, z["status"], shapely.to_wkb(z.geometry.array)))
        if key in self._distance_cache:
            return self._distance_cache[key]
        value = (np.nan, np.nan)
        try:
            if self.infra is None:
                self.infra = self.cache["infra"] = load_infrastructure(self.store)
            table = infrastructure_distances(z.to_crs(_crs.WGS84), infra=self.infra)
            value = (float(table["dist_highway_m"].mean()), float(table["dist_substation_m"].mean()))
        except (FileNotFoundError, KeyError, ValueError) as exc:
            text = f"{INFRA_NOTE}: {exc}"
            if text not in self.notes:
                self.notes.append(text)
        self._distance_cache[key] = value
        return value
