"""Zone polygons placed on the real district polygons and the real roads.

Every polygon is a rectangle of exactly the published area in the provincial VN-2000 TM-3 CRS.
Recipes (columns of data/zones/zone_records.csv, not shipped in zones.geojson):

``site``
    centred on ``site_lon``/``site_lat`` (a facts.md place), long axis at ``shape_bearing_deg``.
``road:<REF>``
    fronting the road ``<REF>`` of the real road layer at the point nearest the facts.md place in
    ``site_lon``/``site_lat`` (which must lie within :data:`ROAD_REACH_M` of it, the places'
    stated uncertainty): long axis along the road's local direction, on the place's side, moved
    out in :data:`CLEARANCE_STEP_M` steps until the rectangle neither touches the road line nor
    leaves its district. ``site_lon``/``site_lat`` become the rectangle's centre.
``attach:<id>``
    sharing the side of zone ``<id>`` whose outward direction is nearest ``shape_bearing_deg``
    (same width, so they touch exactly); ``site_lon``/``site_lat`` become its centre.
``district_point``
    centred on the representative point of the real district polygon (``site_lon``/``site_lat``
    become that point, rounded to 0.001°).
``pack``
    no published site point finer than the district (or only a commune place): the rectangle goes
    to the first spot, on a spiral of :data:`PACK_STEP_M` steps from the start point (``site_lon``/
    ``site_lat`` if given, else the district's representative point), where it lies inside the
    district, is :data:`PACK_GAP_M` clear of every zone placed before it and of the road lines.
    ``site_lon``/``site_lat`` become its centre.
``none``
    no polygon.

Figures (area, occupancy, investor, decision, years) and the status are not typed into
zone_records.csv: they are served from ``figures.csv`` and ``status_history.csv`` by the rule of
:mod:`geozones.provenance`, and every source id they cite is added to the zone's ``sources``.

Every placed polygon (and every site point) is checked to lie inside the district and province it
names; the build fails otherwise. ``location_basis`` may hold ``{placement}`` (filled with how this
row was placed) and ``{anchor}`` (how the anchor of an ``attach:`` row was placed).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point, Polygon

from geozones import provenance
from geozones.schema import FIELD_NAMES, FIELDS, ascii_name, validate_zones

from .common import DATA, PROVINCE_EPSG, reproject

ZONE_RECORDS = DATA / "zones" / "zone_records.csv"
SOURCES = DATA / "zones" / "sources.csv"
FIGURES = DATA / "zones" / "figures.csv"
HISTORY = DATA / "zones" / "status_history.csv"
#: Record fields that come from figures.csv / status_history.csv, never typed into zone_records.csv.
SERVED_FIELDS = (*provenance.RECORD_FIELDS, "area_qualifier", "status", "status_year")
#: Spiral search of ``pack`` placements: step between candidate centres, gap to other zones, rings.
PACK_STEP_M = 400.0
PACK_GAP_M = 300.0
PACK_RINGS = 80
RECIPE_COLUMNS = ("placement", "shape_aspect", "shape_bearing_deg")
#: A road placement needs the named road within this distance of the place (facts.md: ±1–3 km).
ROAD_REACH_M = 3000.0
#: Gap between the road centre line and the rectangle grows in these steps (up to MAX_CLEARANCE_M).
CLEARANCE_STEP_M = 10.0
MAX_CLEARANCE_M = 1000.0
#: The road direction is the chord over this distance either side of the nearest point (or the zone half-length).
_TANGENT_M = 250.0


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


def read_table(path: Path) -> pd.DataFrame:
    """A provenance table (sources, figures, status history) as text."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def apply_provenance(rows: list[dict], sources: pd.DataFrame, figures: pd.DataFrame, history: pd.DataFrame) -> None:
    """Fill each row's served figures and status and add the source ids they cite (in place).

    Raises ``ValueError`` when zone_records.csv types a served field itself, or cites an unknown source.
    """
    provenance.check_sources(sources)
    ids = [r["id"] for r in rows]
    for _, figure in figures.iterrows():
        provenance.check_figure(figure.to_dict(), sources, ids)
    provenance.check_history(history, sources, ids)
    known = set(sources["id"])
    values = provenance.record_values(figures, history, sources)
    for row in rows:
        typed = [f for f in SERVED_FIELDS if row.get(f)]
        if typed:
            raise ValueError(f"{row['id']}: {typed} come from figures.csv / status_history.csv, leave them empty")
        row.update(values.get(row["id"], {}))
        if not row.get("status"):
            raise ValueError(f"{row['id']}: no status step in status_history.csv")
        cited = [t.strip() for t in row["sources"].split(";") if t.strip()]
        unknown = [t for t in cited if t not in known]
        if unknown:
            raise ValueError(f"{row['id']}: unknown source id(s) {unknown}")
        row["sources"] = "; ".join(dict.fromkeys(cited + provenance.zone_source_ids(row["id"], figures, history)))


