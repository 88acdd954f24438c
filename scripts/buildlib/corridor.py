"""The logistics corridor: roads and railways from Lạng Sơn and Thái Nguyên to Hà Nội, Bắc Ninh,
Bắc Giang, Hải Phòng and Quảng Ninh; the logistics destinations; the district population layer.

Inputs (unmodified, see their PROVENANCE.md):

* ``data/sources/legocity/giaothong.geojson``: the whole national file the shipped road layer was
  clipped from (CTU-SematX/LegoCity @ a1aabc7). Here it is clipped to the wider corridor box.
* ``data/sources/odm_districts/districts_18_provinces.geojson``: the Open Development Vietnam
  district layer (with its 2009 census population) for the 18 provinces the corridor box touches.

Nothing without a source is drawn: the expressways, the seaports and Chi Ma border gate are in
``NOT_SHIPPED`` (listed in data/README-infrastructure.md).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import Point, box

from . import infrastructure
from .common import DATA, PROVINCE_EPSG, read_realdata, realdata_token

LEGOCITY = DATA / "sources" / "legocity"
ODM_DISTRICTS = DATA / "sources" / "odm_districts"
#: Corridor box (WGS84): the study box 105.2–107.5 E, 21.2–22.9 N widened south to 20.55 N, so that
#: Hà Nội, Bắc Ninh, Bắc Giang, Hải Phòng and western Quảng Ninh (Hạ Long) are inside.
CORRIDOR_BBOX = (105.2, 20.55, 107.5, 22.9)

LICENCE_CORRIDOR = infrastructure.LICENCE_PROVISIONAL
ATTRIBUTION_CORRIDOR = (
    "Corridor roads and railways: CTU-SematX/LegoCity opendata/giaothong (commit a1aabc7), "
    "CC BY-SA 4.0 (provisional; upstream unconfirmed). Clipped to the corridor box and "
    "attributes renamed by geozones."
)
ATTRIBUTION_POPULATION = (
    "District boundaries and 2009 census population: Open Development Vietnam (Open Development "
    "Mekong) 'Địa phận huyện' / Department of Survey and Mapping, CC BY-SA 4.0. Dissolved by "
    "district code and attributes renamed by geozones."
)

#: Known gaps with NO geometry or coordinate in the sources: not drawn (README lists them).
NOT_SHIPPED = (
    (
        "Hà Nội – Thái Nguyên expressway (CT.07), Hà Nội – Bắc Giang – Lạng Sơn expressway (CT.01), "
        "Hà Nội – Hải Phòng expressway (CT.04)",
        "the source file has no expressway (no feature, no field: the `duong_cao_` column its README "
        "describes is in no version of the file in the repository's history); never drawn by hand",
    ),
    ("Lạch Huyện and Đình Vũ container ports (Hải Phòng)", "no published coordinate found"),
    ("Cái Lân port (Hạ Long, Quảng Ninh)", "no published coordinate found"),
    ("Chi Ma border gate (Lộc Bình)", "no published coordinate found"),
    ("Railway stations other than Đồng Đăng; container yards (ICD)", "no published coordinate found"),
)

_ROAD_BASIS = (
    "Source line as published (coarse: about 0.5 km per vertex), clipped to the corridor box "
    "105.2–107.5 E, 20.55–22.9 N; see data/sources/legocity/PROVENANCE.md."
)


def _source_token() -> str:
    path = LEGOCITY / "giaothong.geojson"
    if not path.is_file():
        raise FileNotFoundError(path)
    return "source:legocity/giaothong.geojson"


def _read_corridor() -> gpd.GeoDataFrame:
    src = gpd.read_file(LEGOCITY / "giaothong.geojson").set_crs(4326, allow_override=True)
    frame = box(*CORRIDOR_BBOX)
    src = src[src.intersects(frame)].copy()
    src["geometry"] = [infrastructure._lines(g) for g in src.geometry.intersection(frame)]
    return src.sort_values("gid").reset_index(drop=True)


def _ref(name: str) -> str | None:
    """``'Quốc lộ 1A'`` -> ``'QL1A'``, ``'Tỉnh lộ 203'`` -> ``'ĐT203'`` (as the realdata file derives it)."""
    if name.startswith("Quốc lộ "):
        return "QL" + name.removeprefix("Quốc lộ ").strip()
    if name.startswith("Tỉnh lộ "):
        return "ĐT" + name.removeprefix("Tỉnh lộ ").strip()
    return None


_CLASS = {"Quốc Gia": "national_highway", "Asean": "national_highway", "Cấp Tỉnh": "provincial_road"}


def corridor_roads() -> gpd.GeoDataFrame:
    """Every road of the source inside the corridor box, plus the flagged QL1A gap fill."""
    src = _read_corridor()
    src = src[src["loai_duong"] != "Đường sắt"]
    token = _source_token()
    rows = []
    for _, r in src.iterrows():
        unnamed = r["ten"] == "Không biết"
        ref = None if unnamed else _ref(r["ten"])
        rows.append(
            dict(
                id=f"{(ref or 'road').lower()}-{r['map_id']}".replace("đ", "d"),
                name=None if unnamed else r["ten"],
                ref=ref,
                **{"class": _CLASS.get(r["cap_duong"], "district_road")},
                road_class_vi=r["loai_duong"],
                admin_level_vi=r["cap_duong"],
                src_map_id=r["map_id"],
                gap_fill=False,
                sources=token,
                geometry_quality="as_published",
                location_basis=_ROAD_BASIS,
                notes="Name unknown in the source ('Không biết')." if unnamed else None,
                licence=LICENCE_CORRIDOR,
                attribution=ATTRIBUTION_CORRIDOR,
                geometry=r.geometry,
            )
        )
    rows.append(infrastructure._ql1a_gap(read_realdata("roads_national.geojson")))
    return infrastructure._frame(rows, ("road_class_vi", "admin_level_vi", "src_map_id", "gap_fill"))


def corridor_railways() -> gpd.GeoDataFrame:
    """Every railway of the source inside the corridor box."""
    src = _read_corridor()
    src = src[src["loai_duong"] == "Đường sắt"]
    token = _source_token()
    rows = [
        dict(
            id=f"rail-{r['map_id']}",
            name=f"Đường sắt {r['ten']}",
            **{"class": "railway"},
            line_vi=r["ten"],
            admin_level_vi=r["cap_duong"],
            src_map_id=r["map_id"],
            sources=token,
            geometry_quality="as_published",
            location_basis=_ROAD_BASIS,
            licence=LICENCE_CORRIDOR,
            attribution=ATTRIBUTION_CORRIDOR,
            geometry=r.geometry,
        )
        for _, r in src.iterrows()
    ]
    return infrastructure._frame(rows, ("line_vi", "admin_level_vi", "src_map_id"))


def _dms(deg: float, minutes: float = 0.0, seconds: float = 0.0) -> float:
    return round(deg + minutes / 60 + seconds / 3600, 6)


#: Logistics destinations with a published coordinate: id -> (name, category, lat, lon, source, precision).
#: ``category`` is what the explorer's filters group by (capital, airport, seaport, border_gate,
#: railway_station, city).
PUBLISHED_POINTS = {
    "ha_noi_centre": (
        "Trung tâm Hà Nội",
        "capital",
        _dms(21, 2),
        _dms(105, 51),
        "Wikipedia (Simple English), 'Hanoi', read 2026: \"Hanoi is at 21°2' North, 105°51' East\" "
        "(https://simple.m.wikipedia.org/wiki/Hanoi)",
        "arc-minute (about ±1 km): the city centre, not a building",
    ),
    "noi_bai_airport": (
        "Sân bay quốc tế Nội Bài",
        "airport",
        _dms(21, 13, 18),
        _dms(105, 48, 20),
        "Vietnam AIP, AD 2 VVNB 'HA NOI/Noi Bai International', AMDT 2016-02, item ARP coordinates: "
        '"211318N – 1054820E Intersection of RWY 11L/29R and TWY N3" ('
        "https://aip.rossiya-airlines.com/Vietnam/Related%20Links/2016-02-AMDT/html/eAIP/AD-2.VVNB-en-GB.html)",
        "arc-second: the aerodrome reference point",
    ),
    "dong_dang_station": (
        "Ga Đồng Đăng (ga liên vận quốc tế, cửa khẩu đường sắt)",
        "railway_station",
        _dms(21, 56, 38),
        _dms(106, 41, 50),
        "Wikipedia tiếng Việt, 'Ga Đồng Đăng', read 2026: \"Tọa độ 21°56′38″B 106°41′50″Đ\" "
        "(https://vi.m.wikipedia.org/wiki/Ga_%C4%90%E1%BB%93ng_%C4%90%C4%83ng)",
        "arc-second: the station",
    ),
}


def logistics_destinations(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Hà Nội, Nội Bài, the Lạng Sơn border gates with a coordinate, Đồng Đăng station, the cities."""
    rows = []
    for ident, (name, category, lat, lon, source, precision) in PUBLISHED_POINTS.items():
        rows.append(
            dict(
                id=ident,
                name=name,
                **{"class": "railway_station" if category == "railway_station" else category},
                category=category,
                gap_fill=False,
                sources="web: " + source[source.rindex("(") + 1 : -1],
                geometry_quality="as_published",
                location_basis=f"{precision}. {source}.",
                licence=infrastructure.LICENCE_FACTS,
                attribution=infrastructure.ATTRIBUTION_POINTS,
                geometry=Point(lon, lat),
            )
        )
    gates = read_realdata("border_gates_points.geojson")
    tan_thanh = gates.loc[gates["name_vi"] == "Cửa khẩu Tân Thanh"].iloc[0]
    rows.append(
        dict(
            id="tan_thanh_border_gate",
            name="Cửa khẩu Tân Thanh",
            **{"class": "border_gate"},
            category="border_gate",
            gap_fill=False,
            sources=realdata_token("border_gates_points.geojson"),
            geometry_quality="as_published",
            location_basis=f"{tan_thanh['precision']}: {tan_thanh['src']}.",
            licence=infrastructure.LICENCE_FACTS,
            attribution=infrastructure.ATTRIBUTION_POINTS,
            geometry=tan_thanh.geometry,
        )
    )
    base = infrastructure.destinations(districts)
    for _, r in base[
        base["id"].isin(["huu_nghi_border_gate", "bac_kan_city", "thai_nguyen_city", "lang_son_city"])
    ].iterrows():
        row = {k: (None if pd.isna(v) else v) if not isinstance(v, shapely.Geometry) else v for k, v in r.items()}
        row["category"] = "border_gate" if r["class"] == "border_gate" else "city"
        rows.append(row)
    return infrastructure._frame(rows, ("category", "gap_fill"))


