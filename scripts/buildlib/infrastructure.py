"""Infrastructure layers: real roads, railways, hydropower, border gates, protected areas (data/sources/realdata),
plus the few known gaps filled from facts.md places as approximate, flagged features.

Nothing without a source is drawn: see ``NOT_SHIPPED`` (listed in data/README-infrastructure.md).
"""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import LineString, MultiLineString, Point

from .common import (
    ATTRIBUTION_NETWORK,
    ATTRIBUTION_POINTS,
    LICENCE_FACTS,
    LICENCE_PROJECT,
    LICENCE_PROVISIONAL,
    read_realdata,
    realdata_token,
    reproject,
)

#: facts.md "Approximate places" (WGS84 lat, lon; ±1–3 km) used here.
PLACES: dict[str, tuple[float, float]] = {
    "Bắc Kạn provincial seat": (22.161, 105.831),
    "Đồng Đăng": (21.961, 106.703),
    "Hữu Nghị border gate": (21.971, 106.715),
}
PLACES_SOURCE = "facts.md: Approximate places"
QL1A_SOURCE = "facts.md: QL1A runs Hữu Lũng"
SUBSTATION_SOURCE = "seed:000_f58b2d5f6e1d2ce9.txt"

#: Known gaps of the source with NO coordinate or route in facts.md or the seeds: not drawn.
NOT_SHIPPED = (
    ("QL3B", "national road; facts.md and the seeds give no place or route on it"),
    ("QL279", "national road through Na Rì / Lạng Sơn; no place or route in facts.md or the seeds"),
    ("Hà Nội – Lạng Sơn expressway (CT.01)", "no route in facts.md or the seeds"),
    ("Hà Nội – Thái Nguyên – Chợ Mới expressway (CT.07)", "no route in facts.md or the seeds"),
    ("Hà Nội (destination)", "no coordinate in facts.md; outside the 21.2–22.9 N study box the roads are clipped to"),
    ("Railway stations other than Đồng Đăng", "no station coordinate in any source"),
    (
        "Substations other than 110 kV Bắc Kạn, and all power lines",
        "not in realdata; the seeds name only the 110 kV Bắc Kạn substation",
    ),
)

COLUMNS = (
    "id",
    "name",
    "class",
    "ref",
    "voltage_kv",
    "sources",
    "geometry_quality",
    "location_basis",
    "notes",
    "licence",
    "attribution",
)

_NETWORK_BASIS = (
    "Source line as published (coarse: about 0.5 km per vertex), clipped to the study box "
    "105.2–107.5 E, 21.2–22.9 N; see data/sources/realdata/PROVENANCE.md."
)


def _point(place: str) -> Point:
    lat, lon = PLACES[place]
    return Point(lon, lat)


def _frame(rows: list[dict], extra: tuple[str, ...] = ()) -> gpd.GeoDataFrame:
    geometry = [row.pop("geometry") for row in rows]
    frame = pd.DataFrame(rows).reindex(columns=[*COLUMNS, *extra])
    frame["voltage_kv"] = pd.to_numeric(frame["voltage_kv"]).astype("float64")
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].where(frame[column].notna(), None)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=4326)


def _scalar(value):
    """A realdata attribute as a plain value (GDAL reads the JSON ``extent_bbox`` string as a list)."""
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist() if hasattr(value, "tolist") else list(value)
        return json.dumps(value) if isinstance(value, list) else value
    return None if pd.isna(value) else value


def _lines(geom):
    """Only the linear parts (the clip left one GeometryCollection with a stray point)."""
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("LineString", "MultiLineString")]
    lines = [ls for p in parts for ls in shapely.get_parts(p)]
    return lines[0] if len(lines) == 1 else MultiLineString(lines)


