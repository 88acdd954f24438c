"""Build the shipped GeoJSON files from data/zones/zone_records.csv.

Deterministic (no randomness): running it twice gives byte-identical files.

Writes, under ``--out`` (default: the repository's ``data/`` directory)::

    zones/zones.geojson            one feature per row of zone_records.csv
    boundaries/provinces.geojson   Bắc Kạn (pre-2025) and Lạng Sơn outlines
    boundaries/districts.geojson   the 8 Bắc Kạn district-level units

All geometry is approximate (see data/README.md):

* Bắc Kạn province: a hand-drawn outline inside the published extent, scaled in
  EPSG:9213 so its area equals the published 4,859.96 km².
* Districts: a power diagram (weighted Voronoi) of the province outline, the
  weights iterated until each cell's area equals the published km² (scaled by
  4,859.96 / 4,851 so that the cells tile the province).
* Lạng Sơn: a hand-drawn outline, no area constraint (none is published).
* Zones: rotated rectangles of the published area, in the provincial VN-2000
  TM-3 CRS, centred on the approximate site point; no polygon where no area is
  published.

Usage::

    .venv/bin/python scripts/build_data.py [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import functools
import math
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import Transformer
from shapely import affinity
from shapely.geometry import Point, Polygon

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geozones.schema import FIELDS, FIELD_NAMES, ascii_name, validate_zones  # noqa: E402

ZONE_RECORDS = ROOT / "data" / "zones" / "zone_records.csv"

#: Provincial VN-2000 TM-3 CRS used to measure and construct areas.
PROVINCE_EPSG = {"Bắc Kạn": 9213, "Lạng Sơn": 9215}

#: Published area of Bắc Kạn province (pre-2025), km² (facts.md).
BK_AREA_KM2 = 4859.96

#: Hand-drawn Bắc Kạn outline (lon, lat), inside the published extent
#: 21.80–22.73 N, 105.43–106.25 E. Schematic: it only has the right extent,
#: the right area (after scaling) and a rough shape; it is not a boundary.
BK_OUTLINE = (
    (105.80, 21.80), (105.89, 21.83), (105.99, 21.93), (106.11, 22.05),
    (106.25, 22.16), (106.20, 22.32), (106.12, 22.42), (106.02, 22.49),
    (105.93, 22.53), (105.82, 22.56), (105.74, 22.67), (105.63, 22.73),
    (105.53, 22.67), (105.49, 22.55), (105.43, 22.41), (105.47, 22.26),
    (105.54, 22.12), (105.64, 22.01), (105.72, 21.88),
)

#: The outline is scaled about the provincial seat (facts.md approximate places).
BK_SEAT = (105.831, 22.161)

#: Hand-drawn Lạng Sơn outline (lon, lat), inside the EPSG:9215 area of use
#: (106.09–107.37 E, 21.32–22.47 N), east of the Bắc Kạn outline, containing
#: every Lạng Sơn site of facts.md. No published area: not scaled.
LS_OUTLINE = (
    (106.12, 21.40), (106.35, 21.33), (106.60, 21.40), (106.90, 21.45),
    (107.20, 21.50), (107.35, 21.62), (107.30, 21.75), (107.05, 21.80),
    (106.88, 21.90), (106.78, 21.98), (106.70, 22.10), (106.72, 22.30),
    (106.60, 22.45), (106.40, 22.42), (106.30, 22.25), (106.27, 22.05),
    (106.27, 21.85), (106.15, 21.70), (106.10, 21.55),
)

#: Bắc Kạn district-level units: id, name, published km² (facts.md), power-diagram
#: seed (lon, lat) and where the seed comes from.
DISTRICTS = (
    ("bk-thanh-pho-bac-kan", "Thành phố Bắc Kạn", 137, (105.831, 22.161),
     "the provincial seat 22.161 N, 105.831 E (facts.md approximate places)"),
    ("bk-ba-be", "Ba Bể", 678, (105.80, 22.34),
     "a layout point 22.34 N, 105.80 E chosen so that the cell lies north/north-west of the city "
     "and contains Chu Hương (not a published place)"),
    ("bk-bach-thong", "Bạch Thông", 546, (106.04, 22.30),
     "a layout point 22.30 N, 106.04 E chosen so that the cell lies north-east of the city "
     "and contains Cẩm Giàng (not a published place)"),
    ("bk-cho-don", "Chợ Đồn", 912, (105.596, 22.159),
     "Bằng Lũng 22.159 N, 105.596 E (facts.md approximate places)"),
    ("bk-cho-moi", "Chợ Mới", 606, (105.787, 21.893),
     "Chợ Mới town 21.893 N, 105.787 E (facts.md approximate places)"),
    ("bk-na-ri", "Na Rì", 853, (106.10, 22.08),
     "a layout point 22.08 N, 106.10 E in the east of the province (not a published place)"),
    ("bk-ngan-son", "Ngân Sơn", 644, (106.07, 22.47),
     "a layout point 22.47 N, 106.07 E in the north-east of the province (not a published place)"),
    ("bk-pac-nam", "Pác Nặm", 475, (105.62, 22.62),
     "a layout point 22.62 N, 105.62 E in the far north-west of the province (not a published place)"),
)

#: Admin codes given in facts.md (Decision 19/2025/QĐ-TTg); Lạng Sơn's pre-2025 code is not given.
PROVINCE_CODES = {"Bắc Kạn": ("06", "19"), "Lạng Sơn": ("", "20")}

BOUNDARY_COLUMNS = (
    "id", "name", "name_ascii", "level", "province_pre2025", "province",
    "province_code_pre2025", "province_code", "area_published_km2", "area_source",
    "geometry_quality", "method", "sources", "notes",
)

GRID_M = 0.001  # snapping grid for the district tiling, metres
RECIPE_COLUMNS = ("placement", "shape_aspect", "shape_bearing_deg")


# --------------------------------------------------------------------------- CRS


@functools.cache
def _transformer(src: int, dst: int) -> Transformer:
    """Cached lon/lat-ordered pyproj transformer."""
    return Transformer.from_crs(src, dst, always_xy=True)


def reproject(geom, src: int, dst: int):
    """Reproject a shapely geometry (vertices only)."""
    tr = _transformer(src, dst)

    def func(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(tr.transform(xy[:, 0], xy[:, 1]))

    return shapely.transform(geom, func)


def project_point(lon: float, lat: float, epsg: int) -> Point:
    """A lon/lat point in the given projected CRS."""
    return Point(_transformer(4326, epsg).transform(lon, lat))


# ---------------------------------------------------------------- Bắc Kạn outline


def bk_province() -> Polygon:
    """Bắc Kạn outline in EPSG:9213, scaled about the seat to exactly 4,859.96 km²."""
    drawn = reproject(Polygon(BK_OUTLINE), 4326, 9213)
    factor = math.sqrt(BK_AREA_KM2 * 1e6 / drawn.area)
    return affinity.scale(drawn, factor, factor, origin=project_point(*BK_SEAT, 9213))


# ------------------------------------------------------------------ power diagram


def _half_plane(normal: np.ndarray, offset: float, reach: float = 1e6) -> Polygon:
    """The half-plane ``normal · x <= offset`` as a (very large) polygon."""
    length = np.linalg.norm(normal)
    unit = normal / length
    foot = unit * offset / length
    along = np.array([-unit[1], unit[0]]) * reach
    back = unit * reach
    return Polygon([foot + along, foot + along - back, foot - along - back, foot - along])


def power_cells(region: Polygon, seeds: np.ndarray, weights: np.ndarray) -> list:
    """Power-diagram cells of ``seeds`` (local coordinates) clipped to ``region``."""
    cells = []
    for i, si in enumerate(seeds):
        cell = region
        for j, sj in enumerate(seeds):
            if i != j:
                offset = (sj @ sj - si @ si + weights[i] - weights[j]) / 2
                cell = cell.intersection(_half_plane(sj - si, offset))
        cells.append(cell)
    return cells


def _area_slope(cells: list, seeds: np.ndarray) -> np.ndarray:
    """d(area_i)/d(weight_i): sum over neighbours of shared edge / (2 · seed distance)."""
    slope = np.full(len(cells), 1e-3)
    for i, ci in enumerate(cells):
        for j, cj in enumerate(cells):
            if i != j:
                shared = ci.boundary.intersection(cj.buffer(1e-3)).length
                slope[i] += shared / (2 * np.linalg.norm(seeds[i] - seeds[j]))
    return slope


def fit_power_diagram(region: Polygon, seeds: np.ndarray, targets: np.ndarray,
                      tol: float = 1e-10, max_iter: int = 500) -> list:
    """Iterate the weights (damped Newton, diagonal slope) until cell areas hit ``targets``."""
    weights = np.zeros(len(seeds))
    for _ in range(max_iter):
        cells = power_cells(region, seeds, weights)
        error = targets - np.array([c.area for c in cells])
        if np.max(np.abs(error) / targets) < tol:
            return cells
        weights = weights + 0.8 * error / _area_slope(cells, seeds)
        weights -= weights.mean()
    raise RuntimeError("power diagram did not converge")


def clean_tiling(region: Polygon, cells: list) -> tuple[list, Polygon]:
    """Node all cell edges on a 1 mm grid and rebuild the cells from the faces.

    Adjacent cells then share identical vertices, so they tile the region with
    no gaps or overlaps (also after reprojection and rounding).
    """
    lines = shapely.unary_union([c.boundary for c in cells] + [region.boundary], grid_size=GRID_M)
    faces = list(shapely.get_parts(shapely.polygonize(shapely.get_parts(lines))))
    owner = [int(np.argmax([f.intersection(c).area for c in cells])) for f in faces]
    tiles = []
    for i in range(len(cells)):
        mine = [f for f, o in zip(faces, owner) if o == i]
        if len(mine) != 1:
            raise RuntimeError(f"district cell {i} has {len(mine)} faces")
        tiles.append(mine[0])
    return tiles, shapely.unary_union(faces)


def bk_districts(province: Polygon) -> tuple[list, Polygon]:
    """District polygons (EPSG:9213) tiling the Bắc Kạn outline, plus the noded outline."""
    origin = np.array(province.centroid.coords[0])
    local = affinity.translate(province, -origin[0], -origin[1])
    seeds = np.array([project_point(*d[3], 9213).coords[0] for d in DISTRICTS]) - origin
    published = np.array([d[2] for d in DISTRICTS], dtype=float)
    targets = published * BK_AREA_KM2 / published.sum() * 1e6
    cells = fit_power_diagram(local, seeds, targets)
    cells = [affinity.translate(c, origin[0], origin[1]) for c in cells]
    return clean_tiling(province, cells)


# ------------------------------------------------------------------------ zones


def _axes(bearing_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors along (bearing, clockwise from grid north) and across a long axis."""
    b = math.radians(bearing_deg)
    return np.array([math.sin(b), math.cos(b)]), np.array([math.cos(b), -math.sin(b)])


