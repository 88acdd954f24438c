"""Routers, one module per resource. Each module exposes ``router`` (an APIRouter)."""

from __future__ import annotations

from fastapi import FastAPI


def include_all(app: FastAPI) -> None:
    """Mount every router on ``app``."""
    from geozones.api.routers import (
        analysis,
        collections,
        desk,
        downloads,
        figures,
        health,
        inquiries,
        investor,
        items,
        landing,
        logistics,
        maps,
        scenarios,
        tiles,
        transactions,
    )

    for module in (
        health,
        landing,
        collections,
        items,
        tiles,
        analysis,
        logistics,
        scenarios,
        downloads,
        investor,
        inquiries,
        desk,
        maps,
        transactions,
        figures,
    ):
        app.include_router(module.router)
