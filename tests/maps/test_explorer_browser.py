"""The investor site explorer in real headless Chromium (Debian ``chromium``), network blocked.

Every site listed, drawn and labelled; filters change the list and the map together; the URL
restores the state; comparison; five languages with no missing key and no missing glyph (fonts
checked through the DevTools protocol against the fonts' character maps); XSS stays text.
"""

from __future__ import annotations

import csv
import io
import subprocess
import threading
import time
from functools import cache

import pandas as pd
import pytest

from geozones.analysis.siteselect import site_table
from geozones.maps import i18n
from geozones.maps.explorer import REFERENCE_LAYERS, explorer_html
from geozones.store import load_infrastructure, store_layers
from tests.helpers.apiserver import free_port
from tests.helpers.browser import RecordingPage, launched_chromium
from tests.helpers.tools import require_module, require_tool
from tests.helpers.zonefactory import bac_kan_squares

require_module("babel")  # the catalogues are compiled with Babel

pytestmark = pytest.mark.browser

XSS = [
    '<img src=x onerror="window.__xss=1">',
    "</script><script>window.__xss=2</script>",
    "<b onmouseover=alert(3)>x</b>",
    '"><svg onload=alert(4)>',
]


@pytest.fixture(scope="module")
def browser():
    yield from launched_chromium()


class Page(RecordingPage):
    """A recording page on the explorer (downloads allowed), with helpers to read its list and state."""

    def __init__(self, browser, width: int = 1400, height: int = 1000):
        self.context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
        super().__init__(self.context.new_page())

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def listed(self) -> list[str]:
        return self.js("geozonesExplorer.listedIds()")

    def rows(self) -> list[str]:
        return self.page.locator(".gz-site").evaluate_all("rows => rows.map(r => r.dataset.id)")

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def shipped(built_store):
    zones = built_store.zones()
    return zones, site_table(zones, load_infrastructure(built_store))


@pytest.fixture(scope="module")
def page_file(built_store, shipped, tmp_path_factory):
    zones, table = shipped
    path = tmp_path_factory.mktemp("explorer") / "explorer.html"
    layers = store_layers(built_store, tuple(REFERENCE_LAYERS))
    path.write_text(explorer_html(zones, table, layers=layers, lang="en"), encoding="utf-8")
    return path


def _located(zones) -> set[str]:
    """Zones with a polygon, or without one but with a published site point."""
    polygon = zones.geometry.notna() & ~zones.geometry.is_empty
    point = zones["site_lon"].notna() & zones["site_lat"].notna()
    return set(zones.loc[polygon | point, "id"])


def test_explorer_lists_draws_and_labels_every_site(browser, shipped, page_file):
    zones, _ = shipped
    p = Page(browser).open(page_file.as_uri())
    try:
        # every site is listed; the virtual list puts only the rows in view into the DOM (37 sites since issue 21)
        assert sorted(zones["id"]) == sorted(p.listed())
        rows = p.rows()
        assert len(rows) >= 10 and rows == p.listed()[: len(rows)]
        assert p.page.locator(".gz-count").inner_text() == f"{len(zones)} of {len(zones)} sites"
        assert set(p.js("geozonesExplorer.mapIds()")) == _located(zones)
        # at province scale the labels of 33 sites are decluttered (grouped lists of at most MAX_LINES): every
        # label belongs to a drawn site; each site is labelled once zoomed to (below)
        labelled = set(p.js("geozonesExplorer.labelledIds()"))
        assert labelled and labelled <= _located(zones)
        p.js("void geozonesExplorer.map.setZoom(6)")
        assert p.js("geozonesExplorer.outlinedIds()") == []  # markers when zoomed out
        assert set(p.js("geozonesExplorer.labelledIds()")) <= _located(zones)  # decluttered at 33 sites
        # Zoomed in on a site with a polygon: its outline is drawn, and still labelled.
        target = zones[zones.geometry.notna()].iloc[0]["id"]
        p.js("id => geozonesExplorer.zoomTo(id)", target)
        assert target in p.js("geozonesExplorer.outlinedIds()") and target in p.js("geozonesExplorer.labelledIds()")
        legend = p.page.locator(".gz-legend").inner_text()
        for key in (
            "layer.provinces",
            "layer.roads",
            "layer.destinations",
            "legend.marker",
            "legend.polygon",
            "legend.location_only",
            "status.operating",
            "kind.KCX",
        ):
            assert i18n.text("en", key) in legend
        assert p.errors == [] and p.external == []
    finally:
        p.close()


