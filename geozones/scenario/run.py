"""Running a scenario: apply its actions year by year, measure indicators, check targets.

The run works on the zones of the scenario's province in its VN-2000 TM-3 CRS. Each year
applies that year's actions (in file order) and records one timeline row. Hectares are the
mapped polygon area where a zone has a polygon, else its published area.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geozones import crs as _crs
from geozones.analysis.growth import grow_to_area
from geozones.analysis.proximity import infrastructure_distances
from geozones.errors import InvalidParameterError, ScenarioError, UnknownAttributeError
from geozones.scenario import history as _history
from geozones.scenario.model import Action, LayerRef, Scenario
from geozones.schema import PROVINCE_AFTER_2025, STATUSES, ascii_name
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
ALLOCATION_COLUMNS = ["year", "demand_ha", "placed_ha", "shortfall_ha"]
REMOVED_COLUMNS = ["year", "zone", "constraint", "reach_m", "removed_ha"]
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
        What could not be computed and why (:meth:`constraint_notes`: what each constraint removed).
    removed : DataFrame
        Per growth and constraint: ``year``, ``zone``, ``constraint``, ``reach_m`` (the growth's final
        distance) and ``removed_ha`` (the constraint's overlap with the land within that reach).
    allocations : DataFrame
        Per ``allocate`` action: ``year``, ``demand_ha``, ``placed_ha``, ``shortfall_ha``.
    """

    scenario: Scenario
    zones: gpd.GeoDataFrame
    base: gpd.GeoDataFrame
    timeline: pd.DataFrame
    targets: pd.DataFrame
    growth: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    removed: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REMOVED_COLUMNS))
    allocations: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ALLOCATION_COLUMNS))

    def constraint_notes(self) -> list[str]:
        """One line per growth: the hectares each constraint took from the land within its reach."""
        lines = []
        for (year, zone), rows in self.removed.groupby(["year", "zone"], sort=False):
            listed = ", ".join(f"{r.constraint} {r.removed_ha:.2f} ha" for r in rows.itertuples())
            lines.append(
                f"{year} {zone}: within {rows['reach_m'].iloc[0]:.0f} m of its edge the constraints removed {listed}"
            )
        return lines

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


