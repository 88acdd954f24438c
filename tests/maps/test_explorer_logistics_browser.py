"""The explorer's logistics plugin (explorer-logistics.js) in headless Chromium: minute filters, texts, URL."""

from __future__ import annotations

import pytest

from geozones.analysis.siteselect import site_table
from geozones.maps import i18n
from geozones.maps.explorer import REFERENCE_LAYERS, explorer_html
from geozones.store import load_infrastructure, store_layers
from tests.helpers.browser import RecordingPage, launched_chromium
from tests.helpers.tools import require_module

require_module("babel")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    yield from launched_chromium()


@pytest.fixture(scope="module")
def shipped(built_store, tmp_path_factory):
    from geozones.scenario.reach import add_logistics

    zones = built_store.zones()
    table = add_logistics(site_table(zones, load_infrastructure(built_store)), built_store)
    path = tmp_path_factory.mktemp("explorer") / "explorer.html"
    layers = store_layers(built_store, tuple(REFERENCE_LAYERS))
    from geozones.scenario.reach import isochrone_frame

    page = explorer_html(zones, table, layers=layers, lang="en", isochrones=isochrone_frame(built_store, "car"))
    path.write_text(page, encoding="utf-8")
    return table, path


def test_minutes_filters_hide_sites_beyond_and_far_from_roads(browser, shipped):
    table, path = shipped
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    p = RecordingPage(context.new_page()).open(path.as_uri())
    try:
        page = p.page
        # the filters exist for the categories the data has; seaports have none: no filter, a note instead
        for key in ("max_min_capital", "max_min_airport", "max_min_border_gate"):
            assert page.locator(f"#gz-{key}").count() == 1, key
        assert page.locator("#gz-max_min_seaport").count() == 0
        hint = page.locator(".gz-filters").inner_text()
        assert i18n.text("en", "filter.no_seaport") in hint and "50 km/h" in hint  # the stated model
        page.locator("#gz-max_min_border_gate").fill("100")
        near = set(table.loc[table["minutes_border_gate"] <= 100, "id"])
        assert {"ls-kcn-dong-banh", "ls-kcn-hong-phong"} <= near  # 75 and 11 min by the model
        listed = page.evaluate("geozonesExplorer.listedIds()")
        assert set(listed) == near and set(page.evaluate("geozonesExplorer.mapIds()")) <= near
        assert "max_min_border_gate=100" in page.url
        page.locator(".gz-reset").click()
        page.locator("#gz-max_min_capital").fill("1000")  # every site with a time; far ones have none
        listed = set(page.evaluate("geozonesExplorer.listedIds()"))
        assert listed == set(table.loc[table["minutes_capital"].notna(), "id"])
        assert "bk-ccn-vang-muoi" not in listed and table.set_index("id").loc["bk-ccn-vang-muoi", "far_from_roads"]
        # the popup gives minutes (never decimal hours) and says "far from mapped roads" where it is so
        page.locator(".gz-reset").click()
        page.evaluate("geozonesExplorer.select('ls-kcn-hong-phong')")
        # its four isochrones are drawn (and only its)
        drawn = page.evaluate("geozonesExplorer.isochroneIds")
        assert sorted(drawn) == sorted(f"ls-kcn-hong-phong:{m:.1f}".replace(".0", "") for m in (15, 30, 45, 60))
        popup = page.locator(".gz-popup").inner_text()
        import re

        assert " min" in popup and not re.search(r"\d h\b", popup)  # minutes, never "0.19 h"
        page.evaluate("geozonesExplorer.select('bk-ccn-vang-muoi')")
        far_popup = page.locator(".gz-popup").last.inner_text()
        assert i18n.text("en", "value.far_from_roads") in far_popup
        assert (
            "km" not in far_popup.split("Straight access")[0].split("road")[-1]
        )  # no 'road distance' of a 22.7 km leg
        assert p.errors == [] and page.evaluate("geozonesExplorer.missingKeys()") == []
    finally:
        context.close()