def _axes(bearing_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors along (bearing, clockwise from grid north) and across (to its right)."""
    b = math.radians(bearing_deg)
    return np.array([math.sin(b), math.cos(b)]), np.array([math.cos(b), -math.sin(b)])


def rectangle(centre: Point, area_m2: float, aspect: float, bearing_deg: float) -> Polygon:
    """A rectangle of exactly ``area_m2``, long side ``aspect`` × short side, centred."""
    width = math.sqrt(area_m2 / aspect)
    half_l, half_w = aspect * width / 2, width / 2
    along, across = _axes(bearing_deg)
    c = np.array(centre.coords[0])
    return Polygon(
        [
            c - along * half_l - across * half_w,
            c + along * half_l - across * half_w,
            c + along * half_l + across * half_w,
            c - along * half_l + across * half_w,
        ]
    )


def attached_rectangle(anchor: Polygon, area_m2: float, bearing_deg: float) -> Polygon:
    """A rectangle of ``area_m2`` on the anchor's side whose outward normal is nearest ``bearing_deg``."""
    corners = np.array(anchor.exterior.coords[:4])
    centre = corners.mean(axis=0)
    want, _ = _axes(bearing_deg)
    best = None
    for i in range(4):
        a, b = corners[i], corners[(i + 1) % 4]
        outward = (a + b) / 2 - centre
        outward /= np.linalg.norm(outward)
        score = outward @ want
        if best is None or score > best[0] + 1e-12:
            best = (score, a, b, outward)
    _, a, b, outward = best
    step = outward * area_m2 / np.linalg.norm(b - a)
    return Polygon([a, b, b + step, a + step])


def _bearing(vector: np.ndarray) -> float:
    return math.degrees(math.atan2(vector[0], vector[1])) % 360


def road_rectangle(
    place: Point, road: shapely.Geometry, district: Polygon, area_m2: float, aspect: float, ref: str
) -> tuple[Polygon, str]:
    """Rectangle fronting ``road`` at the point nearest ``place`` (all in one metric CRS)."""
    road = shapely.line_merge(road)
    distance = road.distance(place)
    if distance > ROAD_REACH_M:
        raise ValueError(f"{ref} is {distance:.0f} m from the place, more than {ROAD_REACH_M:.0f} m")
    line = min(shapely.get_parts(road), key=lambda part: part.distance(place))
    at = line.project(place)
    length = aspect * math.sqrt(area_m2 / aspect)
    reach = max(_TANGENT_M, length / 2)
    p0, p1 = line.interpolate(max(at - reach, 0)), line.interpolate(min(at + reach, line.length))
    direction = np.array(p1.coords[0]) - np.array(p0.coords[0])
    bearing = _bearing(direction)
    foot = line.interpolate(at)
    along, across = _axes(bearing)  # across points to the right of the road direction
    rel = np.array(place.coords[0]) - np.array(foot.coords[0])
    sides = (1.0, -1.0) if rel @ across >= 0 else (-1.0, 1.0)
    width = math.sqrt(area_m2 / aspect)
    for side in sides:
        clearance = 0.0
        while clearance <= MAX_CLEARANCE_M:
            centre = np.array(foot.coords[0]) + across * side * (width / 2 + clearance)
            rect = rectangle(Point(centre), area_m2, aspect, bearing)
            if not rect.intersects(road) and rect.within(district):
                side_name = "right" if side > 0 else "left"
                moved = Point(centre).distance(place)
                text = (
                    f"fronting {ref} of the real road layer (data/infrastructure/roads.geojson): long axis along "
                    f"the road's local direction (bearing {bearing:.0f}°), on the {side_name}-hand side looking "
                    f"along that bearing, {clearance:.0f} m clear of the road's centre line, at the point of "
                    f"{ref} nearest ({distance:.0f} m) to the facts.md place; the rectangle's centre is "
                    f"{moved:.0f} m from the place"
                )
                return rect, text
            clearance += CLEARANCE_STEP_M
    raise ValueError(f"no rectangle fronting {ref} fits in the district")


def _typed(values: pd.Series, dtype: str) -> pd.Series:
    values = values.replace("", None)
    if dtype == "float":
        return pd.to_numeric(values).astype("float64")
    if dtype == "int":
        return pd.to_numeric(values).astype("Int64")
    return values.astype(object)


def build_zones(
    rows: list[dict], districts: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame, roads: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Zone GeoDataFrame (EPSG:4326) with exactly the schema columns; each site inside its district."""
    built: dict[str, Polygon | None] = {}
    texts: dict[str, str] = {}
    geoms = []
    district_of = {r["name"]: r.geometry for _, r in districts.iterrows()}
    province_of = {r["name"]: r.geometry for _, r in provinces.iterrows()}
    for row in rows:
        epsg = PROVINCE_EPSG[row["province_pre2025"]]
        district = reproject(district_of[row["district_pre2025"]], 4326, epsg) if row["district_pre2025"] else None
        geom, text = _place(row, built, texts, district, roads, epsg, geoms)
        built[row["id"]], texts[row["id"]] = geom, text
        row["location_basis"] = row["location_basis"].format(
            placement=text,
            anchor=texts.get(row["placement"].split(":", 1)[1], "") if row["placement"].startswith("attach:") else "",
        )
        _check_inside(row, geom, district, reproject(province_of[row["province_pre2025"]], 4326, epsg), epsg)
        geoms.append(None if geom is None else reproject(geom, epsg, 4326))
    _check_off_roads(rows, geoms, roads)
    frame = pd.DataFrame([{f: row[f] for f in FIELD_NAMES} for row in rows])
    for field in FIELDS:
        frame[field.name] = _typed(frame[field.name], field.dtype)
    zones = gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:4326")
    validate_zones(zones)
    return zones


def _place(row: dict, built: dict, texts: dict, district, roads: gpd.GeoDataFrame, epsg: int, placed: list):
    placement = row["placement"]
    if placement == "none":
        return None, ""
    if not row["area_published_ha"]:
        raise ValueError(f"{row['id']}: placement {placement!r} needs area_published_ha")
    area = float(row["area_published_ha"]) * 1e4
    bearing = float(row["shape_bearing_deg"] or 0)
    if placement.startswith("attach:"):
        rect = attached_rectangle(built[placement.split(":", 1)[1]], area, bearing)
        centre = reproject(rect.centroid, epsg, 4326)
        row["site_lon"], row["site_lat"] = f"{centre.x:.5f}", f"{centre.y:.5f}"
        return rect, ""
    if placement.startswith("road:"):
        ref = placement.split(":", 1)[1]
        selected = roads.loc[roads["ref"] == ref]
        if selected.empty:
            raise ValueError(f"{row['id']}: no road {ref!r} in the road layer")
        road = reproject(shapely.union_all(selected.geometry.values), 4326, epsg)
        place = reproject(Point(float(row["site_lon"]), float(row["site_lat"])), 4326, epsg)
        try:
            rect, text = road_rectangle(place, road, district, area, float(row["shape_aspect"]), ref)
        except ValueError as exc:
            raise ValueError(f"{row['id']}: {exc}") from None
        centre = reproject(rect.centroid, epsg, 4326)
        row["site_lon"], row["site_lat"] = f"{centre.x:.5f}", f"{centre.y:.5f}"
        return rect, text
    if placement == "pack":
        rect, text = _pack(row, placed, district, roads, area, float(row["shape_aspect"] or 1.5), bearing, epsg)
        centre = reproject(rect.centroid, epsg, 4326)
        row["site_lon"], row["site_lat"] = f"{centre.x:.5f}", f"{centre.y:.5f}"
        return rect, text
    if placement == "district_point":
        point = reproject(district.representative_point(), epsg, 4326)
        row["site_lon"], row["site_lat"] = f"{point.x:.3f}", f"{point.y:.3f}"
    elif placement != "site":
        raise ValueError(f"{row['id']}: unknown placement {placement!r}")
    centre = reproject(Point(float(row["site_lon"]), float(row["site_lat"])), 4326, epsg)
    return rectangle(centre, area, float(row["shape_aspect"]), bearing), ""


def _pack(
    row: dict, placed: list, district, roads: gpd.GeoDataFrame, area: float, aspect: float, bearing: float, epsg: int
):
    """The first rectangle on a spiral from the start point that fits the district, clear of zones and roads."""
    if row["site_lon"] and row["site_lat"]:
        start = reproject(Point(float(row["site_lon"]), float(row["site_lat"])), 4326, epsg)
        what = "the start point"
    else:
        start = district.representative_point()
        what = "the district's representative point"
    lines = reproject(shapely.union_all(roads.geometry.values), 4326, epsg)
    lines = shapely.clip_by_rect(lines, *district.buffer(5000).bounds)
    others = [reproject(g, 4326, epsg) for g in placed if g is not None]
    taken = shapely.union_all(others) if others else None
    inside = district.buffer(-50.0)
    x0, y0 = start.x, start.y
    for ring in range(PACK_RINGS + 1):
        steps = max(1, 8 * ring)
        for k in range(steps):
            angle = 2 * math.pi * k / steps
            centre = Point(x0 + ring * PACK_STEP_M * math.sin(angle), y0 + ring * PACK_STEP_M * math.cos(angle))
            rect = rectangle(centre, area, aspect, bearing)
            if not rect.within(inside) or rect.buffer(50.0).intersects(lines):
                continue
            if taken is not None and rect.distance(taken) < PACK_GAP_M:
                continue
            moved = centre.distance(start)
            text = (
                f"placed {moved:.0f} m from {what}, at the first spot of a {PACK_STEP_M:.0f} m spiral where it lies "
                f"inside the district, {PACK_GAP_M:.0f} m clear of the other zones and clear of the road lines"
            )
            return rect, text
    raise ValueError(f"{row['id']}: no spot for a {area / 1e4:.1f} ha rectangle in its district")


def _check_off_roads(rows: list[dict], geoms: list, roads: gpd.GeoDataFrame) -> None:
    """No zone polygon straddles a line of the road layer (zones front roads, they do not cover them)."""
    lines = shapely.union_all(roads.geometry.values)
    for row, geom in zip(rows, geoms):
        if geom is not None and geom.intersects(lines):
            raise ValueError(f"{row['id']}: polygon crosses a road of the road layer")


def _check_inside(row: dict, geom, district, province, epsg: int) -> None:
    site = None
    if row["site_lon"] and row["site_lat"]:
        site = reproject(Point(float(row["site_lon"]), float(row["site_lat"])), 4326, epsg)
    for what, outline in (("district", district), ("province", province)):
        if outline is None:
            continue
        if site is not None and not outline.contains(site):
            raise ValueError(f"{row['id']}: site point outside its {what}")
        if geom is not None and not geom.within(outline):
            raise ValueError(f"{row['id']}: polygon not inside its {what}")


__all__ = ["build_zones", "read_records", "rectangle", "attached_rectangle", "road_rectangle"]
