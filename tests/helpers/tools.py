"""Where the repository and the source material are, and real tools the tests drive."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
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


def require_module(name: str):
    """Import a third-party module, or skip -- or fail when GEOZONES_REQUIRE_ALL=1 (CI).

    Never for geozones' own modules: those must import, or the test fails.
    """
    import importlib

    if name.split(".")[0] == "geozones":
        raise ValueError("geozones' own modules are imported directly, never skipped")
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        message = f"{name} is not installed ({exc}); python3 run.py test installs the test extras"
        if os.environ.get("GEOZONES_REQUIRE_ALL") == "1":
            pytest.fail(message)
        pytest.skip(message, allow_module_level=True)
