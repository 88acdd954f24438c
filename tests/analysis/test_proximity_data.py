"""Shipped infrastructure layers, the zone proximity table, user layers, the CLI and the benchmark script."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from pyproj import Geod
from shapely.geometry import LineString, Point

from geozones.analysis.proximity import infrastructure_distances
from geozones.errors import EmptyLayerError, GeometryError, MissingCRSError
from geozones.store import load_infrastructure
from tests.helpers import published

ROOT = Path(__file__).resolve().parents[2]
FACTS = ROOT.parent / "shared" / "facts.md"
INFRA = ROOT / "data" / "infrastructure"
#: facts.md "Approximate places" used below, typed in (lat, lon).
PROVINCIAL_SEAT = (22.161, 105.831)
HUYEN_TUNG = (22.172, 105.836)
BORDER_GATE = (21.971, 106.715)


@pytest.fixture(scope="module")
def infra(built_store):
    return load_infrastructure(built_store)


@pytest.fixture(scope="module")
def table(built_store, infra):
    zones = built_store.zones()
    return zones, infrastructure_distances(zones, infra)


def test_shipped_layers_have_provenance(infra):
    assert set(infra) == {"roads", "power", "destinations"}
    facts = FACTS.read_text(encoding="utf-8") if FACTS.exists() else None
    for layer in infra.values():
        assert len(layer) and layer.crs.to_epsg() == 4326
        assert layer["id"].is_unique
        assert set(layer["geometry_quality"]) <= {"as_published", "approximate"}
        assert layer["location_basis"].str.len().gt(40).all()
        gap = layer["gap_fill"].fillna(False).astype(bool) if "gap_fill" in layer.columns else layer["id"].isna()
        assert (layer.loc[gap, "geometry_quality"] == "approximate").all()
        assert layer.loc[gap & (layer["class"] != "city"), "location_basis"].str.startswith("GAP FILL").all()
        for sources in layer["sources"]:
            for token in [t.strip() for t in sources.split(";")]:
                assert token.startswith(("seed:", "facts.md: ", "realdata:"))
                if token.startswith("facts.md: ") and facts is not None:
                    assert token[len("facts.md: ") :] in facts, token
    roads = infra["roads"]
    # the national roads, from the real layer
    assert {"QL1A", "QL1B", "QL3", "QL4A", "QL4B", "QL2", "QL18", "QL34"} <= set(roads["ref"].dropna())
    assert set(roads["class"]) == {"national_highway", "provincial_road"}
    assert roads["licence"].str.contains("PROVISIONAL").sum() == len(roads) - 1  # all but the QL1A gap fill
    substation = infra["power"].iloc[0]
    assert substation["class"] == "substation" and substation["voltage_kv"] == 110
    assert set(infra["destinations"]["id"]) == {
        "bac_kan_city",
        "thai_nguyen_city",
        "lang_son_city",
        "huu_nghi_border_gate",
        "dong_dang_station",
    }


def test_zone_table_columns_and_measured_from(table):
    zones, result = table
    assert result.index.equals(zones.index)
    for column in (
        "measured_from",
        "dist_highway_m",
        "nearest_highway",
        "dist_substation_m",
        "nearest_substation",
        "substation_note",
        "dist_border_gate_m",
        "road_km_bac_kan_city",
        "road_h_bac_kan_city",
        "reachable_bac_kan_city",
        "straight_km_bac_kan_city",
        "road_km_huu_nghi_border_gate",
        "reachable_huu_nghi_border_gate",
        "road_km_thai_nguyen_city",
        "road_km_lang_son_city",
        "nearest_station",
        "road_km_nearest_station",
        "straight_km_nearest_station",
    ):
        assert column in result.columns
    has_polygon = zones.geometry.notna().to_numpy()
    has_site = zones["site_lon"].notna().to_numpy()
    expected = np.where(has_polygon, "edge", np.where(has_site, "site point", "none"))
    assert (result["measured_from"].to_numpy() == expected).all()
    none = result["measured_from"] == "none"
    assert result.loc[none, "dist_highway_m"].isna().all() and not result.loc[none, "reachable_bac_kan_city"].any()


def test_site_point_distance_matches_geodesic(table):
    """A zone without polygon is measured from its site point: compare with the ellipsoidal distance."""
    zones, result = table
    row = zones.index[zones["id"] == "bk-ccn-huyen-tung"][0]
    assert result.loc[row, "measured_from"] == "site point"
    site = (zones.loc[row, "site_lat"], zones.loc[row, "site_lon"])
    assert site == HUYEN_TUNG
    geodesic = Geod(ellps="WGS84").inv(site[1], site[0], PROVINCIAL_SEAT[1], PROVINCIAL_SEAT[0])[2]
    # TM-3 scale error near the central meridian is well under 0.1 %
    assert result.loc[row, "dist_substation_m"] == pytest.approx(geodesic, rel=1e-3)
    assert result.loc[row, "straight_km_bac_kan_city"] * 1000 == pytest.approx(geodesic, rel=1e-3)
    gate = Geod(ellps="WGS84").inv(site[1], site[0], BORDER_GATE[1], BORDER_GATE[0])[2]
    assert result.loc[row, "dist_border_gate_m"] == pytest.approx(gate, rel=2e-3)
    assert result.loc[row, "straight_km_huu_nghi_border_gate"] * 1000 == pytest.approx(gate, rel=2e-3)
    assert result.loc[row, "nearest_highway"] == "QL3"
    # on the real, winding road the trip is longer than the straight line, access legs included
    assert result.loc[row, "road_km_bac_kan_city"] * 1000 > geodesic
    assert result.loc[row, "road_km_huu_nghi_border_gate"] * 1000 > gate


def test_every_located_zone_reaches_every_destination_and_road_beats_no_straight_line(table):
    zones, result = table
    located = result["measured_from"] != "none"
    for key in ("bac_kan_city", "thai_nguyen_city", "lang_son_city", "huu_nghi_border_gate", "dong_dang_station"):
        assert result.loc[located, f"reachable_{key}"].all(), key
        road, straight = result.loc[located, f"road_km_{key}"], result.loc[located, f"straight_km_{key}"]
        assert (road >= straight - 1e-9).all(), key  # never shorter than the straight line
        hours = result.loc[located, f"road_h_{key}"]
        assert (hours > road / 100).all() and (hours < road / 10).all()  # assumed speeds are 25-80 km/h
    assert (result.loc[located, "nearest_station"] == "Ga Đồng Đăng").all()  # the only located station


def test_substations_are_never_taken_from_another_province(table):
    """Only Bắc Kạn's 110 kV substation is known: Lạng Sơn zones get 'no data', never a 90 km figure."""
    zones, result = table
    located = result["measured_from"] != "none"
    lang_son = located & (zones["province_pre2025"] == "Lạng Sơn")
    bac_kan = located & (zones["province_pre2025"] == "Bắc Kạn")
    thai_nguyen = located & (zones["province_pre2025"] == "Thái Nguyên")
    # every zone has a site point except the unlocated export processing zone (tests/helpers/published.py)
    assert lang_son.sum() == published.count(province_pre2025="Lạng Sơn") - 1 == 8
    assert bac_kan.sum() == published.count(province_pre2025="Bắc Kạn") == 14
    assert thai_nguyen.sum() == 14 and result.loc[thai_nguyen, "dist_substation_m"].isna().all()
    assert (result.loc[thai_nguyen, "substation_note"] == "no data: no substation of Thái Nguyên is known").all()
    assert result.loc[lang_son, "dist_substation_m"].isna().all()
    assert result.loc[lang_son, "nearest_substation"].isna().all()
    assert (result.loc[lang_son, "substation_note"] == "no data: no substation of Lạng Sơn is known").all()
    assert (result.loc[bac_kan, "nearest_substation"] == "Trạm biến áp 110 kV Bắc Kạn").all()
    assert (result.loc[bac_kan, "substation_note"] == "same province (Bắc Kạn)").all()


