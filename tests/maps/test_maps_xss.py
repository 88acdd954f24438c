"""Stored XSS (issue 16, defect 3): zone text typed into the search, every popup and tooltip, real Chromium.

Every text attribute of every zone and the names of the reference layers carry a payload. In each
kind of map (investor map embedded and API-loaded, scenario planner map, a standalone export served
by the API) the test types into the search box, waits for the suggestion list, then opens every
popup and every tooltip, and checks that no script ran, no element was injected and the payload is
shown as text.
"""

from __future__ import annotations

import threading
import time

import pytest

from geozones import maps
from geozones.schema import ZONE_FIELDS
from tests.helpers.apiserver import free_port
from tests.helpers.browser import launched_chromium
from tests.helpers.mapdata import planner_scenario, synthetic_infrastructure
from tests.helpers.tools import require_module
from tests.helpers.zonefactory import bac_kan_squares

pytestmark = pytest.mark.browser

#: The payload of the issue, plus variants that run on insertion, on load and on hover.
NAME = "CCN Test <img src=x onerror=alert(1)>"
PAYLOADS = [
    '<img src=x onerror="window.__xss=1">',
    "<svg onload=alert(2)>",
    "</script><script>alert(3)</script>",
    '"><b onmouseover=alert(4)>x</b>',
]
TEXT_FIELDS = [
    f.name
    for f in ZONE_FIELDS
    if f.dtype == "str" and f.choices is None and f.name not in ("id", "name", "province_pre2025", "province")
]


@pytest.fixture(scope="module")
def browser():
    yield from launched_chromium()


def poisoned(zones):
    """Every free-text attribute of every zone set to a payload; the names contain 'Test'."""
    zones = zones.copy()
    for i, index in enumerate(zones.index):
        zones.loc[index, "name"] = NAME if i == 0 else f"CCN Test {i} {PAYLOADS[i % len(PAYLOADS)]}"
        zones.loc[index, "name_ascii"] = f"CCN Test ascii {i} {PAYLOADS[(i + 1) % len(PAYLOADS)]}"
        for k, field in enumerate(TEXT_FIELDS):
            if field != "name_ascii":
                zones.loc[index, field] = PAYLOADS[(i + k) % len(PAYLOADS)]
    return zones


def poisoned_layers():
    layers = synthetic_infrastructure()
    for frame in layers.values():
        frame["name"] = PAYLOADS[0]
    return layers


def check_page(browser, url: str, expected_tips: int | None) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    dialogs, errors = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route(
        "**/*",
        lambda route: (
            route.abort()
            if route.request.url.startswith(("http://", "https://"))
            and not route.request.url.startswith("http://127.0.0.1")
            else route.continue_()
        ),
    )
    try:
        page.goto(url)
        page.wait_for_function("window.geozonesReady === true", timeout=20_000)
        # 1. type into the search box: the suggestion list is built from the names
        page.locator(".leaflet-control-search .search-button").click()
        page.locator(".leaflet-control-search input.search-input").press_sequentially("Test", delay=30)
        tips = page.locator(".leaflet-control-search .search-tip")
        tips.first.wait_for(timeout=10_000)
        page.wait_for_timeout(300)  # an injected <img> fails to load and fires onerror within this
        if expected_tips is not None:
            assert tips.count() == expected_tips
        texts = tips.all_inner_texts()
        assert any(NAME in t for t in texts), texts
        assert page.locator(".leaflet-control-search .search-tip *").count() == 0  # text only
        # 2. open every popup and tooltip of every zone and reference feature
        opened = page.evaluate("""() => {
            const BAD = 'img,svg,script,[onmouseover],[onerror],[onload]';
            const map = geozones.zoneLayers[0]._map;
            const out = {popups: [], tooltips: []};
            map.eachLayer(l => {
                if (l.getPopup && l.getPopup() && l.feature) {
                    l.openPopup();
                    const el = document.querySelector('.leaflet-popup-content');
                    out.popups.push({text: el.innerText, tags: el.querySelectorAll(BAD).length});
                    l.closePopup();
                }
                if (l.getTooltip && l.getTooltip() && l.feature) {
                    l.openTooltip(l.getBounds ? l.getBounds().getCenter() : l.getLatLng());
                    const el = l.getTooltip().getElement();
                    out.tooltips.push({text: el.innerText, tags: el.querySelectorAll(BAD).length});
                    l.closeTooltip();
                }
            });
            return out;
        }""")
        page.wait_for_timeout(300)
        assert opened["popups"] and opened["tooltips"]
        assert all(p["tags"] == 0 for p in opened["popups"]), opened["popups"]
        assert all(t["tags"] == 0 for t in opened["tooltips"]), opened["tooltips"]
        assert any(NAME in p["text"] for p in opened["popups"])
        assert any(PAYLOADS[0] in t["text"] for t in opened["tooltips"])
        assert page.evaluate("window.__xss === undefined")
        assert dialogs == [], dialogs
        assert errors == [], errors
    finally:
        page.close()


