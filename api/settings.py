"""API settings (pydantic-settings, environment prefix ``GEOZONES_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the service can be configured with; read from ``GEOZONES_*`` variables."""

    model_config = SettingsConfigDict(env_prefix="GEOZONES_", env_file=".env", extra="ignore")

    store: Path | None = Field(None, description="GeoPackage store path (default: user data dir)")
    database_url: str | None = Field(None, description="PostgreSQL/PostGIS URL; overrides the GeoPackage store")
    host: str = Field("127.0.0.1", description="Address to listen on")
    port: int = Field(8000, ge=1, le=65535, description="Port to listen on")
    cors_origins: list[str] = Field(default_factory=list, description="Allowed CORS origins (JSON list)")
    limit_default: int = Field(10, ge=1, description="Default page size for items")
    limit_max: int = Field(10_000, ge=1, description="Largest page size for items")
    tile_workers: int = Field(2, ge=1, description="Vector tiles rendered at once (the others wait, then 429)")
    tile_wait_s: float = Field(30.0, gt=0, description="Seconds a tile waits for a free render slot before a 429")
    cache_mb: int = Field(
        256, ge=0, description="Memory per server process for finished items pages and vector tiles (per store version)"
    )
    max_upload_bytes: int = Field(10 * 1024 * 1024, ge=1, description="Largest accepted request body")
    title: str = Field("geozones", description="Service title on the landing page")
    description: str = Field(
        "Industrial zones (KCN/CCN/KCX) of Bắc Kạn (now Thái Nguyên) and Lạng Sơn, Vietnam",
        description="Service description",
    )
    public_url: str | None = Field(None, description="Base URL for links when behind a proxy")
    # editing and access control (issue 7)
    keys_file: Path | None = Field(None, description="API keys file (default: keys.json beside the store)")
    read_requires_key: bool = Field(False, description="Reads need a key with the viewer role (default: open)")
    write_rate_per_minute: float = Field(600.0, gt=0, description="Sustained writes per minute allowed per key")
    write_burst: int = Field(120, ge=1, description="Writes a key may make at once before being slowed down")
    # resource budget per request (issue 16; see docs/security.md)
    max_scenario_bytes: int = Field(256 * 1024, ge=1, description="Largest scenario body (run and compare)")
    max_scenario_actions: int = Field(
        100, ge=1, description="Most actions one request may run, over all its scenarios (about 60 ms each)"
    )
    max_scenario_draw_actions: int = Field(
        5_000,
        ge=1,
        description="Most Monte Carlo draws x scenario actions (at least 1) x timeline years one request may run",
    )
    max_scenario_years: int = Field(50, ge=1, description="Most years in one scenario's timeline (run and compare)")
    max_scenarios: int = Field(10, ge=2, description="Most scenarios in one /analysis/scenarios/compare request")
    scenario_timeout_s: float = Field(
        30.0, gt=0, description="Seconds a scenario request (run, odds, save, compare) may take, in a worker process"
    )
    scenario_workers: int = Field(2, ge=1, description="Scenario requests computed at once (worker processes)")
    scenario_memory_mb: int = Field(4096, ge=256, description="Memory (address space) of a scenario worker process")
    shutdown_timeout_s: float = Field(
        5.0, gt=0, description="Seconds a stopping server waits for running requests before cancelling them"
    )
    pdf_timeout_s: float = Field(20.0, gt=0, description="Seconds a PDF render may take, in a worker process")
    max_vertices: int = Field(50_000, ge=4, description="Most vertices in one posted geometry")
    max_parts: int = Field(1_000, ge=1, description="Most polygons in one posted MultiPolygon")
    max_rings: int = Field(2_000, ge=1, description="Most rings (outer and holes) in one posted geometry")
    geometry_timeout_s: float = Field(
        5.0, gt=0, description="Seconds a repair or other heavy geometry step may take (in a worker process)"
    )
    analysis_workers: int = Field(2, ge=1, description="Heavy analysis requests (proximity) computed at once")
    analysis_wait_s: float = Field(
        10.0, gt=0, description="Seconds a heavy analysis request waits (asynchronously) for a free slot before a 429"
    )
    analysis_queue: int = Field(
        8, ge=0, description="Heavy analysis requests that may wait for a slot; one more gets 429 at once"
    )
    analysis_cache: int = Field(32, ge=0, description="Heavy analysis answers kept per store version (LRU)")
    inquiry_per_hour: float = Field(6.0, gt=0, description="Inquiries (register interest) per hour per client")
    inquiry_burst: int = Field(3, ge=1, description="Inquiries a client may post at once before being slowed down")
    max_inquiry_bytes: int = Field(16 * 1024, ge=256, description="Largest inquiry body")
    max_inquiries: int = Field(20_000, ge=1, description="Most inquiries the store keeps (a full table refuses more)")
    basemap_url: str | None = Field(
        None, description="XYZ or WMTS tile URL template ({z}/{x}/{y}) for the explorer's background (default: none)"
    )
    basemap_attribution: str | None = Field(None, description="Attribution shown with the basemap (required with it)")
    map_max_zoom: int = Field(
        15, ge=8, le=19, description="Closest zoom of the explorer (schematic outlines stop there)"
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the environment (the default dependency; tests pass their own to create_app)."""
    return Settings()