def roads() -> gpd.GeoDataFrame:
    """National and provincial roads (realdata) + the QL1A gap Lạng Sơn city → Đồng Đăng → Hữu Nghị."""
    src = read_realdata("roads_national.geojson")
    token = realdata_token("roads_national.geojson")
    rows = []
    for _, r in src.iterrows():
        national = r["admin_level_vi"] == "Quốc Gia"
        unnamed = r["name_vi"] == "Không biết"
        ref = None if pd.isna(r["ref"]) else r["ref"]
        rows.append(
            dict(
                id=f"{(ref or 'road').lower()}-{r['src_map_id']}".replace("đ", "d"),
                name=None if unnamed else r["name_vi"],
                ref=ref,
                **{"class": "national_highway" if national else "provincial_road"},
                road_class_vi=r["road_class_vi"],
                admin_level_vi=r["admin_level_vi"],
                src_map_id=r["src_map_id"],
                gap_fill=False,
                sources=token,
                geometry_quality="as_published",
                location_basis=_NETWORK_BASIS,
                notes=(
                    "Name unknown in the source ('Không biết')."
                    if unnamed
                    else "A stray point left by the source clip was dropped."
                    if r.geometry.geom_type == "GeometryCollection"
                    else None
                ),
                licence=LICENCE_PROVISIONAL,
                attribution=ATTRIBUTION_NETWORK,
                geometry=_lines(r.geometry),
            )
        )
    rows.append(_ql1a_gap(src))
    return _frame(rows, ("road_class_vi", "admin_level_vi", "src_map_id", "gap_fill"))


def _ql1a_gap(src: gpd.GeoDataFrame) -> dict:
    """QL1A from the northern end of the source's QL1A to Đồng Đăng and Hữu Nghị (facts.md places)."""
    ql1a = shapely.line_merge(shapely.union_all(src.loc[src["ref"] == "QL1A", "geometry"].values))
    ends = [Point(c) for line in shapely.get_parts(ql1a) for c in (line.coords[0], line.coords[-1])]
    start = max(ends, key=lambda p: p.y)  # the northernmost end: Lạng Sơn city, where the source stops
    line = LineString([start, _point("Đồng Đăng"), _point("Hữu Nghị border gate")])
    length = reproject(line, 4326, 9215).length / 1000
    return dict(
        id="ql1a-gap-dong-dang-huu-nghi",
        name="Quốc lộ 1A (thành phố Lạng Sơn – Đồng Đăng – cửa khẩu Hữu Nghị)",
        ref="QL1A",
        **{"class": "national_highway"},
        gap_fill=True,
        sources=f"{QL1A_SOURCE}; {PLACES_SOURCE}; {realdata_token('roads_national.geojson')}",
        geometry_quality="approximate",
        location_basis=(
            f"GAP FILL, not a surveyed line: straight segments ({length:.1f} km) from the northern end "
            f"of the source's QL1A ({start.y:.5f} N, {start.x:.5f} E, in Lạng Sơn city) through the "
            "facts.md approximate places (±1–3 km) Đồng Đăng (21.961 N, 106.703 E) and Hữu Nghị border "
            "gate (21.971 N, 106.715 E); facts.md: QL1A runs … Lạng Sơn city → Cao Lộc → Đồng Đăng → "
            "Hữu Nghị border gate. The real road winds: distances along it are underestimates."
        ),
        notes="The source lacks QL1A north of Lạng Sơn city (PROVENANCE.md: gap of about 11 km).",
        licence=LICENCE_PROJECT,
        attribution=None,
        geometry=line,
    )


def railways() -> gpd.GeoDataFrame:
    """Railway lines (realdata, provisional licence)."""
    src = read_realdata("railways.geojson")
    token = realdata_token("railways.geojson")
    rows = [
        dict(
            id=f"rail-{r['src_map_id']}",
            name=f"Đường sắt {r['name_vi']}",
            **{"class": "railway"},
            line_vi=r["name_vi"],
            src_map_id=r["src_map_id"],
            sources=token,
            geometry_quality="as_published",
            location_basis=_NETWORK_BASIS,
            licence=LICENCE_PROVISIONAL,
            attribution=ATTRIBUTION_NETWORK,
            geometry=r.geometry,
        )
        for _, r in src.iterrows()
    ]
    return _frame(rows, ("line_vi", "src_map_id"))


