"""Budgets of issue 20: every request's whole cost is bounded, and an over-budget request says which limit.

Scenario timelines, scenarios per comparison and draws x actions x years are capped (422 naming the
setting); scenario work and PDF renders run in a worker process killed at its deadline, when the
client leaves or when the server stops; a scenario's CRS never reaches PROJ as text; text fields have
a length limit; ``/analysis/proximity`` waits for its slot without holding a thread.
"""

from __future__ import annotations

import asyncio
import http.server
import os
import shutil
import threading
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from geozones.store import GeoPackageStore
from geozones.store.keys import create_key
from tests.helpers import zonefactory as zf

SCENARIO = """id: try-it
name: Vằng Mười to 20 ha
province: Bắc Kạn
start_year: 2024
end_year: 2026
actions:
  - action: grow
    year: 2026
    zone: bk-ccn-vang-muoi
    to_ha: 20
    assumption: a planner's what-if, not a published figure
"""
UNCERTAIN = SCENARIO.replace(
    "    assumption: a planner's what-if, not a published figure\n",
    "    assumption: a planner's what-if\n    uncertain: {to_ha: {uniform: [15, 30]}}\n",
)
YAML = {"Content-Type": "application/yaml"}


def _app(built_store, tmp_path, **settings):
    from geozones.api.app import create_app
    from geozones.api.settings import Settings

    path = tmp_path / "geozones.gpkg"
    if not path.exists():
        shutil.copyfile(built_store.path, path)
    store = GeoPackageStore(path)
    return create_app(Settings(store=path, keys_file=tmp_path / "keys.json", **settings), store=store), store


def _limit(response, status: int, *words: str) -> str:
    assert response.status_code == status, response.text[:300]
    text = response.json()["description"]
    for word in words:
        assert word in text, text
    return text


# --- (2) scenario budgets ----------------------------------------------------------------------------------


def test_scenario_budgets_answer_422_naming_the_limit_and_its_setting(built_store, tmp_path):
    app, _ = _app(built_store, tmp_path, max_scenario_years=20, max_scenarios=3, max_scenario_draw_actions=100)
    with TestClient(app) as client:
        start = time.perf_counter()
        long = SCENARIO.replace("end_year: 2026", "end_year: 2100")  # 77 years, within 1990..2100
        _limit(
            client.post("/analysis/scenarios/run", content=long, headers=YAML),
            422,
            "77 years",
            "limit is 20",
            "GEOZONES_MAX_SCENARIO_YEARS",
        )
        four = [SCENARIO.replace("id: try-it", f"id: s{i}") for i in range(4)]
        _limit(
            client.post("/analysis/scenarios/compare", json={"scenarios": four}),
            422,
            "4 scenarios",
            "GEOZONES_MAX_SCENARIOS",
        )
        # 40 draws x 1 action x 3 years = 120 draw-action-years > 100 (draws x actions alone: 40)
        _limit(
            client.post("/analysis/scenarios/run", params={"draws": 40}, content=UNCERTAIN, headers=YAML),
            422,
            "40 draws x 1 actions x 3 years",
            "GEOZONES_MAX_SCENARIO_DRAW_ACTIONS",
        )
        _limit(
            client.post(
                "/analysis/scenarios/compare",
                json={"scenarios": [SCENARIO, long.replace("id: try-it", "id: long")]},
            ),
            422,
            "GEOZONES_MAX_SCENARIO_YEARS",
        )
        assert time.perf_counter() - start < 5  # refused before any work
        # a year outside the schema's range is a bad scenario (400), whatever the budget
        huge = SCENARIO.replace("end_year: 2026", "end_year: 1002024")
        _limit(client.post("/analysis/scenarios/run", content=huge, headers=YAML), 400, "end_year", "1990..2100")
        ok = client.post("/analysis/scenarios/run", content=SCENARIO, headers=YAML)  # within budget: runs
        assert ok.status_code == 200 and ok.json()["scenario"]["id"] == "try-it"


