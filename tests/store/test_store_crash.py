"""kill -9 in the middle of a stream of writes: the store stays consistent and keeps every acknowledged write."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pyogrio
import pytest

from tests.helpers import zonefactory as zf
from geozones.store import GeoPackageStore
from tests.helpers.postgis_server import new_schema, postgis_url  # noqa: F401  (fixture)

N = 7
WRITER = Path(__file__).resolve().parents[1] / "helpers" / "crash_writer.py"


def _run_and_kill(args: list[str], acks_wanted: int) -> dict[str, int]:
    """Start the writer, read its acknowledgements, SIGKILL it; return zone -> last acknowledged value."""
    process = subprocess.Popen([sys.executable, str(WRITER), *args], stdout=subprocess.PIPE, text=True,
                               stderr=subprocess.PIPE)
    acked: dict[str, int] = {}
    count = 0
    try:
        for line in process.stdout:
            parts = line.split()
            if parts[0] == "ack":
                acked[parts[1]] = int(parts[2])
                count += 1
                if count >= acks_wanted:
                    os.kill(process.pid, signal.SIGKILL)  # mid-stream: the next write is in flight
                    break
    finally:
        process.kill()
        process.wait(timeout=30)
    assert count >= acks_wanted, process.stderr.read()
    assert process.returncode == -signal.SIGKILL
    return acked


def _check(store, acked: dict[str, int]) -> None:
    last = max(acked.values())
    zones = store.zones().set_index("id")
    assert len(zones) == N
    for zone_id, value in acked.items():
        stored = zones.loc[zone_id, "area_published_ha"]
        # the acknowledged value, or the one write that was committed but not yet acknowledged
        assert stored == value or stored == last + 1, (zone_id, stored, value)
        # the zone row and its history were written together
        history = store.history(zone_id)
        assert history[0].etag_after == store.get_zone(zone_id).etag
        assert [e.version for e in history] == list(range(len(history), 0, -1))
    if "scenario_crash" in store.layers():
        assert len(store.layer("scenario_crash")) == 50
    # and the store takes new writes
    zone = store.get_zone("test-000001")
    store.update_zone("test-000001", {"properties": {"investor": "after the crash"}}, if_match=zone.etag, actor="t")


@pytest.mark.parametrize("acks", [45, 130])
def test_geopackage_survives_kill_9(tmp_path, acks):
    path = tmp_path / "store.gpkg"
    GeoPackageStore(path, data_dir=zf.data_dir(tmp_path / "data", N)).ensure()
    acked = _run_and_kill(["geopackage", str(path), str(N)], acks)
    with sqlite3.connect(path) as db:  # SQLite recovers the WAL on open
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert pyogrio.read_info(path, layer="zones")["features"] == N  # GDAL opens it
    _check(GeoPackageStore(path), acked)


@pytest.mark.parametrize("acks", [45, 130])
def test_postgis_survives_kill_9(postgis_url, tmp_path, acks):
    from geozones.store.postgis import PostGISStore

    schema = new_schema()
    PostGISStore(postgis_url, schema=schema, data_dir=zf.data_dir(tmp_path / "data", N)).ensure().close()
    acked = _run_and_kill(["postgis", postgis_url, schema, str(N)], acks)
    store = PostGISStore(postgis_url, schema=schema)
    _check(store, acked)
    store.close()
