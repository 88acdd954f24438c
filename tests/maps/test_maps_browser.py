"""The web maps in real headless Chromium (Debian ``chromium``): drawn shapes, popups, no errors, no XSS."""

from __future__ import annotations

import socket
import threading
import time

import geopandas as gpd
import pytest

from tests.helpers.tools import require_module

require_module("folium")

from geozones import maps
from geozones.analysis.proximity import infrastructure_distances
from geozones.analysis.sites import enrich_sites
from geozones.store import load_infrastructure, store_layers
from tests.helpers.browser import RecordingPage, launched_chromium
from tests.helpers.mapdata import planner_scenario, synthetic_infrastructure
from tests.helpers.zonefactory import bac_kan_squares

pytestmark = pytest.mark.browser

XSS = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def browser():
    yield from launched_chromium()


class Session(RecordingPage):
    """A recording page on the zone maps, with helpers to count and click zones."""

    def __init__(self, browser):
        super().__init__(browser.new_page(viewport={"width": 1200, "height": 800}))

    def zone_count(self) -> int:
        return self.page.locator("path.gz-zone").count()

    def click_zone(self, zone_id: str) -> str:
        """Zoom to a zone, click it with the mouse, return the popup text."""
        x, y = self.page.evaluate(
            """(id) => {
            const layer = geozones.zoneLayers[geozones.zoneLayers.length - 1];
            let target = null;
            layer.eachLayer(l => { if (l.feature.properties.id === id) target = l; });
            const map = layer._map;
            map.closePopup();
            const centre = target.getLatLng ? target.getLatLng() : target.getBounds().getCenter();
            map.setView(centre, 14, {animate: false});
            const p = map.latLngToContainerPoint(centre), box = map.getContainer().getBoundingClientRect();
            return [p.x + box.left, p.y + box.top];
        }""",
            zone_id,
        )
        self.page.wait_for_function("document.querySelectorAll('.leaflet-popup').length === 0")
        self.hit = self.page.evaluate(
            "([x, y]) => { const e = document.elementFromPoint(x, y); return e && (e.tagName + ' ' + e.getAttribute('class')); }",
            [x, y],
        )
        self.page.mouse.click(x, y)
        popup = self.page.locator(".leaflet-popup-content")
        try:
            popup.wait_for(timeout=5_000)
        except Exception as exc:
            raise AssertionError(f"no popup for {zone_id}; element under the click: {self.hit}") from exc
        return popup.inner_text()

    def close(self):
        self.page.close()


def _drawable(zones: gpd.GeoDataFrame) -> int:
    """Zones with a polygon, or without one but with a site point (drawn as a marker)."""
    polygon = zones.geometry.notna() & ~zones.geometry.is_empty
    point = zones["site_lon"].notna() & zones["site_lat"].notna()
    return int((polygon | point).sum())


def test_investor_map_draws_every_zone_and_opens_popups(browser, built_store, tmp_path):
    zones = built_store.zones()
    out = tmp_path / "investor.html"
    layers = {**store_layers(built_store), **synthetic_infrastructure()}
    enriched = enrich_sites(zones, load_infrastructure(built_store))
    out.write_text(maps.render_html(maps.investor_map(enriched, layers=layers, lang="en")), encoding="utf-8")
    s = Session(browser).open(out.as_uri())
    try:
        assert s.zone_count() == _drawable(zones)
        controls = s.page.locator(".leaflet-control-layers-overlays").inner_text()
        assert "Roads" in controls and "Power grid" in controls and "District boundaries" in controls
        polygon = zones[zones.geometry.notna() & zones["area_published_ha"].notna()].iloc[0]
        text = s.click_zone(polygon["id"])
        assert polygon["name"] in text and "Mapped area" in text and "Approximate geometry" in text
        assert f"{polygon['area_published_ha']:g} ha" in text.replace(",", "")
        near = infrastructure_distances(zones.loc[[polygon.name]], load_infrastructure(built_store))
        shown = f"{near['dist_highway_m'].iloc[0] / 1000:,.1f}".removesuffix(".0")  # as the popup's toLocaleString
        assert f"To highway\t{shown} km" in text
        located = zones[zones.geometry.isna() & zones["site_lon"].notna()].iloc[0]
        text = s.click_zone(located["id"])
        assert located["name"] in text and "Location only" in text
        shot = tmp_path / "investor.png"
        s.page.screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000
        assert s.errors == [] and s.external == []
    finally:
        s.close()


