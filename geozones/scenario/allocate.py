"""Demand allocation inside a scenario run: where the ``allocate`` actions put their hectares.

:class:`Allocator` builds the allocation grid once (suitability surface, road reach), turns the
active zones and the constraints into usable hectares per cell, and calls
:func:`geozones.analysis.allocation.allocate`. Plans are memoised on the action and the zones'
outlines, so Monte Carlo draws that do not change them reuse it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from geozones.errors import ScenarioError
from geozones.scenario.constraints import ConstraintSet
from geozones.scenario.model import Action, LayerRef, Scenario


@dataclass(frozen=True)
class AllocationPlan:
    """``parcels``: ``[(zone id or None for a new site, land, grown geometry or None)]``; ``reasons``: why
    seeds were refused or demand left (from :func:`geozones.analysis.parcels.allocate_parcels`)."""

    parcels: list[tuple]
    reasons: list[str]


class Allocator:
    """The ``allocate`` actions of one run.

    Parameters
    ----------
    scenario : Scenario
    metric : pyproj.CRS
    base : GeoDataFrame
        The zones before any action (the grid covers them).
    constraints : ConstraintSet
    cache : dict
        The run cache (keys ``allocation`` and ``allocation_plans``).
    """

    def __init__(self, scenario: Scenario, metric, base: gpd.GeoDataFrame, constraints: ConstraintSet, cache: dict):
        self.scenario, self.metric, self.base, self.constraints, self.cache = scenario, metric, base, constraints, cache

    def setup(self) -> dict:
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
        surface = suitability_surface(spec, grid, store=self.constraints.store, layers=self.constraints.layers)
        reach = np.ones(grid.shape, dtype=bool)
        if settings.get("max_road_m") is not None:
            roads = self.constraints.layer(LayerRef(layer=settings["roads"]))
            reach = raster.distance_raster(roads, grid, max_distance=float(settings["max_road_m"])) <= float(
                settings["max_road_m"]
            )
        self.cache["allocation"] = {"grid": grid, "suitability": surface, "reach": reach}
        return self.cache["allocation"]

    def plan(self, action: Action, index: int, active: gpd.GeoDataFrame) -> AllocationPlan:
        """The parcels of one ``allocate`` action and why any demand was left unplaced.

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
        from geozones.analysis.parcels import allocate_parcels

        setup = self.setup()
        grid = setup["grid"]
        settings = self.scenario.allocation
        cell_ha = grid.resolution * grid.resolution / 10_000.0
        parts = [self.constraints.exclusions()] if self.constraints.exclusions() is not None else []
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
        if self.constraints.exclusions() is not None:
            area[raster.mask(np.array([self.constraints.exclusions()], dtype=object), grid, all_touched=True)] = 0.0
        ids = list(active.index)
        labels = zone_cells(active, grid)
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
        result = allocate_parcels(
            setup["suitability"],
            setup["reach"] & (area > 0),
            labels,
            float(action.params["ha"]),
            action.params.get("mode", "both"),
            float(settings["min_parcel_ha"]),
            settings.get("max_parcel_ha"),
            grow,
            area=area,
            min_width=float(settings.get("min_width_m", 100.0)) / grid.resolution,
            min_compactness=float(settings.get("min_compactness", 0.3)),
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
                if self.constraints.exclusions() is not None:
                    closed = shapely.difference(closed, self.constraints.exclusions())
                plan.append((zone_id, land, shapely.make_valid(shapely.union_all([old, land, closed]))))
            else:
                plan.append((None, land, None))
        plans[key] = AllocationPlan(plan, list(result.reasons))
        return plans[key]


def zone_cells(active: gpd.GeoDataFrame, grid) -> np.ndarray:
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
