"""Investor pages: the site explorer, the side-by-side comparison (HTML, CSV) and per-site fact sheets (HTML, PDF).

Every page and every error message here is in the language of ``lang=`` (vi, en, ko, ja, zh-Hans)
or else of the ``Accept-Language`` header (default Vietnamese).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Header, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response

from geozones.api.dependencies import SettingsDep, StoreDep
from geozones.api.errors import APIError, NotFound
from geozones.api.openapi import error_responses
from geozones.store import load_infrastructure, store_layers, store_tables

router = APIRouter(tags=["investor"])

LangParam = Annotated[
    str | None,
    Query(max_length=20, description=("Language: vi, en, ko, ja or zh-Hans (default: from Accept-Language, else vi)")),
]
AcceptLanguage = Annotated[str | None, Header(alias="Accept-Language", include_in_schema=False)]

#: Site tables and pages by (store, store version, what); a store write changes the version.
_CACHE: OrderedDict[tuple, object] = OrderedDict()
_CACHE_MAX = 32
_LOCK = threading.Lock()


def _cached(key: tuple, build):
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    value = build()
    with _LOCK:
        _CACHE[key] = value
        while len(_CACHE) > _CACHE_MAX:
            _CACHE.popitem(last=False)
    return value


def _lang(lang: str | None, accept: str | None) -> str:
    from geozones.maps import i18n

    try:
        return i18n.negotiate(lang, accept)
    except i18n.UnsupportedLanguageError:
        fallback = i18n.negotiate(None, accept)
        raise APIError(
            400,
            i18n.text(fallback, "error.unknown_lang", lang=lang, langs=", ".join(i18n.LANGS)),
            "InvalidParameterValue",
        ) from None


def _base(request: Request, settings) -> str:
    if settings.public_url:
        return settings.public_url.rstrip("/")
    return request.scope.get("root_path", "").rstrip("/")


def _table(store):
    """The site table of the store (cached per store version)."""
    from geozones.analysis.siteselect import site_table
    from geozones.scenario.reach import add_logistics

    def build():
        return add_logistics(site_table(store.zones(), load_infrastructure(store)), store)

    return _cached((id(store), store.version(), "table"), build)


def _layers(store):
    from geozones.maps.explorer import REFERENCE_LAYERS

    return _cached((id(store), store.version(), "layers"), lambda: store_layers(store, tuple(REFERENCE_LAYERS)))


def _isochrones(store):
    """The car isochrones of every zone for the explorer (None beyond the per-store cap or without the layers)."""
    from geozones.errors import EmptyLayerError, WorkLimitError
    from geozones.scenario.reach import isochrone_frame

    try:
        return isochrone_frame(store, "car")
    except (EmptyLayerError, WorkLimitError):
        return None


def _site_isochrones(store, zone_id: str) -> dict:
    """``{"logistics_isochrones": frame}`` of one zone for its fact sheet (empty without the layers)."""
    from geozones.errors import EmptyLayerError
    from geozones.scenario.reach import isochrone_frame

    try:
        return {"logistics_isochrones": isochrone_frame(store, "car", zone_id)}
    except EmptyLayerError:
        return {}


def _links(base: str) -> dict[str, str]:
    return {
        "factsheet": f"{base}/collections/zones/items/{{id}}/factsheet?lang={{lang}}&f={{f}}",
        "compare": f"{base}/maps/compare?ids={{ids}}&lang={{lang}}",
        "home": f"{base}/?f=html",
        "downloads": f"{base}/downloads",
        "api": f"{base}/api.html",
        "inquiry": f"{base}/inquiries",
    }


@router.get(
    "/maps/investor",
    response_class=HTMLResponse,
    summary="Investor site explorer (HTML)",
    responses=error_responses(400),
)
def explorer(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    lang: LangParam = None,
    accept_language: AcceptLanguage = None,
) -> HTMLResponse:
    """Map and list of every site in sync: filters (kind, province, status, available land, road distances),
    sort, comparison of two to four sites, links to fact sheets. The filters live in the URL fragment."""
    from geozones.maps.explorer import explorer_html

    code = _lang(lang, accept_language)
    base = _base(request, settings)

    def build() -> bytes:
        return explorer_html(
            store.zones(),
            _table(store),
            layers=None,
            links=_links(base),
            lang=code,
            base_url=f"{base}/maps/static",
            layers_url=f"{base}/maps/investor/layers?v={store.version()}",
            basemap={"url": settings.basemap_url, "attribution": settings.basemap_attribution or ""}
            if settings.basemap_url
            else None,
            max_zoom=settings.map_max_zoom,
            isochrones=_isochrones(store),
        ).encode("utf-8")

    from geozones.api.caching import REVALIDATE, cached_response

    look = (settings.basemap_url, settings.basemap_attribution, settings.map_max_zoom)
    body = _cached((id(store), store.version(), "explorer", code, base, look), build)
    headers = {"Content-Language": code, "Vary": "Accept-Language"}
    return cached_response(request, body, "text/html; charset=utf-8", REVALIDATE, headers)


@router.get(
    "/maps/investor/layers", summary="The explorer's reference layers (GeoJSON by layer)", include_in_schema=False
)
def explorer_layers(
    request: Request, store: StoreDep, v: Annotated[str | None, Query(max_length=80)] = None
) -> Response:
    """Boundaries, roads, railways, power lines, destinations and the sites' isochrones for the explorer,
    fetched after the sites.

    ``v`` (the store version the page was built from) only makes the URL change with the data."""
    from geozones.api.caching import DATA, cached_response
    from geozones.maps.data import safe_json
    from geozones.maps.explorer import deferred_data

    body = _cached(
        (id(store), store.version(), "explorer-layers"),
        lambda: safe_json(deferred_data(_layers(store), _isochrones(store))).encode(),
    )
    return cached_response(request, body, "application/json", DATA)


def _ids(ids: str, code: str) -> list[str]:
    from geozones.maps import i18n

    parts = [p.strip() for p in ids.split(",") if p.strip()]
    if not 2 <= len(parts) <= 4:
        raise APIError(400, i18n.text(code, "error.compare_count", count=len(parts)), "InvalidParameterValue")
    return parts


@router.get(
    "/maps/compare",
    summary="Side-by-side comparison of two to four sites (HTML or CSV)",
    response_class=Response,
    responses={
        200: {"content": {"text/html": {}, "text/csv": {}}, "description": "The comparison"},
        **error_responses(400, 404),
    },
)
def compare(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    ids: Annotated[str, Query(max_length=1000, description="Two to four zone ids, comma-separated")],
    lang: LangParam = None,
    f: Annotated[Literal["html", "csv"], Query(description="html or csv")] = "html",
    accept_language: AcceptLanguage = None,
) -> Response:
    """Area, available land, phases, status, occupancy, investor, distances by road and straight line,
    drive time (estimate), investor fields, data quality and sources, per site."""
    from geozones.maps import i18n
    from geozones.maps.explorer import comparison_csv, comparison_html

    code = _lang(lang, accept_language)
    chosen = _ids(ids, code)
    table = _table(store)
    known = set(table["id"])
    unknown = [i for i in chosen if i not in known]
    if unknown:
        raise NotFound(i18n.text(code, "error.unknown_site", id=unknown[0]))
    headers = {"Content-Language": code, "Vary": "Accept-Language"}
    if f == "csv":
        name = "compare-" + "_".join(chosen) + ".csv"
        headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return Response(
            comparison_csv(table, chosen, code).encode("utf-8"), media_type="text/csv; charset=utf-8", headers=headers
        )
    base = _base(request, settings)
    joined = ",".join(quote(i, safe="") for i in chosen)
    page = comparison_html(
        table,
        chosen,
        code,
        explorer_url=f"{base}/maps/investor?lang={code}#compare={joined}",
        csv_url=f"{base}/maps/compare?ids={joined}&lang={code}&f=csv",
    )
    return HTMLResponse(page, headers=headers)


@router.get(
    "/collections/zones/items/{featureId}/factsheet",
    summary="One-page fact sheet of a site (PDF or HTML)",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}, "text/html": {}}, "description": "The fact sheet"},
        **error_responses(400, 404),
    },
)
def factsheet(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    featureId: Annotated[str, PathParam(max_length=200, description="Zone id")],
    lang: LangParam = None,
    f: Annotated[Literal["pdf", "html"], Query(description="pdf or html")] = "pdf",
    accept_language: AcceptLanguage = None,
) -> Response:
    """Locator and site maps on the store's boundaries and roads, the figures, what is approximate and why,
    sources with links, the date. The PDF is A4 with selectable text and embedded fonts."""
    from geozones.maps import i18n
    from geozones.maps.factsheet import FactSheetError, factsheet_html, factsheet_pdf

    code = _lang(lang, accept_language)
    table = _table(store)
    if featureId not in set(table["id"]):
        raise NotFound(i18n.text(code, "error.unknown_site", id=featureId))
    base = _base(request, settings)
    item = quote(featureId, safe="")
    headers = {"Content-Language": code, "Vary": "Accept-Language"}
    from geozones.maps.citations import PROVENANCE_LAYERS

    layers = {**_layers(store), **store_tables(store, PROVENANCE_LAYERS), **_site_isochrones(store, featureId)}
    kwargs = {"lang": code, "layers": layers}
    if f == "html":
        links = {
            "pdf": f"{base}/collections/zones/items/{item}/factsheet?lang={code}&f=pdf",
            "explorer": f"{base}/maps/investor?lang={code}",
        }
        body = _cached(
            (id(store), store.version(), "factsheet-html", featureId, code, base),
            lambda: factsheet_html(store.zones(), table, featureId, links=links, **kwargs).encode("utf-8"),
        )
        return HTMLResponse(body, headers=headers)
    try:
        body = _cached(
            (id(store), store.version(), "factsheet-pdf", featureId, code),
            lambda: factsheet_pdf(store.zones(), table, featureId, timeout=settings.pdf_timeout_s, **kwargs),
        )
    except FactSheetError as exc:
        raise APIError(503, str(exc), "ServiceUnavailable") from exc
    headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(f'factsheet-{featureId}-{code}.pdf')}"
    return Response(body, media_type="application/pdf", headers=headers)
