"""The store's one lock order (geozones.store.locking): the issue-20 deadlock, forced, and the order's rules.

The regression tests force the interleaving that deadlocked the server for good: a whole-layer
write that already holds the store's write lock while an edit arrives. A deadlock fails them
within seconds (threads are joined with a timeout) instead of hanging the run.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from contextlib import contextmanager

import geopandas as gpd
import pytest
import shapely

import geozones.io
from geozones.store import GeoPackageStore
from tests.helpers import zonefactory as zf
from tests.helpers.postgis_server import new_schema

pytestmark = pytest.mark.timeout(120)

N = 5


def _layer(step: int) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"step": [step] * 10}, geometry=[shapely.box(i, 0, i + 1, 1) for i in range(10)], crs=4326)


def _thread(target, errors: list) -> threading.Thread:
    def body():
        try:
            target()
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    thread = threading.Thread(target=body, daemon=True)  # a deadlocked one must not hang pytest
    thread.start()
    return thread


def _finished(*threads: threading.Thread, within: float = 20.0) -> bool:
    deadline = time.monotonic() + within
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    return not any(t.is_alive() for t in threads)


@pytest.fixture
def gpkg(tmp_path):
    return GeoPackageStore(tmp_path / "store.gpkg", data_dir=zf.data_dir(tmp_path / "data", N)).ensure()


def test_an_edit_arriving_during_a_layer_write_does_not_deadlock(gpkg, monkeypatch):
    """Issue 20: the layer write held the file lock and waited for the thread lock the edit held."""
    writing, editing = threading.Event(), threading.Event()
    write_scratch = geozones.io.write_gpkg_layer

    def slow_scratch_write(frame, target, name, *args, **kwargs):
        if name == "scenario_forced":  # the layer writer holds the store's write lock by now
            writing.set()
            assert editing.wait(10)
            time.sleep(0.5)  # the edit is now waiting for its locks
        return write_scratch(frame, target, name, *args, **kwargs)

    monkeypatch.setattr(geozones.io, "write_gpkg_layer", slow_scratch_write)
    edit = gpkg._edit

    @contextmanager
    def announced_edit():
        editing.set()
        with edit() as tx:
            yield tx

    monkeypatch.setattr(gpkg, "_edit", announced_edit)
    errors: list = []
    writer = _thread(lambda: gpkg.write_layer("scenario_forced", _layer(1)), errors)
    assert writing.wait(30)
    patch = {"properties": {"investor": "during the layer write"}}
    editor = _thread(lambda: gpkg.update_zone("test-000001", patch, if_match=None, actor="t"), errors)
    assert _finished(writer, editor), "the layer write and the edit deadlocked"
    assert not errors, errors
    assert set(gpkg.layer("scenario_forced")["step"]) == {1}
    assert gpkg.get_zone("test-000001").properties["investor"] == "during the layer write"


@pytest.mark.postgis
def test_postgis_edit_holding_its_row_next_to_a_zone_layer_write_does_not_deadlock(postgis_url, tmp_path):
    """PostGIS: the edit locked its row, the layer write locked the table and waited for the row, the edit
    then waited for the table -- PostgreSQL broke the cycle by failing one of them ("deadlock detected")."""
    from geozones.store.postgis import PostGISStore

    store = PostGISStore(postgis_url, schema=new_schema(), data_dir=zf.data_dir(tmp_path / "data", N)).ensure()
    try:
        holding, writer_started = threading.Event(), threading.Event()

        def check(zone, before):  # runs inside the edit's transaction, after SELECT ... FOR UPDATE
            holding.set()
            assert writer_started.wait(10)
            time.sleep(1.5)  # the layer write is now waiting (old: inside DELETE FROM zones)

        errors: list = []
        zones = store.zones().assign(investor="imported")
        patch = {"properties": {"investor": "edited", "name": "Cụm công nghiệp thử đổi tên"}}
        editor = _thread(lambda: store.update_zone("test-000001", patch, if_match=None, actor="t", check=check), errors)
        assert holding.wait(30)

        def write():
            writer_started.set()
            store.write_zones(zones)

        writer = _thread(write, errors)
        assert _finished(editor, writer), "the edit and the layer write are stuck"
        assert not errors, errors
        # the layer write waited for the edit and then replaced every zone
        assert set(store.zones()["investor"]) == {"imported"}
        assert store.history("test-000001")[0].after["properties"]["investor"] == "edited"
    finally:
        store.close()


# --- the rules of the order (new in the fix: these name geozones.store.locking) -----------------------


def test_a_write_inside_a_write_on_the_same_thread_reenters(gpkg, tmp_path):
    from geozones.store import locking

    other = GeoPackageStore(tmp_path / "store.gpkg")  # a second store object on the same file
    locks = locking.file_locks(gpkg.path)
    assert other._locks is locks
    errors: list = []

    def nested():
        with locks.write():
            gpkg.update_zone("test-000002", {"properties": {"investor": "inside"}}, if_match=None, actor="t")
            other.write_layer("scenario_nested", _layer(7))
            other.create_zone(zf.feature(40), actor="t")

    assert _finished(_thread(nested, errors)), "a nested write waited for its own thread"
    assert not errors, errors
    assert gpkg.get_zone("test-000002").properties["investor"] == "inside"
    assert set(gpkg.layer("scenario_nested")["step"]) == {7}
    assert gpkg.get_zone("test-000040").id == "test-000040"


def test_out_of_order_requests_raise_instead_of_waiting(gpkg, tmp_path):
    from geozones.store.locking import LockOrderError

    locks = gpkg._locks
    with locks.library("sqlite3"):
        with pytest.raises(LockOrderError, match="innermost"):
            with locks.write():
                pass
        with pytest.raises(LockOrderError, match="never touch one file at once"):
            with locks.library("gdal"):
                pass
        with locks.library("sqlite3"):  # the same library re-enters
            pass
    second = GeoPackageStore(tmp_path / "second.gpkg", data_dir=zf.data_dir(tmp_path / "data2", 2)).ensure()
    with locks.write(), pytest.raises(LockOrderError, match="inside a write"):
        second.write_layer("scenario_x", _layer(1))
    # and an edit whose check reads the store through the other library fails at once, store unchanged
    before = gpkg.get_zone("test-000003")
    with pytest.raises(LockOrderError):
        gpkg.update_zone(
            "test-000003",
            {"properties": {"investor": "x"}},
            if_match=None,
            actor="t",
            check=lambda zone, before: gpkg.zones(),
        )
    assert gpkg.get_zone("test-000003").etag == before.etag


HOLDER = """
import fcntl, sys
handle = open(sys.argv[1], "a+")
fcntl.flock(handle, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()
"""


def test_another_process_holding_the_file_lock_holds_up_writes_not_reads(gpkg):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, f"{gpkg.path}.lock"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        errors: list = []
        editor = _thread(
            lambda: gpkg.update_zone("test-000004", {"properties": {"investor": "later"}}, if_match=None, actor="t"),
            errors,
        )
        started = time.monotonic()
        assert len(gpkg.zones()) == N and gpkg.get_zone("test-000004").properties["investor"] is None  # reads go on
        assert time.monotonic() - started < 10
        editor.join(timeout=1.0)
        assert editor.is_alive(), "the edit did not wait for the other process's file lock"
        holder.stdin.close()
        assert _finished(editor)
        assert not errors, errors
        assert gpkg.get_zone("test-000004").properties["investor"] == "later"
    finally:
        holder.kill()
        holder.wait(timeout=10)


@pytest.mark.postgis
def test_postgis_nested_write_transaction_raises_and_edits_wait_for_layer_writes(postgis_url, tmp_path):
    import psycopg

    from geozones.store.locking import LockOrderError
    from geozones.store.postgis import PostGISStore

    schema = new_schema()
    store = PostGISStore(postgis_url, schema=schema, data_dir=zf.data_dir(tmp_path / "data", N)).ensure()
    try:
        with store._transaction("layers"), pytest.raises(LockOrderError):
            store.update_zone("test-000001", {"properties": {"investor": "x"}}, if_match=None, actor="t")
        # a layer write (the exclusive lock, held here by another session) holds up edits, not reads
        with psycopg.connect(postgis_url, autocommit=True) as other:
            other.execute(f"SET search_path TO {schema}")
            other.execute("SELECT pg_advisory_lock(hashtext('geozones-layers:' || current_schema()))")
            errors: list = []
            patch = {"properties": {"investor": "after"}}
            editor = _thread(lambda: store.update_zone("test-000001", patch, if_match=None, actor="t"), errors)
            assert len(store.zones()) == N
            editor.join(timeout=1.0)
            assert editor.is_alive(), "the edit did not wait for the layer write"
            other.execute("SELECT pg_advisory_unlock(hashtext('geozones-layers:' || current_schema()))")
            assert _finished(editor)
        assert not errors, errors
        assert store.get_zone("test-000001").properties["investor"] == "after"
    finally:
        store.close()


def test_a_child_forked_inside_a_write_leaves_the_parents_file_lock_alone(gpkg):
    import fcntl
    import os

    status = None
    with gpkg._locks.write():
        pid = os.fork()
        if pid != 0:
            _, status = os.waitpid(pid, 0)  # the parent holds its write until the child has looked
    if pid == 0:  # the child has left the with-block, as unwinding code would: is the lock still held?
        code = 1
        try:
            with open(f"{gpkg.path}.lock", "a+") as probe:
                try:
                    fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    code = 0  # still the parent's
        finally:
            os._exit(code)
    assert status is not None and os.WEXITSTATUS(status) == 0, "the forked child released the parent's file lock"
    gpkg.update_zone("test-000001", {"properties": {"investor": "after fork"}}, if_match=None, actor="t")
    assert gpkg.get_zone("test-000001").properties["investor"] == "after fork"


def test_appended_rows_take_the_one_lock_order_and_wait_for_a_writer(gpkg, tmp_path):
    """append_rows (the inquiries table) goes through geozones.store.locking: asked while holding a
    library gate it raises LockOrderError; next to another thread's write it waits for it, then the
    rows (created through the layer path, then INSERTed) are all there, the cap holds and the version moves."""
    import pandas as pd

    from geozones.errors import InputTooLargeError
    from geozones.store.locking import LockOrderError

    rows = pd.DataFrame({"id": ["a", "b"], "land_ha": [1.5, None], "n": [1, 2]})
    with gpkg._locks.library("sqlite3"), pytest.raises(LockOrderError, match="innermost"):
        gpkg.append_rows("inquiries", rows)
    assert gpkg.append_rows("inquiries", rows) == 2  # a new table: the layer path
    before = gpkg.version()
    errors: list = []
    with gpkg._locks.write():  # another thread's append waits for this write
        thread = _thread(lambda: gpkg.append_rows("inquiries", rows.assign(id=["c", "d"])), errors)
        time.sleep(0.3)
        assert thread.is_alive()
    assert _finished(thread) and not errors
    assert gpkg.version() != before
    with pytest.raises(InputTooLargeError):
        gpkg.append_rows("inquiries", rows.assign(id=["e", "f"]), max_rows=5)
    table = gpkg.layer("inquiries")
    assert sorted(table["id"]) == ["a", "b", "c", "d"]
    assert sorted(int(v) for v in table["n"]) == [1, 1, 2, 2] and table["land_ha"].isna().sum() == 2