def check_explorer(browser, url: str) -> None:
    """The investor site explorer: type into its search box; nothing runs, nothing is injected."""
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    dialogs, errors = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(url)
        page.wait_for_function("window.geozonesReadyAt !== undefined", timeout=20_000)
        page.locator("#gz-q").press_sequentially("Test", delay=30)
        page.wait_for_timeout(500)
        assert NAME in page.locator("body").inner_text()
        assert page.evaluate("document.querySelectorAll('[onerror],[onload],[onmouseover]').length") == 0
        assert page.evaluate("window.__xss === undefined")
        assert dialogs == [] and errors == [], (dialogs, errors)
    finally:
        page.close()


def test_embedded_investor_map_escapes_search_popups_and_tooltips(browser, tmp_path):
    zones = poisoned(bac_kan_squares())
    out = tmp_path / "investor.html"
    out.write_text(maps.render_html(maps.investor_map(zones, layers=poisoned_layers(), lang="en")), encoding="utf-8")
    check_page(browser, out.as_uri(), expected_tips=3)


def test_planner_map_escapes_search_popups_and_tooltips(browser, tmp_path):
    import pandas as pd

    scenario, baseline = planner_scenario()
    scenario = poisoned(scenario)
    # the rank-stability panel names the sites: poisoned names, and a poisoned id with no zone
    ranks = pd.DataFrame(
        {
            "id": [*scenario["id"], PAYLOADS[0]],
            "ahp_score": 0.5,
            "base_rank": range(1, len(scenario) + 2),
            "median_rank": 1.0,
            "top_k_share": 0.5,
            "top_k": 3,
            "draws": 10,
        }
    )
    out = tmp_path / "planner.html"
    out.write_text(
        maps.render_html(
            maps.planner_map(scenario, poisoned(baseline), lang="en", layers=poisoned_layers(), ranks=ranks)
        ),
        encoding="utf-8",
    )
    check_page(browser, out.as_uri(), expected_tips=3)


def test_served_maps_escape_search_popups_and_tooltips(browser, store):
    """The API's investor map (embedded and API-loaded modes) and scenario map over a poisoned store."""
    uvicorn = require_module("uvicorn")
    from geozones.api.app import create_app
    from geozones.api.settings import Settings

    zones = store.zones()
    store.write_zones(poisoned(zones))
    store.write_layer("scenario_xss", poisoned(zones.head(4)))
    for name, frame in poisoned_layers().items():
        store.write_layer(name, frame)
    app = create_app(Settings(store=store.path), store=store)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    try:
        check_page(browser, f"{url}/maps/zones?lang=en", expected_tips=None)
        check_page(browser, f"{url}/maps/zones?mode=api&lang=en", expected_tips=None)
        check_explorer(browser, f"{url}/maps/investor?lang=en")
        check_page(browser, f"{url}/maps/scenario/xss?lang=en", expected_tips=4)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
