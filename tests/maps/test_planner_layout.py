"""The planner map's panels never overlap at 1366 x 768 and 1920 x 1080 (real headless Chromium)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from tests.helpers.tools import require_module

require_module("folium")

from geozones import maps
from tests.helpers.browser import RecordingPage, launched_chromium
from tests.helpers.mapdata import planner_scenario, synthetic_infrastructure

pytestmark = pytest.mark.browser

#: Every box that must stay clear of the others (CSS selector -> what it is).
BOXES = {
    ".gz-map-title": "title",
    ".gz-odds": "odds panel",
    ".gz-ranks": "rank panel",
    ".leaflet-control-zoom": "zoom buttons",
    ".gz-legend": "legend",
    ".leaflet-control-layers": "layer list",
    ".leaflet-control-scale": "scale bar",
}
TARGETS = [
    "At least 6 CCN invested by 2025",
    "CCN total area about 150 ha by 2025",
    "Technical infrastructure complete in at least 4 CCN by 2025",
    "Occupancy of those CCN above 60 % by 2025",
    "Cẩm Giàng at least 80 ha by 2030",
    "New land at most 200 ha by 2030",
]


@pytest.fixture(scope="module")
def browser():
    yield from launched_chromium()


def busy_map(tmp_path) -> str:
    """A planner map with everything on it: odds for six named targets over ten years, ranks, candidates."""
    scenario, baseline = planner_scenario()
    years = range(2021, 2031)
    odds = pd.DataFrame(
        [
            {"target": f"t{i}", "name": name, "year": y, "deadline": 2025 if i < 4 else 2030, "probability": 0.5,
             "draws": 1000, "seed": 0}
            for i, name in enumerate(TARGETS)
            for y in years
        ]
    )  # fmt: skip
    ranks = pd.DataFrame(
        {
            "id": [f"c{i}" for i in range(6)],
            "name": [f"Candidate site number {i}" for i in range(6)],
            "ahp_score": np.linspace(0.9, 0.4, 6),
            "base_rank": range(1, 7),
            "median_rank": range(1, 7),
            "top_k_share": np.linspace(1, 0, 6),
            "top_k": 3,
            "draws": 1000,
        }
    )
    m = maps.planner_map(
        scenario, baseline, odds=odds, ranks=ranks, layers=synthetic_infrastructure(), lang="en",
        title="Bắc Kạn 2026–2030 on the 2021–2025 programme, with an assumed 40 ha demand",
    )  # fmt: skip
    out = tmp_path / "planner.html"
    out.write_text(maps.render_html(m), encoding="utf-8")
    return out.as_uri()


def overlap(a: dict, b: dict) -> float:
    w = min(a["right"], b["right"]) - max(a["left"], b["left"])
    h = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    return max(w, 0) * max(h, 0)


@pytest.mark.parametrize("width, height", [(1366, 768), (1920, 1080)])
def test_planner_panels_do_not_overlap(browser, tmp_path, width, height):
    url = busy_map(tmp_path)
    page = RecordingPage(browser.new_page(viewport={"width": width, "height": height})).open(url)
    try:
        boxes = page.page.evaluate(
            """(selectors) => Object.fromEntries(selectors.map(s => {
                const e = document.querySelector(s);
                if (!e) return [s, null];
                const r = e.getBoundingClientRect();
                return [s, {left: r.left, top: r.top, right: r.right, bottom: r.bottom}];
            }))""",
            list(BOXES),
        )
        page.page.screenshot(path=str(tmp_path / f"planner-{width}x{height}.png"))
        assert all(boxes.values()), {k: v for k, v in boxes.items() if not v}
        for (a, ra), (b, rb) in itertools.combinations(boxes.items(), 2):
            assert overlap(ra, rb) == 0, f"{BOXES[a]} overlaps {BOXES[b]} at {width}x{height}: {ra} {rb}"
        for name, r in boxes.items():  # every box on screen
            assert r["left"] >= 0 and r["top"] >= 0 and r["right"] <= width and r["bottom"] <= height, name
        # targets by their names, never their ids; the legend's figures rounded
        odds_text = page.page.locator(".gz-odds").inner_text()
        assert TARGETS[2] in odds_text and "t2" not in odds_text.split()
        assert page.errors == []
    finally:
        page.page.close()


def test_candidate_sites_are_drawn_with_their_rank(tmp_path):
    import geopandas as gpd
    import shapely

    scenario, baseline = planner_scenario()
    x, y = scenario.to_crs(9213).geometry.iloc[0].centroid.coords[0]
    candidates = gpd.GeoDataFrame(
        {"id": ["c1"], "name": ["Bãi Thử <b>1</b>"], "area_ha": [30.0], "ahp_score": [0.61], "base_rank": [1],
         "median_rank": [1], "top_k_share": [1.0]},
        geometry=[shapely.Point(x + 3000, y).buffer(300)],
        crs=9213,
    )  # fmt: skip
    html = maps.render_html(maps.planner_map(scenario, baseline, candidates=candidates, lang="en"))
    assert "Candidate sites (AHP rank)" in html and "gz-candidates" in html
    assert "Bãi Thử \\u003cb\\u003e1" in html and "#1" in html  # the name as escaped text, the rank
