"""Shared fixtures: shipped data, a throw-away store, and real system tools."""

from __future__ import annotations

import shutil

import pytest

from tests.helpers.tools import DATA, ROOT, SEEDS, require_tool  # noqa: F401  (re-exported for fixtures)


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path_factory, monkeypatch):
    """No test touches the user's real store: GEOZONES_STORE points into a temp dir."""
    monkeypatch.setenv("GEOZONES_STORE", str(tmp_path_factory.getbasetemp() / "default-store" / "geozones.gpkg"))


@pytest.fixture(scope="session")
def built_store(tmp_path_factory):
    """A store built once from the shipped data (read-only use)."""
    from geozones.store import GeoPackageStore

    return GeoPackageStore(tmp_path_factory.mktemp("store") / "geozones.gpkg").ensure()


@pytest.fixture
def store(tmp_path, built_store):
    """A private, writable copy of the shipped store."""
    from geozones.store import GeoPackageStore

    path = tmp_path / "geozones.gpkg"
    shutil.copyfile(built_store.path, path)
    return GeoPackageStore(path)


@pytest.fixture(scope="session")
def shipped_zones(built_store):
    """The validated shipped zones (a copy per use is the caller's job)."""
    return built_store.zones()