def run_scenario(
    scenario: Scenario,
    *,
    store=None,
    zones: gpd.GeoDataFrame | None = None,
    layers: dict[str, gpd.GeoDataFrame] | None = None,
    targets: pd.DataFrame | None = None,
    infra: dict | None = None,
    cache: dict | None = None,
    bases: Sequence[Scenario] | None = None,
) -> ScenarioResult:
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
    cache : dict, optional
        Shared between runs of variants of one scenario on the same zones and layers (Monte Carlo
        draws): constraint unions, growth results and distances computed once. Pass an empty
        dict; never share it between different zones, layers or constraints.
    bases : sequence of Scenario, optional
        The chain of ``base:`` scenarios (nearest first) to use instead of resolving them from
        ``scenario.base``: Monte Carlo draws of their uncertain figures. Their results are then
        not reused between calls.

    Returns
    -------
    ScenarioResult
    """
    if zones is None or targets is None:
        if store is None:
            store = open_store()
    if zones is None:
        zones = store.zones()
    if scenario.base:
        return _run_chained(
            scenario, store=store, zones=zones, layers=layers, targets=targets, infra=infra, cache=cache, bases=bases
        )
    runner = _Runner(scenario, zones, store, layers or {}, infra, {} if cache is None else cache)
    timeline = runner.run()
    if targets is None:
        targets = store_targets(store)
    checked = check_targets(timeline, targets, scenario)
    return ScenarioResult(
        scenario,
        runner.zones,
        runner.base,
        timeline,
        checked,
        pd.DataFrame(
            runner.growth_log, columns=["year", "zone", "action", "target_ha", "area_ha", "reached", "message"]
        ),
        runner.notes,
        pd.DataFrame(runner.removals, columns=REMOVED_COLUMNS),
        pd.DataFrame(runner.allocations, columns=ALLOCATION_COLUMNS),
    )


def resolve_base(scenario: Scenario, _seen: tuple[str, ...] = ()) -> Scenario:
    """The scenario named by ``scenario.base``: a file (relative to the scenario's) or an id in the same folder.

    Raises
    ------
    ScenarioError
        Base not found, a chain that loops, or a base that does not end before this one starts
        or covers another province (with the file and line of ``base:``).
    """
    from geozones.scenario.parse import load_scenario

    where = Path(scenario.path).parent if scenario.path and Path(scenario.path).exists() else Path.cwd()
    ref = str(scenario.base)
    if ref.lower().endswith((".yaml", ".yml", ".toml")):
        path = Path(ref) if Path(ref).is_absolute() else where / ref
        if not path.exists():
            raise ScenarioError(
                f"base scenario file {ref!r} not found (looked in {where})", scenario.path, scenario.base_line, "base"
            )
        base = load_scenario(path)
    else:
        found = []
        for path in sorted(where.glob("*")):
            if (
                path.suffix.lower() in (".yaml", ".yml", ".toml")
                and path.resolve() != Path(str(scenario.path)).resolve()
            ):
                try:
                    candidate = load_scenario(path)
                except ScenarioError:
                    continue
                if candidate.id == ref:
                    found.append(candidate)
        if not found:
            raise ScenarioError(f"no scenario with id {ref!r} in {where}", scenario.path, scenario.base_line, "base")
        base = found[0]
    if base.id in _seen + (scenario.id,):
        raise ScenarioError(
            f"base chain loops: {' -> '.join(_seen + (scenario.id, base.id))}",
            scenario.path,
            scenario.base_line,
            "base",
        )
    if not same_province(base.province, scenario.province):
        raise ScenarioError(
            f"base {base.id!r} covers {base.province}, not {scenario.province}",
            scenario.path,
            scenario.base_line,
            "base",
        )
    if base.end_year >= scenario.start_year:
        raise ScenarioError(
            f"base {base.id!r} runs to {base.end_year}: this scenario must start after it "
            f"(start_year {scenario.start_year})",
            scenario.path,
            scenario.base_line,
            "base",
        )
    return base


def _run_chained(
    scenario: Scenario, *, store, zones, layers, targets, infra, cache=None, bases=None, _seen=()
) -> ScenarioResult:
    """Run the base chain, then this scenario from the base's end state; one timeline from the first start.

    With a ``cache`` (Monte Carlo draws of this scenario's own figures) the base runs once: its
    result is the same for every draw. With drawn ``bases`` (nearest first) the base runs every
    time, sharing its own cache, and this scenario starts from each run's end state.
    """
    base = bases[0] if bases else resolve_base(scenario, _seen)
    if bases and cache is not None:  # the base differs per call: share only what does not depend on it
        base_cache = cache.setdefault("base", {})
        if base.base:
            first = _run_chained(
                base,
                store=store,
                zones=zones,
                layers=layers,
                targets=targets,
                infra=infra,
                cache=base_cache,
                bases=bases[1:] or None,
                _seen=_seen + (scenario.id,),
            )
        else:
            first = run_scenario(
                base, store=store, zones=zones, layers=layers, targets=targets, infra=infra, cache=base_cache
            )
        cache.setdefault("own", {}).pop("start", None)  # this run starts from this draw's end state
    elif cache is not None and "base_result" in cache:
        first = cache["base_result"]
    elif base.base:
        first = _run_chained(
            base,
            store=store,
            zones=zones,
            layers=layers,
            targets=targets,
            infra=infra,
            bases=bases[1:] if bases else None,
            _seen=_seen + (scenario.id,),
        )
    else:
        first = run_scenario(base, store=store, zones=zones, layers=layers, targets=targets, infra=infra)
    if cache is not None and not bases:
        cache["base_result"] = first
    own = dataclasses.replace(scenario, base=None)
    second = run_scenario(
        own,
        store=store,
        zones=first.zones,
        layers=layers,
        targets=targets,
        infra=infra,
        cache=None if cache is None else cache.setdefault("own", {}),
    )
    timeline = pd.concat([first.timeline, second.timeline])
    if targets is None:
        targets = store_targets(store)
    whole = dataclasses.replace(scenario, start_year=first.timeline.index.min())
    return ScenarioResult(
        scenario,
        second.zones,
        first.base,
        timeline,
        check_targets(timeline, targets, whole),
        pd.concat([first.growth, second.growth], ignore_index=True),
        [f"base {base.id}: {n}" for n in first.notes] + second.notes,
        pd.concat([first.removed, second.removed], ignore_index=True),
        pd.concat([first.allocations, second.allocations], ignore_index=True),
    )


def store_targets(store) -> pd.DataFrame:
    """The store's ``table_targets`` (an empty table with its columns when it has none)."""
    try:
        return store.layer("table_targets")
    except (UnknownAttributeError, KeyError):
        return pd.DataFrame(
            columns=["id", "province_pre2025", "indicator", "operator", "value", "value_max", "unit", "year", "source"]
        )


def same_province(a: str | None, b: str) -> bool:
    """The same province name, ignoring diacritics and case."""
    return isinstance(a, str) and ascii_name(a).lower() == ascii_name(b).lower()


class _Runner:
    def __init__(self, scenario: Scenario, zones: gpd.GeoDataFrame, store, layers: dict, infra, cache: dict):
        self.scenario, self.store, self.layers, self.cache = scenario, store, layers, cache
        self.infra = infra if infra is not None else cache.get("infra")
        self.notes: list[str] = []
        self.growth_log: list[tuple] = []
        self.metric = pyproj.CRS.from_user_input(scenario.crs) if scenario.crs else _crs.tm3_crs(scenario.province)
        if "start" not in cache:
            mine = zones[zones["province_pre2025"].map(lambda p: same_province(p, scenario.province))]
            if mine.empty:
                raise ScenarioError(f"no zones in province {scenario.province!r}", scenario.path, field="province")
            frame = mine.to_crs(self.metric).copy()
            base_end_state = "infrastructure_complete" in frame.columns
            if not base_end_state:  # else: the end state of a base scenario
                frame["infrastructure_complete"] = frame["status"].eq("operating")
            frame["infrastructure_complete"] = frame["infrastructure_complete"].astype(bool)
            frame["scenario_id"] = scenario.id
            self.zones = frame.set_index("id", drop=False)
            self.zones.index.name = None
            loaded = None if base_end_state else _history.load(store)
            if loaded is not None:  # start from each zone's status as of the start year
                state = _history.start_state(self.zones, *loaded, scenario.start_year, scenario.end_year)
                self.zones = gpd.GeoDataFrame(state.zones, geometry="geometry", crs=self.metric)
                cache["entering"], cache["replay"], cache["history_notes"] = state.entering, state.replay, state.notes
            self._refresh_area()
            cache["start"] = self.zones
        self.zones = cache["start"].copy()
        self.base = cache["start"].copy()
        entering = list(cache.get("entering", {}).values())
        if entering:  # zones that enter from the history are not land the scenario adds
            self.base = pd.concat([self.base, *entering])
        self.notes.extend(cache.get("history_notes", []))
        self._acted: set[str] = set()
        self._exclusions = cache.get("exclusions")
        self._labelled: list[tuple[str, object]] = cache.get("labelled", [])
        self.removals: list[tuple] = []
        self.allocations: list[tuple] = []
        self._base_union = None
        self._distance_cache: dict[tuple, tuple[float, float]] = cache.setdefault("distances", {})
        self._growth_cache: dict[tuple, object] = cache.setdefault("growth", {})

    # -- areas and constraints ------------------------------------------------------------

    def _refresh_area(self) -> None:
        geoms = self.zones.geometry.array
        mapped = shapely.area(geoms) / 10_000.0
        mapped = np.where(shapely.is_missing(geoms) | shapely.is_empty(geoms), np.nan, mapped)
        self.zones["area_mapped_ha"] = mapped
        self.zones["hectares"] = pd.Series(mapped, index=self.zones.index).fillna(
            pd.to_numeric(self.zones["area_published_ha"], errors="coerce").astype(float)
        )

    def exclusions(self):
        """Union of every constraint (buffered), in the metric CRS; computed once."""
        if self._exclusions is None:
            parts = []
            constraints = self.scenario.constraints
            labelled = []
            for ref in constraints.exclusions + constraints.buffers:
                frame = self._layer(ref)
                if frame is not None and len(frame):
                    geoms = frame.to_crs(self.metric).geometry.array
                    parts.append(shapely.buffer(geoms, ref.buffer_m) if ref.buffer_m > 0 else geoms)
                    label = ref.label + (f" (+{ref.buffer_m:g} m)" if ref.buffer_m > 0 else "")
                    labelled.append((label, parts[-1]))
            if constraints.max_slope_deg is not None:
                parts.append(np.array([self._steep_land()], dtype=object))
                labelled.append((f"slope > {constraints.max_slope_deg:g}°", parts[-1]))
            geoms = np.concatenate(parts) if parts else np.empty(0, dtype=object)
            geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))] if len(geoms) else geoms
            self._exclusions = shapely.make_valid(shapely.union_all(geoms)) if len(geoms) else None
            self._labelled = [
                (label, shapely.make_valid(shapely.union_all(g[~(shapely.is_missing(g) | shapely.is_empty(g))])))
                for label, g in labelled
            ]
            self.cache["exclusions"] = self._exclusions
            self.cache["labelled"] = self._labelled
        return self._exclusions

    def removed_by_constraint(self, seed, result, skip: set[str]) -> list[tuple[str, float]]:
        """Hectares each constraint takes out of the land the growth could reach (within its final distance).

        The reach is ``buffer(seed, distance) - seed``; one constraint's figure is its overlap with
        that ring, so land under two constraints counts under both.
        """
        self.exclusions()
        ring = shapely.difference(shapely.buffer(seed, max(result.distance_m, 0.0)), seed)
        rows = [
            (label, float(shapely.area(shapely.intersection(ring, geom)) / 10_000.0)) for label, geom in self._labelled
        ]
        if self.scenario.constraints.avoid_other_zones:
            others = self.zones[~self.zones.index.isin(skip) & self.zones["status"].ne("retired")].geometry.array
            others = others[~(shapely.is_missing(others) | shapely.is_empty(others))]
            union = shapely.union_all(others) if len(others) else shapely.Polygon()
            rows.append(("other zones", float(shapely.area(shapely.intersection(ring, union)) / 10_000.0)))
        return rows

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
        polys = [
            shapely.geometry.shape(g)
            for g, v in shapes(steep, mask=steep.astype(bool), transform=grid.transform)
            if v == 1
        ]
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
            self._history_year(year)
            for index, action in actions:
                if action.year == year:
                    self.apply(action, index)
            rows.append(self.indicators(year))
        return pd.DataFrame(rows).set_index("year")

    def _zone(self, action: Action, index: int, key: str = "zone") -> str:
        zone_id = action.params[key]
        if zone_id not in self.zones.index:
            raise ScenarioError(
                f"no zone {zone_id!r} in {self.scenario.province} (ids: {', '.join(self.zones.index)})",
                self.scenario.path,
                action.line,
                f"actions[{index}].{key}",
            )
        return zone_id

    def apply(self, action: Action, index: int) -> None:
        handler = getattr(self, f"_do_{action.kind}")
        handler(action, index)
        self._refresh_area()

    def _history_year(self, year: int) -> None:
        """Zones that enter this year and this year's status steps (unless an action set the status)."""
        entering = self.cache.get("entering", {}).get(year)
        if entering is not None:
            frame = entering.to_crs(self.metric) if entering.crs != self.metric else entering
            self.zones = gpd.GeoDataFrame(pd.concat([self.zones, frame]), geometry="geometry", crs=self.metric)
            self._refresh_area()
        for zone_id, status in self.cache.get("replay", {}).get(year, []):
            if zone_id in self.zones.index and zone_id not in self._acted:
                self.zones.loc[zone_id, "status"] = status
                self.zones.loc[zone_id, "status_year"] = year

    def _set(self, zone_id: str, action: Action, **values) -> None:
        if "status" in values:
            self._acted.add(zone_id)
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
            raise ScenarioError(
                f"zone {zone_id!r} has no polygon to grow; add one with add_zone 'geometry'",
                self.scenario.path,
                action.line,
                f"actions[{index}].zone",
            )
        current = shapely.area(geom) / 10_000.0
        target = action.params.get("to_ha") or current + action.params["by_ha"]
        result = self._grow(geom, target, {zone_id})
        self._log(action, zone_id, result, geom, {zone_id})
        self.zones.loc[[zone_id], "geometry"] = gpd.GeoSeries([result.geometry], index=[zone_id], crs=self.metric)

    def _grow(self, geom, target: float, skip: set[str]):
        exclusions = self._growth_exclusions(skip)
        key = (shapely.to_wkb(geom), float(target), None if exclusions is None else shapely.to_wkb(exclusions))
        if key not in self._growth_cache:
            self._growth_cache[key] = grow_to_area(
                geom,
                target,
                crs=self.metric,
                exclusions=exclusions,
                max_distance=self.scenario.constraints.max_distance_m,
            )
        return self._growth_cache[key]

    def _log(self, action: Action, zone_id: str, result, seed, skip: set[str]) -> None:
        self.growth_log.append(
            (action.year, zone_id, action.kind, result.target_ha, result.area_ha, result.reached, result.message)
        )
        if not result.reached:
            self.notes.append(f"{action.year} {zone_id}: {result.message}")
        for label, ha in self.removed_by_constraint(seed, result, skip):
            self.removals.append((action.year, zone_id, label, result.distance_m, ha))

    # -- demand allocation ------------------------------------------------------------------

    def _allocation_setup(self) -> dict:
        """Grid, suitability and road reach of the ``allocate`` actions (computed once, shared by draws)."""
        if "allocation" in self.cache:
            return self.cache["allocation"]
        from geozones.analysis import raster
        from geozones.scenario.suitability import load_suitability, suitability_surface

        settings = self.scenario.allocation
        base = (
            Path(self.scenario.path).parent if self.scenario.path and Path(self.scenario.path).exists() else Path.cwd()
        )
        path = Path(settings["suitability"])
        path = path if path.is_absolute() else base / path
        if not path.exists():
            raise ScenarioError(
                f"suitability file {settings['suitability']!r} not found",
                self.scenario.path,
                self.scenario.lines.get("allocation.suitability"),
                "allocation.suitability",
            )
        spec = load_suitability(path)
        placed = self.base[~(self.base.geometry.isna() | self.base.geometry.is_empty)]
        grid = raster.Grid.covering(
            [placed], float(settings["resolution_m"]), margin=float(settings["margin_m"]), crs=self.metric
        )
        if grid.width * grid.height > 40_000_000:
            raise ScenarioError(
                f"allocation grid of {grid.width} x {grid.height} cells is too large: raise allocation.resolution_m",
                self.scenario.path,
                None,
                "allocation.resolution_m",
            )
        surface = suitability_surface(spec, grid, store=self.store, layers=self.layers)
        reach = np.ones(grid.shape, dtype=bool)
        if settings.get("max_road_m") is not None:
            roads = self._layer(LayerRef(layer=settings["roads"]))
            reach = raster.distance_raster(roads, grid, max_distance=float(settings["max_road_m"])) <= float(
                settings["max_road_m"]
            )
        self.cache["allocation"] = {"grid": grid, "suitability": surface, "reach": reach}
        return self.cache["allocation"]

    @staticmethod
    def _zone_cells(active: gpd.GeoDataFrame, grid) -> np.ndarray:
        """Label ``k`` (1-based, ``active`` order) on every cell whose square meets zone ``k``, touching included."""
        from geozones.analysis import raster

        touched = raster.rasterize(
            active, grid, values=np.arange(1, len(active) + 1), fill=0, all_touched=True, dtype="int32"
        )
        h, w = grid.shape
        candidate = touched > 0
        grown = candidate.copy()
        grown[1:] |= candidate[:-1]
        grown[:-1] |= candidate[1:]
        grown[:, 1:] |= candidate[:, :-1]
        grown[:, :-1] |= candidate[:, 1:]
        rows, cols = np.nonzero(grown)
        xs, ys = grid.cell_centers()
        half = grid.resolution / 2
        boxes = shapely.box(xs[cols] - half, ys[rows] - half, xs[cols] + half, ys[rows] + half)
        labels = np.zeros((h, w), dtype=np.int32)
        for k, geom in enumerate(active.geometry.array, start=1):
            meets = shapely.intersects(boxes, geom)
            # a square meeting the zone only at a corner point would join it at a point: left out
            corner = meets.copy()
            corner[meets] = (shapely.area(shapely.intersection(boxes[meets], geom)) <= 0) & (
                shapely.length(shapely.intersection(shapely.boundary(boxes[meets]), geom)) <= 1e-6
            )
            meets &= ~corner
            free = labels[rows[meets], cols[meets]] == 0
            labels[rows[meets][free], cols[meets][free]] = k
        return labels

    def _allocation_plan(self, action: Action, index: int, active: gpd.GeoDataFrame) -> list[tuple]:
        """``[(zone id or None for a new site, land, grown geometry or None)]`` for one ``allocate`` action.

        Memoised on the action and the active zones' outlines (Monte Carlo draws that do not change
        them reuse it).
        """
        key = (
            "allocate",
            index,
            float(action.params["ha"]),
            tuple(active.index),
            tuple(shapely.to_wkb(active.geometry.array)),
        )
        plans = self.cache.setdefault("allocation_plans", {})
        if key in plans:
            return plans[key]
        from geozones.analysis import raster
        from geozones.analysis.allocation import allocate

        setup = self._allocation_setup()
        grid = setup["grid"]
        settings = self.scenario.allocation
        cell_ha = grid.resolution * grid.resolution / 10_000.0
        parts = [self.exclusions()] if self.exclusions() is not None else []
        blocked = shapely.union_all(np.array(parts + list(active.geometry.array), dtype=object))
        # usable hectares of every cell: its area minus what constraints and zones cover
        touched = raster.mask(np.array([blocked], dtype=object), grid, all_touched=True)
        area = np.full(grid.shape, cell_ha)
        rows, cols = np.nonzero(touched)
        xs, ys = grid.cell_centers()
        half = grid.resolution / 2
        boxes = shapely.box(xs[cols] - half, ys[rows] - half, xs[cols] + half, ys[rows] + half)
        shapely.prepare(blocked)
        area[rows, cols] = cell_ha - shapely.area(shapely.intersection(boxes, blocked)) / 10_000.0
        area[area < 1e-6 * cell_ha] = 0.0
        # a cell an exclusion touches is not used at all: land never bridges a road or river corridor
        if self.exclusions() is not None:
            area[raster.mask(np.array([self.exclusions()], dtype=object), grid, all_touched=True)] = 0.0
        ids = list(active.index)
        labels = self._zone_cells(active, grid)
        grow = None
        if action.params.get("zones"):
            unknown = [z for z in action.params["zones"] if z not in ids]
            if unknown:
                raise ScenarioError(
                    f"no active placed zone {unknown[0]!r} to grow",
                    self.scenario.path,
                    action.line,
                    f"actions[{index}].zones",
                )
            grow = {ids.index(z) + 1 for z in action.params["zones"]}
        result = allocate(
            setup["suitability"],
            setup["reach"] & (area > 0),
            labels,
            float(action.params["ha"]),
            action.params.get("mode", "both"),
            float(settings["min_parcel_ha"]),
            settings.get("max_parcel_ha"),
            grow,
            area=area,
        )
        plan = []
        for label in sorted(result.allocated):
            cells = np.nonzero(result.labels == label)
            land = shapely.union_all(
                shapely.box(xs[cells[1]] - half, ys[cells[0]] - half, xs[cells[1]] + half, ys[cells[0]] + half)
            )
            land = shapely.make_valid(shapely.difference(land, blocked))
            # cells meeting only at a corner: close the pinch (a few cm²) so the outline stays valid
            # once reprojected; never onto blocked land
            land = shapely.make_valid(
                shapely.difference(
                    shapely.buffer(shapely.buffer(land, 0.05, join_style="mitre"), -0.05, join_style="mitre"), blocked
                )
            )
            land = shapely.union_all(shapely.get_parts(land)[shapely.get_type_id(shapely.get_parts(land)) == 3])
            if label <= len(ids):
                zone_id = ids[label - 1]
                # zone and new land share an edge only up to rounding: a 5 mm closing merges them into
                # one polygon (then nothing of the constraints is taken back)
                old = active.geometry[zone_id]
                closed = shapely.buffer(
                    shapely.buffer(shapely.union(old, land), 0.005, join_style="mitre"), -0.005, join_style="mitre"
                )
                if self.exclusions() is not None:
                    closed = shapely.difference(closed, self.exclusions())
                plan.append((zone_id, land, shapely.make_valid(shapely.union_all([old, land, closed]))))
            else:
                plan.append((None, land, None))
        plans[key] = plan
        return plan

    def _do_allocate(self, action: Action, index: int) -> None:
        settings = self.scenario.allocation
        active = self.zones[
            self.zones["status"].ne("retired") & ~(self.zones.geometry.isna() | self.zones.geometry.is_empty)
        ]
        demand = float(action.params["ha"])
        placed_ha = 0.0
        opened = 0
        plan = self._allocation_plan(action, index, active)
        for zone_id, land, grown in plan:
            got = float(shapely.area(land) / 10_000.0)
            placed_ha += got
            if zone_id is not None:
                self.zones.loc[[zone_id], "geometry"] = gpd.GeoSeries([grown], index=[zone_id], crs=self.metric)
            else:
                opened += 1
                zone_id = f"{self.scenario.id}-site-{action.year}-{opened}"
                kind = action.params.get("kind", "CCN")
                row = {
                    "id": zone_id,
                    "name": f"{kind} site {action.year}-{opened} ({self.scenario.id})",
                    "kind": kind,
                    "zone_group": zone_id,
                    "province_pre2025": self.scenario.province,
                    "province": PROVINCE_AFTER_2025.get(self.scenario.province, self.scenario.province),
                    "status": "planned",
                    "status_year": action.year,
                    "area_published_ha": None,
                    "sources": action.source or "scenario assumption",
                    "geometry_quality": "approximate",
                    "location_basis": f"scenario {self.scenario.id}: land demand allocated to the most suitable "
                    f"contiguous cells ({float(settings['resolution_m']):g} m) of "
                    f"{settings['suitability']}",
                    "notes": action.assumption,
                    "infrastructure_complete": False,
                }
                row["name_ascii"] = ascii_name(row["name"])
                self._append(row, land)
            self.growth_log.append(
                (
                    action.year,
                    zone_id,
                    "allocate",
                    got,
                    got,
                    True,
                    f"allocated {got:.2f} ha of the {demand:g} ha demand",
                )
            )
        shortfall = demand - placed_ha
        message = (
            f"{action.year} allocate {demand:g} ha ({action.params.get('mode', 'both')}): placed "
            f"{placed_ha:.2f} ha in {len(plan)} zone(s)/site(s)"
        )
        if shortfall > 0.005 * demand:
            message += (
                f"; SHORTFALL {shortfall:.2f} ha: not enough allowed land within the constraints, "
                f"{settings['min_parcel_ha']:g} ha minimum parcel"
                + (f" and {settings['max_road_m']:g} m of a road" if settings.get("max_road_m") else "")
            )
        self.notes.append(message)
        self.allocations.append((action.year, demand, placed_ha, max(shortfall, 0.0)))

    def _do_add_zone(self, action: Action, index: int) -> None:
        p = action.params
        if p["id"] in self.zones.index:
            raise ScenarioError(
                f"zone {p['id']!r} already exists", self.scenario.path, action.line, f"actions[{index}].id"
            )
        if "geometry" in p:
            geom = self._geometry(p["geometry"], action, index)
        else:
            site = gpd.GeoSeries(gpd.points_from_xy([p["point"][0]], [p["point"][1]]), crs=_crs.WGS84)
            point = site.to_crs(self.metric).iloc[0]
            result = self._grow(point, p["target_ha"], set())
            self._log(action, p["id"], result, point, set())
            geom = result.geometry
        basis = (
            "drawn in the scenario file"
            if "geometry" in p
            else f"scenario {self.scenario.id}: grown from the point {p.get('point')} to {p.get('target_ha')} ha "
            "around constraints (not a surveyed outline)"
        )
        row = {
            "id": p["id"],
            "name": p["name"],
            "name_ascii": ascii_name(p["name"]),
            "kind": p["kind"],
            "zone_group": p.get("zone_group") or p["name"],
            "phase": p.get("phase"),
            "province_pre2025": self.scenario.province,
            "province": PROVINCE_AFTER_2025.get(self.scenario.province, self.scenario.province),
            "district_pre2025": p.get("district_pre2025"),
            "status": p.get("status", "planned"),
            "status_year": action.year,
            "area_published_ha": None,
            "occupancy_pct": p.get("occupancy_pct"),
            "sources": action.source or "scenario assumption",
            "geometry_quality": "approximate",
            "location_basis": basis,
            "notes": action.assumption,
            "infrastructure_complete": False,
        }
        self._append(row, geom)

    def _do_add_phase(self, action: Action, index: int) -> None:
        p = action.params
        parent_id = self._zone(action, index, "of")
        if p["id"] in self.zones.index:
            raise ScenarioError(
                f"zone {p['id']!r} already exists", self.scenario.path, action.line, f"actions[{index}].id"
            )
        parent = self.zones.loc[parent_id]
        group = self.zones.index[self.zones["zone_group"].eq(parent["zone_group"])]
        if "geometry" in p:
            geom = self._geometry(p["geometry"], action, index)
        else:
            seeds = self.zones.loc[group].geometry.array
            seeds = seeds[~(shapely.is_missing(seeds) | shapely.is_empty(seeds))]
            if len(seeds) == 0:
                raise ScenarioError(
                    f"zone group of {parent_id!r} has no polygon to grow a phase from",
                    self.scenario.path,
                    action.line,
                    f"actions[{index}].of",
                )
            seed = shapely.make_valid(shapely.union_all(seeds))
            result = self._grow(seed, shapely.area(seed) / 10_000.0 + p["target_ha"], set(group))
            self._log(action, p["id"], result, seed, set(group))
            geom = shapely.make_valid(shapely.difference(result.geometry, seed))
        row = parent.drop(labels=["geometry"]).to_dict()
        row.update(
            {
                "id": p["id"],
                "name": p.get("name") or f"{parent['name']} ({p['phase']})",
                "phase": p["phase"],
                "status": p.get("status", "planned"),
                "status_year": action.year,
                "area_published_ha": None,
                "area_qualifier": None,
                "occupancy_pct": None,
                "decision": None,
                "decision_date": None,
                "established_year": None,
                "target_year": None,
                "infrastructure_complete": False,
                "sources": action.source or "scenario assumption",
                "notes": action.assumption,
                "location_basis": f"scenario {self.scenario.id}: grown beside {parent_id} to {p.get('target_ha')} ha",
            }
        )
        row["name_ascii"] = ascii_name(row["name"])
        self._append(row, geom)

    def _geometry(self, value, action: Action, index: int):
        try:
            geom = shapely.from_geojson(json.dumps(value)) if isinstance(value, dict) else shapely.from_wkt(value)
        except Exception as exc:  # shapely raises GEOSException for bad WKT/GeoJSON
            raise ScenarioError(
                f"cannot read the geometry: {exc}", self.scenario.path, action.line, f"actions[{index}].geometry"
            ) from None
        if shapely.get_type_id(geom) not in (3, 6) or not shapely.is_valid(geom):
            raise ScenarioError(
                "the geometry must be a valid Polygon or MultiPolygon (WGS84 lon/lat)",
                self.scenario.path,
                action.line,
                f"actions[{index}].geometry",
            )
        return gpd.GeoSeries([geom], crs=_crs.WGS84).to_crs(self.metric).iloc[0]

    def _append(self, row: dict, geom) -> None:
        row = {**row, "scenario_id": self.scenario.id}
        new = gpd.GeoDataFrame(
            [row],
            index=[row["id"]],
            geometry=gpd.GeoSeries([geom], index=[row["id"]], crs=self.metric),
            crs=self.metric,
        )
        new = new.reindex(columns=self.zones.columns)
        self.zones = pd.concat([self.zones, new.astype({c: object for c in new.columns if c != "geometry"})])
        self.zones = gpd.GeoDataFrame(self.zones, geometry="geometry", crs=self.metric)

    # -- indicators ---------------------------------------------------------------------------

    def indicators(self, year: int) -> dict:
        zones = self.zones
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
        row["new_land_ha"] = self._new_land(z)
        ccn = (zones["kind"].to_numpy()[active] == "CCN") & np.isin(status, ESTABLISHED)
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
        row["mean_dist_highway_m"], row["mean_dist_substation_m"] = self._distances(z)
        return row

    def _new_land(self, z: gpd.GeoDataFrame) -> float:
        if self._base_union is None:
            base = self.base.geometry.array
            self._base_union = shapely.union_all(base[~(shapely.is_missing(base) | shapely.is_empty(base))])
        base = self._base_union
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
                self.infra = self.cache["infra"] = load_infrastructure(self.store)
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
    mine = (
        targets[targets["province_pre2025"].map(lambda p: same_province(p, scenario.province))]
        if len(targets)
        else targets
    )
    for _, target in mine.iterrows():
        year = int(target["year"])
        column = next((col for key, col in TARGET_INDICATORS.items() if key in str(target["id"])), None)
        value = float(target["value"])
        vmax = (
            float(target["value_max"])
            if target.get("value_max") not in (None, "") and pd.notna(target.get("value_max"))
            else None
        )
        record = {
            "target": target["id"],
            "indicator": target["indicator"],
            "year": year,
            "operator": target["operator"],
            "value": value,
            "value_max": vmax,
            "unit": target["unit"],
            "source": target["source"],
            "scenario_value": np.nan,
            "status": "not assessed",
            "note": "",
        }
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
                record["status"] = "pass" if meets_target(float(actual), target["operator"], value, vmax) else "fail"
        rows.append(record)
    return pd.DataFrame(
        rows,
        columns=[
            "target",
            "indicator",
            "year",
            "operator",
            "value",
            "value_max",
            "unit",
            "source",
            "scenario_value",
            "status",
            "note",
        ],
    )


def meets_target(actual: float, operator: str, value: float, vmax: float | None) -> bool:
    """Whether ``actual`` satisfies a target's ``operator`` and value(s) (see :func:`check_targets`)."""
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
        rows.append(
            {
                "zone": zone_id,
                "name": a["name"],
                "kind": a["kind"],
                "change": "+".join(changes) or "unchanged",
                "status_before": None if b is None else b["status"],
                "status_after": a["status"],
                "ha_before": before_ha,
                "ha_after": after_ha,
                "delta_ha": (after_ha if b is None else after_ha - before_ha),
                "occupancy_before": np.nan if b is None else b["occupancy_pct"],
                "occupancy_after": a["occupancy_pct"],
            }
        )
    return pd.DataFrame(rows)


def _same_geometry(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return bool(shapely.equals_exact(a, b, 1e-6))


def _same_number(a, b) -> bool:
    return (pd.isna(a) and pd.isna(b)) or (not pd.isna(a) and not pd.isna(b) and float(a) == float(b))
