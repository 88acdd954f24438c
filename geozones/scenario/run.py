"""Running a scenario: apply its actions year by year, measure indicators, check targets.

The run works on the zones of the scenario's province in its VN-2000 TM-3 CRS. Each year
applies that year's actions (in file order) and records one timeline row. Hectares are the
mapped polygon area where a zone has a polygon, else its published area.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geozones import crs as _crs
from geozones.errors import InvalidParameterError, ScenarioError, UnknownAttributeError
from geozones.analysis.growth import grow_to_area
from geozones.analysis.proximity import infrastructure_distances
from geozones.schema import PROVINCE_AFTER_2025, STATUSES, ascii_name
from geozones.scenario.model import Action, LayerRef, Scenario
from geozones.store import load_infrastructure, open_store

#: Statuses counted as an established CCN (the programme's "CCN invested/established").
ESTABLISHED = ("established", "site_clearance", "under_construction", "operating")
#: Tolerance used for "about" (~) targets: within 10 % of the value (a geozones convention).
ABOUT_TOLERANCE = 0.10
#: Target id fragment -> timeline column it is checked against.
TARGET_INDICATORS = {
    "ccn-count": "ccn_count",
    "ccn-area": "ccn_area_ha",
    "complete-infra": "ccn_full_infra",
    "ccn-occupancy": "ccn_full_infra_occupancy_pct",
}
INFRA_NOTE = "infrastructure layers not available (geozones.analysis.proximity or data/infrastructure missing)"


@dataclass
class ScenarioResult:
    """Everything a scenario run produces.

    Attributes
    ----------
    scenario : Scenario
    zones : GeoDataFrame
        The zones at the end year (metric CRS), with ``infrastructure_complete``,
        ``area_mapped_ha``, ``hectares`` and ``scenario_id`` columns.
    base : GeoDataFrame
        The zones before any action.
    timeline : DataFrame
        One row per year (index ``year``) of indicators.
    targets : DataFrame
        Each provincial target with the scenario's value and ``pass``/``fail``/``not assessed``.
    growth : DataFrame
        One row per growth (zone, year, target, area reached, message).
    notes : list of str
        What could not be computed and why.
    """

    scenario: Scenario
    zones: gpd.GeoDataFrame
    base: gpd.GeoDataFrame
    timeline: pd.DataFrame
    targets: pd.DataFrame
    growth: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def diff(self) -> pd.DataFrame:
        """Per-zone changes from the base to the end year (see :func:`zone_diff`)."""
        return zone_diff(self.base, self.zones)

    def layer(self) -> gpd.GeoDataFrame:
        """The end-year zones in WGS84, ready for a store layer or a GeoPackage."""
        out = self.zones.to_crs(_crs.WGS84).copy()
        for column in out.columns:
            if column != "geometry" and out[column].dtype == object:
                out[column] = out[column].map(lambda v: v if v is None or isinstance(v, str) else str(v))
        return out

    def save(self, store=None, gpkg: str | os.PathLike | None = None) -> list[str]:
        """Write the end-year zones as layer ``scenario_<id>`` to a store and/or a GeoPackage."""
        from geozones.io import to_geopackage

        written = []
        frame = self.layer()
        name = self.scenario.layer_name
        if store is not None:
            store.write_layer(name, frame)
            written.append(f"store layer {name}")
        if gpkg is not None:
            to_geopackage(frame, gpkg, name, append_layer=True)
            written.append(f"{gpkg} layer {name}")
        return written


def run_scenario(scenario: Scenario, *, store=None, zones: gpd.GeoDataFrame | None = None,
                 layers: dict[str, gpd.GeoDataFrame] | None = None, targets: pd.DataFrame | None = None,
                 infra: dict | None = None) -> ScenarioResult:
    """Apply a scenario to the zones and measure it year by year.

    Parameters
    ----------
    scenario : Scenario
    store : ZoneStore, optional
        Source of zones, constraint layers and the ``targets`` table (default: the configured store).
    zones : GeoDataFrame, optional
        Zones to start from instead of the store's.
    layers : dict, optional
        Constraint layers by name, looked up before the store.
    targets : DataFrame, optional
        Targets table (columns of ``data/zones/targets.csv``); default: the store's ``table_targets``.
    infra : dict, optional
        Infrastructure layers for ``geozones.analysis.proximity.infrastructure_distances``.

    Returns
    -------
    ScenarioResult
    """
    if zones is None or targets is None:
        if store is None:
            store = open_store()
    if zones is None:
        zones = store.zones()
    runner = _Runner(scenario, zones, store, layers or {}, infra)
    timeline = runner.run()
    if targets is None:
        targets = _store_targets(store)
    checked = check_targets(timeline, targets, scenario)
    return ScenarioResult(scenario, runner.zones, runner.base, timeline, checked,
                          pd.DataFrame(runner.growth_log, columns=["year", "zone", "action", "target_ha", "area_ha",
                                                                   "reached", "message"]),
                          runner.notes)


def _store_targets(store) -> pd.DataFrame:
    try:
        return store.layer("table_targets")
    except (UnknownAttributeError, KeyError):
        return pd.DataFrame(columns=["id", "province_pre2025", "indicator", "operator", "value", "value_max", "unit",
                                     "year", "source"])


def _same_province(a: str | None, b: str) -> bool:
    return isinstance(a, str) and ascii_name(a).lower() == ascii_name(b).lower()


class _Runner:
    def __init__(self, scenario: Scenario, zones: gpd.GeoDataFrame, store, layers: dict, infra):
        self.scenario, self.store, self.layers, self.infra = scenario, store, layers, infra
        self.notes: list[str] = []
        self.growth_log: list[tuple] = []
        self.metric = pyproj.CRS.from_user_input(scenario.crs) if scenario.crs else _crs.tm3_crs(scenario.province)
        mine = zones[zones["province_pre2025"].map(lambda p: _same_province(p, scenario.province))]
        if mine.empty:
            raise ScenarioError(f"no zones in province {scenario.province!r}", scenario.path, field="province")
        frame = mine.to_crs(self.metric).copy()
        frame["infrastructure_complete"] = frame["status"].eq("operating")
        frame["scenario_id"] = scenario.id
        self.zones = frame.set_index("id", drop=False)
        self.zones.index.name = None
        self._refresh_area()
        self.base = self.zones.copy()
        self._exclusions = None
        self._distance_cache: dict[tuple, tuple[float, float]] = {}

    # -- areas and constraints ------------------------------------------------------------

    def _refresh_area(self) -> None:
        geoms = self.zones.geometry.array
        mapped = shapely.area(geoms) / 10_000.0
        mapped = np.where(shapely.is_missing(geoms) | shapely.is_empty(geoms), np.nan, mapped)
        self.zones["area_mapped_ha"] = mapped
        self.zones["hectares"] = pd.Series(mapped, index=self.zones.index).fillna(pd.to_numeric(self.zones["area_published_ha"], errors="coerce").astype(float))

    def exclusions(self):
        """Union of every constraint (buffered), in the metric CRS; computed once."""
        if self._exclusions is None:
            parts = []
            constraints = self.scenario.constraints
            for ref in constraints.exclusions + constraints.buffers:
                frame = self._layer(ref)
                if frame is not None and len(frame):
                    geoms = frame.to_crs(self.metric).geometry.array
                    parts.append(shapely.buffer(geoms, ref.buffer_m) if ref.buffer_m > 0 else geoms)
            if constraints.max_slope_deg is not None:
                parts.append(np.array([self._steep_land()], dtype=object))
            geoms = np.concatenate(parts) if parts else np.empty(0, dtype=object)
            geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))] if len(geoms) else geoms
            self._exclusions = shapely.make_valid(shapely.union_all(geoms)) if len(geoms) else None
        return self._exclusions

    def _layer(self, ref: LayerRef) -> gpd.GeoDataFrame | None:
        where = self.scenario.path
        try:
            if ref.file:
                from geozones.io import read_layer

                path = Path(ref.file)
                if not path.is_absolute() and where:
                    path = Path(where).parent / path
                return read_layer(path)
            if ref.layer in self.layers:
                return self.layers[ref.layer]
            if self.store is None:
                raise UnknownAttributeError(f"no store to read layer {ref.layer!r} from")
            frame = self.store.layer(ref.layer)
            if not isinstance(frame, gpd.GeoDataFrame):
                raise ScenarioError(f"layer {ref.layer!r} is a table without geometry", where, ref.line)
            return frame
        except (UnknownAttributeError, KeyError, FileNotFoundError, OSError) as exc:
            if ref.optional:
                self.notes.append(f"constraint layer {ref.label!r} not available, skipped (optional): {exc}")
                return None
            raise ScenarioError(f"constraint layer {ref.label!r} not available: {exc}", where, ref.line) from None

    def _steep_land(self):
        from rasterio.features import shapes

        from geozones.analysis.raster import slope_from_dem

        dem = Path(self.scenario.constraints.dem)
        if not dem.is_absolute() and self.scenario.path:
            dem = Path(self.scenario.path).parent / dem
        if not dem.exists():
            raise ScenarioError(f"DEM {dem} not found", self.scenario.path, field="constraints.dem")
        slope, grid = slope_from_dem(dem)
        steep = (slope > self.scenario.constraints.max_slope_deg).astype("uint8")
        polys = [shapely.geometry.shape(g) for g, v in shapes(steep, mask=steep.astype(bool),
                                                                transform=grid.transform) if v == 1]
        if not polys:
            return shapely.Polygon()
        layer = gpd.GeoSeries(polys, crs=grid.crs).to_crs(self.metric)
        return shapely.union_all(layer.array)

    def _growth_exclusions(self, skip: set[str]):
        parts = [self.exclusions()] if self.exclusions() is not None else []
        if self.scenario.constraints.avoid_other_zones:
            others = self.zones[~self.zones.index.isin(skip) & self.zones["status"].ne("retired")].geometry.array
            others = others[~(shapely.is_missing(others) | shapely.is_empty(others))]
            parts.extend(others)
        return shapely.union_all(np.array(parts, dtype=object)) if parts else None

    # -- actions ------------------------------------------------------------------------------

    def run(self) -> pd.DataFrame:
        rows = []
        actions = sorted(enumerate(self.scenario.actions), key=lambda pair: (pair[1].year, pair[0]))
        for year in range(self.scenario.start_year, self.scenario.end_year + 1):
            for index, action in actions:
                if action.year == year:
                    self.apply(action, index)
            rows.append(self.indicators(year))
        return pd.DataFrame(rows).set_index("year")

    def _zone(self, action: Action, index: int, key: str = "zone") -> str:
        zone_id = action.params[key]
        if zone_id not in self.zones.index:
            raise ScenarioError(f"no zone {zone_id!r} in {self.scenario.province} (ids: "
                                f"{', '.join(self.zones.index)})", self.scenario.path, action.line,
                                f"actions[{index}].{key}")
        return zone_id

    def apply(self, action: Action, index: int) -> None:
        handler = getattr(self, f"_do_{action.kind}")
        handler(action, index)
        self._refresh_area()

    def _set(self, zone_id: str, action: Action, **values) -> None:
        for column, value in values.items():
            self.zones.loc[zone_id, column] = value
        self.zones.loc[zone_id, "status_year"] = action.year

    def _do_set_status(self, action: Action, index: int) -> None:
        self._set(self._zone(action, index), action, status=action.params["status"])

    def _do_retire(self, action: Action, index: int) -> None:
        self._set(self._zone(action, index), action, status="retired")

    def _do_complete_phase(self, action: Action, index: int) -> None:
        self._set(self._zone(action, index), action, status="operating", infrastructure_complete=True)

    def _do_set_infrastructure(self, action: Action, index: int) -> None:
        zone_id = self._zone(action, index)
        self.zones.loc[zone_id, "infrastructure_complete"] = bool(action.params["complete"])

    def _do_set_occupancy(self, action: Action, index: int) -> None:
        zone_id = self._zone(action, index)
        self.zones.loc[zone_id, "occupancy_pct"] = float(action.params["occupancy_pct"])

    def _do_grow(self, action: Action, index: int) -> None:
        zone_id = self._zone(action, index)
        geom = self.zones.geometry[zone_id]
        if geom is None or shapely.is_empty(geom):
            raise ScenarioError(f"zone {zone_id!r} has no polygon to grow; add one with add_zone 'geometry'",
                                self.scenario.path, action.line, f"actions[{index}].zone")
        current = shapely.area(geom) / 10_000.0
        target = action.params.get("to_ha") or current + action.params["by_ha"]
        result = self._grow(geom, target, {zone_id})
        self._log(action, zone_id, result)
        self.zones.loc[[zone_id], "geometry"] = gpd.GeoSeries([result.geometry], index=[zone_id], crs=self.metric)

    def _grow(self, geom, target: float, skip: set[str]):
        return grow_to_area(geom, target, crs=self.metric, exclusions=self._growth_exclusions(skip),
                            max_distance=self.scenario.constraints.max_distance_m)

    def _log(self, action: Action, zone_id: str, result) -> None:
        self.growth_log.append((action.year, zone_id, action.kind, result.target_ha, result.area_ha, result.reached,
                                result.message))
        if not result.reached:
            self.notes.append(f"{action.year} {zone_id}: {result.message}")

    def _do_add_zone(self, action: Action, index: int) -> None:
        p = action.params
        if p["id"] in self.zones.index:
            raise ScenarioError(f"zone {p['id']!r} already exists", self.scenario.path, action.line,
                                f"actions[{index}].id")
        if "geometry" in p:
            geom = self._geometry(p["geometry"], action, index)
        else:
            site = gpd.GeoSeries(gpd.points_from_xy([p["point"][0]], [p["point"][1]]), crs=_crs.WGS84)
            result = self._grow(site.to_crs(self.metric).iloc[0], p["target_ha"], set())
            self._log(action, p["id"], result)
            geom = result.geometry
        basis = ("drawn in the scenario file" if "geometry" in p else
                 f"scenario {self.scenario.id}: grown from the point {p.get('point')} to {p.get('target_ha')} ha "
                 "around constraints (not a surveyed outline)")
        row = {
            "id": p["id"], "name": p["name"], "name_ascii": ascii_name(p["name"]), "kind": p["kind"],
            "zone_group": p.get("zone_group") or p["name"], "phase": p.get("phase"),
            "province_pre2025": self.scenario.province,
            "province": PROVINCE_AFTER_2025.get(self.scenario.province, self.scenario.province),
            "district_pre2025": p.get("district_pre2025"), "status": p.get("status", "planned"),
            "status_year": action.year, "area_published_ha": None, "occupancy_pct": p.get("occupancy_pct"),
            "sources": action.source or "scenario assumption", "geometry_quality": "approximate",
            "location_basis": basis, "notes": action.assumption, "infrastructure_complete": False,
        }
        self._append(row, geom)

    def _do_add_phase(self, action: Action, index: int) -> None:
        p = action.params
        parent_id = self._zone(action, index, "of")
        if p["id"] in self.zones.index:
            raise ScenarioError(f"zone {p['id']!r} already exists", self.scenario.path, action.line,
                                f"actions[{index}].id")
        parent = self.zones.loc[parent_id]
        group = self.zones.index[self.zones["zone_group"].eq(parent["zone_group"])]
        if "geometry" in p:
            geom = self._geometry(p["geometry"], action, index)
        else:
            seeds = self.zones.loc[group].geometry.array
            seeds = seeds[~(shapely.is_missing(seeds) | shapely.is_empty(seeds))]
            if len(seeds) == 0:
                raise ScenarioError(f"zone group of {parent_id!r} has no polygon to grow a phase from",
                                    self.scenario.path, action.line, f"actions[{index}].of")
            seed = shapely.make_valid(shapely.union_all(seeds))
            result = self._grow(seed, shapely.area(seed) / 10_000.0 + p["target_ha"], set(group))
            self._log(action, p["id"], result)
            geom = shapely.make_valid(shapely.difference(result.geometry, seed))
        row = parent.drop(labels=["geometry"]).to_dict()
        row.update({
            "id": p["id"], "name": p.get("name") or f"{parent['name']} ({p['phase']})", "phase": p["phase"],
            "status": p.get("status", "planned"), "status_year": action.year, "area_published_ha": None,
            "area_qualifier": None, "occupancy_pct": None, "decision": None, "decision_date": None,
            "established_year": None, "target_year": None, "infrastructure_complete": False,
            "sources": action.source or "scenario assumption", "notes": action.assumption,
            "location_basis": f"scenario {self.scenario.id}: grown beside {parent_id} to {p.get('target_ha')} ha",
        })
        row["name_ascii"] = ascii_name(row["name"])
        self._append(row, geom)

    def _geometry(self, value, action: Action, index: int):
        try:
            geom = shapely.from_geojson(json.dumps(value)) if isinstance(value, dict) else shapely.from_wkt(value)
        except Exception as exc:  # shapely raises GEOSException for bad WKT/GeoJSON
            raise ScenarioError(f"cannot read the geometry: {exc}", self.scenario.path, action.line,
                                f"actions[{index}].geometry") from None
        if shapely.get_type_id(geom) not in (3, 6) or not shapely.is_valid(geom):
            raise ScenarioError("the geometry must be a valid Polygon or MultiPolygon (WGS84 lon/lat)",
                                self.scenario.path, action.line, f"actions[{index}].geometry")
        return gpd.GeoSeries([geom], crs=_crs.WGS84).to_crs(self.metric).iloc[0]

    def _append(self, row: dict, geom) -> None:
        row = {**row, "scenario_id": self.scenario.id}
        new = gpd.GeoDataFrame([row], index=[row["id"]],
                               geometry=gpd.GeoSeries([geom], index=[row["id"]], crs=self.metric), crs=self.metric)
        new = new.reindex(columns=self.zones.columns)
        self.zones = pd.concat([self.zones, new.astype({c: object for c in new.columns if c != "geometry"})])
        self.zones = gpd.GeoDataFrame(self.zones, geometry="geometry", crs=self.metric)

    # -- indicators ---------------------------------------------------------------------------

    def indicators(self, year: int) -> dict:
        z = self.zones[self.zones["status"].ne("retired")]
        hectares = z["hectares"].astype(float)
        row: dict = {"year": year}
        for status in STATUSES:
            if status != "retired":
                row[f"ha_{status}"] = float(hectares[z["status"].eq(status)].sum())
        row["total_ha"] = float(hectares.sum())
        occupancy = z["occupancy_pct"].astype(float)
        row["occupied_ha"] = float((hectares * occupancy / 100).sum())
        row["new_land_ha"] = self._new_land(z)
        ccn = z[z["kind"].eq("CCN") & z["status"].isin(ESTABLISHED)]
        row["ccn_count"] = int(len(ccn))
        row["ccn_area_ha"] = float(ccn["hectares"].astype(float).sum())
        row["ccn_area_unknown"] = int(ccn["hectares"].isna().sum())
        full = ccn[ccn["infrastructure_complete"].astype(bool)]
        row["ccn_full_infra"] = int(len(full))
        known = full["occupancy_pct"].notna() & full["hectares"].notna()
        weights = full["hectares"][known].astype(float)
        row["ccn_full_infra_occupancy_pct"] = (float(np.average(full["occupancy_pct"][known].astype(float),
                                                                weights=weights))
                                               if known.any() and weights.sum() > 0 else np.nan)
        row["ccn_full_infra_no_occupancy"] = int((~known).sum())
        row["mean_dist_highway_m"], row["mean_dist_substation_m"] = self._distances(z)
        return row

    def _new_land(self, z: gpd.GeoDataFrame) -> float:
        base = self.base.geometry.array
        base = shapely.union_all(base[~(shapely.is_missing(base) | shapely.is_empty(base))])
        now = z.geometry.array
        now = shapely.union_all(now[~(shapely.is_missing(now) | shapely.is_empty(now))])
        return float(shapely.area(shapely.difference(now, base)) / 10_000.0)

    def _distances(self, z: gpd.GeoDataFrame) -> tuple[float, float]:
        """Mean distance of the active zones to a national highway and a >= 110 kV substation (proximity)."""
        key = tuple(zip(z.index, z["status"], shapely.to_wkb(z.geometry.array)))
        if key in self._distance_cache:
            return self._distance_cache[key]
        value = (np.nan, np.nan)
        try:
            if self.infra is None:
                self.infra = load_infrastructure(self.store)
            table = infrastructure_distances(z.to_crs(_crs.WGS84), infra=self.infra)
            value = (float(table["dist_highway_m"].mean()), float(table["dist_substation_m"].mean()))
        except (FileNotFoundError, KeyError, ValueError) as exc:
            self._note(f"{INFRA_NOTE}: {exc}")
        self._distance_cache[key] = value
        return value

    def _note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


# --- targets -----------------------------------------------------------------------------------


def check_targets(timeline: pd.DataFrame, targets: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Each target of the scenario's province against the timeline: pass, fail or not assessed.

    ``>=``, ``>``, ``=``, ``between`` (inclusive) compare directly; ``~`` ("about") passes
    within :data:`ABOUT_TOLERANCE` (10 %) of the value, a convention of geozones, not of the source.
    """
    rows = []
    mine = targets[targets["province_pre2025"].map(lambda p: _same_province(p, scenario.province))] \
        if len(targets) else targets
    for _, target in mine.iterrows():
        year = int(target["year"])
        column = next((col for key, col in TARGET_INDICATORS.items() if key in str(target["id"])), None)
        value = float(target["value"])
        vmax = float(target["value_max"]) if target.get("value_max") not in (None, "") and \
            pd.notna(target.get("value_max")) else None
        record = {"target": target["id"], "indicator": target["indicator"], "year": year,
                  "operator": target["operator"], "value": value, "value_max": vmax, "unit": target["unit"],
                  "source": target["source"], "scenario_value": np.nan, "status": "not assessed", "note": ""}
        if column is None:
            record["note"] = "not a land indicator: outside what a zone scenario measures"
        elif year not in timeline.index:
            record["note"] = f"the scenario runs {scenario.start_year}–{scenario.end_year}"
        else:
            actual = timeline.loc[year, column]
            record["scenario_value"] = actual
            if pd.isna(actual):
                record["note"] = "no value (e.g. no occupancy figure for these zones)"
            else:
                record["status"] = "pass" if _meets(float(actual), target["operator"], value, vmax) else "fail"
        rows.append(record)
    return pd.DataFrame(rows, columns=["target", "indicator", "year", "operator", "value", "value_max", "unit",
                                       "source", "scenario_value", "status", "note"])


