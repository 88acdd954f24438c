"""Shapefiles both ways: short names, long text, dates, styles, field maps, every .prj form.

Expected values are independent of the code: the dBASE header is read byte by byte, the
names come from docs/schema.md's table, the texts from the shipped zones.
"""

from __future__ import annotations

import struct
import warnings

import geopandas as gpd
import pandas as pd
import pyogrio
import pyproj
import pytest
import shapely

from geozones.crs import TOWGS84_OFFICIAL
from geozones.errors import AxisOrderError, ZoneValidationError
from geozones.io import read_layer, to_file, zones_from_file
from geozones.io.shapefile import LongTextWarning, write_shapefile
from geozones.schema import ZONE_FIELD_NAMES as FIELD_NAMES  # every stored field, the investor fields too
from tests.helpers.tools import ROOT
from tests.helpers.zonefactory import CHO_MOI, bac_kan_squares, square, zone

FORMATS = ("geojson", "gpkg", "shp", "fgb", "csv")


def _dbf_fields(path) -> list[tuple[str, str, int]]:
    """(name, dBASE type, width) of each field, read from the .dbf header (dBASE III layout)."""
    data = path.with_suffix(".dbf").read_bytes()
    out, position = [], 32
    while data[position] != 0x0D:
        name = data[position : position + 11].split(b"\x00")[0].decode("ascii")
        out.append((name, chr(data[position + 11]), data[position + 16]))
        position += 32
    return out


def _documented_short_names() -> dict[str, str]:
    rows = [
        line
        for line in (ROOT / "docs" / "schema.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| `")
    ]
    return {
        cells[1].strip(" `"): cells[2].strip(" `") for cells in (row.split("|") for row in rows[: len(FIELD_NAMES)])
    }


def _export(zones, path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LongTextWarning)
        return to_file(zones, path)


def test_export_writes_the_documented_short_names_and_types(tmp_path, shipped_zones):
    path = _export(shipped_zones, tmp_path / "zones.shp")
    fields = _dbf_fields(path)
    documented = _documented_short_names()
    assert [name for name, _, _ in fields] == [documented[n] for n in FIELD_NAMES]
    assert all(len(name) <= 10 for name, _, _ in fields)
    types = {name: kind for name, kind, _ in fields}
    assert types["dec_date"] == "D" and types["status_yr"] == "N" and types["estab_yr"] == "N"
    assert struct.unpack("<I", path.with_suffix(".dbf").read_bytes()[4:8])[0] == len(shipped_zones)
    for sidecar in (".shx", ".prj", ".cpg", ".qml", ".sld", ".fields.csv", ".longtext.csv"):
        assert path.with_suffix(sidecar).exists(), sidecar
    assert 'attr="status"' in path.with_suffix(".qml").read_text(encoding="utf-8")


def test_round_trip_loses_nothing(tmp_path, shipped_zones):
    back = zones_from_file(_export(shipped_zones, tmp_path / "zones.shp"))
    assert list(back.columns) == list(shipped_zones.columns)
    for column in FIELD_NAMES:
        for ours, theirs in zip(shipped_zones[column], back[column]):
            assert (pd.isna(ours) and pd.isna(theirs)) or ours == theirs, (column, ours, theirs)
    for ours, theirs in zip(shipped_zones.geometry, back.geometry):
        assert (ours is None and theirs is None) or shapely.equals_exact(
            shapely.normalize(ours), shapely.normalize(theirs), 1e-9
        )


def test_long_text_goes_to_the_sidecar_with_a_warning_naming_the_field(tmp_path, shipped_zones):
    longest = shipped_zones["notes"].dropna().map(lambda v: len(v.encode("utf-8"))).max()
    assert longest > 254  # the shipped notes really are longer than a dBASE field
    with pytest.warns(LongTextWarning) as caught:
        path = to_file(shipped_zones, tmp_path / "zones.shp")
    assert {str(w.message).split("'")[1] for w in caught} == {"notes", "location_basis"}
    assert all("zones.longtext.csv" in str(w.message) for w in caught)
    raw = pyogrio.read_dataframe(path)
    assert raw["notes"].dropna().map(lambda v: len(v.encode("utf-8"))).max() <= 254
    assert raw["notes"].dropna().str.endswith("…").any()


def test_no_sidecar_when_everything_fits_and_stale_ones_are_removed(tmp_path):
    zones = bac_kan_squares()
    path = tmp_path / "zones.shp"
    with pytest.warns(LongTextWarning, match="field 'notes': 3 value"):
        write_shapefile(zones.assign(notes="x" * 300), path)
    assert path.with_suffix(".longtext.csv").exists()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no LongTextWarning this time
        write_shapefile(zones, path)
    assert not path.with_suffix(".longtext.csv").exists()


def _survey_office_file(tmp_path):
    """A shapefile as a survey office sends it: its own column names, VN-2000 TM-3 coordinates."""
    zones = bac_kan_squares().to_crs(9213)
    frame = gpd.GeoDataFrame(
        {
            "MA_KCN": zones["id"],
            "TEN_KCN": zones["name"],
            "TEN_KD": zones["name_ascii"],
            "LOAI": zones["kind"],
            "NHOM": zones["zone_group"],
            "TINH_CU": zones["province_pre2025"],
            "HUYEN": zones["district_pre2025"],
            "TINH": zones["province"],
            "TRANG_THAI": zones["status"],
            "NGUON": zones["sources"],
            "CHAT_LUONG": zones["geometry_quality"],
            "DT_HA": zones["area_published_ha"],
            "GHI_CHU_2": "x",
        },
        geometry=zones.geometry.array,
        crs=9213,
    )
    path = tmp_path / "khu_cong_nghiep.shp"
    pyogrio.write_dataframe(frame, path, encoding="UTF-8")
    return path