def test_search_finds_a_zone_by_ascii_name(browser, built_store, tmp_path):
    zones = built_store.zones()
    # a name without parentheses: the search plugin reads the typed text as a pattern (see the issue-21 report)
    target = zones[zones.geometry.notna() & ~zones["name"].str.contains("(", regex=False)].iloc[-1]
    out = tmp_path / "search.html"
    out.write_text(maps.render_html(maps.investor_map(zones, lang="vi")), encoding="utf-8")
    s = Session(browser).open(out.as_uri())
    try:
        s.page.locator(".leaflet-control-search .search-button").click()
        s.page.locator(".leaflet-control-search input.search-input").press_sequentially(target["name_ascii"], delay=20)
        s.page.locator(".leaflet-control-search .search-tip", has_text=target["name"]).first.click(timeout=10_000)
        popup = s.page.locator(".leaflet-popup-content")
        popup.wait_for(timeout=5_000)
        assert target["name"] in popup.inner_text()
        assert s.errors == []
    finally:
        s.close()


def test_injected_script_renders_as_text_and_never_runs(browser, tmp_path):
    zones = bac_kan_squares()
    zones["investor"] = XSS
    zones["name"] = ['<img src=x onerror="window.__xss=1">', "</script><script>window.__xss=2</script>", "ok"]
    zones["location_basis"] = "<b onmouseover=alert(3)>x</b>"
    out = tmp_path / "xss.html"
    out.write_text(maps.render_html(maps.investor_map(zones, lang="en")), encoding="utf-8")
    s = Session(browser).open(out.as_uri())
    try:
        assert s.zone_count() == 3
        text = s.click_zone("z0")
        assert XSS in text and '<img src=x onerror="window.__xss=1">' in text
        s.page.mouse.move(10, 400)
        assert s.page.evaluate("window.__xss === undefined")
        assert s.page.locator(".leaflet-popup-content script, .leaflet-popup-content img").count() == 0
        assert s.dialogs == [] and s.errors == []
    finally:
        s.close()


def test_planner_map_hatches_new_land_and_shows_changes(browser, tmp_path):
    scenario, baseline = planner_scenario()
    out = tmp_path / "planner.html"
    out.write_text(maps.render_html(maps.planner_map(scenario, baseline, lang="en")), encoding="utf-8")
    s = Session(browser).open(out.as_uri())
    try:
        assert s.zone_count() == 3
        assert s.page.locator("path.gz-new-land").count() == 2  # z0's extension and the new zone n1
        text = s.click_zone("z0")
        assert "Changed" in text and "+50 ha" in text and "New land" in text
        s.page.screenshot(path=str(tmp_path / "planner.png"))
        assert s.errors == []
    finally:
        s.close()


# -- loaded from the API -----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_server(store):
    uvicorn = require_module("uvicorn")
    from geozones.api.app import create_app
    from geozones.api.settings import Settings

    app = create_app(Settings(store=store.path), store=store)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_api_loaded_map_fetches_zones_and_attributes(browser, live_server, store):
    zones = store.zones()
    s = Session(browser).open(f"{live_server}/maps/zones?mode=api&lang=en")
    try:
        assert s.zone_count() == _drawable(zones)
        polygon = zones[zones.geometry.notna()].iloc[0]
        text = s.click_zone(polygon["id"])
        assert polygon["name"] in text and "Mapped area" in text  # merged from /maps/investor/attributes
        assert s.errors == [] and s.external == []
    finally:
        s.close()


def test_served_investor_and_scenario_pages_load_their_assets(browser, live_server, store):
    scenario = store.zones()
    store.write_layer("scenario_demo", scenario[scenario.geometry.notna()].head(2))
    for path in ("/maps/zones?lang=vi", "/maps/scenario/demo?lang=en"):
        s = Session(browser).open(live_server + path)
        try:
            assert s.zone_count() > 0 and s.errors == [] and s.external == []
            assert s.page.evaluate("typeof L.Control.Search === 'function' && typeof L.Control.Measure === 'function'")
        finally:
            s.close()


