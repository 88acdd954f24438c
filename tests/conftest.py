"""Shared fixtures: shipped data, a throw-away store, and real system tools."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SEEDS = ROOT.parent / "shared" / "seeds"


def require_tool(name: str, path: str | None = None) -> str:
    """Return the tool's path, or skip -- or fail when GEOZONES_REQUIRE_ALL=1 (CI)."""
    found = path if path and Path(path).exists() else shutil.which(name)
    if found:
        return found
    message = f"{name} is not installed (python3 run.py test installs it when run as root)"
    if os.environ.get("GEOZONES_REQUIRE_ALL") == "1":
        pytest.fail(message)
    pytest.skip(message)


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
