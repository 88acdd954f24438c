"""Web maps as HTML: the investor map, a planning scenario over its baseline, and their static assets."""

from __future__ import annotations

from collections import OrderedDict
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response

from geozones.analysis.sites import enrich_sites
from geozones.api.dependencies import SettingsDep, StoreDep
from geozones.api.errors import NotFound
from geozones.api.openapi import error_responses
from geozones.store import (
    load_infrastructure,
    odds_table,
    scenario_layer_name,
    sensitivity_raster,
    site_ranks,
    store_layers,
    suitability_raster,
    uncertainty_raster,
)

router = APIRouter(prefix="/maps", tags=["maps"])

Lang = Annotated[Literal["vi", "en"], Query(description="Language of popups, legend and layer names")]
Mode = Annotated[
    Literal["embed", "api"],
    Query(description="embed: zones inside the page; api: the page fetches them from /collections/zones/items"),
]
ScenarioId = Annotated[
    str, PathParam(pattern=r"^[A-Za-z0-9_\-]+$", max_length=100, description="Scenario id (store layer scenario_<id>)")
]


def _base(request: Request, settings) -> str:
    """URL prefix for links in the page: the public URL behind a proxy, else the app's root path."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    return request.scope.get("root_path", "").rstrip("/")


#: Rendered pages by (store, store version, page, lang, mode, base URL); a store write changes the version.
_PAGES: OrderedDict[tuple, bytes] = OrderedDict()
_PAGES_MAX = 16


def _cached(key: tuple, build) -> bytes:
    """The page for ``key``, rendered by ``build()`` on first use (the zones are read and styled once)."""
    if key in _PAGES:
        _PAGES.move_to_end(key)
        return _PAGES[key]
    body = build()
    _PAGES[key] = body
    while len(_PAGES) > _PAGES_MAX:
        _PAGES.popitem(last=False)
    return body


def _page(store, request: Request, settings, what: tuple, build_map) -> HTMLResponse:
    from geozones.maps import render_html

    base = _base(request, settings)
    key = (id(store), store.version(), base) + what
    body = _cached(key, lambda: render_html(build_map(base), f"{base}/maps/static").encode("utf-8"))
    return HTMLResponse(body)


@router.get(
    "/zones",
    response_class=HTMLResponse,
    summary="Zone web map (HTML; the investor explorer is /maps/investor)",
    responses=error_responses(400),
)
def investor(
    request: Request, store: StoreDep, settings: SettingsDep, lang: Lang = "vi", mode: Mode = "embed"
) -> HTMLResponse:
    """Zones coloured by status, outlined by kind, with popups, boundaries, roads, grid and destinations."""
    from geozones.maps import investor_map

    def build(base: str):
        zones = enrich_sites(store.zones(), load_infrastructure(store))
        return investor_map(
            zones,
            layers=store_layers(store),
            lang=lang,
            mode=mode,
            data_url=f"{base}/collections/zones/items?f=json&limit={settings.limit_max}",
            extras_url=f"{base}/maps/investor/attributes",
        )

    return _page(store, request, settings, ("investor", lang, mode), build)


@router.get(
    "/investor/attributes",
    summary="Derived popup attributes by zone id (JSON)",
    responses={
        200: {
            "description": "Zone id -> mapped area, phases, available ha, distances",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
def investor_attributes(store: StoreDep) -> Response:
    """Mapped area (metric CRS), phases, available hectares and distances, keyed by zone id.

    The API-loaded investor map merges these into the features it fetches.
    """
    from geozones.maps.data import derived_attributes

    def build() -> bytes:
        return orjson.dumps(derived_attributes(enrich_sites(store.zones(), load_infrastructure(store))))

    body = _cached((id(store), store.version(), "attributes"), build)
    return Response(body, media_type="application/json")


@router.get(
    "/scenario/{scenario_id}",
    response_class=HTMLResponse,
    summary="Planner map of a scenario (HTML)",
    responses=error_responses(400, 404),
)
def scenario(
    scenario_id: ScenarioId,
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    lang: Lang = "vi",
    mode: Mode = "embed",
) -> HTMLResponse:
    """The scenario's zones over the baseline: new land hatched, per-zone change, exclusions, suitability."""
    from geozones.maps import planner_map

    names = store.layers()
    layer = scenario_layer_name(names, scenario_id)
    if layer is None:
        raise NotFound(
            f"no scenario {scenario_id!r} (store layer 'scenario_{scenario_id}'); "
            f"scenarios: {', '.join(n.removeprefix('scenario_') for n in names if n.startswith('scenario_')) or 'none'}"
        )

    def build(base: str):
        exclusions = {
            n.removeprefix("exclusion_").removeprefix("exclusions_"): store.layer(n)
            for n in names
            if n.startswith("exclusion")
        }
        scenario_zones = enrich_sites(store.layer(layer), load_infrastructure(store))
        return planner_map(
            scenario_zones,
            store.zones(),
            exclusions=exclusions,
            suitability=suitability_raster(store, scenario_id),
            layers=store_layers(store),
            sensitivity=sensitivity_raster(store, scenario_id),
            uncertainty=uncertainty_raster(store, scenario_id),
            ranks=site_ranks(store, scenario_id),
            odds=odds_table(store, scenario_id),
            lang=lang,
            mode=mode,
            baseline_url=f"{base}/collections/zones/items?f=json&limit={settings.limit_max}",
        )

    return _page(store, request, settings, ("scenario", scenario_id, lang, mode), build)


@router.get("/static/{path:path}", summary="Vendored map assets (Leaflet and plugins)", include_in_schema=False)
def static(path: str, request: Request) -> Response:
    """Leaflet, its plugins and the geozones map script, served so maps work without internet (ETag, 304)."""
    from geozones.api.caching import cached_file
    from geozones.maps import static_path

    return cached_file(request, static_path(path))