def test_user_layers_any_crs_and_osm_tags(tmp_path, built_store):
    """An OpenStreetMap-style export in VN-2000 / TM-3 (Lạng Sơn) replaces the shipped roads and grid."""
    to_tm3 = lambda geoms: gpd.GeoSeries(geoms, crs=4326).to_crs(9215)  # noqa: E731
    roads = gpd.GeoDataFrame(
        {"osm_id": ["w1", "w2"], "highway": ["trunk", "secondary"], "ref": ["QL1A", None], "name": ["A", "B"]},
        geometry=to_tm3([LineString([(106.30, 21.40), (106.80, 22.00)]), LineString([(105.7, 21.8), (105.9, 22.3)])]),
    )
    power = gpd.GeoDataFrame(
        {
            "osm_id": ["n1", "n2"],
            "power": ["substation", "substation"],
            "voltage": ["110000;22000", "35000"],
            "name": ["TBA 110", "TBA 35"],
        },
        geometry=to_tm3([Point(105.84, 22.15), Point(105.81, 21.93)]),
    )
    paths = {"roads": tmp_path / "roads.gpkg", "power": tmp_path / "power.gpkg"}
    pyogrio.write_dataframe(roads, paths["roads"])
    pyogrio.write_dataframe(power, paths["power"])
    infra = load_infrastructure({**paths, "destinations": built_store.layer("infrastructure_destinations")})
    assert infra["roads"].crs.to_epsg() == 9215
    assert list(infra["roads"]["class"]) == ["national_highway", "provincial_road"]
    assert list(infra["power"]["voltage_kv"]) == [110.0, 35.0]
    zones = built_store.zones()
    result = infrastructure_distances(zones, infra)
    assert (result["nearest_substation"].dropna() == "TBA 110").all()
    assert (result["nearest_highway"].dropna() == "QL1A").all()


