"""GeoPackageStore.version() is cached, yet follows writes of this process and of other processes at once."""

from __future__ import annotations

import subprocess
import sys

from fastapi.testclient import TestClient

from geozones.store import GeoPackageStore, gpkg_sql

#: A writer in another process: set one zone's status, through the store (as `geozones` CLI commands do).
WRITER = """
import sys
from geozones.store import GeoPackageStore
store = GeoPackageStore(sys.argv[1])
store.update_zone(sys.argv[2], {"properties": {"status": sys.argv[3]}}, if_match=None, actor="other process")
"""


def _write_elsewhere(path, zone_id: str, status: str) -> None:
    subprocess.run([sys.executable, "-c", WRITER, str(path), zone_id, status], check=True, timeout=120)


def _uncached(path) -> str:
    """The version as a fresh store object computes it (its own first call opens SQLite)."""
    return GeoPackageStore(path).version()


def test_unchanged_version_opens_no_sqlite(store, monkeypatch):
    store.version()
    opened = []
    real = gpkg_sql.connect
    monkeypatch.setattr(gpkg_sql, "connect", lambda *a, **k: opened.append(a) or real(*a, **k))
    for _ in range(200):
        store.version()
    assert opened == []  # the old code opened the GeoPackage 200 times


def test_version_follows_another_process_at_once(store, monkeypatch):
    """Only the stat check can see these writes: the time-to-live is set to an hour."""
    monkeypatch.setattr(store._versions, "ttl", 3600.0)
    zone_id = store.zones()["id"].iloc[0]
    seen = {store.version()}
    for status in ("planned", "operating", "planned", "operating"):
        _write_elsewhere(store.path, zone_id, status)
        version = store.version()
        assert version == _uncached(store.path)
        assert version not in seen
        seen.add(version)
        assert store.zones().set_index("id").loc[zone_id, "status"] == status


def test_own_writes_invalidate_at_once(store, monkeypatch):
    monkeypatch.setattr(store._versions, "ttl", 3600.0)
    monkeypatch.setattr(store._versions, "signature", lambda: ("never", "changes"))  # only invalidate() can tell
    zone_id = store.zones()["id"].iloc[0]
    before = store.version()
    store.update_zone(zone_id, {"properties": {"status": "planned"}}, if_match=None, actor="test")
    assert store.version() != before
    assert store.version() == _uncached(store.path)


def test_api_page_follows_a_write_from_another_process(store):
    """An API process (one of `--workers 2`, or beside a CLI) serves the edit on its next request."""
    from geozones.api.app import create_app
    from geozones.api.settings import Settings

    client = TestClient(create_app(Settings(store=str(store.path)), store=GeoPackageStore(store.path)))
    url = "/collections/zones/items?limit=1000"
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    zone = first.json()["features"][0]
    assert client.get(url).status_code == 200  # the page is now cached
    for status in ("planned", "operating"):
        new = status if zone["properties"]["status"] != status else "under_construction"
        _write_elsewhere(store.path, zone["id"], new)
        page = client.get(url, headers={"Accept-Encoding": "gzip"}).json()
        assert {f["id"]: f["properties"]["status"] for f in page["features"]}[zone["id"]] == new
        item = client.get(f"/collections/zones/items/{zone['id']}").json()
        assert item["properties"]["status"] == new
