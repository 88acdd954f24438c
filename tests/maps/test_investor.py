"""Investor site selection: catalogues, the site table's distances, comparison and fact sheets."""

from __future__ import annotations

import re
import string
import subprocess

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geozones.maps import i18n
from tests.helpers.tools import ROOT, require_module, require_tool
from tests.helpers.zonefactory import CHO_MOI, zone

require_module("babel")  # the catalogues are compiled with Babel

LOCALE = ROOT / "maps" / "locale"
FOLDERS = {"vi": "vi", "en": "en", "ko": "ko", "ja": "ja", "zh-Hans": "zh_Hans"}


# -- catalogues -----------------------------------------------------------------------------------


def _po(lang: str) -> dict[str, str]:
    """The catalogue read with Babel directly (not through maps.i18n)."""
    from babel.messages.pofile import read_po

    with (LOCALE / FOLDERS[lang] / "LC_MESSAGES" / "geozones.po").open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_is_in_every_catalogue_with_the_same_placeholders():
    english = _po("en")
    assert len(english) > 100
    for lang in i18n.LANGS:
        catalogue = _po(lang)
        assert set(catalogue) == set(english), f"{lang}: {set(english) ^ set(catalogue)}"
        for key, text in catalogue.items():
            assert text.strip(), f"{lang}:{key} is empty"
            assert _fields(text) == _fields(english[key]), f"{lang}:{key} placeholders differ"


def test_every_key_the_code_uses_is_in_the_catalogue():
    keys = set(_po("en"))
    used = set()
    from geozones.maps.explorer import SCRIPTS

    js = "\n".join((ROOT / "maps" / "static" / "geozones" / n).read_text(encoding="utf-8") for n in SCRIPTS)
    used |= set(re.findall(r'\bt\("([a-z_]+\.[A-Za-z_.]+)"', js))
    used |= set(re.findall(r'label: "([a-z_]+\.[a-z_]+)"', js))
    plugin = (ROOT / "maps" / "static" / "geozones" / "explorer-logistics.js").read_text(encoding="utf-8")
    used |= set(re.findall(r'"((?:filter|field|value|unit|factsheet)\.[a-z_0-9]+)"', plugin))
    for module in ("explorer.py", "factsheet.py"):
        used |= set(
            re.findall(
                r"""["']((?:app|nav|filter|list|col|compare|field|value|unit|legend|layer|popup|factsheet|"""
                r"""error|landing|distance|place|quality|logistics)\.[a-z_0-9]+)["']""",
                (ROOT / "maps" / module).read_text(encoding="utf-8"),
            )
        )
    from geozones.analysis.siteselect import PLACE_KINDS
    from geozones.schema import KINDS, STATUSES

    used |= {f"kind.{k}" for k in KINDS} | {f"status.{s}" for s in STATUSES} | {f"place.{p}" for p in PLACE_KINDS}
    used |= {f"field.{p}_{k}" for k in PLACE_KINDS for p in ("road", "straight", "drive")}
    used |= {f"filter.max_{k}" for k in PLACE_KINDS} | {f"col.{k}" for k in PLACE_KINDS if k != "highway"}
    used |= {"popup.factsheet_pdf", "popup.factsheet_html"}
    from geozones.maps.factsheet import LOGISTICS_CATEGORIES

    used |= {f"place.{c}" for c in LOGISTICS_CATEGORIES}
    from geozones.schema import LAND_PRICE_PERIODS

    used |= {f"period.{p}" for p in LAND_PRICE_PERIODS}
    used = {key for key in used if not key.endswith(("_", "."))}  # prefixes of keys built in the code (above)
    assert len(used) > 80
    assert used - keys == set()


def test_gettext_reads_the_compiled_catalogue():
    assert i18n.text("ko", "value.not_published") == "공개되지 않음"
    assert i18n.text("ja", "list.count", shown=3, total=14) == "全14件中3件"
    assert i18n.text("zh-Hans", "status.operating") == "运营中"
    with pytest.raises(i18n.MissingMessageError):
        i18n.text("en", "no.such.key")


