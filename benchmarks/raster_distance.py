"""Distance-to-road raster: geozones' exact distance against GDAL's ComputeProximity, side by side.

    .venv/bin/python benchmarks/raster_distance.py                 # 4000 x 4000, shipped roads + synthetic
    .venv/bin/python benchmarks/raster_distance.py --size 200 --repeat 1   # smoke size

Both run on the same grid in the same run:

* geozones: :func:`geozones.analysis.raster.distance_raster` from the road *vectors* (compiled kernel,
  warmed up first so numba's one-off compilation is not timed; segment extraction is timed);
* GDAL: ``gdal.ComputeProximity`` (``DISTUNITS=GEO``) on the roads rasterised at the same
  resolution (all touched cells), in Debian's ``python3-gdal`` (rasterio's wheel does not expose
  it): only the ComputeProximity call is timed, not the rasterisation nor the I/O.

Both are checked against an exact brute-force distance (every sampled cell centre against
every road segment) on a random sample of cells; the maximum absolute error of each is reported, and
the run fails (AssertionError) unless geozones' error is below 1e-6 m and GDAL's within one cell diagonal.
Prerequisite: ``apt-get install python3-gdal`` (or point ``--gdal-python`` at a Python with osgeo).
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyproj
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geozones.analysis import raster
from geozones.analysis.raster import Grid

GDAL_CHILD = r"""
import sys, time, numpy as np
from osgeo import gdal
gdal.UseExceptions()
src = gdal.Open(sys.argv[1])
drv = gdal.GetDriverByName("MEM")
best = None
for _ in range(int(sys.argv[3])):
    dst = drv.Create("", src.RasterXSize, src.RasterYSize, 1, gdal.GDT_Float32)
    dst.SetGeoTransform(src.GetGeoTransform()); dst.SetProjection(src.GetProjection())
    t = time.perf_counter()
    gdal.ComputeProximity(src.GetRasterBand(1), dst.GetRasterBand(1), ["VALUES=1", "DISTUNITS=GEO"])
    elapsed = time.perf_counter() - t
    best = elapsed if best is None else min(best, elapsed)
np.save(sys.argv[2], dst.GetRasterBand(1).ReadAsArray())
print(best, gdal.__version__)
"""


def shipped_roads(crs: pyproj.CRS):
    import geopandas as gpd

    path = ROOT / "data" / "infrastructure" / "roads.geojson"
    if not path.exists():
        return None
    return np.asarray(gpd.read_file(path).to_crs(crs).geometry.array, dtype=object)


def synthetic_roads(extent: float, x0: float, y0: float, lines: int = 20, vertices: int = 100, seed: int = 0):
    """Smooth random polylines (``lines`` x ``vertices``) inside a square of side ``extent``."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(lines):
        x, y = rng.uniform(0, extent, 2)
        angle = rng.uniform(0, 2 * np.pi) + np.cumsum(rng.normal(0, 0.05, vertices))
        step = extent / 2 / vertices
        out.append(
            shapely.LineString(
                np.c_[x0 + x + np.cumsum(step * np.cos(angle)), y0 - y + np.cumsum(step * np.sin(angle))]
            )
        )
    return np.array(out, dtype=object)


def run_gdal(python: str, roads, grid: Grid, repeat: int) -> tuple[float, np.ndarray, str]:
    import rasterio

    burned = raster.rasterize(roads, grid, 1, 0, all_touched=True, dtype="uint8")
    with tempfile.TemporaryDirectory() as tmp:
        tif, npy = Path(tmp) / "roads.tif", Path(tmp) / "prox.npy"
        with rasterio.open(
            tif,
            "w",
            driver="GTiff",
            width=grid.width,
            height=grid.height,
            count=1,
            dtype="uint8",
            crs=grid.crs.to_wkt(),
            transform=grid.transform,
        ) as dst:
            dst.write(burned, 1)
        done = subprocess.run(
            [python, "-c", GDAL_CHILD, str(tif), str(npy), str(repeat)], capture_output=True, text=True
        )
        if done.returncode != 0:
            sys.exit(
                f"GDAL proximity failed with {python}: {done.stderr.strip().splitlines()[-1:]}\n"
                "This benchmark needs GDAL's Python bindings: apt-get install python3-gdal "
                "(or --gdal-python PATH to a Python with osgeo)."
            )
        seconds, version = done.stdout.split()
        return float(seconds), np.load(npy).astype(float), version