def test_a_scenario_over_its_deadline_is_stopped_with_422(built_store, tmp_path):
    """Draws within the count budget but slower than the deadline: the worker is killed at 5 s (a plain
    run of the scenario takes well under a second; 2 000 draws take minutes)."""
    app, _ = _app(built_store, tmp_path, scenario_timeout_s=5, max_scenario_draw_actions=100_000)
    with TestClient(app) as client:
        assert client.post("/analysis/scenarios/run", content=SCENARIO, headers=YAML).status_code == 200  # warm
        start = time.perf_counter()
        response = client.post("/analysis/scenarios/run", params={"draws": 2000}, content=UNCERTAIN, headers=YAML)
        elapsed = time.perf_counter() - start
        _limit(response, 422, "took longer than 5 s", "GEOZONES_SCENARIO_TIMEOUT_S")
        assert elapsed < 20, elapsed  # 5 s and the kill
        # the server is fine afterwards (a new worker replaces the killed one)
        assert client.post("/analysis/scenarios/run", content=SCENARIO, headers=YAML).status_code == 200


def _gone(pid: int, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:  # a zombie until its parent reaps it: dead all the same
            with open(f"/proc/{pid}/stat") as handle:
                if handle.read().split(") ", 1)[1].startswith("Z"):
                    return True
        except (FileNotFoundError, IndexError):
            return True
        time.sleep(0.05)
    return False


def _pid(path, within: float = 60.0) -> int:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return int(path.read_text())
        time.sleep(0.05)
    raise AssertionError("the worker never started")


def test_abandoned_work_is_killed_at_the_deadline_on_cancel_and_when_the_client_leaves(tmp_path):
    from geozones import bounded
    from geozones.api.work import sleep_job
    from geozones.errors import BudgetError, WorkLimitError

    async def deadline():
        with pytest.raises(BudgetError, match="took longer than 1 s") as caught:
            await bounded.acall(sleep_job, 60, str(tmp_path / "a.pid"), timeout=1, kind="scenario", what="a sleep")
        assert caught.value.setting == "GEOZONES_SCENARIO_TIMEOUT_S"

    async def cancelled():  # what a stopping server does to a running request
        task = asyncio.ensure_future(bounded.acall(sleep_job, 60, str(tmp_path / "b.pid"), timeout=60))
        while not (tmp_path / "b.pid").exists():
            await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    async def client_left():
        async def gone() -> bool:
            return (tmp_path / "c.pid").exists()

        with pytest.raises(WorkLimitError, match="went away"):
            await bounded.acall(sleep_job, 60, str(tmp_path / "c.pid"), timeout=60, abandoned=gone)

    for name, scenario in (("a", deadline), ("b", cancelled), ("c", client_left)):
        start = time.perf_counter()
        asyncio.run(scenario())
        assert _gone(_pid(tmp_path / f"{name}.pid")), f"{name}: the worker process still runs"
        assert time.perf_counter() - start < 60


# --- (3) the CRS and (9) the id of a scenario over HTTP ---------------------------------------------------------


@pytest.mark.parametrize(
    "crs",
    ["+init=/etc/passwd:root +type=crs", "+nadgrids=/etc/hostname", "not a crs", "EPSG:4326"],
)
def test_a_bad_scenario_crs_is_400_naming_the_field(built_store, tmp_path, crs):
    app, _ = _app(built_store, tmp_path)
    with TestClient(app, raise_server_exceptions=False) as client:
        body = SCENARIO + f"crs: '{crs}'\n"
        _limit(client.post("/analysis/scenarios/run", content=body, headers=YAML), 400, "crs")
        as_json = {
            "id": "j",
            "name": "j",
            "province": "Bắc Kạn",
            "start_year": 2024,
            "end_year": 2026,
            "crs": crs,
        }
        _limit(client.post("/analysis/scenarios/run", json=as_json), 400, "crs")


def test_a_scenario_id_longer_than_a_zone_id_is_400(built_store, tmp_path):
    app, _ = _app(built_store, tmp_path)
    with TestClient(app) as client:
        long = SCENARIO.replace("id: try-it", "id: " + "a" * 3000)
        _limit(client.post("/analysis/scenarios/run", content=long, headers=YAML), 400, "id", "1-64")
        under = SCENARIO.replace("id: try-it", "id: try_it")
        _limit(client.post("/analysis/scenarios/run", content=under, headers=YAML), 400, "id")


# --- (5) text field lengths, the PDF's URL fetcher and deadline ------------------------------------------------


@pytest.fixture
def editor(tmp_path):
    from geozones.api.app import create_app
    from geozones.api.settings import Settings

    store = GeoPackageStore(tmp_path / "store.gpkg", data_dir=zf.data_dir(tmp_path / "data", 6)).ensure()
    key = create_key("editor", "editor", tmp_path / "keys.json")[0]
    app = create_app(Settings(keys_file=tmp_path / "keys.json"), store=store)
    with TestClient(app) as client:
        yield client, store, {"X-API-Key": key}


def test_text_fields_longer_than_their_limit_are_400_naming_field_and_limit(editor):
    from geozones.errors import ZoneValidationError
    from geozones.schema import FIELDS_BY_NAME, validate_zones

    client, store, key = editor
    before = store.version()
    items = "/collections/zones/items"
    feature = zf.feature(901, location_basis="x" * 300_000)
    _limit(client.post(items, json=feature, headers=key), 400, "location_basis", "4,000")
    feature = zf.feature(901, name="n" * 201)
    _limit(client.post(items, json=feature, headers=key), 400, "'name'", "200")
    etag = store.get_zone("test-000001").etag
    patch = {"properties": {"notes": "y" * 4001}}
    _limit(client.patch(f"{items}/test-000001", json=patch, headers=key | {"If-Match": etag}), 400, "notes", "4,000")
    whole = zf.feature(1, investor="z" * 201)
    _limit(client.put(f"{items}/test-000001", json=whole, headers=key | {"If-Match": etag}), 400, "investor")
    assert store.version() == before  # nothing written
    at_limit = zf.feature(902, location_basis="x" * 4000)
    assert client.post(items, json=at_limit, headers=key).status_code == 201
    # the same limit on import (every layer passes validate_zones)
    frame = zf.zones(2)
    frame.loc[frame.index[1], "notes"] = "w" * 5000
    with pytest.raises(ZoneValidationError, match="notes is longer than its limit of 4,000"):
        validate_zones(frame)
    # every text field has a limit, including ones added later (the default)
    assert FIELDS_BY_NAME["location_basis"].max_length == 4000
    assert all(f.max_length for f in FIELDS_BY_NAME.values() if f.dtype == "str")


class _Probe(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        _Probe.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args):
        pass


def test_the_pdf_renderer_loads_only_data_urls_and_bundled_assets(tmp_path):
    pytest.importorskip("weasyprint")
    from geozones.maps.factsheet import STATIC, bundled_only_fetcher, pdf_from_html

    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    server = http.server.HTTPServer(("127.0.0.1", 0), _Probe)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        page = (
            f'<link rel="stylesheet" href="{url}/a.css"><link rel="stylesheet" href="{secret.as_uri()}">'
            f'<img src="{url}/b.png"><p>text</p>'
        )
        assert pdf_from_html(page).startswith(b"%PDF")
        assert _Probe.hits == []  # no request to another host
    finally:
        server.shutdown()
    fetcher = bundled_only_fetcher()
    for refused in (secret.as_uri(), "file:///etc/passwd", f"{STATIC.as_uri()}/../factsheet.py", url + "/c.css"):
        with pytest.raises(ValueError, match="only data: URLs and bundled assets"):
            fetcher.fetch(refused)
    assert fetcher.fetch("data:text/plain,hi").read() == b"hi"
    assert fetcher.fetch((STATIC / "README.md").as_uri()).read() == (STATIC / "README.md").read_bytes()


def test_a_fact_sheet_pdf_over_its_deadline_is_422(built_store, tmp_path):
    pytest.importorskip("weasyprint")
    app, store = _app(built_store, tmp_path, pdf_timeout_s=0.05)
    zone = store.zones()["id"].iloc[0]
    with TestClient(app) as client:
        response = client.get(f"/collections/zones/items/{zone}/factsheet", params={"f": "pdf"})
        _limit(response, 422, "took longer than 0.05 s", "GEOZONES_PDF_TIMEOUT_S")


# --- (6) proximity: waiting holds no thread; parameters normalised ---------------------------------------------


def test_health_stays_fast_while_proximity_requests_wait_for_a_held_slot(built_store, tmp_path, monkeypatch):
    """One proximity request holds the only slot; 48 more (all different) wait; /health answers at once.

    Before, each waiting request held one of anyio's 40 worker threads, so /health waited with them."""
    from geozones.analysis import proximity as proximity_module

    app, _ = _app(built_store, tmp_path, analysis_workers=1, analysis_wait_s=8, analysis_queue=100)
    release = threading.Event()
    started = threading.Event()
    real = proximity_module.infrastructure_distances

    def held(*args, **kwargs):
        started.set()
        release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(proximity_module, "infrastructure_distances", held)

    async def scenario():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=60) as client:
            first = asyncio.ensure_future(client.get("/analysis/proximity"))
            while not started.is_set():
                await asyncio.sleep(0.02)
            waiting = [
                asyncio.ensure_future(client.get("/analysis/proximity", params={"max_access_m": 1000 + i}))
                for i in range(48)
            ]
            await asyncio.sleep(0.5)  # every one of them is waiting now
            times = []
            for _ in range(3):
                begin = time.perf_counter()
                health = await client.get("/health")
                times.append(time.perf_counter() - begin)
                assert health.status_code == 200
            release.set()
            answers = await asyncio.gather(first, *waiting)
            return times, answers

    times, answers = asyncio.run(scenario())
    assert max(times) < 1.0, times
    assert answers[0].status_code == 200
    assert {a.status_code for a in answers[1:]} <= {200, 429}


