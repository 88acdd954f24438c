"""The VN-2000 registry, custom .prj definitions, and axis-order detection."""

from __future__ import annotations

import warnings

import geopandas as gpd
import pyogrio
import pyproj
import pytest
import shapely

from geozones import crs
from geozones.errors import AxisOrderError, CRSError, MissingCRSError
from geozones.io import read_layer
from tests.helpers.zonefactory import CHO_MOI, bac_kan_squares, square

# facts.md: Bắc Kạn and Thái Nguyên 106°30' = EPSG:9213; Lạng Sơn 107°15' = EPSG:9215;
# Cao Bằng 105°45' = EPSG:9210; Hà Nội 105°00' = EPSG:5897.
EXPECTED = {
    "Bắc Kạn": 9213,
    "Thái Nguyên": 9213,
    "Lạng Sơn": 9215,
    "Cao Bằng": 9210,
    "Hà Nội": 5897,
    "Bac Kan": 9213,
    "lang son": 9215,
}

OFFICIAL = "-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278"
RAW_SIGNS = "-191.90441429,-39.30318279,-111.45032835,-0.00928836,0.01975479,-0.00427372,0.252906278"


def _tm3_proj(lon0: float, towgs84: str) -> str:
    return (
        f"+proj=tmerc +lat_0=0 +lon_0={lon0} +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 "
        f"+towgs84={towgs84} +units=m +no_defs"
    )


@pytest.mark.parametrize("province,code", EXPECTED.items())
def test_registry_maps_provinces_to_their_tm3_zone(province, code):
    assert crs.tm3_crs(province).to_epsg() == code


def test_unknown_province_is_a_crs_error():
    with pytest.raises(CRSError, match="Atlantis"):
        crs.tm3_crs("Atlantis")


def test_tm3_parameters_are_the_published_ones():
    # TM-3 zones: k = 0.9999, false easting 500 000 m, central meridian 106.5 for Bắc Kạn.
    params = {p.name: p.value for p in crs.tm3_crs("Bắc Kạn").coordinate_operation.params}
    assert params["Scale factor at natural origin"] == pytest.approx(0.9999)
    assert params["False easting"] == 500_000
    assert params["Longitude of natural origin"] == pytest.approx(106.5)


def test_official_custom_definition_becomes_epsg():
    assert crs.normalize_crs(_tm3_proj(106.5, OFFICIAL)).to_epsg() == 9213
    assert crs.normalize_crs(_tm3_proj(107.25, OFFICIAL)).to_epsg() == 9215


def test_raw_sign_definition_warns_and_becomes_epsg():
    with pytest.warns(crs.VN2000DefinitionWarning, match="raw rotation signs"):
        fixed = crs.normalize_crs(_tm3_proj(106.5, RAW_SIGNS))
    assert fixed.to_epsg() == 9213


def test_raw_sign_variant_is_about_0_8_m_off_near_bac_kan():
    # facts.md: the raw-sign variant is "about 0.8 m off near Bắc Kạn".
    x, y = pyproj.Transformer.from_crs(4326, 9213, always_xy=True).transform(105.831, 22.161)
    raw = pyproj.Transformer.from_crs(_tm3_proj(106.5, RAW_SIGNS), 4326, always_xy=True).transform(x, y)
    good = pyproj.Transformer.from_crs(9213, 4326, always_xy=True).transform(x, y)
    offset = pyproj.Geod(ellps="WGS84").inv(raw[0], raw[1], good[0], good[1])[2]
    assert 0.5 < offset < 1.1


@pytest.mark.parametrize("towgs84", [OFFICIAL, RAW_SIGNS], ids=["official", "raw-signs"])
def test_shapefile_with_custom_vn2000_prj_reads_as_epsg_9213(tmp_path, towgs84):
    zones = bac_kan_squares().to_crs(9213)[["id", "geometry"]]
    path = tmp_path / "zones.shp"
    pyogrio.write_dataframe(zones, path)
    wkt = pyproj.CRS.from_proj4(_tm3_proj(106.5, towgs84)).to_wkt("WKT1_GDAL")
    path.with_suffix(".prj").write_text(wkt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", crs.VN2000DefinitionWarning)
        layer = read_layer(path)
    assert layer.crs.to_epsg() == 9213
    assert shapely.equals_exact(
        shapely.normalize(layer.geometry.array), shapely.normalize(zones.geometry.array), tolerance=1e-6
    ).all()
    # and so it lands where EPSG:9213 + the official EPSG:6960 shift puts it, not 0.8 m away
    ours = layer.to_crs(4326).geometry.iloc[0].exterior.coords[0]
    official = zones.to_crs(4326).geometry.iloc[0].exterior.coords[0]
    assert pyproj.Geod(ellps="WGS84").inv(*ours, *official)[2] < 0.01


def test_csv_with_raw_sign_proj_string_is_corrected_with_a_warning(tmp_path):
    zones = bac_kan_squares().to_crs(9213)
    path = tmp_path / "zones.csv"
    zones.assign(wkt=zones.geometry.to_wkt()).drop(columns="geometry").to_csv(path, index=False)
    with pytest.warns(crs.VN2000DefinitionWarning):
        layer = read_layer(path, crs=_tm3_proj(106.5, RAW_SIGNS))
    assert layer.crs.to_epsg() == 9213


def test_latlon_swapped_geographic_coordinates_are_detected():
    frame = gpd.GeoDataFrame(geometry=[shapely.box(21.9, 105.8, 21.91, 105.81)], crs=4326)  # lat, lon
    with pytest.raises(AxisOrderError, match="swap_xy"):
        crs.check_coordinates(frame)
    crs.check_coordinates(crs.swap_xy(frame))  # fixed


def test_survey_sheet_northing_first_is_detected():
    x, y = CHO_MOI
    frame = gpd.GeoDataFrame(geometry=[square((y, x), 100.0)], crs=9213)  # X = northing
    with pytest.raises(AxisOrderError, match="northing"):
        crs.check_coordinates(frame)


def test_projected_coordinates_labelled_as_degrees_is_a_crs_error():
    frame = gpd.GeoDataFrame(geometry=[square(CHO_MOI, 100.0)], crs=4326)
    with pytest.raises(CRSError, match="area of use"):
        crs.check_coordinates(frame)


def test_layer_without_crs_is_refused():
    with pytest.raises(MissingCRSError):
        crs.require_crs(gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)]))


