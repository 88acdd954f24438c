"""Applying a scenario's actions year by year: the state of one run.

:class:`Runner` holds the zones of one province in its VN-2000 TM-3 CRS and applies each year's
actions in file order (one ``_do_<kind>`` method per action kind), then records one timeline row
(:mod:`geozones.scenario.timeline`). Constraints live in :mod:`geozones.scenario.constraints`,
demand allocation in :mod:`geozones.scenario.allocate`.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pyproj
import shapely
import shapely.ops

from geozones import crs as _crs
from geozones.analysis.growth import grow_to_area
from geozones.errors import ScenarioError
from geozones.scenario.allocate import Allocator
from geozones.scenario.chain import same_province
from geozones.scenario.constraints import ConstraintSet, present
from geozones.scenario.model import ALLOCATION_SETTINGS, Action, Scenario
from geozones.scenario.newzones import add_zone_row, phase_row, read_geometry, site_row
from geozones.scenario.timeline import Indicators, refresh_area


class Runner:
    """One run of a scenario (without its ``base:`` chain) on a set of zones.

    After :meth:`run`: ``zones`` (end state), ``base`` (start state), ``notes``, ``growth_log``,
    ``removals`` and ``allocations`` (rows for :class:`geozones.scenario.run.ScenarioResult`).
    """

    def __init__(self, scenario: Scenario, zones: gpd.GeoDataFrame, store, layers: dict, infra, cache: dict):
        self.scenario, self.cache = scenario, cache
        self.notes: list[str] = []
        self.growth_log: list[tuple] = []
        self.metric = pyproj.CRS.from_user_input(scenario.crs) if scenario.crs else _crs.tm3_crs(scenario.province)
        if "start" not in cache:
            mine = zones[zones["province_pre2025"].map(lambda p: same_province(p, scenario.province))]
            if mine.empty:
                raise ScenarioError(f"no zones in province {scenario.province!r}", scenario.path, field="province")
            frame = mine.to_crs(self.metric).copy()
            if "infrastructure_complete" not in frame.columns:  # else: the end state of a base scenario
                frame["infrastructure_complete"] = frame["status"].eq("operating")
            frame["infrastructure_complete"] = frame["infrastructure_complete"].astype(bool)
            frame["scenario_id"] = scenario.id
            start = frame.set_index("id", drop=False)
            start.index.name = None
            refresh_area(start)
            cache["start"] = start
        self.zones = cache["start"].copy()
        self.base = cache["start"].copy()
        self.removals: list[tuple] = []
        self.allocations: list[tuple] = []
        self.constraints = ConstraintSet(scenario, self.metric, store, layers, cache, self.notes)
        self.indicators = Indicators(self.base, store, infra, cache, self.notes)
        self.allocator = Allocator(scenario, self.metric, self.base, self.constraints, cache)
        self._growth_cache: dict[tuple, object] = cache.setdefault("growth", {})

    def run(self) -> pd.DataFrame:
        """Apply every action in its year (file order within a year); one indicator row per year."""
        rows = []
        actions = sorted(enumerate(self.scenario.actions), key=lambda pair: (pair[1].year, pair[0]))
        for year in range(self.scenario.start_year, self.scenario.end_year + 1):
            for index, action in actions:
                if action.year == year:
                    self.apply(action, index)
            rows.append(self.indicators.row(self.zones, year))
        return pd.DataFrame(rows).set_index("year")

    def apply(self, action: Action, index: int) -> None:
        """Apply one action (``index``: its place in the file, for error messages)."""
        handler = getattr(self, f"_do_{action.kind}")
        handler(action, index)
        refresh_area(self.zones)

    def _error(self, text: str, action: Action, index: int, key: str) -> ScenarioError:
        return ScenarioError(text, self.scenario.path, action.line, f"actions[{index}].{key}")

    def _zone(self, action: Action, index: int, key: str = "zone") -> str:
        zone_id = action.params[key]
        if zone_id not in self.zones.index:
            raise self._error(
                f"no zone {zone_id!r} in {self.scenario.province} (ids: {', '.join(self.zones.index)})",
                action,
                index,
                key,
            )
        return zone_id

    def _set(self, zone_id: str, action: Action, **values) -> None:
        for column, value in values.items():
            self.zones.loc[zone_id, column] = value
        self.zones.loc[zone_id, "status_year"] = action.year

    # -- attribute actions ----------------------------------------------------------------------

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

    # -- land actions ---------------------------------------------------------------------------

    def _do_grow(self, action: Action, index: int) -> None:
        zone_id = self._zone(action, index)
        geom = self.zones.geometry[zone_id]
        if geom is None or shapely.is_empty(geom):
            raise self._error(
                f"zone {zone_id!r} has no polygon to grow; add one with add_zone 'geometry'", action, index, "zone"
            )
        current = shapely.area(geom) / 10_000.0
        target = action.params.get("to_ha") or current + action.params["by_ha"]
        result = self._grow(geom, target, {zone_id})
        self._log(action, zone_id, result, geom, {zone_id})
        self.zones.loc[[zone_id], "geometry"] = gpd.GeoSeries([result.geometry], index=[zone_id], crs=self.metric)

    def _grow(self, geom, target: float, skip: set[str]):
        exclusions = self.constraints.growth_exclusions(self.zones, skip)
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
        for label, ha in self.constraints.removed_by_constraint(self.zones, seed, result, skip):
            self.removals.append((action.year, zone_id, label, result.distance_m, ha))

    def _do_allocate(self, action: Action, index: int) -> None:
        settings = self.scenario.allocation
        active = self.zones[
            self.zones["status"].ne("retired") & ~(self.zones.geometry.isna() | self.zones.geometry.is_empty)
        ]
        demand = float(action.params["ha"])
        placed_ha = 0.0
        opened = 0
        plan = self.allocator.plan(action, index, active)
        for zone_id, land, grown in plan.parcels:
            got = float(shapely.area(land) / 10_000.0)
            placed_ha += got
            if zone_id is not None:
                self.zones.loc[[zone_id], "geometry"] = gpd.GeoSeries([grown], index=[zone_id], crs=self.metric)
            else:
                opened += 1
                zone_id = f"{self.scenario.id}-site-{action.year}-{opened}"
                self._append(site_row(self.scenario, action, zone_id, opened), land)
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
            f"{placed_ha:.2f} ha in {len(plan.parcels)} zone(s)/site(s)"
        )
        if shortfall > 0.005 * demand:
            message += (
                f"; SHORTFALL {shortfall:.2f} ha: not enough allowed land within the constraints, "
                f"{settings['min_parcel_ha']:g} ha minimum parcel, {settings.get('min_width_m', 100.0):g} m "
                f"minimum width, Polsby–Popper >= {settings.get('min_compactness', 0.3):g}"
                + (f" and {settings['max_road_m']:g} m of a road" if settings.get("max_road_m") else "")
                + (f" ({'; '.join(plan.reasons)})" if plan.reasons else "")
            )
        self.notes.append(message)
        self.allocations.append((action.year, demand, placed_ha, max(shortfall, 0.0)))

    def _do_add_zone(self, action: Action, index: int) -> None:
        p = action.params
        if p["id"] in self.zones.index:
            raise self._error(f"zone {p['id']!r} already exists", action, index, "id")
        if "geometry" in p:
            geom = read_geometry(p["geometry"], self.metric, self.scenario, action, index)
        else:
            site = gpd.GeoSeries(gpd.points_from_xy([p["point"][0]], [p["point"][1]]), crs=_crs.WGS84)
            point = site.to_crs(self.metric).iloc[0]
            self._check_seed(action, index, point)
            result = self._grow(point, p["target_ha"], set())
            self._log(action, p["id"], result, point, set())
            self._check_useful(action, index, point, result)
            geom = result.geometry
        self._append(add_zone_row(self.scenario, action), geom)

    def min_useful_ha(self, target: float) -> float:
        """Smallest zone an action may create: the allocation's minimum parcel (default 5 ha), or its target."""
        return min(
            float(self.scenario.allocation.get("min_parcel_ha", ALLOCATION_SETTINGS["min_parcel_ha"][1])), target
        )

    def _check_seed(self, action: Action, index: int, point) -> None:
        """A zone grown from a point inside a constraint would be 0 ha: refuse it, naming the constraint."""
        inside = self.constraints.containing(self.zones, point)
        if not inside:
            return
        blocked = self.constraints.growth_exclusions(self.zones, set())
        near = shapely.ops.nearest_points(shapely.boundary(blocked), point)[0] if blocked is not None else point
        lonlat = gpd.GeoSeries([near], crs=self.metric).to_crs(_crs.WGS84).iloc[0]
        raise self._error(
            f"add_zone {action.params['id']!r}: the point lies inside the {' and the '.join(inside)}, so no land "
            f"can be grown there (it would be a 0 ha zone); the nearest allowed land is "
            f"{shapely.distance(near, point):,.0f} m away, near [{lonlat.x:.5f}, {lonlat.y:.5f}]",
            action,
            index,
            "point",
        )

    def _check_useful(self, action: Action, index: int, seed, result) -> None:
        """Refuse a grown zone below the minimum useful size, naming what took the land around it."""
        minimum = self.min_useful_ha(float(action.params["target_ha"]))
        if result.reached or result.area_ha >= minimum - 1e-6:
            return
        taken = sorted(self.constraints.removed_by_constraint(self.zones, seed, result, set()), key=lambda r: -r[1])
        causes = ", ".join(
            f"{label if label == 'other zones' else self.constraints.kind(label) + ' ' + repr(label)} {ha:.1f} ha"
            for label, ha in taken
            if ha > 0.005
        )
        raise self._error(
            f"add_zone {action.params['id']!r}: too little land: only {result.area_ha:.2f} ha can be grown within "
            f"{result.distance_m:,.0f} m of the point, below the {minimum:g} ha minimum useful size"
            + (f"; the constraints took {causes}" if causes else ""),
            action,
            index,
            "target_ha",
        )

    def _do_add_phase(self, action: Action, index: int) -> None:
        p = action.params
        parent_id = self._zone(action, index, "of")
        if p["id"] in self.zones.index:
            raise self._error(f"zone {p['id']!r} already exists", action, index, "id")
        parent = self.zones.loc[parent_id]
        group = self.zones.index[self.zones["zone_group"].eq(parent["zone_group"])]
        if "geometry" in p:
            geom = read_geometry(p["geometry"], self.metric, self.scenario, action, index)
        else:
            seeds = present(self.zones.loc[group].geometry.array)
            if len(seeds) == 0:
                raise self._error(
                    f"zone group of {parent_id!r} has no polygon to grow a phase from", action, index, "of"
                )
            seed = shapely.make_valid(shapely.union_all(seeds))
            result = self._grow(seed, shapely.area(seed) / 10_000.0 + p["target_ha"], set(group))
            self._log(action, p["id"], result, seed, set(group))
            geom = shapely.make_valid(shapely.difference(result.geometry, seed))
        self._append(phase_row(self.scenario, action, parent, parent_id), geom)

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