def rectangle(centre: Point, area_m2: float, aspect: float, bearing_deg: float) -> Polygon:
    """A rectangle of exactly ``area_m2``, long side ``aspect`` × short side, centred."""
    width = math.sqrt(area_m2 / aspect)
    half_l, half_w = aspect * width / 2, width / 2
    along, across = _axes(bearing_deg)
    c = np.array(centre.coords[0])
    corners = [c - along * half_l - across * half_w, c + along * half_l - across * half_w,
               c + along * half_l + across * half_w, c - along * half_l + across * half_w]
    return Polygon(corners)


def attached_rectangle(anchor: Polygon, area_m2: float, bearing_deg: float) -> Polygon:
    """A rectangle of ``area_m2`` sharing the anchor's edge that faces ``bearing_deg``.

    The shared corners are the anchor's own vertices, so the two touch exactly.
    """
    along, _ = _axes(bearing_deg)
    corners = np.array(anchor.exterior.coords[:4])
    centre = corners.mean(axis=0)
    side = [p for p in corners if (p - centre) @ along > 0]
    if len(side) != 2:
        raise ValueError("attach bearing must be parallel to the anchor's axes")
    width = np.linalg.norm(side[0] - side[1])
    if abs(abs((side[1] - side[0]) @ along) / width) > 1e-9:
        raise ValueError("attach bearing must be perpendicular to the shared edge")
    step = along * area_m2 / width
    return Polygon([side[0], side[1], side[1] + step, side[0] + step])