def test_degrees_are_not_metric():
    with pytest.raises(CRSError, match="metric"):
        crs.require_metric(bac_kan_squares())


def test_working_crs_picks_the_province_zone_and_per_zone_codes():
    zones = bac_kan_squares()
    assert crs.working_crs(zones).to_epsg() == 9213
    zones.loc[zones.index[0], "province_pre2025"] = "Lạng Sơn"
    assert list(crs.metric_epsg(zones)) == [9215, 9213, 9213]


def test_layer_spanning_provinces_uses_vn2000_utm():
    frame = gpd.GeoDataFrame(geometry=[shapely.Point(105.8, 22.1), shapely.Point(106.7, 21.9)], crs=4326)
    assert crs.working_crs(frame).to_epsg() == 3405


def test_no_warning_for_plain_epsg_layers():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert crs.normalize_crs("EPSG:9213").to_epsg() == 9213


# --- issue 24 item 2: a partial problem counts (every point of every row is looked at) -------------


def _four_squares(**swapped_or_far):
    x, y = CHO_MOI
    geoms = [square((x + 3000.0 * i, y), 200.0) for i in range(4)]
    for i, how in swapped_or_far.items():
        cx, cy = geoms[int(i[1:])].centroid.coords[0]
        geoms[int(i[1:])] = square((cy, cx), 200.0) if how == "swap" else square((cx + 3_000_000.0, cy), 200.0)
    return gpd.GeoDataFrame({"id": [f"z{i}" for i in range(4)]}, geometry=geoms, crs=9213)


def test_only_some_rows_swapped_is_flagged_naming_them():
    crs.check_coordinates(_four_squares())  # all in order
    with pytest.raises(AxisOrderError, match=r"only some rows are swapped: in 1 of 4 rows \('z2'\)"):
        crs.check_coordinates(_four_squares(r2="swap"))
    with pytest.raises(AxisOrderError, match=r"in 3 of 4 rows \('z0', 'z1', 'z3'\)"):
        crs.check_coordinates(_four_squares(r0="swap", r1="swap", r3="swap"))
    # every row swapped: the whole file, fixed by swap_xy
    with pytest.raises(AxisOrderError, match="swap_xy=True"):
        crs.check_coordinates(_four_squares(r0="swap", r1="swap", r2="swap", r3="swap"))


def test_one_row_outside_the_area_of_use_is_flagged_naming_it():
    with pytest.raises(CRSError, match=r"coordinates of 1 of 4 rows \('z3'\) fall outside the area of use"):
        crs.check_coordinates(_four_squares(r3="far"))


def test_one_vertex_outside_is_enough_and_a_large_layer_still_samples_every_row():
    frame = _four_squares()
    # one vertex of z1 pulled 3,000 km east: the rest of its ring and the other rows are fine
    ring = list(frame.geometry.iloc[1].exterior.coords)
    ring[2] = (ring[2][0] + 3_000_000.0, ring[2][1])
    frame.loc[1, "geometry"] = shapely.Polygon(ring)
    with pytest.raises(CRSError, match=r"\('z1'\)"):
        crs.check_coordinates(frame)
    # a small swapped square among layers with more points than the sample still has its first point read
    big = _four_squares(r3="swap")
    dense = [shapely.Polygon(g.exterior.segmentize(0.5)) for g in big.geometry.iloc[:3]]  # 1,600 points each
    big.loc[:2, "geometry"] = dense
    with pytest.raises(AxisOrderError, match=r"\('z3'\)"):
        crs.check_coordinates(big)
    _, which, _ = crs._lonlat_sample(big, swapped=False, limit=100)
    assert set(which) == {0, 1, 2, 3}
