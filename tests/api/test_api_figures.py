"""Issue 21: a provincial office adds a published figure with its source, over HTTP and the CLI; old figures are
never overwritten and the zone serves the value the rule picks (authority first, then newest)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.helpers.tools import require_module

require_module("fastapi")

from fastapi.testclient import TestClient
from typer.testing import CliRunner

SHIPPED_FIGURES = len(pd.read_csv(Path(__file__).resolve().parents[2] / "data" / "zones" / "figures.csv"))
NEW = {
    "zone_id": "ls-kcn-hong-phong",
    "field": "area_published_ha",
    "value": "400",
    "unit": "ha",
    "qualifier": "about",
    "as_of": "2025-07",
    "source_id": "laodong-2025-07-ls-tien-do-khu-cum",
    "note": "test figure (not a real report)",
}


@pytest.fixture
def env(store, tmp_path):
    from geozones.api.app import create_app
    from geozones.api.settings import Settings
    from geozones.store.keys import create_key

    secret = create_key("editor", "figures tests", tmp_path / "keys.json")[0]
    app = create_app(Settings(store=store.path, keys_file=tmp_path / "keys.json"), store=store)
    with TestClient(app) as client:
        yield store, client, {"X-API-Key": secret}


def _figures(client, zone_id):
    body = client.get("/collections/table_figures/items", params={"filter": f"zone_id = '{zone_id}'", "limit": 100})
    return [f["properties"] for f in body.json()["features"]]


def test_add_a_figure_keeps_the_old_ones_and_re_serves_the_zone(env):
    store, client, key = env
    before = {f["id"]: f for f in _figures(client, "ls-kcn-hong-phong")}
    assert sorted(float(f["value"]) for f in before.values()) == [100.0, 440.0]
    assert client.post("/edit/figures", json=NEW).status_code == 401  # no key, no write
    response = client.post("/edit/figures", json=NEW, headers=key)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["figure"]["id"] == f"fig-{SHIPPED_FIGURES + 1:04d}"
    # press, newest (Jul 2025) beats press of 2019: 400 is served; the 440 and 100 ha figures stay
    assert body["served"]["value"] == "400" and body["served"]["alternatives"] == 2
    after = {f["id"]: f for f in _figures(client, "ls-kcn-hong-phong")}
    assert {i: after[i] for i in before} == before
    zone = client.get("/collections/zones/items/ls-kcn-hong-phong").json()["properties"]
    assert zone["area_published_ha"] == 400.0 and zone["area_qualifier"] == "about"
    assert "laodong-2025-07-ls-tien-do-khu-cum" in zone["sources"]
    # a less authoritative later figure does not displace the served one: a listing's 999 ha
    listing = {**NEW, "value": "999", "as_of": "2026", "source_id": "vki-list-thai-nguyen", "qualifier": "exact"}
    assert client.post("/edit/figures", json=listing, headers=key).json()["served"]["value"] == "400"
    assert client.get("/collections/zones/items/ls-kcn-hong-phong").json()["properties"]["area_published_ha"] == 400.0


@pytest.mark.parametrize(
    "change, words",
    [
        ({"source_id": "seed:004_d43f10f6b518d8a6.txt"}, "no source"),
        ({"zone_id": "nope"}, "no zone"),
        ({"field": "colour"}, "field must be one of"),
        ({"value": "a lot"}, "must be a number"),
        ({"id": "fig-0001"}, "append-only"),
        ({"extra": "x"}, "unknown member"),
        ({"as_of": "July 2025"}, "not a date"),
    ],
)
def test_bad_figures_are_refused_and_change_nothing(env, change, words):
    store, client, key = env
    response = client.post("/edit/figures", json={**NEW, **change}, headers=key)
    assert response.status_code == 400 and words in response.text
    assert len(_figures(client, "ls-kcn-hong-phong")) == 2


def test_cli_figures_add_and_list(store):
    from geozones.cli import app

    runner = CliRunner()
    args = ["--store", str(store.path), "figures", "add", "ls-kcn-hong-phong", "area_published_ha", "400"]
    args += ["--source", NEW["source_id"], "--as-of", "2025-07", "--qualifier", "about", "--unit", "ha"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())  # the console may wrap the line
    assert "served value now 400" in text and "2 other figure(s) kept" in text
    listed = runner.invoke(app, ["--store", str(store.path), "figures", "list", "ls-kcn-hong-phong"])
    assert listed.exit_code == 0 and "Báo Lạng Sơn" in listed.output and "Lao Động" in listed.output
    bad = runner.invoke(app, [*args[:7], "--source", "nope"])
    assert bad.exit_code == 2 and "no source" in bad.output