def run_geozones(roads, grid: Grid, repeat: int) -> tuple[float, np.ndarray]:
    small = Grid(grid.xmin, grid.ymax, grid.resolution, 16, 16, grid.crs)
    raster.distance_raster(roads, small)  # compile / load the numba kernel outside the timing
    best, out = None, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = raster.distance_raster(roads, grid)
        elapsed = time.perf_counter() - t
        best = elapsed if best is None else min(best, elapsed)
    return best, out


def bench(name: str, roads, size: int, repeat: int, sample: int, python: str) -> dict:
    crs = pyproj.CRS.from_epsg(9213)
    xmin, ymin, xmax, ymax = shapely.total_bounds(roads)
    side = max(xmax - xmin, ymax - ymin) * 1.1
    res = side / size
    grid = Grid(xmin - 0.05 * side, ymax + 0.05 * side, res, size, size, crs)
    segments = len(raster.segments_of(roads))
    ours_s, ours = run_geozones(roads, grid, repeat)
    gdal_s, prox, version = run_gdal(python, roads, grid, repeat)
    rng = np.random.default_rng(1)
    rows, cols = rng.integers(0, size, sample), rng.integers(0, size, sample)
    exact = raster.distance_brute_force(roads, grid, rows, cols)
    # "same answers": the comparison only counts if both computed the distance the brute force does --
    # geozones exactly (vectors), GDAL within one cell diagonal (it measures from rasterised roads).
    ours_error = float(np.abs(ours[rows, cols] - exact).max())
    gdal_error = float(np.abs(prox[rows, cols] - exact).max())
    if not ours_error < 1e-6:
        raise AssertionError(f"{name}: geozones' distances differ from the brute force by {ours_error:.3g} m")
    if not gdal_error <= res * 2**0.5:
        raise AssertionError(
            f"{name}: GDAL's distances differ from the brute force by {gdal_error:.3g} m, more "
            f"than one cell diagonal ({res * 2**0.5:.3g} m): not the same computation"
        )
    return {
        "data": name,
        "size": f"{size} x {size}",
        "resolution_m": round(res, 3),
        "segments": segments,
        "geozones_s": round(ours_s, 3),
        "gdal_s": round(gdal_s, 3),
        "speedup": round(gdal_s / ours_s, 2),
        "geozones_max_error_m": ours_error,
        "gdal_max_error_m": gdal_error,
        "gdal": version,
        "sample": sample,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=4000, help="grid side in cells (default 4000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each, best kept (default 3)")
    parser.add_argument("--sample", type=int, default=2000, help="cells checked by brute force")
    parser.add_argument("--gdal-python", default="/usr/bin/python3", help="a Python with GDAL's osgeo bindings")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    crs = pyproj.CRS.from_epsg(9213)
    datasets = []
    shipped = shipped_roads(crs)
    if shipped is not None:
        datasets.append(("shipped roads (data/infrastructure/roads.geojson)", shipped))
    datasets.append(("synthetic: 20 roads x 100 vertices", synthetic_roads(100_000, 420_000, 2_480_000)))
    datasets.append(
        ("synthetic: 20 roads x 1000 vertices", synthetic_roads(100_000, 420_000, 2_480_000, vertices=1000))
    )
    datasets.append(
        (
            "synthetic: 200 roads x 1000 vertices (200k segments)",
            synthetic_roads(100_000, 420_000, 2_480_000, lines=200, vertices=1001),
        )
    )
    results = [bench(name, roads, args.size, args.repeat, args.sample, args.gdal_python) for name, roads in datasets]
    print(f"machine: {platform.machine()}, {__import__('os').cpu_count()} cores, {platform.python_version()}")
    header = (
        "data",
        "size",
        "resolution_m",
        "segments",
        "geozones_s",
        "gdal_s",
        "speedup",
        "geozones_max_error_m",
        "gdal_max_error_m",
    )
    print(" | ".join(header))
    for r in results:
        print(
            " | ".join(str(r[h]) if not isinstance(r[h], float) or "error" not in h else f"{r[h]:.3g}" for h in header)
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
