"""Build the shipped infrastructure layers in data/infrastructure/.

Deterministic (no randomness): running it twice gives byte-identical files.

Writes, under ``--out`` (default: the repository's ``data/`` directory)::

    infrastructure/roads.geojson         QL3 (Bắc Kạn) and QL1A (Lạng Sơn) centre lines
    infrastructure/power.geojson         the 110 kV Bắc Kạn substation
    infrastructure/destinations.geojson  Bắc Kạn city, Hữu Nghị border gate

Every geometry is approximate and built only from the fact sheet (``facts.md``):
the road centre lines are straight segments through the "Approximate places" of
the towns that the fact sheet lists, in the order it lists them, and nothing
else. Where a town on a route has no published coordinates it is skipped and the
feature's ``location_basis`` says so. Roads and destinations the fact sheet
gives no coordinates for (QL3B, QL279, QL4B; Thái Nguyên, Hà Nội, Lạng Sơn city)
are not shipped: see data/README-infrastructure.md.

Usage::

    .venv/bin/python scripts/build_infrastructure.py [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from shapely.geometry import LineString, Point

ROOT = Path(__file__).resolve().parents[1]

#: facts.md "Approximate places" (WGS84 lat, lon; ±1–3 km), the ones the layers use.
PLACES: dict[str, tuple[float, float]] = {
    "Chợ Mới town": (21.893, 105.787),
    "Thanh Thịnh": (21.957, 105.800),
    "Bắc Kạn provincial seat": (22.161, 105.831),
    "Huyền Tụng": (22.172, 105.836),
    "Hòa Thắng (Hữu Lũng)": (21.450, 106.365),
    "Chi Lăng town": (21.574, 106.505),
    "Hồng Phong (Cao Lộc)": (21.931, 106.683),
    "Đồng Đăng": (21.961, 106.703),
    "Hữu Nghị border gate": (21.971, 106.715),
}

PLACES_SOURCE = "facts.md: Approximate places"
QL3_SOURCE = "facts.md: National Highway 3 (QL3) runs south–north"
QL1A_SOURCE = "facts.md: QL1A runs Hữu Lũng"
SUBSTATION_SOURCE = "seed:000_f58b2d5f6e1d2ce9.txt"

COLUMNS = ("id", "name", "class", "ref", "voltage_kv", "sources", "geometry_quality", "location_basis", "notes")


def _line(*places: str) -> LineString:
    return LineString([(PLACES[p][1], PLACES[p][0]) for p in places])


def _point(place: str) -> Point:
    lat, lon = PLACES[place]
    return Point(lon, lat)


def _frame(rows: list[dict]) -> gpd.GeoDataFrame:
    geometry = [row.pop("geometry") for row in rows]
    frame = pd.DataFrame(rows).reindex(columns=list(COLUMNS))
    frame["voltage_kv"] = frame["voltage_kv"].astype("float64")
    frame = frame.astype({c: object for c in COLUMNS if c != "voltage_kv"}).where(frame.notna(), None)
    frame["voltage_kv"] = frame["voltage_kv"].astype("float64")
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")


def roads() -> gpd.GeoDataFrame:
    """National highway centre lines through the fact sheet's towns."""
    ql3 = ("Chợ Mới town", "Thanh Thịnh", "Bắc Kạn provincial seat", "Huyền Tụng")
    ql1a = ("Hòa Thắng (Hữu Lũng)", "Chi Lăng town", "Hồng Phong (Cao Lộc)", "Đồng Đăng", "Hữu Nghị border gate")
    return _frame([
        dict(id="ql3_bac_kan", name="Quốc lộ 3 (Chợ Mới – Thanh Thịnh – thành phố Bắc Kạn)", ref="QL3",
             **{"class": "national_highway"},
             sources=f"{QL3_SOURCE}; {PLACES_SOURCE}", geometry_quality="approximate",
             location_basis=("Straight segments through the facts.md approximate places (±1–3 km) of the towns "
                             "the fact sheet lists on QL3, south to north: " + " → ".join(ql3) + ". The line "
                             "ends at Huyền Tụng: Phủ Thông (Bạch Thông) and Nà Phặc (Ngân Sơn) are on QL3 "
                             "but have no published coordinates. The real road winds; distances along it are "
                             "underestimates and positions may be kilometres off."),
             notes="Schematic centre line; replace with a surveyed or OpenStreetMap layer for real work.",
             geometry=_line(*ql3)),
        dict(id="ql1a_lang_son", name="Quốc lộ 1A (Hữu Lũng – Chi Lăng – Cao Lộc – Đồng Đăng – cửa khẩu Hữu Nghị)",
             ref="QL1A", **{"class": "national_highway"},
             sources=f"{QL1A_SOURCE}; {PLACES_SOURCE}", geometry_quality="approximate",
             location_basis=("Straight segments through the facts.md approximate places (±1–3 km) standing for "
                             "the places the fact sheet lists on QL1A, south to north: " + " → ".join(ql1a)
                             + ". Hữu Lũng is represented by Hòa Thắng and Cao Lộc by Hồng Phong (the only "
                             "places of those districts with published coordinates); Lạng Sơn city is skipped "
                             "(no published coordinates). The real road winds and may be kilometres away."),
             notes="Schematic centre line; replace with a surveyed or OpenStreetMap layer for real work.",
             geometry=_line(*ql1a)),
    ])


