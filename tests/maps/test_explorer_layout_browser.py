"""The explorer's layout at a laptop (1366x768) and a phone (390x844) screen, in headless Chromium.

Element rectangles are compared in page pixels: no filtered site under the legend (open or closed),
the map fitted to the filtered sites, no two labels overlapping and none over a map control, popups
inside the viewport with their buttons reachable, list names not cut, the chosen distance listed on a
phone, and the comparison page no wider than the phone.
"""

from __future__ import annotations

import pytest

from geozones.analysis.siteselect import site_table
from geozones.maps.explorer import REFERENCE_LAYERS, comparison_html, explorer_html
from geozones.store import load_infrastructure, store_layers
from tests.helpers.browser import RecordingPage, launched_chromium
from tests.helpers.tools import require_module

require_module("babel")

pytestmark = pytest.mark.browser

SCREENS = [(1366, 768), (390, 844)]
#: Filters an investor uses (URL fragments): none, near a border gate, one province, kind and highway.
FILTERS = ["", "max_border_gate=40", "province=post:L%E1%BA%A1ng%20S%C6%A1n", "kind=CCN&max_highway=30"]


@pytest.fixture(scope="module")
def browser():
    yield from launched_chromium()


@pytest.fixture(scope="module")
def shipped(built_store):
    zones = built_store.zones()
    return zones, site_table(zones, load_infrastructure(built_store))


@pytest.fixture(scope="module")
def page_file(built_store, shipped, tmp_path_factory):
    zones, table = shipped
    path = tmp_path_factory.mktemp("layout") / "explorer.html"
    layers = store_layers(built_store, tuple(REFERENCE_LAYERS))
    path.write_text(explorer_html(zones, table, layers=layers, lang="en"), encoding="utf-8")
    return path