@pytest.mark.parametrize(
    ("lang", "accept", "expected"),
    [
        (None, "ko-KR,ko;q=0.9,en-US;q=0.8", "ko"),
        (None, "fr-FR, ja;q=0.5, en;q=0.4", "ja"),
        (None, "zh-CN,zh;q=0.9", "zh-Hans"),
        (None, "zh-TW", "vi"),  # no Traditional Chinese catalogue: not served Simplified
        (None, "de, *;q=0.1", "vi"),
        (None, None, "vi"),
        ("en", "ko", "en"),
        ("zh_Hans", None, "zh-Hans"),
    ],
)
def test_language_from_lang_or_accept_language(lang, accept, expected):
    assert i18n.negotiate(lang, accept) == expected


def test_unsupported_language_is_a_typed_error():
    with pytest.raises(i18n.UnsupportedLanguageError, match="fr"):
        i18n.negotiate("fr", "ko")


# -- road and straight-line distances on a hand-made network ---------------------------------------


def _network():
    """A 10 km east-west national highway through Chợ Mới, a city on it 8 km along, an off-network gate."""
    x0, y0 = CHO_MOI
    roads = gpd.GeoDataFrame(
        {"id": ["ql"], "name": ["Quốc lộ thử"], "class": ["national_highway"], "ref": ["QL9"]},
        geometry=[shapely.LineString([(x0, y0), (x0 + 10_000, y0)])],
        crs=9213,
    )
    places = gpd.GeoDataFrame(
        {"id": ["city", "gate"], "name": ["Thành phố thử", "Cửa khẩu thử"], "class": ["city", "border_gate"]},
        geometry=[shapely.Point(x0 + 8_000, y0), shapely.Point(x0 + 2_000, y0 + 30_000)],
        crs=9213,
    )
    # A triangle pointing south: its vertex 500 m north of the road, 2 km along it; top edge at 600 m.
    triangle = shapely.Polygon([(x0 + 2_000, y0 + 500), (x0 + 2_100, y0 + 600), (x0 + 1_900, y0 + 600)])
    zones = gpd.GeoDataFrame([zone(0, area_published_ha=1.0)], geometry=[triangle], crs=9213)
    return zones, {"roads": roads, "power": roads.iloc[:0], "destinations": places}


def test_place_distances_match_hand_computed_values():
    from geozones.analysis.siteselect import place_distances

    zones, infra = _network()
    table = place_distances(zones, infra).iloc[0]
    # Access leg 0.5 km straight down to the road, then 6 km east along it to the city.
    assert table["road_km_city"] == pytest.approx(6.5, abs=1e-6)
    # Assumed speeds: 25 km/h on the access leg, 50 km/h on a national highway.
    assert table["road_h_city"] == pytest.approx(0.5 / 25 + 6.0 / 50, abs=1e-6)
    # Straight line from the triangle's nearest point, its east corner (x0+2100, y0+600), to the city.
    assert table["straight_km_city"] == pytest.approx(((5900**2 + 600**2) ** 0.5) / 1000, abs=1e-6)
    assert table["road_km_highway"] == pytest.approx(0.5) and table["straight_km_highway"] == pytest.approx(0.5)
    assert table["nearest_highway"] == "QL9" and table["nearest_city"] == "Thành phố thử"
    # The gate is 29.4 km north of the triangle's top edge and 30 km from the road: by default its straight
    # 30 km leg counts (0.5 km + 30 km), as in the proximity analysis, and the site's own leg is reported.
    assert table["straight_km_border_gate"] == pytest.approx(29.4, abs=1e-6)
    assert table["road_km_border_gate"] == pytest.approx(30.5, abs=1e-6) and table["access_km"] == pytest.approx(0.5)
    assert pd.isna(table["road_km_railway_station"]) and pd.isna(table["straight_km_railway_station"])
    # With a 5 km bound on straight access legs the gate is not reachable on the mapped roads.
    bounded = place_distances(zones, infra, max_access_m=5000).iloc[0]
    assert pd.isna(bounded["road_km_border_gate"]) and not bounded["reachable_border_gate"]
    assert bounded["road_km_city"] == pytest.approx(6.5, abs=1e-6)


