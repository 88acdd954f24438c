"""Editors, layer writers and readers at once, on both backends: everyone progresses, nothing is lost.

8 editor threads (PATCH-like updates of their own zones, now and then a POST-like create), a
scenario-save thread (``write_layer``), a ``store import``-like writer of the whole zone layer in a
separate process (tests/helpers/lock_writer.py) and 2 reader threads run for a bounded time with
random pauses (one seed per run). A deadlock fails the test (every thread is joined with a
timeout; pytest-timeout is the last resort) instead of hanging it.

At the end every acknowledged write must be there: each acknowledged edit's ETag in the zone's
history, versions numbered without gaps, and the final state of every zone explained by the
order of the acknowledged writes (an edit is only ever overwritten by an import that started
after it returned... or the other way round).
"""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geozones.store import GeoPackageStore
from tests.helpers import zonefactory as zf
from tests.helpers.postgis_server import new_schema

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

N = 24  # zones in the store; editor e owns the zones i with i % EDITORS == e
EDITORS = 8
READERS = 2
MIN_SECONDS = 3.0  # run at least this long...
MAX_SECONDS = 20.0  # ...and until everyone made MIN_OPS, at most this long
MIN_OPS = {"editor": 3, "scenario": 2, "import": 2, "reader": 3}
WRITER = Path(__file__).resolve().parents[1] / "helpers" / "lock_writer.py"
SCENARIO = "scenario_lock"


def scenario_layer(step: int) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"step": [step] * 20}, geometry=[shapely.box(i, 0, i + 1, 1) for i in range(20)], crs="EPSG:4326"
    )


@dataclass
class Worker:
    """One thread's acknowledged operations: (kind, key, value, started, returned)."""

    name: str
    role: str
    ops: list[tuple] = field(default_factory=list)
    error: BaseException | None = None

    @property
    def count(self) -> int:
        return len(self.ops)


def _editor(store, e: int, rng: random.Random, stop: threading.Event, worker: Worker) -> None:
    mine = [f"test-{i:06d}" for i in range(N) if i % EDITORS == e]
    value = created = 0
    while not stop.is_set():
        value += 1
        started = time.monotonic()
        if value % 5 == 0 and created < 40:
            number = 1000 + e * 50 + created
            created += 1
            zone = store.create_zone(zf.feature(number), actor=f"editor {e}")
            worker.ops.append(("create", zone.id, zone.etag, started, time.monotonic()))
        else:
            zone_id = mine[value % len(mine)]
            patch = {"properties": {"investor": f"edit {value}", "occupancy_pct": float(value % 100)}}
            zone = store.update_zone(zone_id, patch, if_match=None, actor=f"editor {e}")
            worker.ops.append(("edit", zone_id, (value, zone.etag), started, time.monotonic()))
        time.sleep(rng.uniform(0, 0.006))


def _scenario_saver(store, rng: random.Random, stop: threading.Event, worker: Worker) -> None:
    step = 0
    while not stop.is_set():
        step += 1
        started = time.monotonic()
        store.write_layer(SCENARIO, scenario_layer(step))
        worker.ops.append(("layer", SCENARIO, step, started, time.monotonic()))
        time.sleep(rng.uniform(0, 0.05))


def _reader(store, rng: random.Random, stop: threading.Event, worker: Worker) -> None:
    while not stop.is_set():
        started = time.monotonic()
        what = rng.choice(["zones", "layer", "zone", "history", "version"])
        if what == "zones":
            assert len(store.zones()) >= N
        elif what == "layer":
            steps = set(store.layer(SCENARIO)["step"])
            assert len(steps) == 1, f"a half-written layer was read: {steps}"  # layer writes are atomic
        elif what == "zone":
            assert store.get_zone(f"test-{rng.randrange(N):06d}").etag
        elif what == "history":
            store.history(limit=3)
        else:
            assert store.version()
        worker.ops.append(("read", what, None, started, time.monotonic()))
        time.sleep(rng.uniform(0, 0.01))


def _run(target, *args) -> threading.Thread:
    worker = args[-1]

    def body() -> None:
        try:
            target(*args)
        except BaseException as exc:  # reported by the test
            worker.error = exc

    thread = threading.Thread(target=body, name=worker.name, daemon=True)  # a stuck one must not hang pytest
    thread.start()
    return thread


