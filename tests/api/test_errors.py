"""Errors are mapped once: geozones' own errors are the client's doing (4xx), anything else is a bug (500)."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from geozones import errors
from geozones.api import create_app
from geozones.api.settings import Settings


@pytest.fixture
def client(store):
    app = create_app(Settings(store=str(store.path)), store=store)

    def boom(kind: str):
        raise {
            "validation": errors.ZoneValidationError("area must be positive", record="z1", field="area_published_ha"),
            "parameter": errors.InvalidParameterError("k must be at least 1"),
            "missing": errors.ZoneNotFoundError("no zone 'nope'"),
            "store": errors.StoreError("store unchanged: disk full"),
            "conflict": errors.ConflictError("zone 'a' exists"),
            "pandas": ValueError("cannot reindex on an axis with duplicate labels"),  # an internal bug
            "key": KeyError("geometry"),
        }[kind]

    app.add_api_route("/boom/{kind}", boom)
    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(
    "kind, status", [("validation", 400), ("parameter", 400), ("missing", 404), ("store", 503), ("conflict", 409)]
)
def test_library_errors_are_4xx_with_their_message(client, kind, status):
    response = client.get(f"/boom/{kind}")
    assert response.status_code == status
    assert response.json()["status"] == status and response.json()["description"]


@pytest.mark.parametrize("kind", ["pandas", "key"])
def test_other_exceptions_are_500_with_a_generic_message_and_a_logged_traceback(client, kind, caplog):
    with caplog.at_level(logging.ERROR, logger="geozones.api"):
        response = client.get(f"/boom/{kind}")
    assert response.status_code == 500
    assert "duplicate labels" not in response.text and "geometry" not in response.text  # no internals leak
    assert any(record.exc_info for record in caplog.records)


def test_every_error_class_subclasses_the_base_and_a_builtin():
    classes = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, Exception)]
    for cls in classes:
        assert issubclass(cls, errors.GeozonesError), cls
        if cls is not errors.GeozonesError:
            assert any(b.__module__ == "builtins" and b is not Exception for b in cls.__mro__), cls
