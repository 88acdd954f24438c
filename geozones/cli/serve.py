"""``geozones serve``: run the web API (OGC API - Features, analysis, downloads) with uvicorn."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from geozones.cli._output import console, fail

_INSTALL_HINT = "the web API needs the 'api' extra: pip install 'geozones[api]'"


def serve(
    ctx: typer.Context,
    host: Annotated[
        str | None,
        typer.Option(help="Address to listen on [env GEOZONES_HOST, default 127.0.0.1].", show_default=False),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(min=1, max=65535, show_default=False, help="Port to listen on [env GEOZONES_PORT, default 8000]."),
    ] = None,
    store: Annotated[
        Path | None,
        typer.Option(
            help="GeoPackage store [env GEOZONES_STORE, default: the embedded store in the user data dir].",
            show_default=False,
        ),
    ] = None,
    reload: Annotated[bool, typer.Option("--reload", help="Restart when the code changes (development).")] = False,
    log_level: Annotated[str, typer.Option(help="uvicorn log level: critical, error, warning, info, debug.")] = "info",
    access_log: Annotated[bool, typer.Option("--access-log/--no-access-log", help="Log every request.")] = True,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Server processes (production: 2 or more, so one "
            "slow request never holds up the others; see "
            "docs/security.md).",
        ),
    ] = 1,
) -> None:
    """Serve the zones over HTTP: OGC API - Features (QGIS, GDAL), analysis JSON and downloads.

    Settings come from GEOZONES_* environment variables (or a .env file); the options
    override them. The store is created from the shipped data on first use.
    """
    try:
        import uvicorn

        from geozones.api.app import create_app
        from geozones.api.settings import Settings
    except ImportError as exc:
        fail(f"{_INSTALL_HINT} ({exc})")
    store = store or (ctx.obj or {}).get("store")
    overrides = {k: v for k, v in {"host": host, "port": port, "store": store}.items() if v is not None}
    try:
        settings = Settings(**overrides)
    except ValueError as exc:
        fail(f"bad setting: {exc}")
    url = f"http://{settings.host}:{settings.port}"
    if reload and workers > 1:
        fail("--reload and --workers cannot be combined")
    if reload or workers > 1:
        # uvicorn's reloader and its workers import the app in child processes: pass the settings
        # through the environment.
        for name, value in overrides.items():
            os.environ[f"GEOZONES_{name.upper()}"] = str(value)
    if workers > 1:
        from geozones.api.app import build_store

        store_used = build_store(settings)  # built (or migrated) once, before the workers start
        console.print(
            f"serving store {getattr(store_used, 'path', store_used)} at {url} with {workers} worker "
            f"processes — OpenAPI at {url}/api.html",
            highlight=False,
        )
        uvicorn.run(
            "geozones.api.app:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=workers,
            log_level=log_level,
            access_log=access_log,
            timeout_graceful_shutdown=settings.shutdown_timeout_s,
        )
        return
    if reload:
        console.print(f"serving {url} (reload on) — OpenAPI at {url}/api.html", highlight=False)
        root = Path(__file__).resolve().parents[2]
        uvicorn.run(
            "geozones.api.app:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            reload=True,
            reload_dirs=[str(root / "api"), str(root / "geozones")],
            log_level=log_level,
            access_log=access_log,
            timeout_graceful_shutdown=settings.shutdown_timeout_s,
        )
        return
    app = create_app(settings)  # opens (and if needed builds) the store before listening
    console.print(
        f"serving store {getattr(app.state.store, 'path', app.state.store)} at {url} — OpenAPI at {url}/api.html",
        highlight=False,
    )
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=log_level,
        access_log=access_log,
        timeout_graceful_shutdown=settings.shutdown_timeout_s,  # then running requests are cancelled
    )


def register(app: typer.Typer) -> None:
    """Add ``serve`` to ``app``."""
    app.command()(serve)
