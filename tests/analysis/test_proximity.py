"""Nearest distances against brute force, road distances against hand-computed graphs, bad input."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon

from geozones.analysis.proximity import nearest, nearest_road, nearest_substation, within_distance
from geozones.analysis.roadnet import travel
from geozones.errors import CRSError, EmptyLayerError, GeometryError, MissingCRSError

CRS = "EPSG:9213"


def random_layers(n_zones: int, n_roads: int, seed: int):
    rng = np.random.default_rng(seed)
    corner = rng.uniform(0, 20_000, (n_zones, 2)) + (450_000, 2_400_000)
    size = rng.uniform(10, 300, n_zones)
    zones = gpd.GeoDataFrame(
        {"id": [f"z{i}" for i in range(n_zones)]},
        geometry=shapely.box(corner[:, 0], corner[:, 1], corner[:, 0] + size, corner[:, 1] + size * 0.7),
        crs=CRS,
    )
    start = rng.uniform(0, 20_000, (n_roads, 2)) + (450_000, 2_400_000)
    angle = rng.uniform(0, 2 * np.pi, n_roads)
    length = rng.uniform(100, 2_000, n_roads)
    middle = start + np.column_stack([np.cos(angle), np.sin(angle)]) * length[:, None] / 2
    end = middle + np.column_stack([np.cos(angle + 0.5), np.sin(angle + 0.5)]) * length[:, None] / 2
    roads = gpd.GeoDataFrame(
        {"id": [f"r{i}" for i in range(n_roads)], "name": [f"road {i}" for i in range(n_roads)]},
        geometry=shapely.linestrings(np.stack([start, middle, end], axis=1)),
        crs=CRS,
    )
    return zones, roads


def brute_force(zones, features) -> np.ndarray:
    """Every zone-feature distance (rows: zones)."""
    z = np.asarray(zones.geometry.array)[:, None]
    f = np.asarray(features.geometry.array)[None, :]
    return shapely.distance(z, f)


@pytest.fixture(scope="module")
def random_data():
    # 5 000 zones: above the single-thread threshold, so the threaded path is exercised.
    zones, roads = random_layers(5_000, 150, seed=7)
    return zones, roads, brute_force(zones, roads)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_nearest_equals_brute_force(random_data, n_jobs):
    zones, roads, all_pairs = random_data
    result = nearest(zones, roads, n_jobs=n_jobs)
    assert result.index.equals(zones.index)
    np.testing.assert_allclose(result["distance_m"], all_pairs.min(axis=1), rtol=0, atol=1e-9)
    # The id is the first feature at the minimum distance (deterministic ties).
    expected = roads["id"].to_numpy()[all_pairs.argmin(axis=1)]
    assert (result["feature_id"].to_numpy() == expected).all()
    assert (result["feature_name"] == result["feature_id"].str.replace("r", "road ")).all()
    assert (result["distance_m"] == 0).any()  # some roads cross zones: distance from the edge is 0


def test_k_nearest_equals_brute_force(random_data):
    zones, roads, all_pairs = random_data
    k = 4
    result = nearest(zones, roads, k=k)
    assert len(result) == len(zones) * k
    got = result.pivot(index="zone", columns="rank", values="distance_m").reindex(zones.index)
    np.testing.assert_allclose(got.to_numpy(), np.sort(all_pairs, axis=1)[:, :k], rtol=0, atol=1e-9)
    assert (result.groupby("zone")["distance_m"].diff().dropna() >= 0).all()


def test_k_larger_than_layer_returns_every_feature():
    zones, roads = random_layers(20, 3, seed=1)
    result = nearest(zones, roads, k=5)
    assert (result.groupby("zone").size() == 3).all()


def test_within_distance_equals_brute_force(random_data):
    zones, roads, all_pairs = random_data
    result = within_distance(zones, roads, 250.0)
    zi, fi = np.nonzero(all_pairs <= 250.0)
    expected = set(zip(zones.index[zi], roads["id"].to_numpy()[fi]))
    assert set(zip(result["zone"], result["feature_id"])) == expected
    np.testing.assert_allclose(np.sort(result["distance_m"]), np.sort(all_pairs[zi, fi]), atol=1e-9)


def test_max_distance_gives_nan_beyond(random_data):
    zones, roads, all_pairs = random_data
    result = nearest(zones, roads, max_distance=100.0)
    far = all_pairs.min(axis=1) > 100.0
    assert far.any() and (~far).any()
    assert result["distance_m"][far].isna().all() and result["feature_id"][far].isna().all()
    np.testing.assert_allclose(result["distance_m"][~far], all_pairs.min(axis=1)[~far], atol=1e-9)


def test_null_zone_geometry_gives_nan():
    zones, roads = random_layers(5, 10, seed=3)
    zones.loc[2, "geometry"] = None
    result = nearest(zones, roads)
    assert math.isnan(result.loc[2, "distance_m"]) and pd.isna(result.loc[2, "feature_id"])
    assert result.drop(index=2)["distance_m"].notna().all()


def test_feature_id_falls_back_to_index():
    zones, roads = random_layers(5, 10, seed=4)
    result = nearest(zones, roads.drop(columns=["id", "name"]).set_index(pd.Index(range(100, 110))))
    assert set(result["feature_id"]) <= set(range(100, 110))
    assert result["feature_name"].isna().all()


# --- classes --------------------------------------------------------------------------------


def test_nearest_road_by_class_and_substation_by_voltage():
    zone = gpd.GeoDataFrame({"id": ["z"]}, geometry=[shapely.box(0, 0, 100, 100)], crs=CRS)
    roads = gpd.GeoDataFrame(
        {
            "id": ["a", "b"],
            "name": [None, "Đường tỉnh"],
            "ref": ["QL3", "ĐT254"],
            "class": ["national_highway", "provincial_road"],
        },
        geometry=[LineString([(0, 600), (100, 600)]), LineString([(150, 0), (150, 100)])],
        crs=CRS,
    )
    assert nearest_road(zone, roads)["distance_m"].iloc[0] == 50
    highway = nearest_road(zone, roads, road_class="national_highway")
    assert highway["distance_m"].iloc[0] == 500 and highway["feature_name"].iloc[0] == "QL3"
    power = gpd.GeoDataFrame(
        {"id": ["s35", "s110", "s220"], "class": ["substation"] * 3, "voltage_kv": [35, 110, 220]},
        geometry=[Point(100, 130), Point(100, 400), Point(100, 1100)],
        crs=CRS,
    )
    assert nearest_substation(zone, power)["feature_id"].iloc[0] == "s110"
    assert nearest_substation(zone, power, min_kv=220)["distance_m"].iloc[0] == 1000
    with pytest.raises(EmptyLayerError, match="500 kV"):
        nearest_substation(zone, power, min_kv=500)
    with pytest.raises(EmptyLayerError, match="expressway"):
        nearest_road(zone, roads, road_class="expressway")


# --- bad input -------------------------------------------------------------------------------


def test_bad_layers_give_clear_errors():
    zones, roads = random_layers(5, 5, seed=5)
    with pytest.raises(MissingCRSError, match="no CRS"):
        nearest(zones, roads.set_crs(None, allow_override=True))
    with pytest.raises(CRSError, match="metric"):
        nearest(zones.to_crs(4326), roads.to_crs(4326))
    with pytest.raises(CRSError, match="different CRSs"):
        nearest(zones, roads.to_crs(3405))
    with pytest.raises(EmptyLayerError, match="empty"):
        nearest(zones, roads.iloc[:0])
    bowtie = Polygon([(0, 0), (100, 100), (100, 0), (0, 100)])
    broken = zones.copy()
    broken.loc[1, "geometry"] = bowtie
    with pytest.raises(GeometryError, match="invalid") as info:
        nearest(broken, roads)
    assert "z1" in str(info.value)
    with pytest.raises(GeometryError, match="null or empty"):
        nearest(zones, roads.assign(geometry=[None] + list(roads.geometry.iloc[1:])))
    with pytest.raises(TypeError):
        nearest(zones, pd.DataFrame({"a": [1]}))
    with pytest.raises(ValueError, match="k must"):
        nearest(zones, roads, k=0)


# --- travel along roads ----------------------------------------------------------------------
# A hand-built network: A(0,0) -- B(1000,0) national highway, B -- C(1000,1000) provincial
# road, and a separate road D(5000,5000) -- E(6000,5000) that touches nothing.


@pytest.fixture
def network():
    roads = gpd.GeoDataFrame(
        {"id": ["ab", "bc", "de"], "class": ["national_highway", "provincial_road", "national_highway"]},
        geometry=[
            LineString([(0, 0), (1000, 0)]),
            LineString([(1000, 0), (1000, 1000)]),
            LineString([(5000, 5000), (6000, 5000)]),
        ],
        crs=CRS,
    )
    # The zone is a triangle whose lowest vertex (300, 50) is 50 m above A--B: it joins the road
    # at (300, 0), not at node A (304 m away).
    zone = gpd.GeoDataFrame({"id": ["z"]}, geometry=[Polygon([(300, 50), (400, 150), (200, 150)])], crs=CRS)
    destinations = gpd.GeoDataFrame(
        {"id": ["c-side", "same road", "island"]},
        geometry=[Point(1050, 1000), Point(800, -30), Point(5500, 5010)],
        crs=CRS,
    )
    return zone, roads, destinations


def test_road_distance_on_hand_built_graph(network):
    zone, roads, destinations = network
    result = travel(
        zone, roads, destinations, speeds_kmh={"national_highway": 50, "provincial_road": 40}, access_speed_kmh=25
    )
    row = result.iloc[0]
    assert row["access_m"] == pytest.approx(50)
    # access 50 + along A-B from x=300 to B 700 + B-C 1000 + destination access 50
    assert row["road_km_c_side"] == pytest.approx(1.800)
    assert row["road_h_c_side"] == pytest.approx(0.700 / 50 + 1.000 / 40 + 0.100 / 25)
    # Same segment: straight along it (50 + 500 + 30), not through a node.
    assert row["road_km_same_road"] == pytest.approx(0.580)
    assert row["road_h_same_road"] == pytest.approx(0.500 / 50 + 0.080 / 25)
    assert bool(row["reachable_c_side"]) and bool(row["reachable_same_road"])


def test_unreachable_is_explicit_not_straight_line(network):
    zone, roads, destinations = network
    result = travel(zone, roads, destinations)
    assert not result["reachable_island"].iloc[0]
    assert math.isnan(result["road_km_island"].iloc[0]) and math.isnan(result["road_h_island"].iloc[0])


def test_max_access_makes_far_zones_unreachable(network):
    zone, roads, destinations = network
    result = travel(zone, roads, destinations, max_access_m=40)
    assert not result[[c for c in result.columns if c.startswith("reachable_")]].to_numpy().any()


def test_roads_connect_only_at_shared_vertices():
    # Two roads crossing at (500, 0) without a shared vertex (a bridge) are not connected.
    roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (1000, 0)]), LineString([(500, -500), (500, 500)])], crs=CRS)
    origin = gpd.GeoDataFrame(geometry=[Point(0, 10)], crs=CRS)
    destination = gpd.GeoDataFrame({"id": ["n"]}, geometry=[Point(500, 500)], crs=CRS)
    assert not travel(origin, roads, destination)["reachable_n"].iloc[0]
    noded = gpd.GeoDataFrame(
        geometry=[LineString([(0, 0), (500, 0), (1000, 0)]), LineString([(500, -500), (500, 0), (500, 500)])], crs=CRS
    )
    assert travel(origin, noded, destination)["road_km_n"].iloc[0] == pytest.approx((10 + 500 + 500) / 1000)


def test_travel_matches_networkx_on_random_grid():
    """Node-to-node distances on a random grid equal networkx's own shortest paths on the same edges."""
    import networkx as nx

    rng = np.random.default_rng(11)
    graph = nx.grid_2d_graph(6, 6)
    lines, expected_graph = [], nx.Graph()
    for a, b in graph.edges:
        if rng.random() < 0.2:
            continue
        pa, pb = np.array(a, float) * 1000, np.array(b, float) * 1000
        bend = (pa + pb) / 2 + rng.uniform(-200, 200, 2)
        line = LineString([pa, bend, pb])
        lines.append(line)
        expected_graph.add_edge(a, b, length=line.length)
    roads = gpd.GeoDataFrame(geometry=lines, crs=CRS)
    origin = gpd.GeoDataFrame(geometry=[Point(0, 0)], crs=CRS)
    targets = [n for n in expected_graph.nodes if n != (0, 0)]
    destinations = gpd.GeoDataFrame(
        {"id": [f"n{x}{y}" for x, y in targets]}, geometry=[Point(x * 1000, y * 1000) for x, y in targets], crs=CRS
    )
    result = travel(origin, roads, destinations).iloc[0]
    truth = nx.single_source_dijkstra_path_length(expected_graph, (0, 0), weight="length")
    for x, y in targets:
        if (x, y) in truth:
            assert result[f"road_km_n{x}{y}"] == pytest.approx(truth[(x, y)] / 1000)
        else:
            assert not result[f"reachable_n{x}{y}"]


def test_k_nearest_with_max_distance(random_data):
    zones, roads, all_pairs = random_data
    result = nearest(zones, roads, k=3, max_distance=300.0)
    expected = np.minimum((all_pairs <= 300.0).sum(axis=1), 3)
    got = result.groupby("zone").size().reindex(zones.index, fill_value=0).to_numpy()
    assert (got == expected).all()
    assert (result["distance_m"] <= 300.0).all()