def test_site_table_available_land_and_published_distances_pass_through():
    from geozones.analysis.siteselect import site_table

    zones, infra = _network()
    zones["occupancy_pct"] = 40.0
    table = site_table(zones.to_crs(4326), infra).iloc[0]
    assert table["available_ha"] == pytest.approx(0.6) and table["available_basis"] == "derived"
    assert table["road_km_city"] == pytest.approx(6.5, abs=1e-3)
    given = zones.assign(**{f"road_km_{k}": 1.5 for k in ("highway", "border_gate", "railway_station", "city")})
    assert site_table(given, infra).iloc[0]["road_km_railway_station"] == 1.5


# -- comparison and fact sheets ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def table(built_store):
    from geozones.analysis.siteselect import site_table
    from geozones.store import load_infrastructure

    return site_table(built_store.zones(), load_infrastructure(built_store))


def _shipped(zone_id: str) -> dict:
    """The zone as written in the shipped GeoJSON (independent of the store and the site table)."""
    frame = gpd.read_file(ROOT / "data" / "zones" / "zones.geojson")
    return frame[frame["id"] == zone_id].iloc[0].to_dict()


def test_comparison_csv_has_published_figures_and_not_published(table):
    import csv
    import io

    from geozones.maps.explorer import comparison_csv

    text = comparison_csv(table, ["bk-kcn-thanh-binh-1", "ls-kcn-dong-banh"], "en")
    rows = {r[0]: r[1:] for r in csv.reader(io.StringIO(text.lstrip("\ufeff")))}
    thanh_binh, dong_banh = _shipped("bk-kcn-thanh-binh-1"), _shipped("ls-kcn-dong-banh")
    assert rows["Field"] == [thanh_binh["name"], dong_banh["name"]]
    assert rows["Published area"][0] == f"{thanh_binh['area_published_ha']:g} ha"
    assert rows["Published area"][1] == f"over {dong_banh['area_published_ha']:g} ha"  # area_qualifier "over"
    # 73.5 ha x (1 - 97 %) = 2.2 ha, derived from two published figures, marked as such
    assert rows["Available land"][0] == "≈ 2.2 ha"
    assert rows["Land rent / price"] == ["not published", "not published"]
    assert all(
        re.fullmatch(r"[\d,]+ min", v) for v in rows["Drive time to the nearest city (estimate)"]
    )  # minutes, never decimal hours


def test_road_is_never_shorter_than_the_straight_line(table):
    from geozones.analysis.siteselect import PLACE_KINDS

    for kind in PLACE_KINDS:
        both = table[f"road_km_{kind}"].notna() & table[f"straight_km_{kind}"].notna()
        assert (table.loc[both, f"road_km_{kind}"] >= table.loc[both, f"straight_km_{kind}"] - 0.01).all(), kind
        # the road distance includes the straight access leg
        assert (table.loc[both, f"road_km_{kind}"] >= table.loc[both, "access_km"] - 0.01).all(), kind
    assert table["road_km_city"].notna().sum() >= 10  # the shipped network reaches a city from most sites


def test_comparison_rejects_wrong_counts_and_unknown_ids_in_the_language(table):
    from geozones.errors import InvalidParameterError, NotFoundError
    from geozones.maps.explorer import comparison

    with pytest.raises(InvalidParameterError, match="2～4"):
        comparison(table, ["bk-kcn-thanh-binh-1"], "ja")
    with pytest.raises(NotFoundError, match="nope"):
        comparison(table, ["bk-kcn-thanh-binh-1", "nope"], "ko")


@pytest.fixture(scope="module")
def korean_pdf(built_store, table, tmp_path_factory):
    require_module("weasyprint")
    from geozones.maps.explorer import REFERENCE_LAYERS
    from geozones.maps.factsheet import factsheet_pdf
    from geozones.store import store_layers

    path = tmp_path_factory.mktemp("factsheet") / "thanh-binh-ko.pdf"
    path.write_bytes(
        factsheet_pdf(
            built_store.zones(),
            table,
            "bk-kcn-thanh-binh-1",
            lang="ko",
            layers=store_layers(built_store, tuple(REFERENCE_LAYERS)),
        )
    )
    return path


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout


def test_factsheet_pdf_is_one_a4_page_with_the_name_and_figures_as_text(korean_pdf):
    require_tool("pdftotext")
    info = _run("pdfinfo", str(korean_pdf))
    assert re.search(r"Pages:\s+1\b", info) and "595.276 x 841.89 pts (A4)" in info
    text = _run("pdftotext", "-layout", str(korean_pdf), "-")
    shipped = _shipped("bk-kcn-thanh-binh-1")
    assert shipped["name"] in text
    assert f"{shipped['area_published_ha']:g} ha" in text and f"{shipped['occupancy_pct']:g}%" in text
    assert "공개되지 않음" in text and "부지 팩트시트" in text  # "not published", "site fact sheet"
    assert "baodauthau.vn" in text  # a source, linked


def test_factsheet_pdf_embeds_fonts_that_have_the_korean_and_japanese_glyphs(korean_pdf, built_store, table, tmp_path):
    require_tool("pdffonts")
    from fontTools.ttLib import TTCollection

    fonts = _run("pdffonts", str(korean_pdf))
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all("yes" in r[-5:-2][0] for r in rows)  # every font embedded
    assert any("Noto-Sans-CJK" in r[0] for r in rows)
    from geozones.maps.factsheet import factsheet_pdf
    from geozones.store import store_layers

    ja = tmp_path / "ja.pdf"
    ja.write_bytes(
        factsheet_pdf(built_store.zones(), table, "ls-kcn-dong-banh", lang="ja", layers=store_layers(built_store))
    )
    text = _run("pdftotext", str(ja), "-")
    assert "用地ファクトシート" in text and "KCN Đồng Bành" in text
    assert any("Noto-Sans-CJK-JP" in line for line in _run("pdffonts", str(ja)).splitlines())
    # The embedded face really has these glyphs: the system font file's character map covers them.
    path = _run("fc-match", "-f", "%{file}", "Noto Sans CJK JP").strip()
    cmap = TTCollection(path).fonts[0].getBestCmap()
    assert all(ord(c) in cmap for c in "用地ファクトシート공개되지않음")


def test_script_in_any_field_stays_text_in_the_fact_sheet_and_the_comparison(built_store):
    """The fact sheet and comparison pages are built as strings: every stored text must arrive escaped."""
    from html.parser import HTMLParser

    from geozones.analysis.siteselect import site_table
    from geozones.maps.explorer import comparison_html
    from geozones.maps.factsheet import factsheet_html

    payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    zones = built_store.zones()
    for column in ("name", "investor", "sources", "location_basis", "notes", "commune"):
        if column in zones.columns:
            zones[column] = payload
    table = site_table(zones, None)
    ids = list(zones["id"][:2])

    class Tags(HTMLParser):
        def __init__(self):
            super().__init__()
            self.seen = []

        def handle_starttag(self, tag, attrs):
            self.seen.append((tag, dict(attrs)))

    for page in (factsheet_html(zones, table, ids[0], lang="en"), comparison_html(table, ids, "en")):
        parser = Tags()
        parser.feed(page)
        assert [tag for tag, _ in parser.seen if tag == "script"] == []  # the pages carry no script of their own
        assert not any("onerror" in attrs for _, attrs in parser.seen)
        assert "&lt;img src=x onerror=" in page  # shown, as text


def test_a_long_straight_leg_is_far_from_mapped_roads_not_a_road_distance():
    """Regression (issue 22): Vằng Mười is 22.7 km from the nearest mapped road; its 'road distance' was that leg."""
    from geozones.maps.explorer import format_value

    row = {"access_km": 22.7, "road_km_city": 51.0, "road_h_city": 1.1, "straight_km_city": 30.0}
    assert format_value("road_km_city", row, "en") == "far from mapped roads"
    assert format_value("road_h_city", row, "en") == "far from mapped roads"
    assert format_value("straight_km_city", row, "en") == "30 km"  # the straight line stays, labelled as such
    near = dict(row, access_km=0.8)
    assert format_value("road_km_city", near, "en") == "51 km" and format_value("road_h_city", near, "en") == "66 min"