def _meets(actual: float, operator: str, value: float, vmax: float | None) -> bool:
    if operator == ">=":
        return actual >= value
    if operator == ">":
        return actual > value
    if operator == "=":
        return abs(actual - value) <= 1e-9 * max(1.0, abs(value))
    if operator == "~":
        return abs(actual - value) <= ABOUT_TOLERANCE * abs(value)
    if operator == "between":
        return value <= actual <= (vmax if vmax is not None else value)
    if operator == "<=":
        return actual <= value
    if operator == "<":
        return actual < value
    raise InvalidParameterError(f"unknown target operator {operator!r}")


# --- diff --------------------------------------------------------------------------------------


def zone_diff(before: gpd.GeoDataFrame, after: gpd.GeoDataFrame) -> pd.DataFrame:
    """Per zone: what changed between two states and by how many hectares.

    Both frames are indexed by zone id with ``status``, ``hectares``, ``occupancy_pct`` and
    ``infrastructure_complete`` columns (as in :class:`ScenarioResult`).
    """
    ids = list(dict.fromkeys(list(before.index) + list(after.index)))
    rows = []
    for zone_id in ids:
        b = before.loc[zone_id] if zone_id in before.index else None
        a = after.loc[zone_id] if zone_id in after.index else None
        changes = []
        if b is None:
            changes.append("added")
        else:
            if a["status"] != b["status"]:
                changes.append("retired" if a["status"] == "retired" else "status")
            if not _same_geometry(a.geometry, b.geometry):
                changes.append("geometry")
            if not _same_number(a["occupancy_pct"], b["occupancy_pct"]):
                changes.append("occupancy")
            if bool(a["infrastructure_complete"]) != bool(b["infrastructure_complete"]):
                changes.append("infrastructure")
        before_ha = float(b["hectares"]) if b is not None and pd.notna(b["hectares"]) else np.nan
        after_ha = float(a["hectares"]) if pd.notna(a["hectares"]) else np.nan
        rows.append({
            "zone": zone_id, "name": a["name"], "kind": a["kind"], "change": "+".join(changes) or "unchanged",
            "status_before": None if b is None else b["status"], "status_after": a["status"],
            "ha_before": before_ha, "ha_after": after_ha,
            "delta_ha": (after_ha if b is None else after_ha - before_ha),
            "occupancy_before": np.nan if b is None else b["occupancy_pct"], "occupancy_after": a["occupancy_pct"],
        })
    return pd.DataFrame(rows)


def _same_geometry(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return bool(shapely.equals_exact(a, b, 1e-6))


def _same_number(a, b) -> bool:
    return (pd.isna(a) and pd.isna(b)) or (not pd.isna(a) and not pd.isna(b) and float(a) == float(b))
