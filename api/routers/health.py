"""Liveness: is the service up and can it read its store."""

from __future__ import annotations

from fastapi import APIRouter

from geozones.api.dependencies import StoreDep

router = APIRouter(tags=["service"])


@router.get("/health", summary="Service health")
def health(store: StoreDep) -> dict:
    """``ok`` with the store's version and zone count when the store can be read."""
    return {"status": "ok", "store_version": store.version(), "zones": len(store.zones())}
