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

from geozones.store import GeoPackageStore
from tests.helpers import zonefactory as zf
from tests.helpers.postgis_server import new_schema

N = 7
WRITER = Path(__file__).resolve().parents[1] / "helpers" / "crash_writer.py"


def _run_and_kill(args: list[str], acks_wanted: int) -> dict[str, int]:
    """Start the writer, read its acknowledgements, SIGKILL it; return zone -> last acknowledged value."""
    process = subprocess.Popen(
        [sys.executable, str(WRITER), *args], stdout=subprocess.PIPE, text=True, stderr=subprocess.PIPE
    )
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
        # acknowledgements the writer sent before the kill landed (a loaded machine delays the kill):
        # they are acknowledged writes too, and the write in flight is the one after the last of them
        for line in process.stdout:
            parts = line.split()
            if parts and parts[0] == "ack":
                acked[parts[1]] = int(parts[2])
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


def test_geopackage_kill_9_during_layer_writes_interleaved_with_edits(tmp_path):
    """An editor process and a whole-layer writer on one store, both killed with SIGKILL while the layer
    writer is inside a write: every acknowledged edit is there, the layer is one whole write (old or new)
    with its style row, the store is still a WAL-mode GeoPackage that GDAL opens and that takes writes."""
    import time
    from contextlib import closing

    path = tmp_path / "store.gpkg"
    GeoPackageStore(path, data_dir=zf.data_dir(tmp_path / "data", N)).ensure()
    editor = subprocess.Popen(
        [sys.executable, str(WRITER), "geopackage", str(path), str(N), "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    layers = subprocess.Popen(
        [sys.executable, str(WRITER), "layers", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    acked: dict[str, int] = {}
    committed_layers: list[int] = []
    in_flight = None
    try:
        assert layers.stdout.readline().strip() == "ready"
        for line in layers.stdout:  # let a few layer writes commit, then kill during the next one
            kind, k = line.split()
            if kind == "layer":
                committed_layers.append(int(k))
            elif kind == "begin" and len(committed_layers) >= 3:
                in_flight = int(k)
                time.sleep(0.05)  # well inside the write (GDAL's scratch file or the copy transaction)
                os.kill(layers.pid, signal.SIGKILL)
                break
        layers.wait(timeout=30)
        for line in layers.stdout:  # what it printed before the kill but was not read yet
            kind, k = line.split()
            if kind == "layer":
                committed_layers.append(int(k))
            else:
                in_flight = int(k)
        for line in editor.stdout:
            parts = line.split()
            if parts[0] == "ack":
                acked[parts[1]] = int(parts[2])
                if int(parts[2]) >= 60:
                    os.kill(editor.pid, signal.SIGKILL)
                    break
    finally:
        for process in (editor, layers):
            process.kill()
            process.wait(timeout=30)
    assert layers.returncode == -signal.SIGKILL and editor.returncode == -signal.SIGKILL, editor.stderr.read()
    assert len(committed_layers) >= 3 and len(acked) == N
    with closing(sqlite3.connect(path)) as db:  # SQLite recovers the WAL on open
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT count(*) FROM layer_styles WHERE f_table_name = 'scenario_crash'").fetchone()[0] == 1
        steps = {r[0] for r in db.execute("SELECT step FROM scenario_crash")}
        count = db.execute("SELECT count(*) FROM scenario_crash").fetchone()[0]
        rtree = db.execute("SELECT count(*) FROM rtree_scenario_crash_geom").fetchone()[0]
    assert count == 50 and rtree == 50 and len(steps) == 1  # one whole write, never a mix
    assert steps <= {committed_layers[-1], in_flight}
    assert pyogrio.read_info(path, layer="zones")["features"] == N
    assert pyogrio.read_info(path, layer="scenario_crash")["features"] == 50
    # the killed writer's scratch GeoPackage (named with its pid) goes when the store is next opened;
    # a live writer's is left alone
    (path.parent / f".{path.stem}.scratch.{layers.pid}.leftover.gpkg").write_bytes(b"killed")
    live = path.parent / f".{path.stem}.scratch.{os.getpid()}.busy.gpkg"
    live.write_bytes(b"mine")
    store = GeoPackageStore(path)
    _check(store, acked)
    assert sorted(p.name for p in path.parent.glob(f".{path.stem}.scratch.*")) == [live.name]
    live.unlink()
    store.write_layer("scenario_crash", store.layer("scenario_crash").head(10))  # and takes layer writes
    assert len(store.layer("scenario_crash")) == 10
    assert not list(path.parent.glob(f".{path.stem}.scratch.*"))
