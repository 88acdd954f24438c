"""Fuzz the OGC API with schemathesis from its own OpenAPI 3.0 document: no 5xx, responses match the schema."""

from __future__ import annotations

import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.helpers.apiserver import live_server

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


EDITOR: dict[str, str] = {}


@pytest.fixture(scope="module")
def live_api(tmp_path_factory, built_store):
    """A server over a copy of the shipped store; the fuzz sends an editor key, so write routes are
    exercised past authentication (bodies, geometries, If-Match) too."""
    from geozones.store.keys import create_key

    root = tmp_path_factory.mktemp("fuzz")
    path = root / "geozones.gpkg"
    shutil.copyfile(built_store.path, path)
    EDITOR["X-API-Key"] = create_key("editor", "fuzz", root / "keys.json")[0]
    with live_server(
        path, limit_max=500, keys_file=root / "keys.json", write_burst=100_000, geometry_timeout_s=3
    ) as url:
        yield url


class HealthWatch:
    """Polls /health in a thread while the fuzz runs; every answer must come within 1 s."""

    def __init__(self, url: str):
        import threading

        self.url, self.slowest, self.failures, self._stop = url, 0.0, [], threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self):
        import time

        import httpx

        with httpx.Client(base_url=self.url, timeout=10) as client:
            while not self._stop.is_set():
                start = time.perf_counter()
                try:
                    status = client.get("/health").status_code
                except httpx.HTTPError as exc:
                    status = repr(exc)
                self.slowest = max(self.slowest, time.perf_counter() - start)
                if status != 200:
                    self.failures.append(status)
                time.sleep(0.1)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


@pytest.fixture(scope="module")
def api_schema(live_api):
    return schemathesis.openapi.from_url(f"{live_api}/api")


def _operations(api_schema) -> list:
    return [result.ok() for result in api_schema.get_all_operations()]


@pytest.mark.slow
def test_openapi_fuzz(api_schema, live_api):
    """Every operation, 60 generated requests each, with real collection and item ids mixed in.

    (schemathesis's pytest plugin does not load on pytest 9, so hypothesis drives the strategies.)
    """
    import httpx

    collections = [c["id"] for c in httpx.get(f"{live_api}/collections").json()["collections"]]
    ids = {
        c: [f["id"] for f in httpx.get(f"{live_api}/collections/{c}/items", params={"limit": 50}).json()["features"]]
        for c in collections
    }
    operations = _operations(api_schema)
    assert {op.path for op in operations} >= {
        "/",
        "/conformance",
        "/collections",
        "/collections/{collectionId}",
        "/collections/{collectionId}/items",
        "/collections/{collectionId}/items/{featureId}",
        "/collections/{collectionId}/queryables",
    }
    statuses = collections_module_counter()
    slowest = [0.0, ""]
    watch = HealthWatch(live_api).__enter__()
    for operation in operations:

        @given(case=operation.as_strategy(), real=st.integers(0, 3), pick=st.integers(0, 10_000))
        @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def fuzz(case, real, pick):
            if real > 0 and case.path_parameters and "collectionId" in case.path_parameters:
                collection = collections[pick % len(collections)]
                case.path_parameters["collectionId"] = collection
                if "featureId" in case.path_parameters:
                    case.path_parameters["featureId"] = str(ids[collection][pick % len(ids[collection])])
            import time

            case.headers = {**(case.headers or {}), **EDITOR}
            start = time.perf_counter()
            response = case.call_and_validate(base_url=live_api, checks=CHECKS, timeout=30)
            took = time.perf_counter() - start
            if took > slowest[0]:
                slowest[:] = [took, f"{case.method} {case.formatted_path}"]
            statuses[(operation.path, response.status_code)] += 1  # noqa: B023  (fuzz() runs in this iteration)

        fuzz()
    watch.__exit__()
    assert slowest[0] < 10, slowest  # no request over 10 s
    assert watch.failures == [] and watch.slowest < 1.0, (watch.failures, watch.slowest)
    # the fuzz reached real resources, not only 404s
    assert statuses[("/collections/{collectionId}/items", 200)] > 0
    assert statuses[("/collections/{collectionId}/items/{featureId}", 200)] > 0


def collections_module_counter():
    import collections

    return collections.Counter()


def test_schemathesis_reaches_every_collection_and_item(api_schema, live_api):
    """The fuzz above sees random ids; check the documented schemas also hold for real ones."""
    import httpx

    operation = api_schema["/collections/{collectionId}/items/{featureId}"]["GET"]
    case = operation.Case(
        path_parameters={"collectionId": "zones", "featureId": "bk-ccn-quang-chu"},
        query={"crs": "http://www.opengis.net/def/crs/EPSG/0/9213"},
    )
    response = case.call(base_url=live_api)
    assert response.status_code == 200
    case.validate_response(response, checks=CHECKS)
    collections = httpx.get(f"{live_api}/collections").json()["collections"]
    items = api_schema["/collections/{collectionId}/items"]["GET"]
    for collection in collections:
        case = items.Case(path_parameters={"collectionId": collection["id"]}, query={"limit": 500})
        response = case.call(base_url=live_api)
        assert response.status_code == 200
        case.validate_response(response, checks=CHECKS)
