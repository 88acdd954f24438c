"""FastAPI dependencies: settings and the store (no settings built at import time)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from geozones.api.settings import Settings
from geozones.store import ZoneStore


async def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with (async: no thread-pool hop per request)."""
    return request.app.state.settings


async def get_store(request: Request) -> ZoneStore:
    """The app's store (opened once by create_app; async: no thread-pool hop per request)."""
    return request.app.state.store


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
StoreDep = Annotated[ZoneStore, Depends(get_store)]