def read_records(path: Path = ZONE_RECORDS) -> list[dict]:
    """Rows of zone_records.csv as dicts of stripped strings."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]
    for row in rows:
        missing = [c for c in (*FIELD_NAMES, *RECIPE_COLUMNS) if c not in row]
        if missing:
            raise ValueError(f"zone_records.csv lacks column(s) {missing}")
        if row["name_ascii"] != ascii_name(row["name"]):
            raise ValueError(f"{row['id']}: name_ascii should be {ascii_name(row['name'])!r}")
    return rows


def zone_geometry(row: dict, built: dict, districts: dict):
    """Projected polygon for one zone row (None for ``placement = none``).

    For ``district_point`` it also fills the row's ``site_lon``/``site_lat``.
    """
    placement = row["placement"]
    if placement == "none":
        return None
    if not row["area_published_ha"]:
        raise ValueError(f"{row['id']}: placement {placement!r} needs area_published_ha")
    area = float(row["area_published_ha"]) * 1e4
    bearing = float(row["shape_bearing_deg"] or 0)
    if placement.startswith("attach:"):
        return attached_rectangle(built[placement.split(":", 1)[1]], area, bearing)
    epsg = PROVINCE_EPSG[row["province_pre2025"]]
    if placement == "district_point":
        lon, lat = district_point(districts[row["district_pre2025"]])
        row["site_lon"], row["site_lat"] = f"{lon:.3f}", f"{lat:.3f}"
    elif placement != "site":
        raise ValueError(f"{row['id']}: unknown placement {placement!r}")
    centre = project_point(float(row["site_lon"]), float(row["site_lat"]), epsg)
    return rectangle(centre, area, float(row["shape_aspect"]), bearing)


def district_point(district_9213: Polygon) -> tuple[float, float]:
    """Representative point of a district outline, as lon/lat rounded to 0.001°."""
    point = reproject(district_9213.representative_point(), 9213, 4326)
    return round(point.x, 3), round(point.y, 3)


def build_zones(rows: list[dict], districts: dict) -> gpd.GeoDataFrame:
    """Zone GeoDataFrame (EPSG:4326) with exactly the schema columns."""
    built, geoms = {}, []
    for row in rows:
        geom = zone_geometry(row, built, districts)
        built[row["id"]] = geom
        epsg = PROVINCE_EPSG[row["province_pre2025"]]
        geoms.append(None if geom is None else reproject(geom, epsg, 4326))
    frame = pd.DataFrame([{f: row[f] for f in FIELD_NAMES} for row in rows])
    for field in FIELDS:
        frame[field.name] = _typed(frame[field.name], field.dtype)
    zones = gpd.GeoDataFrame(frame, geometry=_ccw(geoms), crs="EPSG:4326")
    validate_zones(zones)
    return zones


def _typed(values: pd.Series, dtype: str) -> pd.Series:
    """Cast a column of CSV strings to the schema dtype (empty -> null)."""
    values = values.replace("", None)
    if dtype == "float":
        return pd.to_numeric(values).astype("float64")
    if dtype == "int":
        return pd.to_numeric(values).astype("Int64")
    return values.astype(object)


def _ccw(geoms: list) -> list:
    """RFC 7946 ring orientation: counter-clockwise exteriors."""
    return [None if g is None else shapely.orient_polygons(g, exterior_cw=False) for g in geoms]


# ------------------------------------------------------------------- boundaries

_BK_SOURCES = ("facts.md: Bắc Kạn province (pre-2025); facts.md: district-level units and areas (km²); "
               "facts.md: Approximate places; Resolution 202/2025/QH15; Decision 19/2025/QĐ-TTg")
_SCHEMATIC = "Schematic approximation, not an administrative boundary."


def province_records(bk_outline: Polygon) -> gpd.GeoDataFrame:
    """Bắc Kạn and Lạng Sơn province outlines (EPSG:4326)."""
    bk = dict(
        id="bac-kan", name="Bắc Kạn", level="province", province_pre2025="Bắc Kạn", province="Thái Nguyên",
        area_published_km2=BK_AREA_KM2, area_source="facts.md: Bắc Kạn province (pre-2025)",
        method=(f"{_SCHEMATIC} Hand-drawn outline of {len(BK_OUTLINE)} vertices inside the published extent "
                "(21.80–22.73 N, 105.43–106.25 E), scaled in EPSG:9213 about the provincial seat "
                "(22.161 N, 105.831 E) so that its area equals the published 4,859.96 km²; vertices where "
                "district boundaries meet it are added."),
        sources=_BK_SOURCES,
        notes="Pre-2025 province; merged into Thái Nguyên from 1 July 2025 (Resolution 202/2025/QH15).",
    )
    ls = dict(
        id="lang-son", name="Lạng Sơn", level="province", province_pre2025="Lạng Sơn", province="Lạng Sơn",
        area_published_km2=None, area_source="",
        method=(f"{_SCHEMATIC} Hand-drawn outline of {len(LS_OUTLINE)} vertices inside the EPSG:9215 area of "
                "use (106.09–107.37 E, 21.32–22.47 N), east of the Bắc Kạn outline, drawn to contain the "
                "approximate places of Chi Lăng town, Hồng Phong (Cao Lộc), Hòa Thắng (Hữu Lũng), Đồng Đăng "
                "and Hữu Nghị border gate. No published area, so its area is not meaningful."),
        sources="facts.md: Approximate places; facts.md: EPSG:9215; Resolution 202/2025/QH15; Decision 19/2025/QĐ-TTg",
        notes="Not merged in the 2025 reform (Resolution 202/2025/QH15).",
    )
    geoms = [reproject(bk_outline, 9213, 4326), Polygon(LS_OUTLINE)]
    return _boundary_frame([bk, ls], geoms)


def district_records(tiles: list) -> gpd.GeoDataFrame:
    """The 8 Bắc Kạn district-level units (EPSG:4326)."""
    total = sum(d[2] for d in DISTRICTS)
    rows = []
    for ident, name, km2, _seed, basis in DISTRICTS:
        rows.append(dict(
            id=ident, name=name, level="district", province_pre2025="Bắc Kạn", province="Thái Nguyên",
            area_published_km2=float(km2), area_source="facts.md: district-level units and areas (km²)",
            method=(f"{_SCHEMATIC} Cell of a power diagram (weighted Voronoi) of the approximate Bắc Kạn "
                    f"outline, seeded at {basis}; weights iterated until the cell's area in EPSG:9213 equals "
                    f"the published {km2} km² × 4,859.96 / {total:,} (the published district areas sum to "
                    f"{total:,} km²), then all edges noded on a 1 mm grid."),
            sources=_BK_SOURCES,
            notes="District level abolished from 1 July 2025 (two-tier province → commune).",
        ))
    return _boundary_frame(rows, [reproject(t, 9213, 4326) for t in tiles])


def _boundary_frame(rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    """Boundary GeoDataFrame with the documented columns."""
    for row in rows:
        row["name_ascii"] = ascii_name(row["name"])
        row["province_code_pre2025"], row["province_code"] = PROVINCE_CODES[row["province_pre2025"]]
        row["geometry_quality"] = "approximate"
    frame = pd.DataFrame(rows)[list(BOUNDARY_COLUMNS)]
    frame["area_published_km2"] = frame["area_published_km2"].astype("float64")
    frame = frame.replace("", None)
    return gpd.GeoDataFrame(frame, geometry=_ccw(geoms), crs="EPSG:4326")


# ------------------------------------------------------------------------ output


def write_geojson(frame: gpd.GeoDataFrame, path: Path) -> None:
    """Write RFC 7946 GeoJSON (lon/lat, CCW exteriors, 7 decimals, no crs member)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    pyogrio.write_dataframe(frame, path, driver="GeoJSON",
                            layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": 7})


def build(out: Path) -> dict[str, Path]:
    """Build every generated file under ``out``; return their paths."""
    province = bk_province()
    tiles, noded_outline = bk_districts(province)
    by_name = {d[1]: t for d, t in zip(DISTRICTS, tiles)}
    paths = {
        "zones": out / "zones" / "zones.geojson",
        "provinces": out / "boundaries" / "provinces.geojson",
        "districts": out / "boundaries" / "districts.geojson",
    }
    write_geojson(build_zones(read_records(), by_name), paths["zones"])
    write_geojson(province_records(noded_outline), paths["provinces"])
    write_geojson(district_records(tiles), paths["districts"])
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "data",
                        help="output directory (default: the repository's data/)")
    args = parser.parse_args(argv)
    for name, path in build(args.out).items():
        print(f"{name}: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
