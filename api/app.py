"""The FastAPI application factory."""

from __future__ import annotations

from importlib import metadata

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from geozones import bounded
from geozones.api import compression, errors, openapi
from geozones.api.settings import Settings, get_settings
from geozones.store import ZoneStore, open_store


def build_store(settings: Settings) -> ZoneStore:
    """The store the settings name: PostGIS when ``database_url`` is set, else the GeoPackage."""
    return open_store(settings.store, url=settings.database_url)


def create_app(settings: Settings | None = None, store: ZoneStore | None = None) -> FastAPI:
    """Build the geozones API.

    Parameters
    ----------
    settings : Settings, optional
        Defaults to :func:`api.settings.get_settings` (``GEOZONES_*`` environment).
    store : ZoneStore, optional
        Use this store instead of the one the settings name (tests).
    """
    from geozones.api import auth
    from geozones.api.routers import include_all

    settings = settings or get_settings()
    app = FastAPI(
        title=settings.title,
        description=settings.description,
        version=metadata.version("geozones"),
        openapi_url="/api",
        docs_url="/api.html",
        redoc_url=None,
    )
    app.state.settings = settings
    bounded.configure(timeout=settings.geometry_timeout_s)  # repairs run in worker processes with this deadline
    bounded.configure(  # so do scenarios (run, odds, save, compare) and PDF renders
        kind="scenario",
        timeout=settings.scenario_timeout_s,
        workers=settings.scenario_workers,
        memory_mb=settings.scenario_memory_mb,
    )
    bounded.configure(kind="pdf", timeout=settings.pdf_timeout_s)
    app.state.store = store if store is not None else build_store(settings)
    auth.install(app, settings)  # size limit and closed reads; CORS (added after) wraps them
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=["*"],
            expose_headers=["ETag", "Location"],
        )
    compression.install(app)  # outermost: gzip for every JSON/HTML answer, errors and CORS headers included
    errors.install(app)
    include_all(app)
    openapi.install(app)
    return app
