"""Checks on the shipped data files in data/ against independently typed facts.

The published figures below are typed in from /work/shared/facts.md (and the seed
articles it cites), not read back from data/zones/zone_records.csv.
"""

from __future__ import annotations

import filecmp
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
ZONES = DATA / "zones" / "zones.geojson"
PROVINCES = DATA / "boundaries" / "provinces.geojson"
DISTRICTS = DATA / "boundaries" / "districts.geojson"
GEOJSON_FILES = (ZONES, PROVINCES, DISTRICTS)


def _shared_dir() -> Path | None:
    """/work/shared, i.e. ../shared relative to the repository root, if present."""
    candidate = REPO.parent / "shared"
    return candidate if candidate.is_dir() else None


SHARED = _shared_dir()


def _require_seeds() -> Path:
    """The shared source material; a skip locally without it, a failure under GEOZONES_REQUIRE_ALL=1 (CI)."""
    if SHARED is not None and (SHARED / "seeds").is_dir():
        return SHARED
    message = "the shared source material (../shared/seeds, facts.md) is not beside the repository"
    if os.environ.get("GEOZONES_REQUIRE_ALL") == "1":
        pytest.fail(message)
    pytest.skip(message)

#: Published hectares (facts.md): name -> (ha, qualifier, provincial TM-3 EPSG).
PUBLISHED_HA = {
    "KCN Thanh Bình giai đoạn I": (73.5, "exact", 9213),
    "KCN Thanh Bình mở rộng": (51.0, "exact", 9213),
    "KCN Thanh Bình giai đoạn II": (80.3, "exact", 9213),
    "CCN Quảng Chu": (74.4, "exact", 9213),
    "CCN Cẩm Giàng": (43.0, "exact", 9213),
    "CCN Thanh Thịnh": (50.0, "exact", 9213),
    "CCN Vằng Mười": (15.0, "exact", 9213),
    "CCN Nam Bằng Lũng": (20.0, "exact", 9213),
    "KCN Đồng Bành": (321.0, "over", 9215),
    "KCN Hồng Phong": (440.0, "about", 9215),
}
#: Zones with no published area: no polygon, marker only.
NO_AREA = ("CCN Huyền Tụng", "CCN Chu Hương", "KCN Hữu Lũng")
#: The export processing zone: area published, location not.
KCX_NAME = "Khu chế xuất (Lạng Sơn, chưa nêu tên)"
ALL_ZONES = (*PUBLISHED_HA, *NO_AREA, KCX_NAME)

#: Approximate places (facts.md, lat/lon) that must fall in a given district.
DISTRICT_PLACES = {
    "Huyền Tụng": (22.172, 105.836, "Thành phố Bắc Kạn"),
    "provincial seat": (22.161, 105.831, "Thành phố Bắc Kạn"),
    "Cẩm Giàng": (22.205, 105.870, "Bạch Thông"),
    "Chu Hương": (22.372, 105.823, "Ba Bể"),
    "Bằng Lũng": (22.159, 105.596, "Chợ Đồn"),
    "Chợ Mới town": (21.893, 105.787, "Chợ Mới"),
    "Thanh Thịnh": (21.957, 105.800, "Chợ Mới"),
    "old Thanh Bình": (21.927, 105.817, "Chợ Mới"),
    "Quảng Chu": (21.853, 105.800, "Chợ Mới"),
}
#: District-level units of Bắc Kạn and their published km² (facts.md).
DISTRICT_KM2 = {
    "Thành phố Bắc Kạn": 137, "Ba Bể": 678, "Bạch Thông": 546, "Chợ Đồn": 912,
    "Chợ Mới": 606, "Na Rì": 853, "Ngân Sơn": 644, "Pác Nặm": 475,
}
BK_KM2 = 4859.96
BK_EXTENT = (105.43, 21.80, 106.25, 22.73)  # lon/lat, facts.md
LS_BOUNDS = (106.09, 21.32, 107.37, 22.47)  # EPSG:9215 area of use
LS_PLACES = {"Chi Lăng town": (21.574, 106.505), "Hồng Phong (Cao Lộc)": (21.931, 106.683),
             "Hòa Thắng (Hữu Lũng)": (21.450, 106.365)}
