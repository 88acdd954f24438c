"""Constrained growth: grow a zone outward to an exact target area while avoiding exclusions.

The method is buffer-and-clip with bisection on the buffer distance, in a projected metric
CRS (VN-2000 TM-3 of the province):

* the *feasible* land is the allowed region (everything, by default) minus the union of the
  exclusion layers (water, protected forest, settlements, other zones, road and river
  buffers, steep slopes);
* the grown zone at distance ``d`` is the original polygon plus the parts of
  ``buffer(original, d) ∩ feasible`` that touch the original polygon (the zone stays in one
  piece: land across a river is not annexed);
* with a suitability raster (values 0..1), a cell at distance ``r`` from the zone is taken
  once ``r <= d * (w_min + (1 - w_min) * suitability)``: more suitable land is reached at a
  smaller ``d``, so the zone grows further towards its better side;
* the area grows monotonically with ``d``; bisection finds the ``d`` whose area is within
  ``tolerance`` of the target. When even the largest distance cannot reach it, the result
  says so and carries the largest reachable area.

Everything is deterministic: no randomness, fixed iteration order.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from geozones.errors import GrowthError

M2_PER_HA = 10_000.0


@dataclass(frozen=True)
class GrowthResult:
    """The outcome of :func:`grow_to_area`.

    Attributes
    ----------
    geometry : shapely Polygon or MultiPolygon
        The grown zone (metric CRS of the input).
    area_ha : float
        Its area.
    target_ha : float
        The requested area.
    reached : bool
        True when ``area_ha`` is within the tolerance of the target.
    max_reachable_ha : float
        The largest area the constraints allow (equal to ``area_ha`` when not reached).
    distance_m : float
        The buffer distance used.
    message : str
        A one-line explanation for reports.
    """

    geometry: BaseGeometry
    area_ha: float
    target_ha: float
    reached: bool
    max_reachable_ha: float
    distance_m: float
    message: str

    @property
    def shortfall_ha(self) -> float:
        """Hectares missing to the target (0 when reached)."""
        return 0.0 if self.reached else max(0.0, self.target_ha - self.area_ha)


def _as_geometry(layer, crs: pyproj.CRS | None) -> BaseGeometry | None:
    """Union of a layer (GeoDataFrame/GeoSeries in any CRS, shapely geometry or list) in ``crs``."""
    if layer is None:
        return None
    if isinstance(layer, (gpd.GeoDataFrame, gpd.GeoSeries)):
        if len(layer) == 0:
            return None
        if crs is not None and layer.crs is not None and not layer.crs.equals(crs):
            layer = layer.to_crs(crs)
        geoms = np.asarray(layer.geometry.array if isinstance(layer, gpd.GeoDataFrame) else layer.array, dtype=object)
    elif isinstance(layer, BaseGeometry):
        geoms = np.array([layer], dtype=object)
    else:
        geoms = np.asarray(list(layer), dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(geoms) == 0:
        return None
    return shapely.make_valid(shapely.union_all(shapely.make_valid(geoms)))


class _Grower:
    """Holds the precomputed pieces and evaluates the grown zone for a buffer distance."""

    def __init__(self, seed, feasible, suitability, grid, min_weight):
        self.seed = seed
        self.feasible = feasible
        self.raster = None
        if suitability is not None:
            self._prepare_raster(np.asarray(suitability, dtype=float), grid, min_weight)

    def _prepare_raster(self, suitability, grid, min_weight):
        from geozones.analysis.raster import distance_raster, fill_inside_polygons

        if grid is None:
            raise GrowthError("a suitability array needs its grid (geozones.analysis.raster.Grid)")
        if suitability.shape != grid.shape:
            raise GrowthError(f"suitability has shape {suitability.shape}, grid is {grid.shape}")
        dist = fill_inside_polygons(
            distance_raster(np.array([self.seed], dtype=object), grid), np.array([self.seed], dtype=object), grid
        )
        weight = min_weight + (1.0 - min_weight) * np.clip(suitability, 0.0, 1.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            reach = np.where(np.isfinite(weight) & (weight > 0), dist / weight, np.inf)
        self.raster = (reach, grid)

    def zone(self, d: float) -> BaseGeometry:
        reach = shapely.buffer(self.seed, d, quad_segs=16) if d > 0 else self.seed
        if self.raster is not None and d > 0:
            reach = shapely.intersection(reach, self._cells_within(d))
        candidate = reach if self.feasible is None else shapely.intersection(reach, self.feasible)
        parts = shapely.get_parts(shapely.make_valid(candidate))
        parts = parts[np.isin(shapely.get_type_id(parts), (3, 6))] if len(parts) else parts
        touching = parts[shapely.distance(parts, self.seed) <= 1e-6] if len(parts) else parts
        return shapely.make_valid(shapely.union_all(np.r_[np.array([self.seed], dtype=object), touching]))

    def _cells_within(self, d: float) -> BaseGeometry:
        from rasterio.features import shapes

        reach, grid = self.raster
        chosen = (reach <= d).astype("uint8")
        polys = [
            shapely.geometry.shape(g)
            for g, v in shapes(chosen, mask=chosen.astype(bool), transform=grid.transform)
            if v == 1
        ]
        # the seed itself always counts: cells only partly inside it are not lost
        return shapely.union_all(np.array(polys + [self.seed], dtype=object))

    def area_ha(self, d: float) -> float:
        return shapely.area(self.zone(d)) / M2_PER_HA


def grow_to_area(
    geometry: BaseGeometry,
    target_ha: float,
    *,
    crs: pyproj.CRS | str | int | None = None,
    exclusions=None,
    allowed=None,
    suitability: np.ndarray | None = None,
    grid=None,
    tolerance: float = 0.005,
    max_distance: float = 20_000.0,
    min_weight: float = 0.25,
    seed_radius: float = 1.0,
) -> GrowthResult:
    """Grow a polygon (or a point) outward to ``target_ha`` avoiding every exclusion.

    Parameters
    ----------
    geometry : shapely Polygon, MultiPolygon or Point
        The zone to grow, in a projected metric CRS (a point is a new site).
    target_ha : float
        The total area wanted (not the increment).
    crs : CRS-like, optional
        The CRS of ``geometry``; exclusion layers in other CRSs are projected to it.
    exclusions : GeoDataFrame, GeoSeries, geometry or list of geometries, optional
        Land the zone may not take (already buffered where a buffer applies).
    allowed : same types, optional
        The only land the zone may take (e.g. a district); everything when omitted.
    suitability : numpy.ndarray, optional
        Values 0..1 on ``grid`` (NaN = unusable); growth favours higher values.
    grid : geozones.analysis.raster.Grid, optional
        The grid of ``suitability``.
    tolerance : float
        Relative tolerance on the area (0.005 = 0.5 %).
    max_distance : float
        Farthest the zone may grow from its original edge, metres.
    min_weight : float
        With a suitability raster, the relative reach of the least suitable land (0..1].
    seed_radius : float
        Radius (m) of the seed disc when ``geometry`` is a point.

    Returns
    -------
    GrowthResult

    Raises
    ------
    GrowthError
        For a non-positive target, a bad tolerance, or a geometry that is not polygonal.
    """
    if not target_ha > 0:
        raise GrowthError(f"target area must be positive, got {target_ha!r}")
    if not 0 < tolerance < 0.5:
        raise GrowthError(f"tolerance must be between 0 and 0.5, got {tolerance!r}")
    if not 0 < min_weight <= 1:
        raise GrowthError(f"min_weight must be in (0, 1], got {min_weight!r}")
    target_crs = pyproj.CRS.from_user_input(crs) if crs is not None else None
    if target_crs is not None and not target_crs.is_projected:
        raise GrowthError(f"growth needs a projected metric CRS, not {target_crs.name!r}")
    seed = _seed(geometry, seed_radius)
    forbidden = _as_geometry(exclusions, target_crs)
    region = _as_geometry(allowed, target_crs)
    feasible = None
    if region is not None or forbidden is not None:
        if region is None:
            region = shapely.box(*shapely.bounds(shapely.buffer(seed, max_distance * 1.01)))
        feasible = region if forbidden is None else shapely.make_valid(shapely.difference(region, forbidden))
    grower = _Grower(seed, feasible, suitability, grid, min_weight)
    return _bisect(grower, float(target_ha), tolerance, max_distance)


def _seed(geometry: BaseGeometry, seed_radius: float) -> BaseGeometry:
    if geometry is None or shapely.is_empty(geometry):
        raise GrowthError("the zone to grow has no geometry")
    kind = shapely.get_type_id(geometry)
    if kind == 0:
        return shapely.buffer(geometry, seed_radius, quad_segs=16)
    if kind not in (3, 6):
        raise GrowthError(f"only polygons and points can grow, not {geometry.geom_type}")
    return shapely.make_valid(geometry)


def _bisect(grower: _Grower, target: float, tolerance: float, max_distance: float) -> GrowthResult:
    start = grower.area_ha(0.0)
    if start >= target * (1 - tolerance):
        reached = start <= target * (1 + tolerance)
        message = (
            "already at the target area"
            if reached
            else f"already {start:.2f} ha, larger than the {target:.2f} ha target (growth never shrinks a zone)"
        )
        return GrowthResult(grower.zone(0.0), start, target, reached, start, 0.0, message)
    # bracket: double the distance until the target is passed or the area stops growing
    lo, lo_area = 0.0, start
    hi = min(max_distance, max(1.0, np.sqrt(target * M2_PER_HA / np.pi) / 4))
    while True:
        hi_area = grower.area_ha(hi)
        if hi_area >= target * (1 - tolerance):
            break
        if hi >= max_distance or (hi_area - lo_area) <= 1e-9 * target and hi > 4 * np.sqrt(target * M2_PER_HA):
            return GrowthResult(
                grower.zone(hi),
                hi_area,
                target,
                False,
                hi_area,
                hi,
                f"target {target:.2f} ha cannot be reached: at most {hi_area:.2f} ha is "
                f"possible within {hi:,.0f} m without crossing an exclusion",
            )
        lo, lo_area = hi, hi_area
        hi = min(max_distance, hi * 2)
    best_d, best_area = hi, hi_area
    for _ in range(60):
        if abs(best_area - target) <= target * tolerance / 10:
            break
        mid = (lo + hi) / 2
        area = grower.area_ha(mid)
        if abs(area - target) < abs(best_area - target):
            best_d, best_area = mid, area
        if area < target:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-6:
            break
    reached = abs(best_area - target) <= target * tolerance
    message = (
        f"grown to {best_area:.2f} ha (target {target:.2f} ha) at {best_d:,.1f} m"
        if reached
        else f"closest area {best_area:.2f} ha misses the {target:.2f} ha target by more than "
        f"{tolerance:.1%} (the allowed land comes in steps larger than the tolerance)"
    )
    return GrowthResult(
        grower.zone(best_d),
        best_area,
        target,
        reached,
        max(best_area, grower.area_ha(max_distance)) if not reached else best_area,
        best_d,
        message,
    )
