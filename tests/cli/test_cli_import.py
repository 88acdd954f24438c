"""Managed imports (issue 24 item 3): a dry run shows each zone's change; a stale export never reverts an
edit made in the store since; every imported change is in the history with its file; a sidecar never
wins over a newer edit in the file."""

from __future__ import annotations

import geopandas as gpd
import pyogrio
import pytest
from typer.testing import CliRunner

from geozones.cli import app
from geozones.io import read_layer
from geozones.store import GeoPackageStore
from tests.helpers import published
from tests.helpers.dbf import cut_dbf_text

ZONE = "bk-ccn-quang-chu"


def _run(store, *args):
    return CliRunner().invoke(app, ["--store", str(store.path), *args])


def _export(store, path):
    result = _run(store, "export", str(path))
    assert result.exit_code == 0, result.output
    return path


def _edit_in_file(path, zone_id, **values):
    frame = gpd.read_file(path)
    for name, value in values.items():
        frame.loc[frame["id"] == zone_id, name] = value
    frame.to_file(path, driver="GPKG", layer="zones")


def test_export_carries_each_zones_etag(tmp_path, store):
    path = _export(store, tmp_path / "zones.gpkg")
    frame = gpd.read_file(path)
    tags = dict(zip(frame["id"], frame["etag"], strict=True))
    assert tags[ZONE] == store.get_zone(ZONE).etag  # the API's ETag of the zone
    assert len(set(tags.values())) == len(tags)


def test_a_stale_reimport_after_an_api_edit_is_refused_and_the_dry_run_shows_the_conflict(tmp_path, store):
    path = _export(store, tmp_path / "zones.gpkg")
    # meanwhile an editor changes the zone through the API (the store's edit path)
    current = store.get_zone(ZONE)
    store.update_zone(ZONE, {"properties": {"occupancy_pct": 62.5}}, if_match=current.etag, actor="editor-1")
    # and the GIS officer changes the same zone's status in the old export
    _edit_in_file(path, ZONE, status="operating")
    version = GeoPackageStore(store.path).version()
    dry = _run(store, "store", "import", str(path), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"~ {ZONE}  changed: status: 'site_clearance' → 'operating'; occupancy_pct: 62.5 → —" in dry.output
    assert "conflict: edited in the store since the file was exported (occupancy_pct changed since, by editor-1" in (
        dry.output
    )
    assert "1 conflict(s)" in dry.output
    result = _run(store, "store", "import", str(path))
    assert result.exit_code == 2, result.output
    assert "edited in the store since the file was exported" in result.output and "--force" in result.output
    after = GeoPackageStore(store.path)
    assert after.version() == version and after.get_zone(ZONE).properties["occupancy_pct"] == 62.5
    # told to, it overwrites, and the history says from which file
    forced = _run(store, "store", "import", str(path), "--force")
    assert forced.exit_code == 0, forced.output
    zone = GeoPackageStore(store.path).get_zone(ZONE)
    assert zone.properties["status"] == "operating" and zone.properties["occupancy_pct"] is None
    entry = GeoPackageStore(store.path).history(ZONE)[0]
    assert entry.op == "replace" and entry.actor.startswith("import zones.gpkg")
    assert entry.before["properties"]["occupancy_pct"] == 62.5


def test_an_edit_in_a_fresh_export_is_imported_with_a_history_entry(tmp_path, store):
    path = _export(store, tmp_path / "zones.gpkg")
    _edit_in_file(path, ZONE, status="operating", occupancy_pct=40.0)
    frame = gpd.read_file(path).to_crs(9213)
    moved = frame["id"] == "bk-ccn-thanh-thinh"
    frame.loc[moved, "geometry"] = frame.loc[moved].translate(xoff=50.0)
    frame.to_crs(4326).to_file(path, driver="GPKG", layer="zones")
    dry = _run(store, "store", "import", str(path), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"~ {ZONE}  changed: status: 'site_clearance' → 'operating'; occupancy_pct: — → 40.0" in dry.output
    assert "~ bk-ccn-thanh-thinh  changed: outline moved up to 50.0 m" in dry.output
    assert (
        f"0 added, 2 changed, 0 removed, {published.COUNT - 2} unchanged" in dry.output and "conflict" not in dry.output
    )
    before = {e.seq for e in store.history(None)}
    result = _run(store, "store", "import", str(path), "--allow", "overlap")
    assert result.exit_code == 0, result.output
    assert "2 changed" in result.output and "2 history entries" in result.output
    entries = [e for e in GeoPackageStore(store.path).history(None) if e.seq not in before]
    assert sorted(e.zone_id for e in entries) == ["bk-ccn-quang-chu", "bk-ccn-thanh-thinh"]
    assert all(e.actor.startswith("import zones.gpkg") for e in entries)
    # the unchanged zones keep their versions (no write, no entry)
    assert len(entries) == 2


def test_replace_dry_run_lists_added_and_removed(tmp_path, store):
    path = _export(store, tmp_path / "zones.gpkg")
    frame = gpd.read_file(path)
    frame = frame[frame["id"] != "bk-ccn-thanh-thinh"]
    frame.loc[frame["id"] == ZONE, "etag"] = None  # a row without a version counts as unversioned
    frame.to_file(path, driver="GPKG", layer="zones")
    dry = _run(store, "store", "import", str(path), "--replace", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "- bk-ccn-thanh-thinh  removed" in dry.output and "1 removed" in dry.output
    result = _run(store, "store", "import", str(path), "--replace")
    assert result.exit_code == 0, result.output
    entry = GeoPackageStore(store.path).history("bk-ccn-thanh-thinh")[0]
    assert entry.op == "delete" and entry.actor.startswith("import zones.gpkg")


def test_a_file_without_versions_is_noted(tmp_path, store):
    frame = store.zones()
    frame.loc[frame["id"] == ZONE, "occupancy_pct"] = 10.0
    path = tmp_path / "plain.geojson"
    frame.to_file(path, driver="GeoJSON")
    result = _run(store, "store", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "carries no etag column" in result.output and "1 changed" in result.output


def test_a_long_text_edited_in_qgis_is_not_overwritten_by_the_old_sidecar(tmp_path, store):
    path = _export(store, tmp_path / "zones.shp")
    assert path.with_suffix(".longtext.csv").exists()
    # QGIS edits the .dbf in place: a new location_basis for one zone (others keep their shortened copies)
    raw = pyogrio.read_dataframe(path)
    column = next(c for c in raw.columns if c.lower().startswith("loc"))
    record = int((raw["id"] == "bk-kcn-thanh-binh-1").to_numpy().nonzero()[0][0])
    cut_dbf_text(path, column, record, "Ranh giới theo bản đồ quy hoạch 2024 (sửa trong QGIS)")
    with pytest.warns(UserWarning, match=r"edited after export \(bk-kcn-thanh-binh-1.location_basis\)"):
        frame = read_layer(path)
    texts = dict(zip(frame["id"], frame["location_basis"], strict=True))
    assert texts["bk-kcn-thanh-binh-1"] == "Ranh giới theo bản đồ quy hoạch 2024 (sửa trong QGIS)"
    shipped = store.zones().set_index("id")["location_basis"]
    assert texts["bk-kcn-thanh-binh-2"] == shipped["bk-kcn-thanh-binh-2"]  # restored in full from the sidecar
    assert len(texts["bk-kcn-thanh-binh-2"].encode()) > 254
    result = _run(store, "store", "import", str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "~ bk-kcn-thanh-binh-1  changed: location_basis:" in result.output and "1 changed" in result.output
