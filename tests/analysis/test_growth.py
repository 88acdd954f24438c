"""Constrained growth: exact target areas, exclusions never crossed, reachable area reported."""

from __future__ import annotations

import numpy as np
import pyproj
import pytest
import shapely

from geozones.errors import GrowthError
from geozones.analysis.growth import grow_to_area
from geozones.analysis.raster import Grid

CRS = "EPSG:9213"
X0, Y0 = 500_000.0, 2_430_000.0


def square(x, y, half):
    return shapely.box(X0 + x - half, Y0 + y - half, X0 + x + half, Y0 + y + half)


def test_growth_hits_target_and_avoids_every_exclusion():
    zone = square(0, 0, 50)  # 1 ha
    river = shapely.box(X0 + 120, Y0 - 2000, X0 + 160, Y0 + 2000)  # a 40 m strip east of the zone
    forest = shapely.Point(X0 - 150, Y0 + 80).buffer(90)
    village = shapely.box(X0 - 60, Y0 - 300, X0 + 60, Y0 - 180)
    result = grow_to_area(zone, 12.0, crs=CRS, exclusions=[river, forest, village])
    assert result.reached
    assert abs(shapely.area(result.geometry) / 10_000 - 12.0) <= 0.005 * 12.0
    for excluded in (river, forest, village):
        assert shapely.area(shapely.intersection(result.geometry, excluded)) < 1e-6
    assert shapely.covers(result.geometry.buffer(1e-6), zone)
    assert result.geometry.geom_type == "Polygon"  # contiguous


def test_land_across_an_exclusion_is_not_annexed():
    zone = square(0, 0, 50)
    river = shapely.box(X0 + 60, Y0 - 5000, X0 + 80, Y0 + 5000)
    result = grow_to_area(zone, 30.0, crs=CRS, exclusions=[river])
    assert result.reached
    east_bank = shapely.box(X0 + 80, Y0 - 5000, X0 + 5000, Y0 + 5000)
    assert shapely.area(shapely.intersection(result.geometry, east_bank)) < 1e-6


def test_impossible_target_reports_the_reachable_area():
    zone = square(0, 0, 50)
    # everything outside a 300 m x 300 m box is excluded: at most 9 ha can be reached
    wall = shapely.difference(square(0, 0, 2000), square(0, 0, 150))
    result = grow_to_area(zone, 20.0, crs=CRS, exclusions=[wall])
    assert not result.reached
    assert result.max_reachable_ha == pytest.approx(9.0, rel=1e-6)
    assert result.area_ha == pytest.approx(9.0, rel=1e-6)
    assert result.shortfall_ha == pytest.approx(11.0, rel=1e-5)
    assert "cannot be reached" in result.message


def test_growth_from_a_point_and_determinism():
    site = shapely.Point(X0, Y0)
    road = shapely.LineString([(X0 - 1000, Y0 + 100), (X0 + 1000, Y0 + 100)]).buffer(20)
    first = grow_to_area(site, 15.0, crs=CRS, exclusions=[road])
    second = grow_to_area(site, 15.0, crs=CRS, exclusions=[road])
    assert first.reached and abs(first.area_ha - 15.0) <= 0.075
    assert shapely.area(shapely.intersection(first.geometry, road)) < 1e-6
    assert shapely.equals_exact(first.geometry, second.geometry, 0.0)


def test_growth_prefers_the_more_suitable_side():
    zone = square(0, 0, 50)
    grid = Grid(X0 - 1000, Y0 + 1000, 10.0, 200, 200, pyproj.CRS.from_user_input(CRS))
    suitability = np.zeros(grid.shape)
    suitability[:, 100:] = 1.0  # east of x = X0 is suitable, west is not
    result = grow_to_area(zone, 10.0, crs=CRS, suitability=suitability, grid=grid)
    assert result.reached
    added = shapely.difference(result.geometry, zone)
    east = shapely.area(shapely.intersection(added, shapely.box(X0, Y0 - 2000, X0 + 2000, Y0 + 2000)))
    west = shapely.area(added) - east
    assert east > 2 * west


def test_bad_input_raises_typed_errors():
    with pytest.raises(GrowthError):
        grow_to_area(square(0, 0, 50), -1, crs=CRS)
    with pytest.raises(GrowthError):
        grow_to_area(shapely.LineString([(0, 0), (1, 1)]), 5, crs=CRS)
    with pytest.raises(GrowthError, match="projected"):
        grow_to_area(square(0, 0, 50), 5, crs="EPSG:4326")
