"""Where things live: the shipped data directory and the default store path."""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root (the package is installed in editable mode from it).
REPO_ROOT = Path(__file__).resolve().parent.parent


def shipped_data_dir() -> Path:
    """The shipped ``data/`` directory (``GEOZONES_DATA_DIR`` overrides it)."""
    override = os.environ.get("GEOZONES_DATA_DIR")
    path = Path(override) if override else REPO_ROOT / "data"
    if not (path / "zones").is_dir():
        raise FileNotFoundError(
            f"shipped data not found at {path}; install geozones in editable mode from its repository "
            "(pip install -e .) or set GEOZONES_DATA_DIR"
        )
    return path


def default_store_path() -> Path:
    """The embedded store: ``GEOZONES_STORE`` or ``<user data dir>/geozones/geozones.gpkg``."""
    override = os.environ.get("GEOZONES_STORE")
    if override:
        return Path(override)
    from platformdirs import user_data_path

    return user_data_path("geozones", appauthor=False) / "geozones.gpkg"