def _available(zones) -> pd.Series:
    """Available land, computed here from the published figures: area x (1 - occupancy)."""
    return zones["area_published_ha"] * (1 - zones["occupancy_pct"] / 100)


def test_filters_change_list_and_map_together_and_the_url_restores_them(browser, shipped, page_file):
    zones, table = shipped
    p = Page(browser).open(page_file.as_uri())
    try:
        p.page.locator(".gz-field-kind input[value=KCN]").check()
        p.page.locator("#gz-province").select_option("pre:Bắc Kạn")
        expected = set(zones.loc[(zones["kind"] == "KCN") & (zones["province_pre2025"] == "Bắc Kạn"), "id"])
        assert expected and set(p.listed()) == set(p.rows()) == expected
        assert set(p.js("geozonesExplorer.mapIds()")) == expected & _located(zones)
        # Sort by published area, largest first (two clicks), sites without one last.
        header = p.page.locator(".gz-head .gz-c-area_published_ha")
        header.click()
        header.click()
        chosen = zones[zones["id"].isin(expected)]
        by_area = chosen.sort_values("area_published_ha", ascending=False, na_position="last")["id"].tolist()
        assert p.listed() == by_area and p.rows() == by_area
        url = p.page.url
        assert "kind=KCN" in url and "sort=area_published_ha" in url and "dir=desc" in url
        # The same link in a new page restores list, map, controls and order.
        q = Page(browser).open(url)
        try:
            assert q.listed() == by_area and set(q.js("geozonesExplorer.mapIds()")) == expected & _located(zones)
            assert q.page.locator(".gz-field-kind input[value=KCN]").is_checked()
            assert q.page.locator("#gz-province").input_value() == "pre:Bắc Kạn"
        finally:
            q.close()
        # Available land: only sites whose published figures give at least 1 ha.
        p.page.locator(".gz-reset").click()
        p.page.locator("#gz-min_available").fill("1")
        assert set(p.listed()) == set(zones.loc[_available(zones) >= 1, "id"]) == {"bk-kcn-thanh-binh-1"}
        # Road distance to a city: every listed site within 10 km by road, the others not (or unknown).
        p.page.locator(".gz-reset").click()
        p.page.locator("#gz-max_city").fill("10")
        near = set(table.loc[table["road_km_city"] <= 10, "id"])
        assert near and set(p.listed()) == near and set(p.js("geozonesExplorer.mapIds()")) == near
        assert "bk-ccn-huyen-tung" in near and "bk-kcn-thanh-binh-1" not in near  # 1.3 km / 27 km from Bắc Kạn
        assert p.js("geozonesExplorer.lastFilterMs") < 100
        assert p.errors == []
    finally:
        p.close()


def test_compare_shows_the_chosen_sites_and_downloads_csv(browser, shipped, page_file):
    zones, _ = shipped
    p = Page(browser).open(page_file.as_uri())
    try:
        ids = ["bk-kcn-thanh-binh-1", "ls-kcn-dong-banh"]
        for site in ids:  # scroll the virtual list to the row first: only rows in view are in the DOM (37 sites)
            at = p.listed().index(site)
            p.js(
                "top => { const v = document.querySelector('.gz-viewport'); v.scrollTop = top; v.dispatchEvent(new Event('scroll')); }",
                at * 30,
            )
            p.page.locator(f".gz-site[data-id='{site}'] input[type=checkbox]").check()
        p.page.locator(".gz-compare-button").click()
        table = p.page.locator("table.gz-compare")
        names = table.locator("thead th").all_inner_texts()[1:]
        assert names == [zones.loc[zones["id"] == i, "name"].iloc[0] for i in ids]
        text = table.inner_text()
        assert "73.5 ha" in text and "over 321 ha" in text and "Drive time to the nearest city (estimate)" in text
        assert "compare=bk-kcn-thanh-binh-1%2Cls-kcn-dong-banh" in p.page.url
        with p.page.expect_download() as download:
            p.page.locator(".gz-csv").click()
        rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
        assert rows[0][1:] == names and rows[1][1:] == ids
        restored = Page(browser).open(p.page.url)
        try:
            assert restored.js("geozonesExplorer.state().compare") == ids
        finally:
            restored.close()
        assert p.errors == []
    finally:
        p.close()