def test_benchmark_script_runs_at_tiny_size(browser):
    import importlib.util

    from tests.helpers.tools import ROOT

    spec = importlib.util.spec_from_file_location("bench_maps", ROOT / "benchmarks" / "maps.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    rows = bench.run([4], repeat=1, browser=browser)
    assert rows[0]["zones"] == 4 and rows[0]["api_page_kib"] < rows[0]["embed_kib"]
    assert "| 4 |" in bench.markdown(rows, 1)


def test_tools_and_offline_osm_layer_do_not_break_the_map(browser, tmp_path):
    out = tmp_path / "tools.html"
    out.write_text(maps.render_html(maps.investor_map(bac_kan_squares(), lang="en")), encoding="utf-8")
    s = Session(browser).open(out.as_uri())
    try:
        box = s.page.locator(".leaflet-control-measure-toggle").bounding_box()
        s.page.mouse.move(box["x"] + 5, box["y"] + 5)  # the measure control opens on hover
        s.page.locator(".leaflet-control-measure .js-start").click(timeout=5_000)
        s.page.mouse.click(600, 300), s.page.mouse.click(700, 400)  # two measure points
        assert "m" in s.page.locator(".leaflet-control-measure .js-results").inner_text()
        s.page.locator(".leaflet-control-measure .js-cancel").click(timeout=5_000)
        s.page.locator(".leaflet-control-layers-base label", has_text="OpenStreetMap").click()
        s.page.wait_for_timeout(500)
        assert any("tile.openstreetmap.org" in url for url in s.external)  # tried, and blocked here
        s.page.locator(".leaflet-control-layers-base label", has_text="Plain background").click()
        assert "Cụm công nghiệp Thử 1" in s.click_zone("z1")
        page_errors = [e for e in s.errors if "Failed to load resource" not in e]
        assert page_errors == []
    finally:
        s.close()


def test_scenario_map_of_a_shipped_scenario_run(browser, live_server, store):
    """`geozones scenario run` (issue 4) writes scenario_bac_kan_2030; its planner map loads and shows changes."""
    from typer.testing import CliRunner

    from geozones.cli import app
    from tests.helpers.tools import ROOT

    plan = ROOT / "scenarios" / "bac-kan-2030.yaml"
    assert plan.exists(), "the shipped scenario scenarios/bac-kan-2030.yaml is missing"
    result = CliRunner().invoke(app, ["--store", str(store.path), "scenario", "run", str(plan)])
    assert result.exit_code == 0, result.output
    scenario = store.layer("scenario_bac_kan_2030")
    added = scenario[~scenario["id"].isin(store.zones()["id"]) & scenario.geometry.notna()]
    s = Session(browser).open(f"{live_server}/maps/scenario/bac-kan-2030?lang=en")
    try:
        assert s.zone_count() == _drawable(scenario)
        if len(added):
            text = s.click_zone(added["id"].iloc[0])
            assert "New zone" in text and "New land" in text
        assert s.errors == [] and s.external == []
    finally:
        s.close()


def test_investor_map_on_the_real_layers_shows_outlines_roads_travel_and_attribution(browser, built_store, tmp_path):
    """Acceptance (issue 10): the shipped real boundaries and roads are drawn, the popup gives road km,
    hours and the straight line per destination, 'no data' where nothing is known, and the attribution
    control carries the CC BY-SA line."""
    zones = built_store.zones()
    layers = store_layers(built_store)
    assert {"boundaries_provinces", "boundaries_districts", "infrastructure_roads", "infrastructure_railways"} <= set(
        layers
    )
    enriched = enrich_sites(zones, load_infrastructure(built_store))
    out = tmp_path / "investor_real.html"
    out.write_text(maps.render_html(maps.investor_map(enriched, layers=layers, lang="en")), encoding="utf-8")
    s = Session(browser).open(out.as_uri())
    try:
        assert s.zone_count() == _drawable(zones)
        controls = s.page.locator(".leaflet-control-layers-overlays").inner_text()
        assert "Railways" in controls and "Province boundaries" in controls and "Border gates" in controls
        assert "Protected areas (reference points, not boundaries)" in controls and "Hydropower plants" in controls
        credit = s.page.locator(".leaflet-control-attribution").inner_text()
        assert "Open Development Vietnam (Open Development Mekong) / Department of Survey and Mapping" in credit
        assert "LegoCity" in credit
        # every road line and boundary ring is an SVG path: 67 roads, 3 + 28 boundaries, 9 railways
        assert s.page.locator("path.leaflet-interactive").count() >= 67 + 31 + 9
        text = s.click_zone("ls-kcn-dong-banh")
        assert "By road (assumed speeds)" in text and "straight line" in text
        assert "Thành phố Lạng Sơn" in text and "Cửa khẩu Hữu Nghị" in text and "Nearest railway station" in text
        assert "Hà Nội\tno data (outside the shipped road network)" in text
        assert "To substation\tno data" in text  # no Lạng Sơn substation is known: never Bắc Kạn's
        text = s.click_zone("bk-kcn-thanh-binh-1")
        assert "To substation" in text and "Trạm biến áp 110 kV Bắc Kạn" in text
        s.page.evaluate(
            "(() => { const m = geozones.zoneLayers[0]._map; m.closePopup(); "
            "m.setView([22.0, 106.2], 9, {animate: false}); })()"
        )
        shot = tmp_path / "investor_real.png"
        s.page.screenshot(path=str(shot))
        assert shot.stat().st_size > 20_000
        assert s.errors == [] and s.external == []
    finally:
        s.close()
