"""Web and print maps without a browser: data in popups, offline assets, escaping, API, CLI, print files."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pytest

from tests.helpers.tools import require_module

require_module("folium")

from geozones import maps
from geozones.analysis.sites import enrich_sites
from geozones.maps.data import feature_collection
from tests.helpers.mapdata import planner_scenario, synthetic_infrastructure
from tests.helpers.zonefactory import CHO_MOI, bac_kan_squares, square

XSS = "<script>alert(1)</script>"


def _features_by_id(fc):
    return {f["properties"]["id"]: f for f in fc["features"]}


def test_popup_data_has_mapped_area_phases_and_available_land():
    zones = bac_kan_squares()  # 100, 25 and 4 ha squares drawn in EPSG:9213
    zones["zone_group"] = ["G", "G", "H"]
    zones["phase"] = ["I", "II", None]
    zones["occupancy_pct"] = [40.0, None, 100.0]
    props = {k: f["properties"] for k, f in _features_by_id(feature_collection(enrich_sites(zones))).items()}
    assert props["z0"]["area_mapped_ha"] == pytest.approx(100.0, abs=0.01)
    assert props["z1"]["area_mapped_ha"] == pytest.approx(25.0, abs=0.01)
    assert props["z0"]["phases"] == "I, II" and props["z1"]["phases"] == "I, II"
    assert props["z2"]["phases"] is None
    assert props["z0"]["available_ha"] == pytest.approx(60.0)  # 100 ha published, 40 % occupied
    assert props["z1"]["available_ha"] is None  # occupancy unknown: nothing invented
    assert props["z2"]["available_ha"] == pytest.approx(0.0)


def test_geometry_is_wgs84_lon_lat_at_the_map_edge():
    zones = bac_kan_squares().to_crs(9213)
    fc = feature_collection(zones)
    lon, lat = fc["features"][0]["geometry"]["coordinates"][0][0]
    assert 105.7 < lon < 105.9 and 21.8 < lat < 22.0  # Chợ Mới, not metres


def test_distance_columns_are_shown_when_present_and_omitted_when_absent(monkeypatch):
    zones = bac_kan_squares()
    zones["dist_highway_m"] = [1200.0, 3400.0, np.nan]
    zones["nearest_highway"] = ["QL3", "QL3", None]
    props = _features_by_id(feature_collection(enrich_sites(zones)))["z0"]["properties"]
    assert props["dist_highway_m"] == 1200.0 and props["nearest_highway"] == "QL3"
    plain = _features_by_id(feature_collection(enrich_sites(bac_kan_squares())))["z0"]["properties"]
    assert "dist_highway_m" not in plain
    html = maps.render_html(maps.investor_map(bac_kan_squares(), lang="en"))
    assert '"dist_highway_m":' not in html


def test_standalone_html_has_no_external_scripts_or_styles():
    html = maps.render_html(maps.investor_map(bac_kan_squares(), lang="vi"))
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+stylesheet", html)
    assert "geozones-static:" not in html
    assert "L.Control.Search" in html and "L.Control.Measure" in html and "fullscreen" in html.lower()
    assert "data:image/png;base64" in html  # the layer-control icon from leaflet.css, inlined


def test_served_html_links_assets_under_maps_static():
    html = maps.render_html(maps.investor_map(bac_kan_squares()), "/maps/static")
    assert '<script src="/maps/static/leaflet/leaflet.js"></script>' in html
    assert '<link rel="stylesheet" href="/maps/static/leaflet/leaflet.css"/>' in html
    links = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert links == [], links


def test_attribute_values_never_appear_as_markup():
    zones = bac_kan_squares()
    zones["investor"] = XSS
    zones["name"] = ["<img src=x onerror=alert(2)>", "a & b", "</script><script>alert(3)</script>"]
    html = maps.render_html(maps.investor_map(zones, lang="en"))
    assert XSS not in html and "<img src=x" not in html and "</script><script>alert(3)" not in html
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in html  # carried as JSON text


def test_api_mode_page_embeds_no_zones():
    zones = bac_kan_squares()
    zones["investor"] = "Công ty Nhúng"
    html = maps.render_html(maps.investor_map(zones, mode="api", data_url="/collections/zones/items?f=json"))
    assert "Công ty Nhúng" not in html and "/collections/zones/items?f=json" in html


def test_bad_arguments_raise_value_errors():
    with pytest.raises(ValueError, match="lang"):
        maps.investor_map(bac_kan_squares(), lang="fr")
    with pytest.raises(ValueError, match="mode"):
        maps.investor_map(bac_kan_squares(), mode="tiles")
    with pytest.raises(ValueError, match="data_url"):
        maps.investor_map(bac_kan_squares(), mode="api")


# -- planner -------------------------------------------------------------------------------


def test_scenario_changes_per_zone():
    scenario, baseline = planner_scenario()
    table = maps.scenario_changes(scenario, baseline).set_axis(scenario["id"])
    assert list(table["change"]) == ["changed", "unchanged", "new"]
    assert table.loc["z0", "baseline_area_ha"] == pytest.approx(100, abs=0.05)
    assert table.loc["z0", "change_ha"] == pytest.approx(50, abs=0.05)
    assert table.loc["z0", "new_land_ha"] == pytest.approx(50, abs=0.05)
    assert table.loc["z0", "baseline_status"] == "planned"
    assert np.isnan(table.loc["z1", "new_land_ha"]) and table.loc["z1", "change_ha"] == pytest.approx(0, abs=0.01)
    assert table.loc["n1", "new_land_ha"] == pytest.approx(25, abs=0.05)


def test_planner_map_with_exclusion_and_suitability_raster(tmp_path):
    rasterio = require_module("rasterio")
    from rasterio.transform import from_origin

    scenario, baseline = planner_scenario()
    path = tmp_path / "suitability.tif"
    values = np.arange(100, dtype="float32").reshape(10, 10)
    values[0, 0] = -1
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=10,
        height=10,
        count=1,
        dtype="float32",
        crs="EPSG:9213",
        transform=from_origin(CHO_MOI[0] - 5000, CHO_MOI[1] + 5000, 1000, 1000),
        nodata=-1,
    ) as dst:
        dst.write(values, 1)
    forest = gpd.GeoDataFrame({"name": ["Rừng phòng hộ"]}, geometry=[square(CHO_MOI, 800, dx=-3000)], crs=9213)
    html = maps.render_html(
        maps.planner_map(scenario, baseline, exclusions={"forest": forest}, suitability=path, lang="en")
    )
    assert "data:image/png;base64" in html and "Exclusion: forest" in html
    assert "Suitability: 1 (low) – 99 (high)" in html  # nodata -1 left out
    assert "gz-new-land" in html and '"change":"new"' in html


# -- print maps ------------------------------------------------------------------------------


def _hex(color):
    return np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)])


def test_png_print_map_size_and_status_colours(tmp_path):
    import matplotlib.image as mpimg

    from geozones.io.style import STATUS_COLORS

    zones = bac_kan_squares(sides_m=(3000.0, 2000.0))
    zones["status"] = ["operating", "site_clearance"]
    out = maps.print_map(zones, tmp_path / "map.png", title="Test", figsize=(8, 6), dpi=100, lang="en")
    pixels = (mpimg.imread(out)[..., :3] * 255).round().astype(int)
    assert pixels.shape[:2] == (600, 800)
    for status in ("operating", "site_clearance"):
        hits = (np.abs(pixels - _hex(STATUS_COLORS[status])).max(axis=2) <= 2).sum()
        assert hits > 200, status
    assert (np.abs(pixels - _hex(STATUS_COLORS["under_construction"])).max(axis=2) <= 2).sum() == 0


def test_pdf_print_map_is_one_page(tmp_path):
    out = maps.print_map(bac_kan_squares(), tmp_path / "map.pdf")
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", data)) == 1


def test_print_map_rejects_other_extensions(tmp_path):
    with pytest.raises(ValueError, match="png or .pdf"):
        maps.print_map(bac_kan_squares(), tmp_path / "map.svg")


def test_scale_bar_lengths_are_round():
    from geozones.maps.printmap import nice_length

    assert nice_length(50_000) == 10_000 and nice_length(12_000) == 2_000 and nice_length(4_000) == 500


# -- API and CLI ---------------------------------------------------------------------------


@pytest.fixture
def client(store):
    require_module("fastapi")
    from fastapi.testclient import TestClient

    from geozones.api.app import create_app
    from geozones.api.settings import Settings

    return TestClient(create_app(Settings(store=store.path), store=store))


def test_api_serves_investor_map_html_and_assets(client, shipped_zones):
    page = client.get("/maps/zones", params={"lang": "en"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Industrial zones" in page.text
    for src in re.findall(r'<script src="([^"]+)"', page.text) + re.findall(r'stylesheet" href="([^"]+)"', page.text):
        asset = client.get(src)
        assert asset.status_code == 200, src
    vi = client.get("/maps/zones").text
    assert "Khu, cụm công nghiệp" in vi


def test_api_mode_page_is_small_and_attributes_are_served(client, shipped_zones):
    embed = client.get("/maps/zones", params={"mode": "embed"}).text
    api = client.get("/maps/zones", params={"mode": "api"}).text
    assert "/collections/zones/items?f=json\\u0026limit=" in api and len(api) < len(embed)
    extras = client.get("/maps/investor/attributes").json()
    polygon = shipped_zones[shipped_zones.geometry.notna()].iloc[0]
    from geozones.area import area_ha

    expected = area_ha(shipped_zones.loc[[polygon.name]]).iloc[0]
    assert extras[polygon["id"]]["area_mapped_ha"] == pytest.approx(expected, abs=0.01)


def test_api_rejects_bad_parameters_and_paths(client):
    assert client.get("/maps/zones", params={"lang": "fr"}).status_code == 400
    assert client.get("/maps/zones", params={"mode": "tiles"}).status_code == 400
    assert client.get("/maps/static/../../api/app.py").status_code == 404
    assert client.get("/maps/static/leaflet/nope.js").status_code == 404
    missing = client.get("/maps/scenario/nope")
    assert missing.status_code == 404 and "nope" in missing.json()["description"]


def test_api_serves_a_scenario_map(client, store):
    scenario = store.zones()
    scenario = scenario[scenario.geometry.notna()].head(3).copy()
    scenario.loc[scenario.index[0], "status"] = "retired"  # no shipped zone is retired
    store.write_layer("scenario_demo", scenario)
    page = client.get("/maps/scenario/demo", params={"lang": "en"})
    assert page.status_code == 200 and "Planning scenario" in page.text and '"change":"changed"' in page.text


def test_cli_exports_standalone_map_and_print_maps(tmp_path, store):
    from typer.testing import CliRunner

    from geozones.cli import app

    runner = CliRunner()
    out = tmp_path / "map.html"
    result = runner.invoke(app, ["--store", str(store.path), "map", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "<script src=" not in out.read_text(encoding="utf-8")
    png = tmp_path / "map.png"
    result = runner.invoke(app, ["--store", str(store.path), "printmap", str(png), "--title", "Báo cáo", "--dpi", "60"])
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert runner.invoke(app, ["--store", str(store.path), "printmap", str(tmp_path / "x.svg")]).exit_code == 2
    assert (
        runner.invoke(
            app, ["--store", str(store.path), "map", str(tmp_path / "m.html"), "--scenario", "nope"]
        ).exit_code
        == 2
    )


def test_infrastructure_layers_appear_in_the_layer_control_only_when_present(tmp_path):
    with_layers = maps.render_html(maps.investor_map(bac_kan_squares(), layers=synthetic_infrastructure(), lang="en"))

    def in_control(label, html):  # the LayerControl lists layers as "label" : js_variable
        return re.search(re.escape(f'"{label}"') + r"\s*:\s*\w+,", html) is not None

    for label in ("Roads", "Power grid", "Destinations (border gates, towns)"):
        assert in_control(label, with_layers)
    assert "QL3 \\u003ci\\u003ethử\\u003c/i\\u003e" in with_layers and "<i>thử" not in with_layers
    without = maps.render_html(maps.investor_map(bac_kan_squares(), layers={}, lang="en"))
    assert not in_control("Roads", without) and not in_control("Power grid", without)
    out = maps.print_map(bac_kan_squares(), tmp_path / "infra.png", layers=synthetic_infrastructure(), dpi=50)
    assert out.stat().st_size > 0


ODM_LINE = "Open Development Vietnam (Open Development Mekong) / Department of Survey and Mapping"


def test_map_html_and_print_footer_carry_the_data_attribution(tmp_path, built_store):
    """Acceptance (issue 10): the CC BY-SA attribution travels into the web map and the print map."""
    from geozones.maps.printmap import footer_lines
    from geozones.store import store_layers

    layers = store_layers(built_store)
    html = maps.render_html(maps.investor_map(built_store.zones(), layers=layers, lang="vi"))
    assert "attributionControl.addAttribution" in html and ODM_LINE in html and "LegoCity" in html
    source, credit = footer_lines(built_store.zones(), layers, "en", "VN-2000 / UTM zone 48N", "2026-11-30")
    assert ODM_LINE in credit and "CC BY-SA 4.0" in credit and credit.startswith("Data: ")
    # sources by publisher, title and date (issue 23), never the project's file names
    assert "Báo Bắc Kạn, “Bắc Kạn thu hút nguồn lực phát triển công nghiệp" in source and "2026-11-30" in source
    assert "seed:" not in source and "facts.md" not in source
    assert footer_lines(built_store.zones(), {}, "en", "x", "y")[1] == ""  # nothing drawn, nothing to credit
    png = maps.print_map(built_store.zones(), tmp_path / "real.png", layers=layers, dpi=40)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_print_map_crs_note_is_vn2000_tm3_not_utm(built_store):
    """Issue 23: both provinces' zones used to be drawn and labelled in "VN-2000 / UTM zone 48N"."""
    from geozones.maps.printmap import crs_note, print_crs

    zones = built_store.zones()
    crs = print_crs(zones)
    assert crs.to_epsg() in (9213, 9215)
    note = crs_note(crs, "en")
    assert "UTM" not in note and "EPSG:9213" in note and "EPSG:9215" in note
    bac_kan = zones[zones["province_pre2025"] == "Bắc Kạn"]
    assert print_crs(bac_kan).to_epsg() == 9213
