"""Distance along the roads to the nearest target, as a raster: block search against cell-by-cell GEOS, side by side.

    .venv/bin/python benchmarks/road_distance.py                 # shipped Bắc Kạn grid at 100 m and 50 m, dense synthetic
    .venv/bin/python benchmarks/road_distance.py --quick         # smoke size

Both measure the same thing on the same grid in the same run (the graph and its Dijkstra are
built once for each and included in both timings):

* geozones: :func:`geozones.analysis.roadnet.road_distance_raster` — nearest road segments found
  block by block (one STRtree nearest query per block of cells, candidates measured with numpy);
* peer: :func:`geozones.analysis.roadnet.nearest_by_road` on every cell centre, which asks GEOS
  (``shapely.STRtree.query_nearest``) for every cell: the straightforward way.

The two results must agree to 1e-6 m on every cell (and be unreachable on the same cells), or the
run fails. The road sets: the shipped ``data/infrastructure/roads.geojson`` (real network, snapped
within 1 km and joined at crossings, as the suitability criterion builds it) on the Bắc Kạn
suitability grid, to the shipped Hữu Nghị border gate; a dense synthetic network (seeded random
walks of ~70 m steps over 40 km, 40 000 segments) to five random targets.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import geopandas as gpd

from geozones.analysis.raster import Grid
from geozones.analysis.roadnet import SHIPPED_SNAP_M, nearest_by_road, road_distance_raster


def shipped(resolution: float):
    roads = gpd.read_file(ROOT / "data" / "infrastructure" / "roads.geojson").to_crs(9213)
    gates = gpd.read_file(ROOT / "data" / "infrastructure" / "destinations.geojson")
    gates = gates[gates["class"] == "border_gate"].to_crs(9213)
    zones = gpd.read_file(ROOT / "data" / "zones" / "zones.geojson")
    zones = zones[(zones["province_pre2025"] == "Bắc Kạn") & ~zones.geometry.isna()].to_crs(9213)
    grid = Grid.covering([zones], resolution, margin=10_000, crs=9213)
    return roads, gates, grid, {"snap_m": SHIPPED_SNAP_M, "node_crossings": True}


def synthetic(resolution: float, walks: int = 4000):
    rng = np.random.default_rng(1)
    lines = []
    for _ in range(walks):
        start = rng.uniform(0, 40_000, 2)
        lines.append(shapely.LineString(start + np.cumsum(rng.normal(0, 70, (11, 2)), axis=0)))
    roads = gpd.GeoDataFrame(geometry=lines, crs=9213)
    targets = gpd.GeoDataFrame(geometry=shapely.points(rng.uniform(0, 40_000, (5, 2))), crs=9213)
    grid = Grid.from_bounds((-1000, -1000, 41_000, 41_000), resolution, 9213)
    return roads, targets, grid, {"snap_m": 50.0, "node_crossings": False}


def compare(name: str, roads, targets, grid: Grid, network: dict) -> dict:
    t = time.perf_counter()
    raster = road_distance_raster(roads, targets, grid, **network)
    ours = time.perf_counter() - t
    xs, ys = grid.cell_centers()
    centres = gpd.GeoSeries(shapely.points(*np.meshgrid(xs, ys)).ravel(), crs=grid.crs)
    t = time.perf_counter()
    points = nearest_by_road(centres, roads.to_crs(grid.crs), targets.to_crs(grid.crs), **network)
    peer = time.perf_counter() - t
    per_cell = points["road_m"].to_numpy().reshape(grid.shape)
    assert np.array_equal(np.isinf(raster), np.isnan(per_cell)), "unreachable cells differ"
    finite = np.isfinite(raster)
    error = float(np.abs(raster[finite] - per_cell[finite]).max()) if finite.any() else 0.0
    assert error < 1e-6, f"{name}: the two differ by {error} m"
    parts = shapely.get_parts(np.asarray(roads.geometry.array))
    segments = int((shapely.get_num_points(parts) - 1).sum())
    return {
        "name": name,
        "cells": grid.width * grid.height,
        "cell": grid.resolution,
        "segments": segments,
        "ours": ours,
        "peer": peer,
        "error": error,
        "reachable": float(finite.mean()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small grids (smoke run)")
    args = parser.parse_args()
    cases = (
        [("shipped, Bắc Kạn grid", shipped(400.0)), ("synthetic random walks", synthetic(400.0, 400))]
        if args.quick
        else [
            ("shipped, Bắc Kạn grid", shipped(100.0)),
            ("shipped, Bắc Kạn grid", shipped(50.0)),
            ("synthetic random walks", synthetic(30.0)),
        ]
    )
    print(f"{platform.platform()}, Python {platform.python_version()}, shapely {shapely.__version__}")
    print("| roads | cells | cell | segments | road_distance_raster | per-cell GEOS nearest | ratio | max difference |")
    print("|---|---|---|---|---|---|---|---|")
    for name, (roads, targets, grid, network) in cases:
        row = compare(name, roads, targets, grid, network)
        print(
            f"| {row['name']} | {row['cells']:,} | {row['cell']:g} m | {row['segments']:,} | {row['ours']:.2f} s "
            f"| {row['peer']:.2f} s | {row['peer'] / row['ours']:.1f}× faster | {row['error']:.1e} m |"
        )


if __name__ == "__main__":
    main()
