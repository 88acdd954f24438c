"""Routers, one module per resource. Each module exposes ``router`` (an APIRouter)."""

from __future__ import annotations

from fastapi import FastAPI


def include_all(app: FastAPI) -> None:
    """Mount every router on ``app``."""
    from api.routers import collections, health, items, landing, transactions

    for module in (health, landing, collections, items, transactions):
        app.include_router(module.router)