FIELD_MAP = {
    "MA_KCN": "id",
    "TEN_KCN": "name",
    "TEN_KD": "name_ascii",
    "LOAI": "kind",
    "NHOM": "zone_group",
    "TINH_CU": "province_pre2025",
    "HUYEN": "district_pre2025",
    "TINH": "province",
    "TRANG_THAI": "status",
    "NGUON": "sources",
    "CHAT_LUONG": "geometry_quality",
    "DT_HA": "area_published_ha",
}


def test_field_map_reads_a_survey_office_file_and_names_unmapped_columns(tmp_path):
    path = _survey_office_file(tmp_path)
    with pytest.raises(ZoneValidationError, match=r"'GHI_CHU_2' \(unmapped columns\).*--field-map"):
        zones_from_file(path, fields=FIELD_MAP)
    zones = zones_from_file(path, fields=FIELD_MAP, extra="drop")
    assert zones["name"].tolist() == bac_kan_squares()["name"].tolist()
    assert zones["area_published_ha"].tolist() == [100.0, 25.0, 4.0]
    with pytest.raises(ZoneValidationError, match="not schema fields"):
        zones_from_file(path, fields={"TEN_KCN": "ten"})
    with pytest.raises(ZoneValidationError, match="does not have"):
        zones_from_file(path, fields={"NAME": "name"})


def _tm3_proj(towgs84=TOWGS84_OFFICIAL) -> str:
    return (
        "+proj=tmerc +lat_0=0 +lon_0=106.5 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 "
        f"+towgs84={','.join(str(v) for v in towgs84)} +units=m +no_defs"
    )


@pytest.mark.parametrize("form", ["esri", "proj"])
def test_shapefile_prj_in_esri_or_proj_form_reads_as_epsg_9213(tmp_path, form):
    zones = bac_kan_squares().to_crs(9213)[["id", "geometry"]]
    path = tmp_path / "zones.shp"
    pyogrio.write_dataframe(zones, path)
    definition = pyproj.CRS.from_proj4(_tm3_proj())
    text = definition.to_wkt("WKT1_ESRI") if form == "esri" else _tm3_proj()
    path.with_suffix(".prj").write_text(text)
    layer = read_layer(path)
    assert layer.crs.to_epsg() == 9213
    assert shapely.equals_exact(
        shapely.normalize(layer.geometry.array), shapely.normalize(zones.geometry.array), 1e-6
    ).all()


def test_esri_prj_with_northing_first_coordinates_is_an_axis_error(tmp_path):
    # the case: ESRI-form .prj of a +towgs84 CRS, X = northing coordinates
    x, y = CHO_MOI
    frame = gpd.GeoDataFrame([zone(0)], geometry=[square((y, x), 100.0)], crs=9213)
    path = tmp_path / "swapped.shp"
    pyogrio.write_dataframe(frame, path)
    path.with_suffix(".prj").write_text(pyproj.CRS.from_proj4(_tm3_proj()).to_wkt("WKT1_ESRI"))
    with pytest.raises(AxisOrderError, match="northing"):
        read_layer(path)
    assert read_layer(path, swap_xy=True).crs.to_epsg() == 9213


def test_every_format_has_the_same_names_order_and_types(tmp_path, shipped_zones):
    seen = {}
    for fmt in FORMATS:
        path = _export(shipped_zones, tmp_path / f"zones.{fmt}")
        info = pyogrio.read_info(path, layer="zones" if fmt == "gpkg" else None)
        names = [str(n) for n in info["fields"] if n != "wkt"]
        if fmt == "shp":
            documented = {v: k for k, v in _documented_short_names().items()}
            names = [documented[n] for n in names]
        seen[fmt] = dict(zip(names, info["ogr_types"]))
        assert names == list(FIELD_NAMES), fmt
    for fmt, types in seen.items():
        assert {types[n] for n in ("status_year", "established_year", "target_year")} == {"OFTInteger"}, fmt
        assert {types[n] for n in ("area_published_ha", "occupancy_pct", "site_lon", "site_lat")} == {"OFTReal"}
        # FlatGeobuf has no date-only column type: its dates are timestamps at midnight
        assert types["decision_date"] == ("OFTDateTime" if fmt == "fgb" else "OFTDate"), fmt
        assert types["name"] == "OFTString"


def test_zipped_shapefile_reads_back_with_its_sidecars(tmp_path, shipped_zones):
    import zipfile

    _export(shipped_zones, tmp_path / "zones.shp")
    archive = tmp_path / "zones.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for part in sorted(tmp_path.glob("zones.*")):
            if part != archive:
                handle.write(part, part.name)
    back = zones_from_file(archive)
    assert list(back.columns) == list(shipped_zones.columns)
    assert back["notes"].tolist() == shipped_zones["notes"].tolist()  # the long text, from the zipped sidecar
    assert back["decision_date"].tolist() == shipped_zones["decision_date"].tolist()


def test_upper_case_and_gdal_cut_names_are_read_back(tmp_path):
    zones = bac_kan_squares().iloc[:1]
    renamed = zones.rename(
        columns={"province_pre2025": "PROV_PRE25", "geometry_quality": "geometry_q", "name": "NAME", "id": "ID"}
    )
    path = tmp_path / "other_tool.shp"
    pyogrio.write_dataframe(renamed, path, encoding="UTF-8")
    back = zones_from_file(path)
    assert back["province_pre2025"].tolist() == ["Bắc Kạn"]
    assert back["geometry_quality"].tolist() == ["approximate"] and back["id"].tolist() == ["z0"]