def hydropower() -> gpd.GeoDataFrame:
    """Hydropower plants (realdata, provisional licence), one point each."""
    src = read_realdata("hydropower_plants.geojson")
    token = realdata_token("hydropower_plants.geojson")
    rows = []
    for _, r in src.iterrows():
        parts = shapely.get_parts(r.geometry)
        if len(parts) != 1:
            raise ValueError(f"hydropower plant {r['Name']}: {len(parts)} points")
        rows.append(
            dict(
                id=f"hydro-{r['map_id'].replace('_', '-')}",
                name=f"Thủy điện {r['Name']}",
                **{"class": "hydropower_plant"},
                capacity_mw=float(r["CSuat_MW"]),
                status_vi=r["Status"],
                size_vi=r["Quy_Mo"],
                commune_vi=r["Xa_Phuong"],
                district_vi=r["Huyen"],
                province_vi=r["Tinh"],
                owner_vi=r["Chu_DT"],
                operating_since=None if pd.isna(r["Van_hanh"]) else str(r["Van_hanh"]),
                source_note=None if pd.isna(r["Nguon"]) or not str(r["Nguon"]).strip() else r["Nguon"],
                sources=token,
                geometry_quality="as_published",
                location_basis="Plant point as published by the source (precision not stated).",
                licence=LICENCE_PROVISIONAL,
                attribution=ATTRIBUTION_NETWORK,
                geometry=parts[0],
            )
        )
    return _frame(
        rows,
        (
            "capacity_mw",
            "status_vi",
            "size_vi",
            "commune_vi",
            "district_vi",
            "province_vi",
            "owner_vi",
            "operating_since",
            "source_note",
        ),
    )


def power() -> gpd.GeoDataFrame:
    """The 110 kV Bắc Kạn substation: a known gap (no substation in realdata), approximate and flagged."""
    return _frame(
        [
            dict(
                id="substation_110kv_bac_kan",
                name="Trạm biến áp 110 kV Bắc Kạn",
                ref=None,
                **{"class": "substation"},
                voltage_kv=110.0,
                province_pre2025="Bắc Kạn",
                gap_fill=True,
                sources=f"{SUBSTATION_SOURCE}; {PLACES_SOURCE}",
                geometry_quality="approximate",
                location_basis=(
                    "GAP FILL: placed at the facts.md approximate Bắc Kạn provincial seat (22.161 N, 105.831 E). "
                    "The seed article names the substation (its transformer is to be upgraded) but gives no "
                    "location; the real site may be several kilometres away."
                ),
                notes=(
                    "The only substation any source names. No substation of Thái Nguyên or Lạng Sơn is known to these "
                    "data: distances from zones there are reported as 'no data', never to this one."
                ),
                licence=LICENCE_PROJECT,
                geometry=_point("Bắc Kạn provincial seat"),
            )
        ],
        ("province_pre2025", "gap_fill"),
    )


def border_gates() -> gpd.GeoDataFrame:
    """Road border gates (realdata, Wikipedia coordinates) and the Đồng Đăng rail crossing (approximate)."""
    src = read_realdata("border_gates_points.geojson")
    token = realdata_token("border_gates_points.geojson")
    ids = {"Cửa khẩu Tân Thanh": "tan_thanh_border_gate", "Hữu Nghị Quan (Friendship Pass)": "huu_nghi_quan"}
    rows = [
        dict(
            id=ids[r["name_vi"]],
            name=r["name_vi"],
            **{"class": "border_gate"},
            kind=r["kind"],
            sources=token,
            geometry_quality="as_published",
            location_basis=f"{r['precision']}: {r['src']}.",
            licence=LICENCE_FACTS,
            attribution=ATTRIBUTION_POINTS,
            geometry=r.geometry,
        )
        for _, r in src.iterrows()
    ]
    rows.append(
        dict(
            _dong_dang_station(),
            id="dong_dang_rail_border_gate",
            name="Ga Đồng Đăng (cửa khẩu đường sắt)",
            kind="border gate (rail), Cao Lộc district",
        )
    )
    return _frame(rows, ("kind",))


def _dong_dang_station() -> dict:
    """The point of the Hà Nội – Lạng Sơn railway nearest to the facts.md Đồng Đăng place."""
    rail = read_realdata("railways.geojson")
    lines = rail.loc[rail["name_vi"] == "Hà Nội - Lạng Sơn"].geometry.values
    place = reproject(_point("Đồng Đăng"), 4326, 9215)
    merged = reproject(shapely.union_all(lines), 4326, 9215)
    snapped = shapely.ops.nearest_points(merged, place)[0]
    offset = place.distance(snapped)
    return dict(
        **{"class": "railway_station"},
        gap_fill=True,
        sources=f"{PLACES_SOURCE}; {realdata_token('railways.geojson')}",
        geometry_quality="approximate",
        location_basis=(
            f"GAP FILL: the point of the Hà Nội – Lạng Sơn railway line nearest ({offset:.0f} m) "
            "to the facts.md approximate Đồng Đăng place (21.961 N, 106.703 E, ±1–3 km); no "
            "station coordinate is published in the sources."
        ),
        licence=LICENCE_PROJECT,
        geometry=reproject(snapped, 9215, 4326),
    )


