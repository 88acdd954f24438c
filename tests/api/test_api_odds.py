"""POST /analysis/scenarios/run?draws=N: the odds of meeting targets, seeded, bounded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from geozones.scenario import load_scenario
from geozones.scenario.odds import target_odds

VARIANT = Path(__file__).resolve().parents[2] / "scenarios" / "bac-kan-2030.yaml"


@pytest.fixture(scope="module")
def store_path(built_store, tmp_path_factory):
    path = tmp_path_factory.mktemp("odds") / "geozones.gpkg"
    shutil.copyfile(built_store.path, path)
    return path


@pytest.fixture(scope="module")
def client(store_path):
    from geozones.api.app import create_app
    from geozones.api.settings import Settings
    from geozones.store import GeoPackageStore

    with TestClient(create_app(Settings(store=store_path), store=GeoPackageStore(store_path))) as test_client:
        yield test_client


def test_odds_over_http_equal_the_library_with_the_same_seed(client, store_path):
    from geozones.store import GeoPackageStore

    body = VARIANT.read_bytes()
    headers = {"Content-Type": "application/yaml"}
    response = client.post("/analysis/scenarios/run", content=body, headers=headers, params={"draws": 12, "seed": 5})
    assert response.status_code == 200, response.text
    odds = response.json()["odds"]
    assert odds["draws"] == 12 and odds["seed"] == 5
    direct = target_odds(load_scenario(VARIANT), draws=12, seed=5, store=GeoPackageStore(store_path))
    got = {(row["target"], row["year"]): row["probability"] for row in odds["probabilities"]}
    want = {(row.target, row.year): row.probability for row in direct.probabilities.itertuples()}
    assert got == want
    # the complete-infrastructure count reaches 4 in 2025 whatever the draws (no uncertain figure feeds it)
    assert got[("bk-target-ccn-complete-infra-2025", 2025)] == 1.0
    plain = client.post("/analysis/scenarios/run", content=body, headers=headers)
    assert plain.json()["odds"] is None


def test_too_many_draws_are_refused(client):
    response = client.post(
        "/analysis/scenarios/run",
        content=VARIANT.read_bytes(),
        headers={"Content-Type": "application/yaml"},
        params={"draws": 1_000_000},
    )
    assert 400 <= response.status_code < 500
    assert "draws" in response.text


@pytest.mark.parametrize(
    "extra, field",
    [
        ("base: /etc/hostname.yaml\n", "base"),
        ("base: bac-kan-2021-2025\n", "base"),  # an id is looked up among the server's files too
        ("constraints:\n  exclusions:\n    - file: /etc/passwd\n", "constraints.exclusions"),
        ("constraints:\n  max_slope_deg: 15\n  dem: /tmp/any.tif\n", "constraints.dem"),
    ],
)
def test_a_scenario_sent_over_http_cannot_name_server_files(client, extra, field):
    text = (
        "id: probe\nname: probe\nprovince: Bắc Kạn\nstart_year: 2031\nend_year: 2032\n"
        "sources: [assumption]\nactions: []\n" + extra
    )
    response = client.post(
        "/analysis/scenarios/run", content=text.encode(), headers={"Content-Type": "application/yaml"}
    )
    assert response.status_code == 400, response.text
    assert field in response.json()["description"] and "store layers only" in response.json()["description"]
    compared = client.post("/analysis/scenarios/compare", json={"scenarios": [text, text]})
    assert compared.status_code == 400 and field in compared.json()["description"]