def test_loader_rejects_bad_layers(tmp_path, built_store):
    no_crs = gpd.GeoDataFrame({"id": ["a"]}, geometry=[LineString([(0, 0), (1, 1)])])
    with pytest.raises(MissingCRSError):
        load_infrastructure({"roads": no_crs})
    with pytest.raises(EmptyLayerError):
        load_infrastructure({"roads": no_crs.set_crs(9213).iloc[:0]})
    broken = gpd.GeoDataFrame(
        {"id": ["p"]}, geometry=gpd.GeoSeries.from_wkt(["POLYGON ((0 0, 10 10, 10 0, 0 10, 0 0))"]), crs=9213
    )
    with pytest.raises(GeometryError, match="invalid"):
        load_infrastructure({"power": broken})
    with pytest.raises(KeyError, match="railways"):
        load_infrastructure({"railways": no_crs})


def test_cli_prints_and_writes(tmp_path, built_store):
    from typer.testing import CliRunner

    from geozones.cli import app

    csv, gpkg = tmp_path / "p.csv", tmp_path / "p.gpkg"
    result = CliRunner().invoke(
        app,
        ["--store", str(built_store.path), "proximity", "--csv", str(csv), "--gpkg", str(gpkg)],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "bk-ccn-huyen-tung" in result.output and "QL3" in result.output
    assert "connected component" in result.output and "snapped within 1000 m" in result.output
    table = pd.read_csv(csv)
    assert len(table) == len(built_store.zones()) and "road_km_bac_kan_city" in table.columns
    layer = pyogrio.read_dataframe(gpkg, layer="proximity")
    assert len(layer) == len(table) and "dist_highway_m" in layer.columns
    bad = CliRunner().invoke(app, ["--store", str(built_store.path), "proximity", "--speed", "fast"])
    assert bad.exit_code == 2


def test_benchmark_script_runs_small(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "proximity.py"),
            "--parcels",
            "2000",
            "--roads",
            "800",
            "--repeat",
            "1",
            "--no-memory",
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert '"distances_equal": true' in out