def test_proximity_parameters_are_normalised_before_they_key_the_cache(built_store, tmp_path, monkeypatch):
    from geozones.analysis import proximity as proximity_module

    app, _ = _app(built_store, tmp_path, analysis_workers=1, analysis_queue=0, analysis_wait_s=5)
    real = proximity_module.infrastructure_distances
    calls = []

    def counted(*args, **kwargs):
        calls.append((kwargs.get("speeds_kmh"), kwargs.get("max_access_m")))
        return real(*args, **kwargs)

    monkeypatch.setattr(proximity_module, "infrastructure_distances", counted)
    with TestClient(app) as client:
        first = client.get("/analysis/proximity", params={"max_access_m": 1500.2, "speed": "national_highway=40.04"})
        assert first.status_code == 200
        assert first.json()["max_access_m"] == 1500 and first.json()["speeds_kmh"] == {"national_highway": 40.0}
        for access, speed in ((1499.9, "40.01"), (1500.4, "39.96")):
            again = client.get(
                "/analysis/proximity", params={"max_access_m": access, "speed": f"national_highway={speed}"}
            )
            assert again.status_code == 200 and again.json() == first.json()
        assert len(calls) == 1  # one computation for the three spellings
        assert client.get("/analysis/proximity", params={"max_access_m": 1e9}).status_code == 400
        assert client.get("/analysis/proximity", params={"speed": "national_highway=1e6"}).status_code == 400