def _open(browser, url, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = RecordingPage(context.new_page()).open(url)
    return context, page


def _rect(page, selector, last=False):
    found = page.page.locator(selector)
    return (found.last if last else found.first).evaluate(
        "e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"
    )


def _overlap(a, b, margin=0.0) -> bool:
    return a[0] < b[2] + margin and a[2] > b[0] - margin and a[1] < b[3] + margin and a[3] > b[1] - margin


def _markers(page):
    """Page-pixel boxes (marker radius 7) of the filtered sites drawn now, by id."""
    mx, my, *_ = _rect(page, "#gz-map")
    listed = set(page.page.evaluate("geozonesExplorer.listedIds()"))
    return {
        i: [mx + x - 7, my + y - 7, mx + x + 7, my + y + 7]
        for i, x, y in page.page.evaluate("geozonesExplorer.drawnPoints()")
        if i in listed
    }


def _located(table, fragment_ids):
    return {i for i in fragment_ids if i in set(table.loc[table["lon"].notna(), "id"])}


@pytest.mark.parametrize("width,height", SCREENS)
def test_no_filtered_site_under_the_legend_and_the_map_fits_them(browser, shipped, page_file, width, height):
    _, table = shipped
    for fragment in FILTERS:
        context, p = _open(browser, page_file.as_uri() + "#" + fragment, width, height)
        try:
            listed = p.page.evaluate("geozonesExplorer.listedIds()")
            assert listed, fragment
            for opened in (None, True):  # as the page opens, then with the legend open
                if opened and not p.page.locator(".gz-legend details").evaluate("d => d.open"):
                    p.page.locator(".gz-legend summary").click()
                    p.page.wait_for_timeout(400)
                legend = _rect(p, ".gz-legend")
                mapbox = _rect(p, "#gz-map")
                markers = _markers(p)
                # fitted: every filtered site with a location is on the map, inside the map box
                assert set(markers) == _located(table, listed), fragment
                for site, box in markers.items():
                    assert not _overlap(box, legend), (fragment, site, box, legend)
                    assert box[0] >= mapbox[0] - 7 and box[2] <= mapbox[2] + 7, (fragment, site)
            assert p.errors == []
        finally:
            context.close()


@pytest.mark.parametrize("width,height", SCREENS)
def test_labels_do_not_collide_at_any_zoom(browser, page_file, width, height):
    context, p = _open(browser, page_file.as_uri(), width, height)
    try:
        mx, my, *_ = _rect(p, "#gz-map")
        for zoom in (7, 8, 9, 10, 11, 12):
            p.page.evaluate(f"void geozonesExplorer.map.setZoom({zoom})")
            boxes = p.page.evaluate("geozonesExplorer.groupBoxes()")
            controls = p.page.locator("#gz-map .leaflet-control").evaluate_all(
                "cs => cs.map(e => e.getBoundingClientRect()).filter(r => r.width)"
                ".map(r => [r.left, r.top, r.right, r.bottom])"
            )
            size = p.page.evaluate("(() => { const s = geozonesExplorer.map.getSize(); return [s.x, s.y]; })()")
            for n, a in enumerate(boxes):
                assert a[0] >= -1 and a[1] >= -1 and a[2] <= size[0] + 1 and a[3] <= size[1] + 1, (zoom, a)
                page_box = [mx + a[0], my + a[1], mx + a[2], my + a[3]]
                for c in controls:
                    assert not _overlap(page_box, c, -1), (zoom, a, c)
                for b in boxes[n + 1 :]:
                    assert not _overlap(a, b, -1), (zoom, a, b)
        assert p.errors == []
    finally:
        context.close()


@pytest.mark.parametrize("width,height", SCREENS)
def test_every_popup_stays_inside_the_viewport(browser, shipped, page_file, width, height):
    _, table = shipped
    context, p = _open(browser, page_file.as_uri(), width, height)
    try:
        for site in table.loc[table["lon"].notna(), "id"]:
            assert p.page.evaluate("id => geozonesExplorer.select(id)", site)
            p.page.wait_for_timeout(400)  # the map's pan to show the popup takes 0.25 s
            popup = _rect(p, ".leaflet-popup-content-wrapper", last=True)  # the one before fades out
            mapbox = _rect(p, "#gz-map")
            assert popup[0] >= 0 and popup[1] >= 0 and popup[2] <= width and popup[3] <= height, (site, popup)
            assert popup[0] >= mapbox[0] and popup[2] <= mapbox[2] and popup[1] >= mapbox[1], (site, popup, mapbox)
            button = _rect(p, ".leaflet-popup-content .gz-add-compare", last=True)
            assert popup[1] <= button[1] and button[3] <= popup[3], site  # reachable without scrolling the page
        assert p.errors == []
    finally:
        context.close()


def test_list_names_are_whole_and_a_phone_lists_the_chosen_distance(browser, page_file):
    context, p = _open(browser, page_file.as_uri() + "#max_border_gate=60&sort=road_km_border_gate", 390, 844)
    try:
        cut = p.page.locator(".gz-site .gz-c-name").evaluate_all(
            "cs => cs.filter(c => c.scrollHeight > c.clientHeight + 1 || c.scrollWidth > c.clientWidth + 1)"
            ".map(c => c.textContent)"
        )
        assert cut == []
        cells = p.page.locator(".gz-site .gz-c-road_km_border_gate").evaluate_all(
            "cs => cs.map(c => [c.textContent, c.getBoundingClientRect().width, c.getBoundingClientRect().right])"
        )
        assert cells and all(text != "" and w > 20 and right <= 390 for text, w, right in cells)
        assert p.page.evaluate("document.scrollingElement.scrollWidth") <= 390
    finally:
        context.close()
    context, p = _open(browser, page_file.as_uri() + "#q=Thanh%20B%C3%ACnh", 1366, 768)
    try:
        names = p.page.locator(".gz-site .gz-c-name").evaluate_all(
            "cs => cs.filter(c => c.scrollHeight <= c.clientHeight + 1 && c.scrollWidth <= c.clientWidth + 1)"
            ".map(c => c.textContent)"
        )
        assert "KCN Thanh Bình giai đoạn I" in names and "KCN Thanh Bình giai đoạn II" in names
    finally:
        context.close()


def test_the_comparison_page_fits_a_phone(browser, shipped, tmp_path):
    _, table = shipped
    ids = list(table["id"][:4])
    path = tmp_path / "compare.html"
    path.write_text(comparison_html(table, ids, "ko"), encoding="utf-8")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(path.as_uri())
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["vi", "ko", "ja", "zh-Hans"])
def test_every_visible_sentence_is_in_the_chosen_language(browser, page_file, lang):
    """Against the catalogue: no English text of three words or more (that the language translates) is shown."""
    import re

    from geozones.maps import i18n

    english = {k: i18n.text("en", k) for k in i18n.keys("en")}
    sentences = {v for k, v in english.items() if len(re.findall(r"[A-Za-z]{2,}", v)) >= 3 and i18n.text(lang, k) != v}
    context, p = _open(browser, page_file.as_uri() + "#lang=" + lang, 1366, 768)
    try:
        p.page.evaluate("geozonesExplorer.select('ls-kcn-hong-phong')")
        p.page.wait_for_timeout(300)
        text = p.page.evaluate("document.body.innerText")
        left = [s for s in sentences if s.split("{")[0].strip() and s.split("{")[0].strip() in text]
        assert left == []
        assert p.page.evaluate("geozonesExplorer.missingKeys()") == []
    finally:
        context.close()
