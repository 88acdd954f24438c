"""Investor routes: the site explorer page, /maps/compare (HTML, CSV), fact sheets, the landing page's links."""

from __future__ import annotations

import re

import pytest

from tests.helpers.tools import require_module

require_module("babel")  # the catalogues are compiled with Babel


@pytest.fixture
def client(store):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings

    return TestClient(create_app(Settings(store=store.path), store=store))


def test_explorer_page_language_from_query_or_header(client):
    page = client.get("/maps/investor", params={"lang": "ko"})
    assert page.status_code == 200 and page.headers["content-language"] == "ko"
    assert '<html lang="ko">' in page.text and "산업단지 탐색기" in page.text
    for src in re.findall(r'<script src="([^"]+)"', page.text) + re.findall(r'stylesheet" href="([^"]+)"', page.text):
        assert client.get(src).status_code == 200, src
    assert client.get("/maps/investor", headers={"Accept-Language": "ja,en;q=0.5"}).headers["content-language"] == "ja"
    bad = client.get("/maps/investor", params={"lang": "fr"}, headers={"Accept-Language": "zh-CN"})
    assert bad.status_code == 400 and "不支持语言 fr" in bad.json()["description"]


def test_compare_route_html_csv_and_errors(client):
    ids = "bk-kcn-thanh-binh-1,bk-ccn-cam-giang,ls-kcn-hong-phong"
    page = client.get("/maps/compare", params={"ids": ids, "lang": "en"})
    assert page.status_code == 200 and page.text.count("<th scope='col'>") == 3
    csv = client.get("/maps/compare", params={"ids": ids, "lang": "vi", "f": "csv"})
    assert csv.headers["content-type"].startswith("text/csv") and "attachment" in csv.headers["content-disposition"]
    assert csv.text.lstrip("\ufeff").startswith("Chỉ tiêu,KCN Thanh Bình giai đoạn I,CCN Cẩm Giàng,KCN Hồng Phong")
    one = client.get("/maps/compare", params={"ids": "bk-ccn-cam-giang", "lang": "en"})
    assert one.status_code == 400 and "got 1" in one.json()["description"]
    five = client.get("/maps/compare", params={"ids": "a,b,c,d,e", "lang": "en"})
    assert five.status_code == 400
    assert client.get("/maps/compare", params={"ids": "bk-ccn-cam-giang,nope"}).status_code == 404


def test_factsheet_route_html_pdf_and_404(client):
    html = client.get("/collections/zones/items/bk-ccn-cam-giang/factsheet", params={"lang": "zh-Hans", "f": "html"})
    assert html.status_code == 200 and "园区简介表" in html.text and "CCN Cẩm Giàng" in html.text
    assert "<svg" not in html.text and html.text.count("data:image/svg+xml;base64,") == 2  # two maps, as images
    missing = client.get("/collections/zones/items/nope/factsheet", params={"lang": "en"})
    assert missing.status_code == 404 and missing.json()["description"] == "No site with the id nope."
    require_module("weasyprint")
    pdf = client.get("/collections/zones/items/bk-ccn-cam-giang/factsheet", params={"lang": "vi", "f": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


def test_landing_page_links_explorer_downloads_and_analysis(client):
    links = {link["href"].removeprefix("http://testserver") for link in client.get("/?f=json").json()["links"]}
    assert {
        "/maps/investor",
        "/downloads",
        "/analysis/totals",
        "/analysis/reconcile",
        "/analysis/indicators",
        "/analysis/proximity",
    } <= links
    html = client.get("/?f=html").text
    for target in ("/maps/investor?lang=ko", "/downloads", "/analysis/proximity"):
        assert target in html
    for href in links:
        if href.startswith(("/maps/investor", "/downloads", "/analysis/")):
            assert client.get(href).status_code == 200, href
