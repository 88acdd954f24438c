"""The landing page in all five languages (``lang=`` and ``Accept-Language``), no English sentence left."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from geozones.maps import i18n
from tests.helpers.tools import require_module

require_module("babel")


@pytest.fixture(scope="module")
def client(built_store):
    from geozones.api.app import create_app
    from geozones.api.settings import Settings

    return TestClient(create_app(Settings(store=built_store.path), store=built_store))


def _text(page: str) -> str:
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_landing_page_in_each_language(client, lang):
    by_param = client.get("/", params={"f": "html", "lang": lang})
    by_header = client.get("/", params={"f": "html"}, headers={"Accept-Language": f"{lang};q=0.9, fr;q=0.5"})
    for page in (by_param, by_header):
        assert page.status_code == 200 and page.headers["Content-Language"] == lang
        assert f'<html lang="{lang}">' in page.text
        text = _text(page.text)
        assert i18n.text(lang, "landing.title") in text
        assert f"/maps/investor?lang={lang}" in page.text and "/downloads" in page.text
        if lang != "en":
            english = _text(client.get("/", params={"f": "html", "lang": "en"}).text)
            words = set(re.findall(r"\b[A-Za-z]{4,}\b", english)) - set(re.findall(r"\b[A-Za-z]{4,}\b", text))
            assert words  # the English page says things this one says in its own language
            leftovers = re.findall(r"\b[a-z]{3,} [a-z]{3,} [a-z]{3,}\b", text)
            assert leftovers == [], leftovers  # no run of three English words (place and product names aside)