@cache
def _cmap(family: str) -> frozenset[int]:
    """The characters the system font ``family`` has (fontconfig finds the file, fontTools reads its cmap)."""
    from fontTools.ttLib import TTCollection, TTFont

    path = subprocess.run(["fc-match", "-f", "%{file}", family], capture_output=True, text=True, check=True).stdout
    font = TTCollection(path).fonts[0] if path.endswith((".ttc", ".otc")) else TTFont(path)
    return frozenset(font.getBestCmap())


def _text_nodes(cdp) -> list[tuple[int, str]]:
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]
    out, stack = [], [root]
    while stack:
        node = stack.pop()
        if node.get("nodeName") in ("SCRIPT", "STYLE", "NOSCRIPT", "OPTION", "OPTGROUP"):
            continue
        children = node.get("children", [])
        text = "".join(c.get("nodeValue", "") for c in children if c.get("nodeType") == 3).strip()
        if text:
            out.append((node["nodeId"], text))
        stack.extend(children)
    return out


def test_every_language_has_every_key_and_every_glyph(browser, shipped, page_file):
    require_tool("fc-match")
    zones, _ = shipped
    # Map labels are drawn on a canvas in Noto Sans: it has every letter of every site name.
    assert all(ord(c) in _cmap("Noto Sans") for name in zones["name"] for c in name)
    for lang in i18n.LANGS:
        p = Page(browser).open(f"{page_file.as_uri()}#lang={lang}")
        try:
            assert p.js("geozonesExplorer.missingKeys()") == []
            assert p.js("document.documentElement.lang") == lang
            assert p.page.locator(".gz-title").inner_text() == i18n.text(lang, "app.title")
            assert (
                p.page.locator(".gz-head .gz-c-area_published_ha").inner_text().startswith(i18n.text(lang, "col.area"))
            )
            cdp = p.context.new_cdp_session(p.page)
            cdp.send("DOM.enable")
            cdp.send("CSS.enable")
            checked = cjk = 0
            for node_id, text in _text_nodes(cdp):
                fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node_id})["fonts"]
                if not fonts:
                    continue  # not rendered (hidden)
                covered = set().union(*(_cmap(f["familyName"]) for f in fonts))
                missing = {c for c in text if not c.isspace() and ord(c) not in covered}
                assert not missing, f"{lang}: {text!r} has no glyph for {missing} in {fonts}"
                checked += 1
                cjk += any("\u3040" <= c <= "\u9fff" or "\uac00" <= c <= "\ud7af" for c in text)
            assert checked > 100 and (cjk > 30 if lang in ("ko", "ja", "zh-Hans") else cjk == 0)
            assert p.errors == []
        finally:
            p.close()


def test_script_in_any_field_stays_text(browser, tmp_path):
    zones = bac_kan_squares(sides_m=(1000.0, 500.0, 200.0, 300.0))
    for column, value in zip(("name", "name_ascii", "investor", "sources"), XSS):
        zones[column] = [value + f" {i}" for i in range(len(zones))]
    zones["location_basis"] = XSS[2]
    zones["province"] = XSS[3]
    zones["commune"] = XSS[0]
    zones["zone_group"] = XSS[1]
    table = site_table(zones, None)
    path = tmp_path / "xss.html"
    path.write_text(explorer_html(zones, table, lang="en"), encoding="utf-8")
    p = Page(browser).open(path.as_uri())
    try:
        assert len(p.rows()) == 4
        assert XSS[0] + " 0" in p.page.locator(".gz-site").first.inner_text()
        assert p.js("id => geozonesExplorer.select(id)", "z0")
        popup = p.page.locator(".leaflet-popup-content")
        assert XSS[0] + " 0" in popup.inner_text() and XSS[1] + " 0" in popup.inner_text()
        p.page.locator("#gz-province").select_option(f"post:{XSS[3]}")
        for site in ("z1", "z2"):
            p.page.locator(f".gz-site[data-id='{site}'] input[type=checkbox]").check()
        p.page.locator(".gz-compare-button").click()
        assert XSS[2] in p.page.locator("table.gz-compare").inner_text()
        p.page.mouse.move(300, 300)
        p.page.mouse.move(900, 500)
        assert p.js("window.__xss === undefined")
        injected = p.js("""Array.from(document.querySelectorAll('.gz-app img, .gz-app script, .gz-app svg, .gz-app b'))
            .filter(e => !e.closest('.leaflet-control-attribution')).length""")  # Leaflet's own flag icon
        assert injected == 0
        assert p.dialogs == [] and p.errors == []
    finally:
        p.close()


