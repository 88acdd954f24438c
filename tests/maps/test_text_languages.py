"""Every visible sentence of the fact sheet in the chosen language; place labels never printed over each other;
the map legend names what is drawn; drive times in minutes."""

from __future__ import annotations

import html
import re

import pytest

from geozones.maps import i18n
from tests.helpers.tools import require_module

require_module("babel")

OTHERS = [lang for lang in i18n.LANGS if lang != "en"]


@pytest.fixture(scope="module")
def shipped(built_store):
    from geozones.analysis.siteselect import site_table
    from geozones.maps.explorer import REFERENCE_LAYERS
    from geozones.store import load_infrastructure, store_layers

    zones = built_store.zones()
    return zones, site_table(zones, load_infrastructure(built_store)), store_layers(built_store, REFERENCE_LAYERS)


def _visible_text(page: str) -> str:
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    body = re.sub(r"<ul class=\"sources\">.*?</ul>", " ", body, flags=re.S)  # source titles stay as published
    body = re.sub(r"<[^>]+>", " ", body)
    return html.unescape(body)


def _english_sentences() -> set[str]:
    """English catalogue texts of three words or more (what must not be left on another language's page)."""
    english = {key: i18n.text("en", key) for key in i18n.keys("en")}
    return {text for text in english.values() if len(re.findall(r"[A-Za-z]{2,}", text)) >= 3}


@pytest.mark.parametrize("lang", OTHERS)
def test_fact_sheets_have_no_english_sentence(shipped, lang):
    from geozones.maps.factsheet import factsheet_html

    zones, table, layers = shipped
    english = _english_sentences()
    for site in ("bk-kcn-thanh-binh-1", "ls-kcn-dong-banh", "bk-ccn-huyen-tung"):
        text = _visible_text(factsheet_html(zones, table, site, lang=lang, layers=layers))
        for sentence in english:
            if i18n.text(lang, next(k for k in i18n.keys("en") if i18n.text("en", k) == sentence)) != sentence:
                assert sentence not in text, (lang, site, sentence)
        # the data's English working note (file names, bearings) is not printed on the sheet
        assert "roads.geojson" not in text and "facts.md" not in text and "bearing" not in text, (lang, site)
        # no run of three English words outside place names, units and sources
        words = re.findall(r"\b[a-z]{3,}\s+[a-z]{3,}\s+[a-z]{3,}\b", text)
        assert words == [], (lang, site, words[:5])


def test_the_map_legend_names_the_railway_and_the_boundary():
    for lang in i18n.LANGS:
        legend = i18n.text(lang, "factsheet.map_legend")
        railway = {"vi": "đường sắt", "en": "railway", "ko": "철도", "ja": "鉄道", "zh-Hans": "铁路"}[lang]
        boundary = {"vi": "ranh giới tỉnh", "en": "province boundar", "ko": "성 경계", "ja": "省界", "zh-Hans": "省界"}
        assert railway in legend and boundary[lang] in legend, lang


def test_place_labels_never_overlap_on_the_fact_sheet_map():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from geozones.maps.factsheet import _place_labels

    fig, ax = plt.subplots(figsize=(3.4, 2.1))
    # the Hữu Nghị border gate and Đồng Đăng station are 60 m apart at the locator's scale
    places = [(1000.0, 1000.0, "Cửa khẩu Hữu Nghị"), (1060.0, 1010.0, "Ga Đồng Đăng"), (40_000.0, 30_000.0, "Lạng Sơn")]
    _place_labels(ax, places, (0.0, 0.0, 100_000.0, 60_000.0))
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    assert len(boxes) >= 2 and "Lạng Sơn" in [t.get_text() for t in ax.texts]
    for n, a in enumerate(boxes):
        for b in boxes[n + 1 :]:
            assert not a.overlaps(b)
    plt.close(fig)


@pytest.mark.parametrize(
    "lang,expected", [("ko", "11분"), ("ja", "11分"), ("en", "11 min"), ("vi", "11 phút"), ("zh-Hans", "11 分钟")]
)
def test_drive_times_are_minutes(lang, expected):
    from geozones.maps.explorer import format_value

    assert format_value("road_h_city", {"road_h_city": 0.19, "straight_km_city": 3.0}, lang) == expected
