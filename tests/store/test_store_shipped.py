"""A store built by an older geozones keeps its layers; `compare_shipped` says which are no longer the
shipped data and `refresh_shipped` / `geozones store refresh` bring them up to date, both backends."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from geozones.errors import UnknownAttributeError
from geozones.store.shipped import compare_shipped, refresh_shipped
from tests.helpers.postgis_server import new_schema


@pytest.fixture(params=["gpkg", "postgis"])
def any_store(request, tmp_path):
    from geozones.store import GeoPackageStore

    if request.param == "gpkg":
        return GeoPackageStore(tmp_path / "s.gpkg").ensure()
    from geozones.store.postgis import PostGISStore

    return PostGISStore(request.getfixturevalue("postgis_url"), schema=new_schema()).ensure()


def test_a_fresh_store_is_the_shipped_data_and_an_old_one_is_found_and_refreshed(any_store):
    table = compare_shipped(any_store).set_index("layer")
    assert (table["status"] == "same").all(), table[table["status"] != "same"]
    # what a store built by an older version looks like: 2 roads, districts without one column, a moved gate
    roads = any_store.layer("infrastructure_roads")
    any_store.write_layer("infrastructure_roads", roads.head(2))
    any_store.write_layer("boundaries_districts", any_store.layer("boundaries_districts").drop(columns=["period"]))
    gates = any_store.layer("infrastructure_border_gates")
    first = gates.geometry.iloc[0]
    gates.loc[gates.index[0], "geometry"] = type(first)(first.x + 0.001, first.y)  # about 100 m east
    any_store.write_layer("infrastructure_border_gates", gates)
    zone = any_store.zones()["id"].iloc[0]
    any_store.update_zone(zone, {"properties": {"occupancy_pct": 12.5}}, if_match=None, actor="test")
    table = compare_shipped(any_store).set_index("layer")
    assert table.loc["infrastructure_roads", "detail"] == f"2 rows in the store, {len(roads)} shipped"
    assert table.loc["boundaries_districts", "detail"] == "columns missing from the store: period"
    assert table.loc["infrastructure_border_gates", "detail"] == "1 geometries differ"
    assert table.loc["zones", "detail"] == "attributes differ: occupancy_pct"
    changed = {"infrastructure_roads", "boundaries_districts", "infrastructure_border_gates", "zones"}
    assert set(table.index[table["status"] == "differs"]) == changed
    refresh_shipped(any_store, ["infrastructure_roads", "boundaries_districts", "infrastructure_border_gates"])
    table = compare_shipped(any_store).set_index("layer")
    assert set(table.index[table["status"] == "differs"]) == {"zones"}  # edits are kept unless zones are named
    assert len(any_store.layer("infrastructure_roads")) == len(roads)
    with pytest.raises(UnknownAttributeError, match="not shipped layer"):
        refresh_shipped(any_store, ["scenario_x"])


def test_cli_info_refresh_and_the_report_note(tmp_path):
    from geozones.cli import app
    from geozones.store import GeoPackageStore

    path = tmp_path / "old.gpkg"
    store = GeoPackageStore(path).ensure()
    store.write_layer("infrastructure_roads", store.layer("infrastructure_roads").head(2))
    runner = CliRunner()
    base = ["--store", str(path)]
    result = runner.invoke(app, base + ["report", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "note: this store's infrastructure_roads are not the data this geozones ships" in result.output
    result = runner.invoke(app, base + ["store", "info"])
    assert result.exit_code == 0 and "geozones store refresh infrastructure_roads" in " ".join(result.output.split())
    result = runner.invoke(app, base + ["store", "refresh", "--yes"])
    assert result.exit_code == 0 and "refreshed infrastructure_roads" in result.output
    result = runner.invoke(app, base + ["store", "refresh", "--yes"])
    assert "every shipped layer in the store is this installation's shipped data" in result.output
    result = runner.invoke(app, base + ["report", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0 and "not the data this geozones ships" not in result.output
