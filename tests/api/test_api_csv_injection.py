"""CSV injection (OWASP): a stored ``=HYPERLINK(...)`` comes out as text in every CSV the server writes.

A spreadsheet runs a cell starting with ``=``, ``+``, ``-``, ``@``, tab or CR as a formula; every
such text cell must start with a single quote in the download, while numbers stay numbers.
"""

from __future__ import annotations

import csv
import io

import pytest

from tests.helpers.tools import require_module

require_module("fastapi")
require_module("babel")

from fastapi.testclient import TestClient

PAYLOAD = '=HYPERLINK("http://x","y")'
ZONE = "bk-ccn-cam-giang"


@pytest.fixture
def client(store):
    from geozones.api.app import create_app
    from geozones.api.settings import Settings

    etag = store.get_zone(ZONE).etag
    patch = {"properties": {"name": PAYLOAD, "investor": "-1+2", "sources": "@SUM(A1)"}}
    store.update_zone(ZONE, patch, if_match=etag, actor="t")
    with TestClient(create_app(Settings(store=store.path), store=store)) as test_client:
        yield test_client


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_zones_download_neutralises_formula_cells_and_keeps_numbers(client):
    response = client.get("/downloads/zones", params={"f": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    row = next(r for r in rows if r["id"] == ZONE)
    assert row["name"] == "'" + PAYLOAD
    assert row["investor"] == "'-1+2" and row["sources"] == "'@SUM(A1)"
    # no cell of the file starts a formula; numeric columns are still plain numbers
    cells = [cell for r in _rows(response.content.decode("utf-8")) for cell in r]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert float(row["area_published_ha"]) > 0


def test_compare_csv_neutralises_a_stored_formula_name(client):
    ids = f"{ZONE},bk-kcn-thanh-binh-1"
    response = client.get("/maps/compare", params={"ids": ids, "lang": "en", "f": "csv"})
    assert response.status_code == 200
    rows = _rows(response.text)
    assert rows[0][1] == "'" + PAYLOAD
    assert '"\'=HYPERLINK(""http://x"",""y"")"' in response.text  # quoted, inner quotes doubled
    assert not [c for r in rows for c in r if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
