"""The road graph on the shipped (real) road layer: snapping, noding, components, the acceptance route.

Independent checks: the straight line is the WGS84 geodesic (pyproj.Geod), the route's provinces come
from the shipped province polygons, and the toy networks below are small enough to verify by hand.
"""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import LineString, Point

from geozones.analysis.roadnet import SHIPPED_SNAP_M, network_report, node_network, road_components, road_graph, travel
from tests.helpers.tools import DATA

#: facts.md approximate places (lat, lon), typed in.
CHO_MOI = (21.893, 105.787)
HUU_NGHI = (21.971, 106.715)


@pytest.fixture(scope="module")
def roads() -> gpd.GeoDataFrame:
    return gpd.read_file(DATA / "infrastructure" / "roads.geojson").to_crs(9213)


def _route(graph: nx.Graph, table: dict, a: Point, b: Point) -> tuple[float, LineString]:
    """Shortest path between the graph nodes nearest to two points: metres along the graph, and its line."""
    coords = np.vstack([table["start"], table["end"]])
    nodes = np.concatenate([table["u"], table["v"]])
    pick = lambda p: nodes[np.argmin(np.hypot(*(coords - np.array(p.coords[0])).T))]  # noqa: E731
    path = nx.shortest_path(graph, pick(a), pick(b), weight="length")
    where = dict(zip(nodes, coords))
    return nx.path_weight(graph, path, "length"), LineString([where[n] for n in path])


def test_cho_moi_to_huu_nghi_through_thai_nguyen_and_lang_son(roads):
    """Acceptance (issue 10): connected, through Thái Nguyên and Lạng Sơn, 1.1x-2x the straight line."""
    graph, table = road_graph(roads, snap_m=SHIPPED_SNAP_M, node_crossings=True)
    to_tm3 = lambda lat, lon: gpd.GeoSeries([Point(lon, lat)], crs=4326).to_crs(9213).iloc[0]  # noqa: E731
    metres, line = _route(graph, table, to_tm3(*CHO_MOI), to_tm3(*HUU_NGHI))
    straight = Geod(ellps="WGS84").inv(CHO_MOI[1], CHO_MOI[0], HUU_NGHI[1], HUU_NGHI[0])[2]
    assert 1.1 * straight < metres < 2.0 * straight
    provinces = gpd.read_file(DATA / "boundaries" / "provinces.geojson").to_crs(9213).set_index("name").geometry
    assert provinces["Bắc Kạn"].contains(Point(line.coords[0]))  # Chợ Mới town, near the southern border
    for name in ("Thái Nguyên", "Lạng Sơn"):
        assert line.intersection(provinces[name]).length > 50_000, name  # well inside each
    # and the same trip through travel(): zone-to-destination, access legs included
    origin = gpd.GeoDataFrame({"id": ["cho_moi"]}, geometry=[to_tm3(*CHO_MOI)], crs=9213)
    gate = gpd.GeoDataFrame({"id": ["gate"]}, geometry=[to_tm3(*HUU_NGHI)], crs=9213)
    trip = travel(origin, roads, gate, snap_m=SHIPPED_SNAP_M, node_crossings=True).iloc[0]
    assert trip["reachable_gate"] and 1.1 * straight < trip["road_km_gate"] * 1000 < 2.0 * straight


def test_without_snapping_the_coarse_layer_falls_apart(roads):
    """More components without snapping, and a detour: the 2.8 m QL1A gap alone forces one."""
    plain = road_components(roads)
    snapped = road_components(roads, snap_m=SHIPPED_SNAP_M, node_crossings=True)
    assert plain.name == "component" and plain.index.equals(roads.index)
    assert plain.nunique() > snapped.nunique() >= 1
    main = snapped.value_counts().idxmax()
    for ref in ("QL3", "QL1A", "QL1B", "QL4A"):
        assert (snapped[roads["ref"] == ref] == main).all(), ref
    to_tm3 = lambda lat, lon: gpd.GeoSeries([Point(lon, lat)], crs=4326).to_crs(9213).iloc[0]  # noqa: E731
    a, b = to_tm3(*CHO_MOI), to_tm3(*HUU_NGHI)
    detour, _ = _route(*road_graph(roads), a, b)
    direct, _ = _route(*road_graph(roads, snap_m=SHIPPED_SNAP_M, node_crossings=True), a, b)
    assert detour > direct


def test_report_lists_components_and_every_snap(roads):
    report = network_report(roads, snap_m=SHIPPED_SNAP_M, node_crossings=True)
    components, snaps = report["components"], report["snaps"]
    assert list(components.columns) == ["component", "features", "length_km", "refs"]
    assert components["features"].sum() == len(roads)
    assert components["length_km"].sum() == pytest.approx(roads.length.sum() / 1000, abs=0.5)
    assert components["length_km"].is_monotonic_decreasing
    assert len(snaps) and (snaps["gap_m"] <= SHIPPED_SNAP_M).all()
    assert ((snaps["from_ref"] == "QL1A") & (snaps["to_ref"] == "QL1A") & snaps["gap_m"].between(2, 4)).any()


def test_crossing_lines_are_noded_only_when_asked():
    """Hand-made: a cross of two 2 km lines and a line ending 30 m short of the cross's arm."""
    lines = gpd.GeoSeries(
        [
            LineString([(0, 0), (2000, 0)]),
            LineString([(1000, -1000), (1000, 1000)]),
            LineString([(1500, 30), (1500, 500)]),
        ],
        crs=9213,
    )
    assert road_components(lines).nunique() == 3
    assert road_components(lines, node_crossings=True).tolist() == [0, 0, 1]
    assert road_components(lines, node_crossings=True, snap_m=50).nunique() == 1
    assert road_components(lines, node_crossings=True, snap_m=20).nunique() == 2  # 30 m is beyond 20 m
    edges = node_network(lines, snap_m=50, node_crossings=True)
    assert edges["snapped"].sum() == 1 and edges.loc[edges["snapped"], "gap_m"].iloc[0] == pytest.approx(30)
    # the cross is cut into 4 arms and the horizontal line again at the snap point: 5 + the spur + 1 connector
    assert len(edges) == 7
    assert edges.length.sum() == pytest.approx(2000 + 2000 + 470 + 30)
    # from the spur's top to the vertical line's bottom: 470 + 30 + 500 + 1000 by hand
    graph, table = road_graph(lines, snap_m=50, node_crossings=True)
    metres, _ = _route(graph, table, Point(1500, 500), Point(1000, -1000))
    assert metres == pytest.approx(470 + 30 + 500 + 1000)
