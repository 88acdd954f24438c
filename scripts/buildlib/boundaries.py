"""Province and district boundaries from the Open Development Vietnam files in data/sources/realdata.

Geometry is copied unchanged (no simplification, no reshaping); only attributes are renamed and
added. Areas are measured in the provincial VN-2000 TM-3 CRS and set beside the published figures.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geozones.schema import ascii_name

from .common import (
    ATTRIBUTION_BOUNDARIES,
    LICENCE_BOUNDARIES,
    PROVINCE_EPSG,
    read_realdata,
    realdata_token,
    reproject,
    slug,
)

PRE, POST = "pre-2025-07-01", "from-2025-07-01"
#: Last day of the pre-2025 units / first day of the 34-province system (Resolution 202/2025/QH15).
VALID_TO_PRE, VALID_FROM_POST = "2025-06-30", "2025-07-01"

#: Province codes: pre-2025 GSO code and the code from 1 July 2025 (Decision 19/2025/QĐ-TTg, facts.md).
PROVINCE_2025 = {"Bắc Kạn": "Thái Nguyên", "Thái Nguyên": "Thái Nguyên", "Lạng Sơn": "Lạng Sơn"}
CODE_2025 = {"Thái Nguyên": "19", "Lạng Sơn": "20"}

_PROV = "realdata:PROVENANCE.md"
#: Published province areas, km²: (value, qualifier, source). Only Bắc Kạn's is in facts.md; the others
#: are the "published" figures quoted in PROVENANCE.md's area checks (which do not name the publisher).
PUBLISHED_PROVINCE_KM2 = {
    ("Bắc Kạn", PRE): (4859.96, "exact", "facts.md: Bắc Kạn province (pre-2025)"),
    ("Thái Nguyên", PRE): (3536.0, "about", _PROV),
    ("Lạng Sơn", PRE): (8310.0, "about", _PROV),
    ("Thái Nguyên", POST): (8375.0, "about", _PROV),
    ("Lạng Sơn", POST): (8310.0, "about", _PROV),
}
#: Published district areas, km² (facts.md: "district-level units and areas (km²)", Bắc Kạn only).
PUBLISHED_DISTRICT_KM2 = {
    "Thành phố Bắc Kạn": 137,
    "Ba Bể": 678,
    "Bạch Thông": 546,
    "Chợ Đồn": 912,
    "Chợ Mới": 606,
    "Na Rì": 853,
    "Ngân Sơn": 644,
    "Pác Nặm": 475,
}
_DISTRICT_SOURCE = "facts.md: district-level units and areas (km²)"
_PREFIX = {"Bắc Kạn": "bk", "Thái Nguyên": "tn", "Lạng Sơn": "ls"}

COLUMNS = (
    "id",
    "name",
    "name_ascii",
    "name_en",
    "level",
    "unit_type",
    "gso_code",
    "period",
    "valid_from",
    "valid_to",
    "province_pre2025",
    "province",
    "province_code_pre2025",
    "province_code",
    "area_km2",
    "area_epsg",
    "area_published_km2",
    "area_published_qualifier",
    "area_source",
    "area_diff_pct",
    "pop_2009",
    "odm_name",
    "geometry_quality",
    "method",
    "sources",
    "licence",
    "attribution",
    "notes",
)


def measured_km2(geom, province_pre2025: str) -> tuple[float, int]:
    """Area in km² in the province's TM-3 CRS (rounded to 0.01 km²) and that EPSG code."""
    epsg = PROVINCE_EPSG[province_pre2025]
    return round(reproject(geom, 4326, epsg).area / 1e6, 2), epsg


def _reconcile(row: dict, published: tuple | None) -> None:
    if published is None:
        row.update(area_published_km2=None, area_published_qualifier=None, area_source=None, area_diff_pct=None)
        return
    value, qualifier, source = published
    row.update(
        area_published_km2=float(value),
        area_published_qualifier=qualifier,
        area_source=source,
        area_diff_pct=round((row["area_km2"] - value) / value * 100, 2),
    )