@pytest.fixture
def live_server(store):
    uvicorn = require_module("uvicorn")
    from geozones.api.app import create_app
    from geozones.api.settings import Settings

    app = create_app(Settings(store=store.path), store=store)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{server.config.port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_served_explorer_links_fact_sheets_and_the_compare_page(browser, live_server, store):
    p = Page(browser).open(f"{live_server}/maps/investor?lang=ja")
    try:
        assert len(p.listed()) == len(store.zones()) and p.rows() == p.listed()[: len(p.rows())]
        assert p.js("id => geozonesExplorer.select(id)", "bk-ccn-cam-giang")
        href = p.page.locator(".leaflet-popup-content a.gz-factsheet-html").evaluate("a => a.href")
        sheet = p.page.request.get(href)
        assert sheet.status == 200 and "用地ファクトシート" in sheet.text() and "CCN Cẩm Giàng" in sheet.text()
        for site in ("bk-ccn-cam-giang", "ls-kcn-hong-phong"):  # scroll the virtual list to the row first
            p.js(
                "top => { const v = document.querySelector('.gz-viewport'); v.scrollTop = top; v.dispatchEvent(new Event('scroll')); }",
                p.listed().index(site) * 38,
            )
            p.page.wait_for_timeout(100)
            p.page.locator(f".gz-site[data-id='{site}'] input[type=checkbox]").check()
        p.page.locator(".gz-compare-link").click()
        p.page.wait_for_selector("table.gz-compare")
        heads = p.page.locator("table.gz-compare thead th").all_inner_texts()
        assert heads[1:] == ["CCN Cẩm Giàng", "KCN Hồng Phong"] and p.page.locator("html").get_attribute("lang") == "ja"
        assert p.errors == [] and p.external == []
    finally:
        p.close()


def test_explorer_benchmark_runs_at_tiny_size(browser):
    import importlib.util

    from tests.helpers.tools import ROOT

    spec = importlib.util.spec_from_file_location("bench_maps_explorer", ROOT / "benchmarks" / "maps.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    rows = bench.run_explorer([12], repeat=1, browser=browser)
    assert rows[0]["sites"] == 12 and rows[0]["listed"]["clear filters"] == 12
    assert bench.EXPLORER_HEADING in bench.explorer_markdown(rows, 1)


def test_explorer_csv_neutralises_formula_cells(browser, tmp_path):
    """A stored ``=HYPERLINK(...)`` name comes out of the explorer's own CSV as text (OWASP)."""
    payload = '=HYPERLINK("http://x","y")'
    zones = bac_kan_squares(sides_m=(1000.0, 500.0))
    zones["name"] = [payload, "@SUM(A1)"]
    zones["investor"] = ["-1+2", "\tplain"]
    path = tmp_path / "formula.html"
    path.write_text(explorer_html(zones, site_table(zones, None), lang="en"), encoding="utf-8")
    p = Page(browser).open(path.as_uri())
    try:
        for site in ("z0", "z1"):
            p.page.locator(f".gz-site[data-id='{site}'] input[type=checkbox]").check()
        with p.page.expect_download() as download:
            p.page.locator(".gz-csv").click()
        text = open(download.value.path(), encoding="utf-8-sig").read()
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0][1:] == ["'" + payload, "'@SUM(A1)"]
        assert '"\'=HYPERLINK(""http://x"",""y"")"' in text
        assert not [c for r in rows for c in r if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
        assert p.errors == []
    finally:
        p.close()