def protected_areas() -> gpd.GeoDataFrame:
    """Protected areas as reference points with their legal area (NOT boundaries)."""
    src = read_realdata("protected_areas_points.geojson")
    token = realdata_token("protected_areas_points.geojson")
    keep = (
        "name_en",
        "category_vi",
        "category_en",
        "coord_precision",
        "area_ha",
        "area_note",
        "area_source",
        "established",
        "extent_bbox",
        "equiv_radius_km",
        "geom_kind",
        "district_pre2025",
        "province_pre2025",
    )
    ids = {
        "Vườn quốc gia Ba Bể": "ba_be_national_park",
        "Khu bảo tồn thiên nhiên Kim Hỷ": "kim_hy_nature_reserve",
        "Khu bảo tồn loài và sinh cảnh Nam Xuân Lạc": "nam_xuan_lac_conservation_area",
        "Khu bảo tồn thiên nhiên Hữu Liên": "huu_lien_nature_reserve",
    }
    rows = []
    for _, r in src.iterrows():
        extra = {k: _scalar(r[k]) for k in keep}
        rows.append(
            dict(
                id=ids[r["name_vi"]],
                name=r["name_vi"],
                **{"class": "protected_area"},
                **extra,
                sources=token,
                geometry_quality="approximate",
                location_basis=f"Reference point only, NOT a boundary: {r['coord_source']}",
                licence=LICENCE_FACTS,
                attribution=ATTRIBUTION_POINTS,
                geometry=r.geometry,
            )
        )
    return _frame(rows, keep)


def destinations(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Travel destinations: the three provincial cities, Hữu Nghị border gate and Đồng Đăng station.

    ``districts`` is the built district layer (the city units give Thái Nguyên and Lạng Sơn city points).
    """

    def city(name: str, ident: str, district_name: str) -> dict:
        unit = districts.loc[districts["name"] == district_name].iloc[0]
        point = unit.geometry.representative_point()
        return dict(
            id=ident,
            name=name,
            **{"class": "city"},
            gap_fill=True,
            sources=realdata_token("districts_pre2025.geojson"),
            geometry_quality="approximate",
            location_basis=(
                f"Representative point (shapely) of the district-level unit '{district_name}' "
                f"({point.y:.4f} N, {point.x:.4f} E), standing for the city: no city-centre "
                "coordinate is published in the sources; may be 1–3 km from the centre."
            ),
            licence="CC BY-SA 4.0",
            geometry=Point(round(point.x, 5), round(point.y, 5)),
        )

    return _frame(
        [
            dict(
                id="bac_kan_city",
                name="Thành phố Bắc Kạn",
                **{"class": "city"},
                sources=PLACES_SOURCE,
                geometry_quality="approximate",
                gap_fill=False,
                location_basis="The facts.md approximate Bắc Kạn provincial seat (22.161 N, 105.831 E), ±1–3 km.",
                licence=LICENCE_PROJECT,
                geometry=_point("Bắc Kạn provincial seat"),
            ),
            city("Thành phố Thái Nguyên", "thai_nguyen_city", "Thành phố Thái Nguyên"),
            city("Thành phố Lạng Sơn", "lang_son_city", "Thành phố Lạng Sơn"),
            dict(
                id="huu_nghi_border_gate",
                name="Cửa khẩu Hữu Nghị",
                **{"class": "border_gate"},
                gap_fill=False,
                sources=f"{PLACES_SOURCE}; {QL1A_SOURCE}",
                geometry_quality="approximate",
                location_basis=(
                    "The facts.md approximate Hữu Nghị border gate (≈21.971 N, 106.715 E), ±1–3 km, on the "
                    "Vietnamese side (the Wikipedia 'Friendship Pass' point in border_gates is the pass "
                    "structure just inside China)."
                ),
                licence=LICENCE_PROJECT,
                geometry=_point("Hữu Nghị border gate"),
            ),
            dict(_dong_dang_station(), id="dong_dang_station", name="Ga Đồng Đăng"),
        ],
        ("gap_fill",),
    )