def population_districts() -> gpd.GeoDataFrame:
    """District-level units of the 18 corridor provinces with their 2009 census population (ODM)."""
    src = gpd.read_file(ODM_DISTRICTS / "districts_18_provinces.geojson").set_crs(4326, allow_override=True)
    src = src.sort_values("OBJECTID")
    rows = []
    for code, part in src.groupby("Code_vung", sort=True):
        first = part.iloc[0]
        pops = set(part["Dan_So"].astype(int)) - {0}  # island parts of a few coastal units carry 0
        if len(pops) != 1:
            raise ValueError(f"district {code}: parts disagree on Dan_So {pops}")
        geom = shapely.union_all(part.geometry.values)
        area = infrastructure.reproject(geom, 4326, PROVINCE_EPSG["Thái Nguyên"]).area / 1e6
        pop = pops.pop()
        rows.append(
            dict(
                id=f"district-{int(code)}",
                name=first["Ten_Huyen"],
                **{"class": "district_population"},
                province_vi=first["Ten_Tinh"],
                odm_code=str(int(code)),
                population=pop,
                population_year=int(first["Nam_TK"]),
                population_source=(
                    "Open Development Vietnam 'Địa phận huyện' attribute Dan_So with Nam_TK = "
                    f"{int(first['Nam_TK'])} (the 2009 Population and Housing Census, General Statistics "
                    "Office), via lvnhan/pdbs shp/diaphanhuyen.dbf @ 99a1ddb"
                ),
                area_km2=round(area, 2),
                density_per_km2=round(pop / area, 1) if area > 0 else None,
                sources="source:odm_districts/districts_18_provinces.geojson",
                geometry_quality="surveyed",
                location_basis=(
                    "ODM district polygon(s) as published (boundary vintage about 2016), dissolved by "
                    "Code_vung; area in EPSG:9213 (VN-2000 TM-3 105°45′)."
                ),
                licence="CC BY-SA 4.0",
                attribution=ATTRIBUTION_POPULATION,
                geometry=geom,
            )
        )
    return infrastructure._frame(
        rows,
        (
            "province_vi",
            "odm_code",
            "population",
            "population_year",
            "population_source",
            "area_km2",
            "density_per_km2",
        ),
    )