# --- (2) a stopping server does not wait for abandoned work -----------------------------------------------------


def _descendants(root: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parents[int(entry)] = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        children = [child for child, parent in parents.items() if parent == pid]
        found.update(children)
        todo.extend(children)
    return found


def test_serve_with_two_workers_stops_promptly_during_a_long_scenario(built_store, tmp_path):
    """SIGTERM while a long scenario runs: the server (2 processes) exits within seconds and the
    scenario's worker process dies with it (before: the server waited for the work, minutes)."""
    import signal
    import subprocess
    import sys
    from pathlib import Path

    from tests.helpers.apiserver import free_port

    store = tmp_path / "geozones.gpkg"
    shutil.copyfile(built_store.path, store)
    port = free_port()
    env = {
        **os.environ,
        "GEOZONES_SCENARIO_TIMEOUT_S": "300",
        "GEOZONES_SHUTDOWN_TIMEOUT_S": "2",
        "GEOZONES_MAX_SCENARIO_DRAW_ACTIONS": "1000000",
    }
    geozones = Path(sys.executable).parent / "geozones"
    server = subprocess.Popen(
        [
            str(geozones),
            "serve",
            "--store",
            str(store),
            "--port",
            str(port),
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        answer: dict = {}

        def long_request():
            try:
                answer["r"] = httpx.post(
                    f"{url}/analysis/scenarios/run",
                    params={"draws": 2000},
                    content=UNCERTAIN,
                    headers=YAML,
                    timeout=120,
                )
            except httpx.HTTPError as exc:
                answer["error"] = exc

        thread = threading.Thread(target=long_request, daemon=True)
        thread.start()
        time.sleep(8)  # the scenario worker has started and is drawing
        assert thread.is_alive() and not answer
        family = _descendants(server.pid)
        start = time.perf_counter()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=25)
        except subprocess.TimeoutExpired:
            pytest.fail("the server did not stop within 25 s of SIGTERM")
        assert time.perf_counter() - start < 15
        assert all(_gone(pid, within=5) for pid in family), "a worker process outlived the server"
    finally:
        if server.poll() is None:
            for pid in _descendants(server.pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            server.kill()
            server.wait()
