"""Synthetic zone records for store tests and benchmarks (clearly fake: ids start with ``test-``)."""

from __future__ import annotations

import geopandas as gpd
import shapely

from geozones.schema import validate_zones

#: A point in Bắc Kạn (near the provincial capital), lon/lat.
ORIGIN = (105.83, 22.14)


def square(i: int, size: float = 0.002) -> shapely.Polygon:
    """A small square in Bắc Kạn, the ``i``-th on a 300-wide grid."""
    x = ORIGIN[0] + (i % 300) * size * 1.5
    y = ORIGIN[1] + (i // 300) * size * 1.5 * 0.01
    return shapely.box(x, y, x + size, y + size)


def properties(i: int, **changes) -> dict:
    """A schema-valid attribute set for synthetic zone ``i``."""
    record = {
        "id": f"test-{i:06d}", "name": f"Cụm công nghiệp thử {i}", "name_ascii": f"Cum cong nghiep thu {i}",
        "kind": "CCN", "zone_group": f"Thử {i}", "province_pre2025": "Bắc Kạn", "province": "Thái Nguyên",
        "status": "planned", "sources": "synthetic test record", "geometry_quality": "approximate",
        "location_basis": "synthetic square", "occupancy_pct": None, "investor": None,
    }
    record.update(changes)
    return record


def feature(i: int, **changes) -> dict:
    """A GeoJSON Feature (lon/lat) for synthetic zone ``i``."""
    return {"type": "Feature", "id": f"test-{i:06d}", "properties": properties(i, **changes),
            "geometry": shapely.geometry.mapping(square(i))}


def zones(n: int, crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    """``n`` validated synthetic zones."""
    frame = gpd.GeoDataFrame([properties(i) for i in range(n)], geometry=[square(i) for i in range(n)],
                             crs="EPSG:4326")
    return validate_zones(frame.to_crs(crs))


def data_dir(root, n: int = 20):
    """A shipped-data directory holding ``n`` synthetic zones (for stores built from "shipped" files)."""
    from pathlib import Path

    from geozones.io import to_geojson

    root = Path(root)
    (root / "zones").mkdir(parents=True, exist_ok=True)
    to_geojson(zones(n), root / "zones" / "zones.geojson")
    return root