def power() -> gpd.GeoDataFrame:
    """The 110 kV Bắc Kạn substation (the only grid element the sources name)."""
    return _frame([
        dict(id="substation_110kv_bac_kan", name="Trạm biến áp 110 kV Bắc Kạn", ref=None,
             **{"class": "substation"}, voltage_kv=110.0,
             sources=f"{SUBSTATION_SOURCE}; {PLACES_SOURCE}", geometry_quality="approximate",
             location_basis=("Placed at the facts.md approximate Bắc Kạn provincial seat (22.161 N, 105.831 E). "
                             "The seed article names the substation (its transformer is to be upgraded) but gives "
                             "no location; the real site may be several kilometres away."),
             notes="No 110 kV lines are shipped: the sources mention new lines for the zones without routes.",
             geometry=_point("Bắc Kạn provincial seat")),
    ])


def destinations() -> gpd.GeoDataFrame:
    """Destinations investors ask about, where the fact sheet gives coordinates."""
    return _frame([
        dict(id="bac_kan_city", name="Thành phố Bắc Kạn", **{"class": "city"},
             sources=PLACES_SOURCE, geometry_quality="approximate",
             location_basis="The facts.md approximate Bắc Kạn provincial seat (22.161 N, 105.831 E), ±1–3 km.",
             geometry=_point("Bắc Kạn provincial seat")),
        dict(id="huu_nghi_border_gate", name="Cửa khẩu Hữu Nghị", **{"class": "border_gate"},
             sources=f"{PLACES_SOURCE}; {QL1A_SOURCE}", geometry_quality="approximate",
             location_basis="The facts.md approximate Hữu Nghị border gate (≈21.971 N, 106.715 E), ±1–3 km.",
             geometry=_point("Hữu Nghị border gate")),
    ])


def write_geojson(frame: gpd.GeoDataFrame, path: Path) -> None:
    """Write RFC 7946 GeoJSON (lon/lat, 7 decimals, no crs member)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    pyogrio.write_dataframe(frame, path, driver="GeoJSON",
                            layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": 7, "WRITE_NAME": "NO"})


def build(out: Path) -> dict[str, Path]:
    """Build the three layers under ``out``/infrastructure; return their paths."""
    paths = {}
    for name, make in (("roads", roads), ("power", power), ("destinations", destinations)):
        paths[name] = out / "infrastructure" / f"{name}.geojson"
        write_geojson(make(), paths[name])
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
    sys.exit(main())
