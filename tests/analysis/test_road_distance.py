"""Distance along the roads to the nearest target, per point and per raster cell, against hand values.

The network: an L-shaped road (0, 0) -> (1000, 0) -> (1000, 1000) with a gate 100 m beyond its
north end at (1000, 1100), and a separate road x = 1400, -400 <= y <= 400 that meets nothing.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geozones.analysis.raster import Grid
from geozones.analysis.roadnet import nearest_by_road, road_distance_raster
from geozones.errors import CRSError

CRS = 9213


@pytest.fixture
def roads():
    return gpd.GeoDataFrame(
        {"id": ["l_road", "island"]},
        geometry=[
            shapely.LineString([(0, 0), (1000, 0), (1000, 1000)]),
            shapely.LineString([(1400, -400), (1400, 400)]),
        ],
        crs=CRS,
    )


@pytest.fixture
def gate():
    return gpd.GeoDataFrame({"id": ["gate"]}, geometry=[shapely.Point(1000, 1100)], crs=CRS)


#: (cell centre, distance by hand): access leg to the nearest road point + along the road + the gate's 100 m leg.
HAND = [
    ((250, -50), 50 + (750 + 1000) + 100),  # nearest road point (250, 0)
    ((1050, 550), 50 + 450 + 100),  # nearest road point (1000, 550)
    ((-250, 150), math.hypot(250, 150) + 2000 + 100),  # beyond the west end: (0, 0)
    ((1050, 1250), math.hypot(50, 250) + 0 + 100),  # beyond the north end: (1000, 1000)
    # inside the corner, 50 m from both legs: via (1000, 50) is 950 along, via (950, 0) is 1050: the better one
    ((950, 50), 50 + 950 + 100),
]


def test_points_by_hand(roads, gate):
    points = gpd.GeoSeries([shapely.Point(xy) for xy, _ in HAND] + [shapely.Point(1450, 0), None], crs=CRS)
    table = nearest_by_road(points, roads, gate)
    assert table["road_m"].iloc[: len(HAND)].to_numpy() == pytest.approx([d for _, d in HAND], abs=1e-9)
    assert table["reachable"].iloc[: len(HAND)].all()
    # nearest road point on the separate road: unreachable, not a straight line nor the L road 450 m away
    assert table["access_m"].iloc[-2] == pytest.approx(50) and not table["reachable"].iloc[-2]
    assert np.isnan(table["road_m"].iloc[-2])
    assert np.isnan(table["access_m"].iloc[-1]) and not table["reachable"].iloc[-1]


def test_raster_by_hand_and_the_disconnected_road(roads, gate):
    grid = Grid.from_bounds((-500, -500, 1500, 1500), 100, CRS)  # cell centres at x, y = -450, -350, ..., 1450
    xs, ys = grid.cell_centers()
    distance = road_distance_raster(roads, gate, grid)
    for (x, y), expected in HAND:
        row, col = int(np.flatnonzero(ys == y)[0]), int(np.flatnonzero(xs == x)[0])
        assert distance[row, col] == pytest.approx(expected, abs=1e-9)
    assert not np.isnan(distance).any()
    # every cell whose nearest road is the separate one (x >= 1200 + half the 400 m gap) is unreachable: inf
    island = xs > 1200
    assert np.isinf(distance[:, island][np.abs(ys) <= 400]).all()
    # elsewhere never shorter than the straight line to the gate (triangle inequality)
    reachable = np.isfinite(distance)
    straight = np.hypot(xs[None, :] - 1000, ys[:, None] - 1100)
    assert reachable.sum() > 300 and (distance[reachable] >= straight[reachable] - 1e-9).all()
    # max_distance: the same values up to it, inf beyond, without measuring the far cells
    capped = road_distance_raster(roads, gate, grid, max_distance=1200)
    assert np.array_equal(capped, np.where(distance <= 1200, distance, np.inf))


def test_a_target_on_the_middle_of_a_segment(roads):
    """On the target's own segment the direct stretch counts, not only the detour through its ends."""
    target = gpd.GeoDataFrame(geometry=[shapely.Point(500, -30)], crs=CRS)  # joins the road at (500, 0), 30 m leg
    table = nearest_by_road(gpd.GeoSeries([shapely.Point(600, 20), shapely.Point(1020, 300)], crs=CRS), roads, target)
    assert table["road_m"].to_numpy() == pytest.approx([20 + 100 + 30, 20 + (500 + 300) + 30])


def test_layers_in_other_crs_are_projected_to_the_grid_and_mixed_crs_refused(roads, gate):
    grid = Grid.from_bounds((-500, -500, 1500, 1500), 100, CRS)
    same = road_distance_raster(roads.to_crs(4326), gate.to_crs(4326), grid)
    assert np.allclose(same, road_distance_raster(roads, gate, grid), rtol=0, atol=1e-3, equal_nan=False)
    with pytest.raises(CRSError):
        nearest_by_road(gate.to_crs(4326), roads, gate)


def test_the_raster_equals_the_per_point_measure_on_a_dense_network_with_ties():
    """The block search of the raster against GEOS' nearest (``STRtree.query_nearest``) at every cell centre.

    A Manhattan grid of roads 500 m apart (many cells equally near two roads) plus random walks,
    three targets; the grid's cells are not aligned with the roads.
    """
    rng = np.random.default_rng(7)
    lines = [shapely.LineString([(x, 0), (x, 6000)]) for x in range(0, 6001, 500)]
    lines += [shapely.LineString([(0, y), (6000, y)]) for y in range(0, 6001, 500)]
    for _ in range(150):
        walk = rng.uniform(0, 6000, 2) + np.cumsum(rng.normal(0, 60, (12, 2)), axis=0)
        lines.append(shapely.LineString(walk))
    roads = gpd.GeoDataFrame(geometry=lines, crs=CRS)
    targets = gpd.GeoDataFrame(geometry=shapely.points(rng.uniform(0, 6000, (3, 2))), crs=CRS)
    grid = Grid.from_bounds((-337, -411, 6413, 6389), 25, CRS)  # 270 x 272 cells
    raster = road_distance_raster(roads, targets, grid, node_crossings=True)
    xs, ys = grid.cell_centers()
    centres = gpd.GeoSeries(shapely.points(*np.meshgrid(xs, ys)).ravel(), crs=CRS)
    points = nearest_by_road(centres, roads, targets, node_crossings=True)["road_m"].to_numpy().reshape(grid.shape)
    assert np.array_equal(np.isinf(raster), np.isnan(points))
    assert np.isinf(raster).any() and np.isfinite(raster).mean() > 0.9  # unconnected walks exist, most cells reach
    finite = np.isfinite(raster)
    assert raster[finite] == pytest.approx(points[finite], abs=1e-6)
