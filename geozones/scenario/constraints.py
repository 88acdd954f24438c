"""A scenario's constraints as geometry: the land growth and allocation may not use.

:class:`ConstraintSet` reads the constraint layers (store, files or given frames), buffers them,
adds the steep land of a DEM, and keeps one union (computed once per run, shared by the
Monte Carlo draws through the run cache) plus each constraint's own union for the report of
what it removed.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from geozones.errors import ScenarioError, UnknownAttributeError
from geozones.scenario.model import LayerRef, Scenario


def present(geoms: np.ndarray) -> np.ndarray:
    """The geometries of an array that are neither missing nor empty."""
    return geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]


class ConstraintSet:
    """The constraints of one scenario run in its metric CRS.

    Parameters
    ----------
    scenario : Scenario
    metric : pyproj.CRS
        The run's VN-2000 TM-3 CRS.
    store : ZoneStore or None
        Source of constraint layers not in ``layers``.
    layers : dict
        Constraint layers by name, looked up before the store.
    cache : dict
        The run cache (keys ``exclusions`` and ``labelled``).
    notes : list of str
        The run's notes (an optional layer that is missing is noted there).
    """

    def __init__(self, scenario: Scenario, metric, store, layers: dict, cache: dict, notes: list[str]):
        self.scenario, self.metric, self.store, self.layers = scenario, metric, store, layers
        self.cache, self.notes = cache, notes
        self._exclusions = cache.get("exclusions")
        self.labelled: list[tuple[str, object]] = cache.get("labelled", [])

    def exclusions(self):
        """Union of every constraint (buffered), in the metric CRS; computed once."""
        if self._exclusions is None:
            parts = []
            constraints = self.scenario.constraints
            labelled = []
            for ref in constraints.exclusions + constraints.buffers:
                frame = self.layer(ref)
                if frame is not None and len(frame):
                    geoms = frame.to_crs(self.metric).geometry.array
                    parts.append(shapely.buffer(geoms, ref.buffer_m) if ref.buffer_m > 0 else geoms)
                    label = ref.label + (f" (+{ref.buffer_m:g} m)" if ref.buffer_m > 0 else "")
                    labelled.append((label, parts[-1]))
            if constraints.max_slope_deg is not None:
                parts.append(np.array([self.steep_land()], dtype=object))
                labelled.append((f"slope > {constraints.max_slope_deg:g}°", parts[-1]))
            geoms = np.concatenate(parts) if parts else np.empty(0, dtype=object)
            geoms = present(geoms) if len(geoms) else geoms
            self._exclusions = shapely.make_valid(shapely.union_all(geoms)) if len(geoms) else None
            self.labelled = [(label, shapely.make_valid(shapely.union_all(present(g)))) for label, g in labelled]
            self.cache["exclusions"] = self._exclusions
            self.cache["labelled"] = self.labelled
        return self._exclusions

    def kind(self, label: str) -> str:
        """What a labelled constraint is: ``corridor`` (a buffered layer), ``exclusion`` or ``slope``."""
        if label.startswith("slope >"):
            return "slope"
        buffered = {ref.label for ref in self.scenario.constraints.buffers}
        return "corridor" if label.split(" (+")[0] in buffered or " (+" in label else "exclusion"

    def containing(self, zones: gpd.GeoDataFrame, point) -> list[str]:
        """The constraints (``kind 'label'``) a point lies in; ``other zone <id>`` for the zones it is inside."""
        self.exclusions()
        found = [f"{self.kind(label)} '{label}'" for label, geom in self.labelled if shapely.intersects(geom, point)]
        if self.scenario.constraints.avoid_other_zones:
            active = zones[zones["status"].ne("retired")]
            geoms = active.geometry.array
            inside = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
            inside[inside] = shapely.intersects(geoms[inside], point)
            found += [f"other zone {zone_id}" for zone_id in active.index[inside]]
        return found

    def other_zones(self, zones: gpd.GeoDataFrame, skip: set[str]) -> np.ndarray:
        """Outlines of the active zones not in ``skip`` (what ``avoid_other_zones`` keeps growth out of)."""
        return present(zones[~zones.index.isin(skip) & zones["status"].ne("retired")].geometry.array)

    def growth_exclusions(self, zones: gpd.GeoDataFrame, skip: set[str]):
        """The constraints plus, with ``avoid_other_zones``, the other active zones; None when nothing."""
        parts = [self.exclusions()] if self.exclusions() is not None else []
        if self.scenario.constraints.avoid_other_zones:
            parts.extend(self.other_zones(zones, skip))
        return shapely.union_all(np.array(parts, dtype=object)) if parts else None

    def removed_by_constraint(self, zones: gpd.GeoDataFrame, seed, result, skip: set[str]) -> list[tuple[str, float]]:
        """Hectares each constraint takes out of the land the growth could reach (within its final distance).

        The reach is ``buffer(seed, distance) - seed``; one constraint's figure is its overlap with
        that ring, so land under two constraints counts under both.
        """
        self.exclusions()
        ring = shapely.difference(shapely.buffer(seed, max(result.distance_m, 0.0)), seed)
        rows = [
            (label, float(shapely.area(shapely.intersection(ring, geom)) / 10_000.0)) for label, geom in self.labelled
        ]
        if self.scenario.constraints.avoid_other_zones:
            others = self.other_zones(zones, skip)
            union = shapely.union_all(others) if len(others) else shapely.Polygon()
            rows.append(("other zones", float(shapely.area(shapely.intersection(ring, union)) / 10_000.0)))
        return rows

    def layer(self, ref: LayerRef) -> gpd.GeoDataFrame | None:
        """The frame a layer reference names (file, given layer or store layer); None if optional and missing."""
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

    def steep_land(self):
        """Land steeper than ``constraints.max_slope_deg`` on the scenario's DEM, as one (multi)polygon."""
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