class Importer:
    """The separate-process zone-layer writer and what it acknowledged."""

    def __init__(self, args: list[str]):
        self.process = subprocess.Popen(
            [sys.executable, str(WRITER), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.starts: dict[int, float] = {}
        self.dones: dict[int, float] = {}
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.strip())
            parts = line.split()
            if parts and parts[0] == "ready":
                self.ready.set()
            elif parts and parts[0] in ("start", "done"):
                (self.starts if parts[0] == "start" else self.dones)[int(parts[1])] = float(parts[2])

    def stop(self) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write("stop\n")
            self.process.stdin.close()
        except BrokenPipeError:
            pass
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            pytest.fail(f"the importer process did not stop (stuck in a lock?); last lines {self.lines[-3:]}")
        self.reader.join(timeout=10)
        assert self.process.returncode == 0, (self.lines[-3:], self.process.stderr.read())


def _exercise(store, importer_args: list[str], seed: int) -> None:
    store.write_layer(SCENARIO, scenario_layer(0))
    importer = Importer(importer_args)
    try:
        assert importer.ready.wait(90), importer.process.stderr.read() if importer.process.poll() is not None else ""
        stop = threading.Event()
        workers = [Worker(f"editor {e}", "editor") for e in range(EDITORS)]
        workers += [Worker("scenario", "scenario")] + [Worker(f"reader {r}", "reader") for r in range(READERS)]
        threads = []
        for index, worker in enumerate(workers):
            rng = random.Random(seed * 1000 + index)
            if worker.role == "editor":
                threads.append(_run(_editor, store, index, rng, stop, worker))
            elif worker.role == "scenario":
                threads.append(_run(_scenario_saver, store, rng, stop, worker))
            else:
                threads.append(_run(_reader, store, rng, stop, worker))
        begun = time.monotonic()
        while time.monotonic() - begun < MAX_SECONDS:
            time.sleep(0.2)
            if any(w.error for w in workers):
                break
            enough = all(w.count >= MIN_OPS[w.role] for w in workers) and len(importer.dones) >= MIN_OPS["import"]
            if enough and time.monotonic() - begun >= MIN_SECONDS:
                break
        stop.set()
        deadline = time.monotonic() + 20  # one bound for all: a deadlocked run fails within it
        for thread in threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        stuck = [t.name for t in threads if t.is_alive()]
        assert not stuck, f"threads stuck (deadlock?): {stuck}; the importer's last lines: {importer.lines[-2:]}"
    finally:
        importer.stop()
    errors = {w.name: repr(w.error) for w in workers if w.error}
    assert not errors, errors
    slow = {w.name: w.count for w in workers if w.count < MIN_OPS[w.role]}
    if len(importer.dones) < MIN_OPS["import"]:
        slow["import"] = len(importer.dones)
    assert not slow, f"no progress within {MAX_SECONDS} s: {slow}"
    print("operations:", {w.name: w.count for w in workers}, "imports:", len(importer.dones))  # shown by -s
    _check_everything_acknowledged(store, workers, importer)


def _check_everything_acknowledged(store, workers: list[Worker], importer: Importer) -> None:
    imports = sorted(importer.dones)
    assert imports == sorted(importer.starts) == list(range(1, len(imports) + 1))
    zones = store.zones().set_index("id")
    edits: dict[str, list[tuple]] = {}
    for worker in workers:
        for kind, key, value, started, returned in worker.ops:
            if kind == "edit":
                edits.setdefault(key, []).append((value[0], value[1], started, returned))
            elif kind == "create":
                if key in zones.index:  # no import started after it returned
                    assert not any(importer.starts[k] > returned for k in imports), key
                else:  # replaced by an import that ended after the create began
                    assert any(importer.dones[k] > started for k in imports), f"created zone {key} lost"
                assert value in {h.etag_after for h in store.history(key)}, f"create of {key} not in its history"
    for zone_id, done in edits.items():
        history = store.history(zone_id)
        assert [h.version for h in history] == list(range(len(history), 0, -1)), zone_id
        recorded = {h.etag_after for h in history}
        lost = [v for v, etag, _, _ in done if etag not in recorded]
        assert not lost, f"acknowledged edits of {zone_id} missing from its history: {lost}"
    for i in range(N):
        zone_id = f"test-{i:06d}"
        final = zones.loc[zone_id, "investor"]
        mine = edits.get(zone_id, [])
        if isinstance(final, str) and final.startswith("edit "):
            value, _, _, returned = mine[-1]
            assert final == f"edit {value}", (zone_id, final, value)  # the last acknowledged edit
            late = [k for k in imports if importer.starts[k] > returned]
            assert not late, f"{zone_id}: imports {late} started after its last edit but did not replace it"
        elif isinstance(final, str) and final.startswith("import "):
            k = int(final.split()[1])
            assert k == imports[-1], (zone_id, final, imports[-1])
            late = [v for v, _, started, _ in mine if started > importer.dones[k]]
            assert not late, f"{zone_id}: edits {late} began after import {k} ended, yet the import shows"
        else:
            assert not mine and not imports, (zone_id, final)
    steps = [value for w in workers for kind, _, value, _, _ in w.ops if kind == "layer"]
    assert set(store.layer(SCENARIO)["step"]) == {max(steps)}


SEEDS = [11, 22, 33]


@pytest.mark.parametrize("seed", SEEDS)
def test_geopackage_editors_writers_and_readers_all_progress(tmp_path, seed):
    data = zf.data_dir(tmp_path / "data", N)
    path = tmp_path / "store.gpkg"
    store = GeoPackageStore(path, data_dir=data).ensure()
    _exercise(store, ["geopackage", str(path), str(data)], seed)


@pytest.mark.postgis
@pytest.mark.parametrize("seed", SEEDS)
def test_postgis_editors_writers_and_readers_all_progress(postgis_url, tmp_path, seed):
    from geozones.store.postgis import PostGISStore

    schema = new_schema()
    store = PostGISStore(postgis_url, schema=schema, data_dir=zf.data_dir(tmp_path / "data", N)).ensure()
    try:
        _exercise(store, ["postgis", postgis_url, schema], seed)
    finally:
        store.close()
