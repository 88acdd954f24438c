"""The embedded GeoPackage store: built from shipped data on first use, atomic writes."""

from __future__ import annotations

import os

import pytest

from geozones import io as gio
from geozones import load_zones
from geozones.errors import StoreError, UnknownAttributeError, ZoneValidationError
from geozones.store import GeoPackageStore, open_store
from tests.helpers import published


def test_first_use_builds_the_store_from_shipped_files(tmp_path):
    store = GeoPackageStore(tmp_path / "sub" / "gz.gpkg")
    assert not store.path.exists()
    zones = store.zones()
    assert store.path.exists() and len(zones) == published.COUNT
    assert {"zones", "boundaries_provinces", "boundaries_districts", "table_targets", "table_aggregates"} <= set(
        store.layers()
    )
    assert zones.crs.to_epsg() == 4326


def test_default_store_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("GEOZONES_STORE", str(tmp_path / "env.gpkg"))
    assert len(load_zones()) == published.COUNT
    assert (tmp_path / "env.gpkg").exists()
    assert open_store().path == tmp_path / "env.gpkg"


def test_tables_come_back_as_plain_frames(built_store):
    targets = built_store.layer("table_targets")
    assert "geometry" not in targets.columns
    assert "bk-target-ccn-count-2025" in set(targets["id"])


def test_write_then_read_and_cache_follows_writes(store):
    zones = store.zones()
    version = store.version()
    zones.loc[zones["id"] == "bk-ccn-quang-chu", "status"] = "under_construction"
    store.write_zones(zones)
    assert store.version() != version
    again = GeoPackageStore(store.path).zones()
    assert again.set_index("id").loc["bk-ccn-quang-chu", "status"] == "under_construction"
    assert store.zones().set_index("id").loc["bk-ccn-quang-chu", "status"] == "under_construction"


def test_invalid_zones_are_refused_and_nothing_is_lost(store):
    before = store.path.read_bytes()
    zones = store.zones()
    zones.loc[zones.index[0], "kind"] = "FACTORY"
    with pytest.raises(ZoneValidationError, match="kind"):
        store.write_zones(zones)
    assert store.path.read_bytes() == before


def test_failed_write_leaves_the_previous_state(store, monkeypatch):
    zones = store.zones()
    before = store.path.read_bytes()

    def broken(frame, target, layer, **kwargs):
        original(frame.iloc[:1], target, layer, **kwargs)  # half written...
        raise OSError("disk full")  # ...then the disk fills up

    original = gio.write_gpkg_layer
    monkeypatch.setattr(gio, "write_gpkg_layer", broken)
    with pytest.raises(StoreError, match="unchanged"):
        store.write_zones(zones.iloc[:3])
    assert store.path.read_bytes() == before
    assert [p.name for p in store.path.parent.iterdir() if p.name.startswith(".")] == []
    assert len(GeoPackageStore(store.path).zones()) == published.COUNT


def test_extra_layers_and_deletion(store):
    districts = store.layer("boundaries_districts")
    store.write_layer("scenario_test", store.zones().iloc[:2])
    assert "scenario_test" in store.layers() and len(store.layer("scenario_test")) == 2
    store.delete_layer("scenario_test")
    assert "scenario_test" not in store.layers()
    assert len(store.layer("boundaries_districts")) == len(districts)
    with pytest.raises(StoreError):
        store.delete_layer("zones")


def test_unknown_layer(store):
    with pytest.raises(UnknownAttributeError, match="no layer 'nope'"):
        store.layer("nope")


def test_store_file_is_a_clean_geopackage(built_store):
    assert gio.layer_warnings(built_store.path) == []
    assert os.path.getsize(built_store.path) > 0


def test_a_store_from_an_older_release_gets_new_shipped_layers_and_keeps_its_own(store):
    zones = store.zones()
    zones.loc[zones["id"] == "bk-ccn-quang-chu", "status"] = "operating"
    store.write_zones(zones)
    store.delete_layer("infrastructure_roads")  # as if made before roads were shipped
    assert "infrastructure_roads" not in store.layers()
    reopened = GeoPackageStore(store.path)
    assert "infrastructure_roads" in reopened.layers()
    assert reopened.zones().set_index("id").loc["bk-ccn-quang-chu", "status"] == "operating"


def test_reset_in_place_after_edits_and_layer_writes(tmp_path):
    """reset() rebuilds from the shipped files inside the live file: edits, history and extra layers go,
    the zones and their style come back, the store stays in WAL mode and keeps taking edits."""
    import sqlite3
    from contextlib import closing

    from geozones.store import GeoPackageStore
    from tests.helpers import zonefactory as zf

    store = GeoPackageStore(tmp_path / "s.gpkg", data_dir=zf.data_dir(tmp_path / "data", 5)).ensure()
    zone = store.get_zone("test-000001")
    store.update_zone(zone.id, {"properties": {"investor": "changed"}}, if_match=zone.etag, actor="t")
    store.write_layer("scenario_extra", store.zones())
    before = store.version()
    store.reset()
    assert store.version() != before
    assert "scenario_extra" not in store.layers()
    assert store.history() == []
    assert store.get_zone(zone.id).etag == zone.etag  # the shipped record again
    with closing(sqlite3.connect(store.path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT count(*) FROM layer_styles WHERE f_table_name = 'zones'").fetchone()[0] == 1
        assert db.execute("SELECT count(*) FROM layer_styles WHERE f_table_name = 'scenario_extra'").fetchone()[0] == 0
    again = store.update_zone(zone.id, {"properties": {"investor": "after reset"}}, if_match=zone.etag, actor="t")
    assert [e.version for e in store.history(zone.id)] == [1] and again.properties["investor"] == "after reset"
