"""geozones web API: OGC API - Features plus analysis endpoints (FastAPI)."""

from geozones.api.app import create_app

__all__ = ["create_app"]
