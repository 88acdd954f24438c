"""Small synthetic zone layers with hand-known areas, for tests that must not depend on shipped data."""

from __future__ import annotations

import geopandas as gpd
import pyproj
import shapely

from geozones.schema import validate_zones

# A point in Chợ Mới (Bắc Kạn) in VN-2000 / TM-3 106-30 (EPSG:9213), from facts.md's
# "Chợ Mới town 21.893, 105.787".
CHO_MOI = pyproj.Transformer.from_crs(4326, 9213, always_xy=True).transform(105.787, 21.893)
# Chi Lăng town (Lạng Sơn) 21.574, 106.505 in EPSG:9215.
CHI_LANG = pyproj.Transformer.from_crs(4326, 9215, always_xy=True).transform(106.505, 21.574)


def square(center: tuple[float, float], side_m: float, dx: float = 0.0, dy: float = 0.0) -> shapely.Polygon:
    """An axis-aligned square of ``side_m`` metres, counter-clockwise, offset from ``center``."""
    x, y = center[0] + dx, center[1] + dy
    return shapely.box(x - side_m / 2, y - side_m / 2, x + side_m / 2, y + side_m / 2)


def zone(i: int, **overrides) -> dict:
    """One valid zone record (attributes only)."""
    record = {
        "id": f"z{i}",
        "name": f"Cụm công nghiệp Thử {i}",
        "name_ascii": f"Cum cong nghiep Thu {i}",
        "kind": "CCN",
        "zone_group": f"Thử {i}",
        "province_pre2025": "Bắc Kạn",
        "district_pre2025": "Chợ Mới",
        "province": "Thái Nguyên",
        "status": "planned",
        "sources": "test fixture",
        "geometry_quality": "approximate",
    }
    record.update(overrides)
    return record


def bac_kan_squares(sides_m=(1000.0, 500.0, 200.0), **overrides) -> gpd.GeoDataFrame:
    """Squares of the given sides (100 ha, 25 ha, 4 ha for the default) built in EPSG:9213, returned in WGS84."""
    records = [zone(i, area_published_ha=side * side / 10_000, **overrides) for i, side in enumerate(sides_m)]
    geoms = [square(CHO_MOI, side, dx=3000.0 * i) for i, side in enumerate(sides_m)]
    return gpd.GeoDataFrame(records, geometry=geoms, crs=9213).to_crs(4326)


# --- many small lon/lat squares on a grid, for store, edit and crash tests and benchmarks ---
# (clearly fake: ids start with ``test-``)

#: A point in Bắc Kạn (near the provincial capital), lon/lat.
ORIGIN = (105.83, 22.14)


def grid_square(i: int, size: float = 0.002) -> shapely.Polygon:
    """A small square in Bắc Kạn, the ``i``-th on a 300-wide grid."""
    x = ORIGIN[0] + (i % 300) * size * 1.5
    y = ORIGIN[1] + (i // 300) * size * 1.5
    return shapely.box(x, y, x + size, y + size)


def properties(i: int, **changes) -> dict:
    """A schema-valid attribute set for synthetic zone ``i``."""
    record = {
        "id": f"test-{i:06d}",
        "name": f"Cụm công nghiệp thử {i}",
        "name_ascii": f"Cum cong nghiep thu {i}",
        "kind": "CCN",
        "zone_group": f"Thử {i}",
        "province_pre2025": "Bắc Kạn",
        "province": "Thái Nguyên",
        "status": "planned",
        "sources": "synthetic test record",
        "geometry_quality": "approximate",
        "location_basis": "synthetic square",
        "occupancy_pct": None,
        "investor": None,
    }
    record.update(changes)
    return record


def feature(i: int, **changes) -> dict:
    """A GeoJSON Feature (lon/lat) for synthetic zone ``i``."""
    return {
        "type": "Feature",
        "id": f"test-{i:06d}",
        "properties": properties(i, **changes),
        "geometry": shapely.geometry.mapping(grid_square(i)),
    }


def zones(n: int, crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    """``n`` validated synthetic zones."""
    frame = gpd.GeoDataFrame(
        [properties(i) for i in range(n)], geometry=[grid_square(i) for i in range(n)], crs="EPSG:4326"
    )
    return validate_zones(frame.to_crs(crs))


def data_dir(root, n: int = 20):
    """A shipped-data directory holding ``n`` synthetic zones (for stores built from "shipped" files)."""
    from pathlib import Path

    from geozones.io import to_geojson

    root = Path(root)
    (root / "zones").mkdir(parents=True, exist_ok=True)
    to_geojson(zones(n), root / "zones" / "zones.geojson")
    return root