def _frame(rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    for row in rows:
        row["name_ascii"] = ascii_name(row["name"])
        row.update(geometry_quality="surveyed", licence=LICENCE_BOUNDARIES, attribution=ATTRIBUTION_BOUNDARIES)
    frame = pd.DataFrame(rows).reindex(columns=list(COLUMNS))
    for column in ("area_km2", "area_published_km2", "area_diff_pct"):
        frame[column] = frame[column].astype("float64")
    for column in ("area_epsg", "pop_2009"):
        frame[column] = frame[column].astype("Int64")
    return gpd.GeoDataFrame(frame, geometry=list(geoms), crs=4326)


def provinces_pre2025() -> gpd.GeoDataFrame:
    """Bắc Kạn, Thái Nguyên, Lạng Sơn as they were until 30 June 2025."""
    src = read_realdata("provinces_pre2025.geojson")
    token = realdata_token("provinces_pre2025.geojson")
    rows = []
    for _, r in src.iterrows():
        name = r["name_vi"]
        row = {
            "id": slug(name),
            "name": name,
            "name_en": r["name_en"],
            "level": "province",
            "unit_type": "Tỉnh",
            "gso_code": r["gso_code"],
            "period": PRE,
            "valid_from": None,
            "valid_to": VALID_TO_PRE,
            "province_pre2025": name,
            "province": PROVINCE_2025[name],
            "province_code_pre2025": r["gso_code"],
            "province_code": CODE_2025[PROVINCE_2025[name]],
            "odm_name": name,
            "method": (
                "ODM 'Địa phận tỉnh' polygon (KML via TaliaCao/Vietnam-Shape-Map), copied unchanged "
                "(3D to 2D only); boundary vintage about 2016."
            ),
            "sources": f"{token}; Resolution 202/2025/QH15; Decision 19/2025/QĐ-TTg",
            "notes": (
                "Merged into Thái Nguyên from 1 July 2025 (Resolution 202/2025/QH15)."
                if name == "Bắc Kạn"
                else "Merged with Bắc Kạn into the new Thái Nguyên from 1 July 2025 (Resolution 202/2025/QH15)."
                if name == "Thái Nguyên"
                else "Not merged in the 2025 reform (Resolution 202/2025/QH15)."
            ),
        }
        row["area_km2"], row["area_epsg"] = measured_km2(r.geometry, name)
        _reconcile(row, PUBLISHED_PROVINCE_KM2[(name, PRE)])
        rows.append(row)
    return _frame(rows, src.geometry)


def provinces_2025() -> gpd.GeoDataFrame:
    """Thái Nguyên (with former Bắc Kạn) and Lạng Sơn from 1 July 2025."""
    src = read_realdata("provinces_post2025.geojson")
    token = realdata_token("provinces_post2025.geojson")
    rows = []
    for _, r in src.iterrows():
        name = r["name_vi"]
        row = {
            "id": f"{slug(name)}-2025",
            "name": name,
            "name_en": r["name_en"],
            "level": "province",
            "unit_type": "Tỉnh",
            "gso_code": r["gso_code_2025"],
            "period": POST,
            "valid_from": VALID_FROM_POST,
            "valid_to": None,
            "province_pre2025": None,
            "province": name,
            "province_code_pre2025": None,
            "province_code": r["gso_code_2025"],
            "odm_name": None,
            "method": (
                "Union of the ODM Bắc Kạn and Thái Nguyên polygons (they share the ODM edge: no slivers)"
                if name == "Thái Nguyên"
                else "The ODM Lạng Sơn polygon, unchanged"
            )
            + "; see data/sources/realdata/PROVENANCE.md section 2.",
            "sources": f"{token}; Resolution 202/2025/QH15; Decision 19/2025/QĐ-TTg",
            "notes": f"Formed from: {r['formed_from']}.",
        }
        row["area_km2"], row["area_epsg"] = measured_km2(r.geometry, name)
        _reconcile(row, PUBLISHED_PROVINCE_KM2[(name, POST)])
        rows.append(row)
    return _frame(rows, src.geometry)


def districts_pre2025() -> gpd.GeoDataFrame:
    """The 28 district-level units (huyện / thành phố) of the three provinces until 30 June 2025."""
    src = read_realdata("districts_pre2025.geojson")
    token = realdata_token("districts_pre2025.geojson")
    rows = []
    for _, r in src.iterrows():
        province = r["province_vi"]
        name = f"Thành phố {r['name_vi']}" if r["unit_type"] == "Thành phố" else r["name_vi"]
        row = {
            "id": f"{_PREFIX[province]}-{slug(name)}",
            "name": name,
            "name_en": None,
            "level": "district",
            "unit_type": r["unit_type"],
            "gso_code": r["gso_code"],
            "period": PRE,
            "valid_from": None,
            "valid_to": VALID_TO_PRE,
            "province_pre2025": province,
            "province": PROVINCE_2025[province],
            "province_code_pre2025": r["province_gso"],
            "province_code": CODE_2025[PROVINCE_2025[province]],
            "pop_2009": int(r["pop_2009"]),
            "odm_name": r["odm_name"],
            "method": (
                "ODM 'Địa phận huyện' shapefile (via lvnhan/pdbs), dissolved by district code, geometry "
                "unchanged; boundary vintage about 2016. Internal district lines are older or coarser "
                "than the published district areas: up to ~9 % off (see data/README.md)."
            ),
            "sources": f"{token}; Resolution 202/2025/QH15; Decision 19/2025/QĐ-TTg",
            "notes": "District level abolished from 1 July 2025 (two-tier province → commune).",
        }
        row["area_km2"], row["area_epsg"] = measured_km2(r.geometry, province)
        km2 = PUBLISHED_DISTRICT_KM2.get(name) if province == "Bắc Kạn" else None
        _reconcile(row, None if km2 is None else (float(km2), "about", _DISTRICT_SOURCE))
        rows.append(row)
    return _frame(rows, src.geometry)