#: Named public sources that appear in facts.md.
PUBLIC_SOURCES = ("baodauthau.vn", "backan.gov.vn", "Resolution 855/NQ-UBTVQH14",
                  "Resolution 202/2025/QH15", "Decision 19/2025/QĐ-TTg")


@pytest.fixture(scope="module")
def zones() -> gpd.GeoDataFrame:
    return gpd.read_file(ZONES)


@pytest.fixture(scope="module")
def provinces() -> gpd.GeoDataFrame:
    return gpd.read_file(PROVINCES)


@pytest.fixture(scope="module")
def districts() -> gpd.GeoDataFrame:
    return gpd.read_file(DISTRICTS)


def _by_name(frame: gpd.GeoDataFrame) -> dict:
    return {row["name"]: row for _, row in frame.iterrows()}


def _empty(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or value == ""


# ----------------------------------------------------------------------- zones


def test_zones_pass_the_schema_as_read(zones):
    """validate_zones on the frame exactly as geopandas.read_file returns it."""
    from geozones.schema import validate_zones

    validated = validate_zones(zones)
    assert len(validated) == len(ALL_ZONES)
    assert validated.loc[validated["id"] == "bk-ccn-huyen-tung", "area_qualifier"].isna().all()
    assert validated["phase"].isin(["I", "II", "expansion"]).sum() == 3
    assert (validated["phase"].isna()).sum() == len(ALL_ZONES) - 3


def test_every_zone_present_once_by_name(zones):
    assert sorted(zones["name"]) == sorted(ALL_ZONES)
    assert zones["id"].is_unique


def test_thanh_binh_is_three_features_of_one_group(zones):
    group = zones[zones["zone_group"] == "Thanh Bình"]
    assert set(group["id"]) == {"bk-kcn-thanh-binh-1", "bk-kcn-thanh-binh-mr", "bk-kcn-thanh-binh-2"}
    assert set(group["phase"]) == {"I", "expansion", "II"}


@pytest.mark.parametrize("name", list(PUBLISHED_HA))
def test_polygon_area_matches_published_hectares(zones, name):
    hectares, qualifier, epsg = PUBLISHED_HA[name]
    row = zones[zones["name"] == name]
    assert len(row) == 1
    assert row["area_published_ha"].iloc[0] == pytest.approx(hectares)
    assert row["area_qualifier"].iloc[0] == qualifier
    mapped = row.to_crs(epsg).geometry.iloc[0].area / 1e4
    assert mapped == pytest.approx(hectares, rel=0.01)
    assert mapped == pytest.approx(hectares, rel=1e-4)  # built exactly; only rounding drifts


@pytest.mark.parametrize("name", NO_AREA)
def test_no_area_zones_have_no_polygon_but_a_marker(zones, name):
    row = _by_name(zones)[name]
    assert row.geometry is None
    assert _empty(row["area_published_ha"])
    assert not _empty(row["site_lon"]) and not _empty(row["site_lat"])


def test_export_processing_zone_has_area_but_no_location(zones):
    row = _by_name(zones)[KCX_NAME]
    assert row["kind"] == "KCX"
    assert row["area_published_ha"] == pytest.approx(126)
    assert row["area_qualifier"] == "over"
    assert row.geometry is None
    assert _empty(row["site_lon"]) and _empty(row["site_lat"])


def test_fixed_attributes_from_facts(zones):
    rows = _by_name(zones)
    assert rows["CCN Vằng Mười"]["decision"] == "1747/QĐ-UBND"
    assert pd.Timestamp(rows["CCN Vằng Mười"]["decision_date"]) == pd.Timestamp("2021-09-21")
    assert rows["CCN Vằng Mười"]["commune"] == "Trần Phú"
    assert rows["CCN Nam Bằng Lũng"]["decision"] == "1852/QĐ-UBND"
    assert rows["CCN Chu Hương"]["decision"] == "1885/QĐ-UBND"
    assert rows["CCN Huyền Tụng"]["established_year"] == 2019
    assert rows["CCN Huyền Tụng"]["status"] == "under_construction"
    assert rows["KCN Thanh Bình giai đoạn I"]["occupancy_pct"] == pytest.approx(97)
    for name in ("CCN Quảng Chu", "CCN Cẩm Giàng", "CCN Thanh Thịnh", "CCN Vằng Mười", "CCN Nam Bằng Lũng"):
        assert rows[name]["status"] == "site_clearance" and rows[name]["target_year"] == 2025
    assert "162" in rows["KCN Đồng Bành"]["notes"]  # later reduction noted, not drawn


def test_province_after_reform(zones):
    expected = {"Bắc Kạn": "Thái Nguyên", "Lạng Sơn": "Lạng Sơn"}
    for _, row in zones.iterrows():
        assert row["province"] == expected[row["province_pre2025"]]


def test_polygon_centred_on_site_point(zones):
    for _, row in zones[zones.geometry.notna() & (zones["phase"] != "expansion")
                        & (zones["phase"] != "II")].iterrows():
        centre = row.geometry.centroid
        assert abs(centre.x - row["site_lon"]) < 1e-4 and abs(centre.y - row["site_lat"]) < 1e-4, row["id"]


def test_thanh_binh_phases_touch_without_overlap(zones):
    g = {r["id"]: r.geometry for _, r in zones.to_crs(9213).iterrows()}
    one, mr, two = g["bk-kcn-thanh-binh-1"], g["bk-kcn-thanh-binh-mr"], g["bk-kcn-thanh-binh-2"]
    for a, b in ((one, mr), (one, two)):
        assert a.touches(b)
        assert a.intersection(b).length > 500  # a shared edge, not a corner
    assert mr.distance(two) > 0


def test_no_two_zones_overlap(zones):
    polys = zones[zones.geometry.notna()].to_crs(9213)
    for (_, a), (_, b) in itertools.combinations(polys.iterrows(), 2):
        assert a.geometry.intersection(b.geometry).area < 1e-3, (a["id"], b["id"])


def test_zones_inside_their_district(zones, districts):
    by_district = {r["name"]: r.geometry for _, r in districts.iterrows()}
    bk = zones[zones["province_pre2025"] == "Bắc Kạn"]
    for _, row in bk.iterrows():
        district = by_district[row["district_pre2025"]]
        assert district.contains(Point(row["site_lon"], row["site_lat"])), row["id"]
        if row.geometry is not None:
            assert district.contains(row.geometry), row["id"]


def test_lang_son_zones_inside_lang_son(zones, provinces):
    outline = _by_name(provinces)["Lạng Sơn"].geometry
    for _, row in zones[zones["province_pre2025"] == "Lạng Sơn"].iterrows():
        if row.geometry is not None:
            assert outline.contains(row.geometry), row["id"]
        if not _empty(row["site_lon"]):
            assert outline.contains(Point(row["site_lon"], row["site_lat"])), row["id"]


# ------------------------------------------------------------------ provenance


def _source_ok(token: str, shared: Path, facts_text: str) -> bool:
    if token.startswith("seed:"):
        return (shared / "seeds" / token[len("seed:"):]).is_file()
    if token.startswith("facts.md: "):
        return token[len("facts.md: "):] in facts_text
    return token in PUBLIC_SOURCES and token in facts_text


@pytest.mark.parametrize("path", GEOJSON_FILES, ids=lambda p: p.name)
def test_every_feature_approximate_and_sourced(path):
    shared = _require_seeds()
    facts_text = (shared / "facts.md").read_text(encoding="utf-8")
    frame = gpd.read_file(path)
    assert (frame["geometry_quality"] == "approximate").all()
    for _, row in frame.iterrows():
        tokens = [t.strip() for t in str(row["sources"]).split(";") if t.strip()]
        assert tokens, row["id"]
        assert any(t.startswith("seed:") or t in PUBLIC_SOURCES or t.startswith("facts.md: ") for t in tokens)
        for token in tokens:
            assert _source_ok(token, shared, facts_text), (row["id"], token)


def test_seed_files_exist_for_zone_sources(zones):
    _require_seeds()
    seeds = {p.name for p in (SHARED / "seeds").glob("*.txt")}
    cited = {t.strip()[5:] for s in zones["sources"] for t in s.split(";") if t.strip().startswith("seed:")}
    assert cited and cited <= seeds


def test_zones_with_polygons_say_where_they_were_placed(zones):
    for _, row in zones.iterrows():
        assert isinstance(row["location_basis"], str) and len(row["location_basis"]) > 20, row["id"]


# ------------------------------------------------------------------ boundaries


def test_bac_kan_province_area_and_extent(provinces):
    row = _by_name(provinces)["Bắc Kạn"]
    assert row["province"] == "Thái Nguyên"
    assert row["province_code_pre2025"] == "06" and row["province_code"] == "19"
    area = gpd.GeoSeries([row.geometry], crs=4326).to_crs(9213).area.iloc[0] / 1e6
    assert area == pytest.approx(BK_KM2, rel=1e-4)
    minx, miny, maxx, maxy = row.geometry.bounds
    assert minx >= BK_EXTENT[0] and miny >= BK_EXTENT[1] and maxx <= BK_EXTENT[2] and maxy <= BK_EXTENT[3]


def test_lang_son_outline(provinces, zones):
    row = _by_name(provinces)["Lạng Sơn"]
    assert _empty(row["area_published_km2"])
    assert row["province_code"] == "20"
    minx, miny, maxx, maxy = row.geometry.bounds
    assert minx >= LS_BOUNDS[0] and miny >= LS_BOUNDS[1] and maxx <= LS_BOUNDS[2] and maxy <= LS_BOUNDS[3]
    for lat, lon in LS_PLACES.values():
        assert row.geometry.contains(Point(lon, lat))
    bk = _by_name(provinces)["Bắc Kạn"].geometry
    assert row.geometry.intersection(bk).area == 0


@pytest.mark.parametrize("name", list(DISTRICT_KM2))
def test_district_area_within_5_percent(districts, name):
    row = districts[districts["name"] == name]
    assert len(row) == 1
    assert row["area_published_km2"].iloc[0] == pytest.approx(DISTRICT_KM2[name])
    area = row.to_crs(9213).area.iloc[0] / 1e6
    assert area == pytest.approx(DISTRICT_KM2[name], rel=0.05)
    assert area == pytest.approx(DISTRICT_KM2[name], rel=0.01)  # the aim


def test_districts_tile_the_province(districts, provinces):
    assert sorted(districts["name"]) == sorted(DISTRICT_KM2)
    projected = districts.to_crs(9213)
    province = _by_name(provinces.to_crs(9213))["Bắc Kạn"].geometry
    union = shapely.union_all(projected.geometry.values)
    assert union.area == pytest.approx(province.area, rel=1e-4)
    assert union.symmetric_difference(province).area < 1e-6 * province.area
    for a, b in itertools.combinations(projected.geometry, 2):
        assert a.intersection(b).area < 1.0  # m²: shared edges only


@pytest.mark.parametrize("place", list(DISTRICT_PLACES))
def test_places_in_their_district(districts, place):
    lat, lon, district = DISTRICT_PLACES[place]
    outline = _by_name(districts)[district].geometry
    assert outline.contains(Point(lon, lat))


# ---------------------------------------------------------------------- RFC 7946


@pytest.mark.parametrize("path", GEOJSON_FILES, ids=lambda p: p.name)
def test_rfc7946(path):
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert "crs" not in doc
    frame = gpd.read_file(path)
    assert frame.crs.to_epsg() == 4326
    for geom in frame.geometry.dropna():
        polygons = shapely.get_parts(geom)
        for polygon in polygons:
            assert shapely.is_ccw(polygon.exterior)
            assert all(not shapely.is_ccw(ring) for ring in polygon.interiors)
        minx, miny, maxx, maxy = geom.bounds
        assert 102 <= minx and maxx <= 110 and 8 <= miny and maxy <= 24  # Vietnam
    for feature in doc["features"]:
        if feature["geometry"]:
            for ring in feature["geometry"]["coordinates"]:
                for x, y in ring:
                    assert round(x, 7) == x and round(y, 7) == y


# ------------------------------------------------------------------- tabular files


def test_aggregates_table():
    table = pd.read_csv(DATA / "zones" / "aggregates.csv", dtype=str, keep_default_na=False)
    assert table["id"].is_unique
    assert set(table["qualifier"]) <= {"exact", "about", "over", "at_least", "above"}
    rows = {r["id"]: r for _, r in table.iterrows()}
    ls = rows["ls-ccn-area-2019"]
    assert (float(ls["value"]), ls["unit"], ls["qualifier"]) == (537.0, "ha", "over")
    assert float(rows["ls-ccn-count-2019"]["value"]) == 16
    assert float(rows["bk-ccn-established-2023"]["value"]) == 6
    assert float(rows["bk-ccn-budget-infra-cost-2023"]["value"]) == 322
    assert float(rows["bk-industrial-projects-2021-2023"]["value"]) == 21
    assert float(rows["bk-industrial-capital-2021-2023"]["value"]) == 2921
    assert table["source"].str.startswith("seed:").all()


def test_targets_table():
    table = pd.read_csv(DATA / "zones" / "targets.csv", dtype=str, keep_default_na=False)
    assert list(table.columns) == ["id", "province_pre2025", "indicator", "operator", "value", "value_max",
                                   "unit", "year", "source"]
    assert set(table["operator"]) <= {">=", ">", "~", "between", "="}
    got = {(r["operator"], float(r["value"]), r["value_max"], r["unit"], int(r["year"]))
           for _, r in table.iterrows()}
    for expected in ((">=", 6.0, "", "count", 2025), ("~", 150.0, "", "ha", 2025),
                     (">=", 4.0, "", "count", 2025), (">", 60.0, "", "%", 2025),
                     (">", 13.0, "", "%/yr", 2025), ("between", 8.0, "10", "%", 2025),
                     (">", 15.0, "", "%", 2030)):
        assert expected in got
    assert table["source"].str.startswith("seed:").all()


@pytest.mark.parametrize("name", ("aggregates.csv", "targets.csv", "zone_records.csv"))
def test_tabular_sources_exist(name):
    _require_seeds()
    table = pd.read_csv(DATA / "zones" / name, dtype=str, keep_default_na=False)
    column = "sources" if "sources" in table.columns else "source"
    for value in table[column]:
        for token in value.split(";"):
            token = token.strip()
            if token.startswith("seed:"):
                assert (SHARED / "seeds" / token[5:]).is_file(), token


# ------------------------------------------------------------------ reproducibility


def test_build_script_reproduces_the_files(tmp_path):
    subprocess.run([sys.executable, str(REPO / "scripts" / "build_data.py"), "--out", str(tmp_path)],
                   check=True, cwd=REPO, capture_output=True)
    for path in GEOJSON_FILES:
        rebuilt = tmp_path / path.relative_to(DATA)
        assert filecmp.cmp(path, rebuilt, shallow=False), path.name
