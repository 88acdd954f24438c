"""Drive times, isochrones and catchments (geozones.analysis.logistics) against hand-computed values.

The small network: a national highway along the x axis from (0, 0) to (20 km, 0) with a vertex at
10 km, and a provincial road north from (10 km, 0) to (10 km, 10 km). Car: 50 km/h national
(1.2 min/km), 40 km/h provincial (1.5 min/km); truck 40 / 30 km/h (1.5 / 2 min/km); access legs at
15 km/h (4 min/km, 250 m/min).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point, box

from geozones.analysis import logistics as L
from geozones.analysis.roadnet import SHIPPED_SNAP_M, travel
from tests.helpers.tools import ROOT

CRS = L.METRIC_EPSG


@pytest.fixture()
def roads():
    return gpd.GeoDataFrame(
        {"id": ["main", "branch"], "class": ["national_highway", "provincial_road"]},
        geometry=[LineString([(0, 0), (10000, 0), (20000, 0)]), LineString([(10000, 0), (10000, 10000)])],
        crs=CRS,
    )


@pytest.fixture()
def destinations():
    return gpd.GeoDataFrame(
        {"id": ["a", "b"], "category": ["seaport", "seaport"]},
        geometry=[Point(15000, 0), Point(10000, 6000)],
        crs=CRS,
    )


def _sites(*points):
    return gpd.GeoDataFrame({"id": [f"s{i}" for i in range(len(points))]}, geometry=list(points), crs=CRS)


def test_drive_minutes_by_hand(roads, destinations):
    sites = _sites(Point(5000, -500))
    car = L.drive_times(sites, roads, destinations, vehicle="car")
    # access 500 m at 15 km/h = 2 min; a: + 10 km x 1.2 = 14; b: + 5 x 1.2 + 6 x 1.5 = 17
    assert car.loc[0, "access_m"] == pytest.approx(500.0)
    assert car.loc[0, "access_min"] == pytest.approx(2.0)
    assert car.loc[0, "min_a"] == pytest.approx(14.0)
    assert car.loc[0, "min_b"] == pytest.approx(17.0)
    assert car.loc[0, "min_to_seaport"] == pytest.approx(14.0) and car.loc[0, "nearest_seaport"] == "a"
    truck = L.drive_times(sites, roads, destinations, vehicle="truck")
    assert truck.loc[0, "min_a"] == pytest.approx(2.0 + 10 * 1.5)
    assert truck.loc[0, "min_b"] == pytest.approx(2.0 + 5 * 1.5 + 6 * 2.0)


def test_same_segment_and_destination_access_leg(roads):
    sites = _sites(Point(2000, 0))
    dest = gpd.GeoDataFrame({"id": ["c"]}, geometry=[Point(4000, 750)], crs=CRS)
    out = L.drive_times(sites, roads, dest)
    assert out.loc[0, "min_c"] == pytest.approx(2 * 1.2 + 0.75 * 4)  # along 2 km, then its 750 m leg


def test_far_from_mapped_roads_gets_no_time(roads, destinations):
    out = L.drive_times(_sites(Point(5000, -4000), Point(5000, -2999)), roads, destinations)
    assert bool(out.loc[0, "far_from_roads"]) and out.loc[0, "time_note"] == L.FAR_NOTE
    assert out.loc[0, "access_m"] == pytest.approx(4000.0)  # the leg is still shown
    assert np.isnan(out.loc[0, "min_a"]) and np.isnan(out.loc[0, "min_to_seaport"])
    assert not out.loc[1, "far_from_roads"] and out.loc[1, "min_a"] == pytest.approx(2999 / 250 + 12)


def test_unknown_vehicle_is_refused(roads, destinations):
    from geozones.errors import GeozonesError

    with pytest.raises(GeozonesError):
        L.drive_times(_sites(Point(0, 0)), roads, destinations, vehicle="bicycle")


def test_isochrone_boundaries_by_hand(roads):
    iso = L.isochrones(_sites(Point(5000, -500)), roads, minutes=(15, 1))
    fifteen = iso[iso["minutes"] == 15].geometry.iloc[0]
    minx, miny, maxx, maxy = fifteen.bounds
    # west: the line end (0, 0) reached at 2 + 5 x 1.2 = 8 min, 7 min left -> 1750 m beyond it
    assert minx == pytest.approx(-1750.0, abs=0.01)
    # east: time runs out 13 min / 1.2 = 10,833.3 m east of the entry point (radius 0 there)
    assert maxx == pytest.approx(5000 + 13 / 1.2 * 1000, abs=0.01)
    # north: the branch from (10 km, 0) at 8 min, 7 min / 1.5 = 4,666.7 m up it
    assert maxy == pytest.approx(7 / 1.5 * 1000, abs=0.01)
    # south: the disc around the site itself, capped at 2 km
    assert miny == pytest.approx(-500 - 2000.0, abs=0.01)
    assert fifteen.contains(Point(-1740, 0)) and not fifteen.contains(Point(-1760, 0))
    assert fifteen.contains(Point(15800, 0)) and not fifteen.contains(Point(15840, 0))
    # 1 minute: the network (2 min away) is not reached; only the 250 m disc around the site
    one = iso[iso["minutes"] == 1].geometry.iloc[0]
    assert one.bounds == pytest.approx((4750.0, -750.0, 5250.0, -250.0), abs=0.01)


def test_networkx_engine_gives_the_same_answers(roads, destinations):
    sites = _sites(Point(5000, -500), Point(12000, 3000))
    a = L.drive_times(sites, roads, destinations, engine="scipy")
    b = L.drive_times(sites, roads, destinations, engine="networkx")
    assert np.allclose(a["min_a"], b["min_a"]) and np.allclose(a["min_b"], b["min_b"])
    ia = L.isochrones(sites, roads, engine="scipy")
    ib = L.isochrones(sites, roads, engine="networkx")
    assert np.allclose(ia.area, ib.area)


def test_catchment_sums_by_hand():
    units = gpd.GeoDataFrame(
        {"population": [10000, 1000], "population_year": [2009, 2009]},
        geometry=[box(-5000, -5000, 5000, 5000), box(5000, -5000, 15000, 5000)],
        crs=CRS,
    )
    polygons = gpd.GeoDataFrame(geometry=[box(0, 0, 10000, 1000), box(20000, 0, 21000, 1000)], crs=CRS)
    out = L.catchment(polygons, units)
    # 5 km² of each 100 km² unit: 10000 x 0.05 + 1000 x 0.05
    assert out.loc[0, "population"] == 550 and out.loc[0, "units"] == 2 and out.loc[0, "population_year"] == "2009"
    assert out.loc[1, "population"] == 0 and out.loc[1, "units"] == 0


def test_catchment_grows_with_time(roads):
    units = gpd.GeoDataFrame({"population": [1_000_000]}, geometry=[box(-50000, -50000, 50000, 50000)], crs=CRS)
    out = L.site_catchments(_sites(Point(5000, -500)), roads, units, minutes=(15, 30))
    density = 1_000_000 / 1e10  # people per m²
    assert out["population"].is_monotonic_increasing
    assert (
        out.loc[0, "population"] == round(out.loc[0, "area_km2"] * 1e6 * density, 0)
        or abs(out.loc[0, "population"] - out.loc[0, "area_km2"] * 1e6 * density) <= 1
    )


# --- the shipped corridor ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def corridor():
    data = ROOT / "data"
    return (
        gpd.read_file(data / "infrastructure" / "corridor_roads.geojson").to_crs(CRS),
        gpd.read_file(data / "infrastructure" / "logistics_destinations.geojson").to_crs(CRS),
    )


def test_thai_nguyen_to_ha_noi_by_road_within_one_and_a_half_straight_lines(corridor):
    roads, dest = corridor
    tn, hn = dest[dest["id"] == "thai_nguyen_city"], dest[dest["id"] == "ha_noi_centre"]
    straight = tn.geometry.iloc[0].distance(hn.geometry.iloc[0]) / 1000
    road = travel(tn, roads, hn, snap_m=SHIPPED_SNAP_M, node_crossings=True)["road_km_ha_noi_centre"].iloc[0]
    assert 1.0 * straight <= road <= 1.5 * straight
    minutes = L.drive_times(tn, roads, dest)["min_ha_noi_centre"].iloc[0]
    # no faster than the whole road at 50 km/h, no slower than at 40 km/h plus the access leg at 15
    access = L.drive_times(tn, roads, dest)["access_min"].iloc[0]
    assert road / 50 * 60 * 0.9 < minutes < road / 40 * 60 + access


def test_the_old_study_box_roads_do_not_reach_ha_noi(corridor):
    _, dest = corridor
    roads = gpd.read_file(ROOT / "data" / "infrastructure" / "roads.geojson").to_crs(CRS)
    out = L.drive_times(dest[dest["id"] == "thai_nguyen_city"], roads, dest)
    assert np.isnan(out["min_ha_noi_centre"].iloc[0])  # why the corridor layer exists


def test_engines_agree_on_every_shipped_isochrone(corridor):
    """Regression: a disc of a rounding-error radius buffered to nothing and lost an isochrone's tip,
    so the scipy and networkx node times (equal to 1e-13 min) gave areas 0.03 km² apart."""
    from geozones.analysis.proximity import measured_geometry

    roads, _ = corridor
    zones = gpd.read_file(ROOT / "data" / "zones" / "zones.geojson")
    geometry, _ = measured_geometry(zones)
    sites = gpd.GeoDataFrame({"id": zones["id"]}, geometry=geometry, crs=zones.crs)
    sites = sites[sites["id"].isin(["bk-ccn-huyen-tung", "bk-kcn-thanh-binh-2"])]
    network = L.Network.build(roads, "car")
    a = L.isochrones(sites, None, network=network, engine="scipy")
    b = L.isochrones(sites, None, network=network, engine="networkx")
    assert len(a) == 8
    assert np.abs(a.area.to_numpy() - b.area.to_numpy()).max() < 1.0  # m²


def test_minutes_raster_by_hand():
    """Cell centres at x = 250 ... 9750, y = 750 ... -3750 (500 m cells) on a 10 km national road to (10 km, 0)."""
    import pyproj

    from geozones.analysis.drivetime import minutes_raster
    from geozones.analysis.raster import Grid

    roads = gpd.GeoDataFrame({"class": ["national_highway"]}, geometry=[LineString([(0, 0), (10000, 0)])], crs=CRS)
    target = gpd.GeoDataFrame(geometry=[Point(10000, 0)], crs=CRS)
    grid = Grid(0.0, 1000.0, 500.0, 20, 10, pyproj.CRS.from_epsg(CRS))
    car = minutes_raster(roads, target, grid)
    # (250, 750): 750 m access at 250 m/min = 3 min, then 9.75 km at 1.2 min/km = 11.7 min
    assert car[0, 0] == pytest.approx(3 + 11.7)
    assert car[1, 19] == pytest.approx(250 / 250 + 0.25 * 1.2)  # (9750, 250)
    # y = -3250 and -3750: more than 3 km from the road: far from mapped roads, no time
    assert np.isinf(car[8:, :]).all() and np.isfinite(car[:8, :]).all()
    truck = minutes_raster(roads, target, grid, vehicle="truck", max_minutes=10)
    assert truck[1, 19] == pytest.approx(1 + 0.25 * 1.5)
    assert np.isinf(truck[0, 0])  # 3 + 9.75 x 1.5 = 17.6 > 10
