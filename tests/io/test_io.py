"""File formats: round trips, RFC 7946 output, QGIS-ready GeoPackages, and bad files."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import zipfile

import pandas as pd
import pyogrio
import pytest
import shapely

from geozones.errors import AxisOrderError, MissingCRSError, UnsupportedFormatError, ZoneValidationError
from geozones.io import layer_warnings, read_layer, to_file, to_geojson, to_geopackage, zones_from_file
from geozones.schema import validate_zones
from tests.helpers.zonefactory import bac_kan_squares


@pytest.fixture
def zones():
    frame = bac_kan_squares()
    frame["investor"] = ["Công ty CP Nhựa đường dầu khí Việt Nam", None, "Trung tâm Khuyến công & Xúc tiến"]
    frame["decision"] = ["1747/QĐ-UBND", None, None]
    frame["decision_date"] = ["2021-09-21", None, None]
    frame["occupancy_pct"] = [97.0, None, 0.0]
    frame["status_year"] = [2023, None, 2021]
    frame["phase"] = ["I", "mở rộng", None]
    return validate_zones(frame)


def _same_records(a, b):
    a, b = a.sort_values("id").reset_index(drop=True), b.sort_values("id").reset_index(drop=True)
    for column in a.columns.drop("geometry"):
        left = a[column].tolist()
        right = b[column].tolist()
        assert [None if pd.isna(v) else v for v in left] == [None if pd.isna(v) else v for v in right], column
    assert shapely.equals_exact(
        shapely.normalize(a.geometry.array),
        shapely.normalize(b.geometry.array.to_crs(a.crs) if hasattr(b.geometry.array, "to_crs") else b.geometry.array),
        1e-7,
    ).all()


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".fgb", ".csv"])
def test_round_trip_loses_no_attribute_or_diacritic(tmp_path, zones, suffix):
    path = tmp_path / f"zones{suffix}"
    to_file(zones, path)
    back = zones_from_file(path, crs="EPSG:4326" if suffix == ".csv" else None)
    _same_records(zones, back)
    first = back.set_index("id").loc["z0"]
    assert first["decision_date"] == dt.date(2021, 9, 21)
    assert first["name"] == "Cụm công nghiệp Thử 0"


def test_geopackage_in_vn2000(tmp_path, zones):
    path = to_geopackage(zones, tmp_path / "z.gpkg", crs="EPSG:9213")
    info = pyogrio.read_info(path, layer="zones")
    assert info["crs"] == "EPSG:9213" and info["features"] == 3
    back = zones_from_file(path)
    assert back.crs.to_epsg() == 9213
    # a 1000 m square in VN-2000 / TM-3 106-30 stays 1000 m on a side
    minx, miny, maxx, maxy = back.geometry.iloc[0].bounds
    assert (maxx - minx, maxy - miny) == pytest.approx((1000.0, 1000.0), abs=1e-3)


def test_rfc7946_geojson(tmp_path, zones):
    clockwise = zones.copy()
    clockwise.geometry = shapely.orient_polygons(clockwise.geometry.array, exterior_cw=True)
    path = to_geojson(clockwise.to_crs(9213), tmp_path / "z.geojson")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert "crs" not in document
    for feature in document["features"]:
        ring = feature["geometry"]["coordinates"][0]
        assert shapely.LinearRing(ring).is_ccw  # exterior counter-clockwise
        for lon, lat in ring:
            assert 102 < lon < 110 and 8 < lat < 24  # lon first, in Vietnam
            assert len(repr(lon).split(".")[1]) <= 7 and len(repr(lat).split(".")[1]) <= 7
    assert document["features"][0]["properties"]["name"] == "Cụm công nghiệp Thử 0"


def test_geojson_refuses_a_non_wgs84_crs(tmp_path, zones):
    with pytest.raises(Exception, match="RFC 7946"):
        to_file(zones, tmp_path / "z.geojson", crs="EPSG:9213")


def test_geopackage_has_spatial_index_and_default_qgis_style(tmp_path, zones):
    path = to_geopackage(zones, tmp_path / "z.gpkg")
    with sqlite3.connect(path) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        style = db.execute(
            "SELECT f_table_name, f_geometry_column, useAsDefault, styleQML FROM layer_styles"
        ).fetchall()
    assert "rtree_zones_geom" in tables
    assert len(style) == 1 and style[0][:3] == ("zones", "geom", 1)
    assert 'attr="status"' in style[0][3] and 'value="operating"' in style[0][3]
    assert layer_warnings(path) == []


def test_zipped_shapefile(tmp_path, zones):
    shp = tmp_path / "shp" / "zones.shp"
    shp.parent.mkdir()
    pyogrio.write_dataframe(zones[["id", "name", "geometry"]], shp, encoding="UTF-8")
    archive = tmp_path / "zones.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in shp.parent.iterdir():
            zf.write(part, part.name)
    layer = read_layer(archive)
    assert layer.crs.to_epsg() == 4326 and layer["name"].tolist() == zones["name"].tolist()


def test_csv_without_crs_is_refused(tmp_path, zones):
    path = tmp_path / "z.csv"
    to_file(zones, path)
    with pytest.raises(MissingCRSError, match="CRS"):
        read_layer(path)


def test_csv_without_wkt_column(tmp_path):
    path = tmp_path / "z.csv"
    path.write_text("id,name\nz1,A\n")
    with pytest.raises(UnsupportedFormatError, match="WKT"):
        read_layer(path, crs=4326)


def test_lat_lon_swapped_file_is_detected_and_fixable(tmp_path, zones):
    swapped = zones.copy()
    swapped.geometry = shapely.transform(zones.geometry.array, lambda xy: xy[:, ::-1])
    path = tmp_path / "swapped.gpkg"
    pyogrio.write_dataframe(swapped, path)
    with pytest.raises(AxisOrderError):
        zones_from_file(path)
    fixed = zones_from_file(path, swap_xy=True)
    assert shapely.equals_exact(fixed.geometry.array, zones.geometry.array, 1e-9).all()


def test_unsupported_extension(tmp_path):
    path = tmp_path / "z.kml"
    path.write_text("<kml/>")
    with pytest.raises(UnsupportedFormatError, match=".kml"):
        read_layer(path)


def test_corrupt_file(tmp_path):
    path = tmp_path / "z.gpkg"
    path.write_bytes(b"not a geopackage")
    with pytest.raises(UnsupportedFormatError):
        read_layer(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_layer(tmp_path / "nope.geojson")


def test_file_with_unknown_attribute_is_refused(tmp_path, zones):
    path = tmp_path / "z.geojson"
    to_geojson(zones.assign(colour="red"), path)
    with pytest.raises(ZoneValidationError, match="colour"):
        zones_from_file(path)


def test_failed_write_keeps_previous_file(tmp_path, zones, monkeypatch):
    path = to_geopackage(zones, tmp_path / "z.gpkg")
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pyogrio, "write_dataframe", broken)
    with pytest.raises(OSError, match="disk full"):
        to_geopackage(zones.iloc[:1], path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["z.gpkg"]  # no temp file left behind
