"""Features: the items of a collection (paged, filtered, in any offered CRS) and one item."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Literal

import numpy as np
import shapely
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from geozones.api import cql, html
from geozones.api import crs as _crs
from geozones.api.dependencies import SettingsDep
from geozones.api.errors import InvalidParameter
from geozones.api.features import CHUNK, dumps, feature, geometry_texts, item_etag
from geozones.api.layers import Catalog, Layer
from geozones.api.openapi import HTML_CONTENT, error_responses, ref
from geozones.api.pages import (
    MAX_CACHED_PAGE,
    CachedBody,
    accepts_gzip,
    etag_matches,
    feature_bytes,
    page_cache,
    page_prefix,
    time_stamp_tail,
)
from geozones.api.query import (
    GEOJSON,
    HTML,
    JSON,
    base_url,
    check_parameters,
    datetime_mask,
    link,
    output_format,
    parse_bbox,
    property_mask,
    with_query,
)
from geozones.api.routers.collections import CatalogDep, CollectionId

router = APIRouter(tags=["data"])

CRS_ENUM = {"enum": _crs.supported_crs_uris()}
ITEMS_PARAMETERS = {
    "limit",
    "offset",
    "bbox",
    "bbox-crs",
    "datetime",
    "crs",
    "filter",
    "filter-lang",
    "filter-crs",
    "f",
}

FormatParam = Annotated[
    Literal["json", "geojson", "html"] | None,
    Query(description="Output format: json/geojson (GeoJSON) or html; default from Accept"),
]
CrsParam = Annotated[
    str | None,
    Query(
        description="Output CRS (URI); default CRS84 (lon/lat). EPSG:4326 and "
        "EPSG:4756 are returned in latitude, longitude order.",
        json_schema_extra=CRS_ENUM,
    ),
]


def _bbox_positions(layer: Layer, bbox: str, bbox_crs: str | None) -> np.ndarray:
    box = parse_bbox(bbox)
    source, _ = _crs.parse_crs(bbox_crs, "bbox-crs")
    south, north = (box[0], box[2]) if _crs.lat_first(source) else (box[1], box[3])
    if south > north:
        raise _bad_bbox(bbox)
    west_east = (box[1], box[3]) if _crs.lat_first(source) else (box[0], box[2])
    if source.is_geographic and west_east[0] > west_east[1]:  # crosses the antimeridian: two boxes
        if _crs.lat_first(source):
            parts = [(box[0], box[1], box[2], 180.0), (box[0], -180.0, box[2], box[3])]
        else:
            parts = [(box[0], box[1], 180.0, box[3]), (-180.0, box[1], box[2], box[3])]
    elif west_east[0] > west_east[1]:
        raise _bad_bbox(bbox)
    else:
        parts = [box]
    found = []
    for part in parts:
        try:
            a, b, c, d = _crs.bbox_in(part, source, layer.storage_crs)
        except Exception as exc:  # pyproj errors outside the CRS's domain
            raise InvalidParameter(f"bbox={bbox!r} cannot be transformed from {source.name}: {exc}") from None
        if not all(np.isfinite([a, b, c, d])):
            raise InvalidParameter(f"bbox={bbox!r} lies outside the area of use of {source.name}")
        found.append(layer.sindex.query(shapely.box(a, b, c, d), predicate="intersects"))
    return np.unique(np.concatenate(found)) if found else np.array([], dtype=int)


def _bad_bbox(bbox: str) -> InvalidParameter:
    return InvalidParameter(f"bbox={bbox!r}: the lower corner must come first (south <= north, west <= east)")


@router.get(
    "/collections/{collectionId}/items",
    summary="Features of a collection",
    response_class=Response,
    responses={
        200: {
            "description": "A page of features (GeoJSON FeatureCollection) or its HTML table",
            "content": {GEOJSON: {"schema": ref("FeatureCollection")}, **HTML_CONTENT},
        },
        **error_responses(400, 404),
    },
)
async def items(
    request: Request,
    collectionId: CollectionId,
    catalog: CatalogDep,
    settings: SettingsDep,
    limit: Annotated[int | None, Query(ge=1, description="Items per page (see the schema for the range)")] = None,
    offset: Annotated[int, Query(ge=0, description="Index of the first matching feature to return (paging)")] = 0,
    bbox: Annotated[
        str | None,
        Query(description="minx,miny,maxx,maxy (or 6 numbers with heights) in bbox-crs (default CRS84 lon/lat)"),
    ] = None,
    bbox_crs: Annotated[
        str | None, Query(alias="bbox-crs", description="CRS of bbox (URI); default CRS84", json_schema_extra=CRS_ENUM)
    ] = None,
    datetime_: Annotated[
        str | None,
        Query(
            alias="datetime",
            description=(
                "Date, date-time or interval (start/end, '..' for open) matched against the collection's temporal "
                "property (zones: decision_date)"
            ),
        ),
    ] = None,
    crs: CrsParam = None,
    filter_: Annotated[
        str | None,
        Query(
            alias="filter", description="CQL2 filter (see filter-lang), e.g. area_published_ha > 50 AND kind = 'CCN'"
        ),
    ] = None,
    filter_lang: Annotated[
        Literal["cql2-text", "cql2-json"] | None,
        Query(alias="filter-lang", description="Filter language, default cql2-text"),
    ] = None,
    filter_crs: Annotated[
        str | None,
        Query(
            alias="filter-crs",
            description="CRS of geometries in filter (URI); default CRS84",
            json_schema_extra=CRS_ENUM,
        ),
    ] = None,
    f: FormatParam = None,
) -> Response:
    """Features matching ``bbox``, ``datetime``, ``filter`` and ``property=value`` parameters, one page.

    Any queryable property may be given as a parameter for an equality filter
    (``?kind=CCN&status=operating``); see ``/collections/{collectionId}/queryables``.
    """
    fmt = output_format(request, f, GEOJSON)
    if fmt == "json":  # a page already built for this store version and query: no per-feature work
        cache = page_cache(request, catalog)
        cached = cache.get(catalog.version(), ("page", collectionId, request.url.query, base_url(request)))
        if cached is not None:
            return _cached_page_response(request, cached)
    query = _Query(limit, offset, bbox, bbox_crs, datetime_, crs, filter_, filter_lang, filter_crs, f)
    return await run_in_threadpool(_items_page, request, collectionId, catalog, settings, query, fmt)


@dataclass(frozen=True)
class _Query:
    limit: int | None
    offset: int
    bbox: str | None
    bbox_crs: str | None
    datetime_: str | None
    crs: str | None
    filter_: str | None
    filter_lang: str | None
    filter_crs: str | None
    f: str | None


def _cached_page_response(request: Request, cached: CachedBody) -> Response:
    headers = {**cached.headers, "ETag": cached.etag, "Vary": "Accept-Encoding"}
    if etag_matches(request, cached.etag):
        return Response(status_code=304, headers=headers)
    body, gzipped = cached.body(time_stamp_tail(), accepts_gzip(request))
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type=GEOJSON, headers=headers)


def _matched(layer: Layer, request: Request, query: _Query, filters: dict[str, str]) -> np.ndarray:
    """Positions of the features matching the query's filters (cached per version: paging reuses them)."""
    mask = np.ones(len(layer), dtype=bool)
    if query.bbox is not None:
        inside = np.zeros(len(layer), dtype=bool)
        inside[_bbox_positions(layer, query.bbox, query.bbox_crs)] = True
        mask &= inside
    elif query.bbox_crs is not None:
        _crs.parse_crs(query.bbox_crs, "bbox-crs")
    if query.datetime_ is not None:
        mask &= datetime_mask(layer, query.datetime_)
    for name, value in filters.items():
        mask &= property_mask(layer, name, value)
    if query.filter_ is not None:
        filter_source, _ = _crs.parse_crs(query.filter_crs, "filter-crs")
        mask &= cql.evaluate(layer, cql.parse(query.filter_, query.filter_lang), filter_source)
    elif query.filter_lang is not None or query.filter_crs is not None:
        _crs.parse_crs(query.filter_crs, "filter-crs")
    return np.flatnonzero(mask)


def _items_page(request: Request, collectionId: str, catalog: Catalog, settings, query: _Query, fmt: str) -> Response:
    layer = catalog.get(collectionId)
    filters = check_parameters(request, ITEMS_PARAMETERS, layer.queryables)
    target, target_uri = _crs.parse_crs(query.crs, "crs")
    size = min(query.limit or settings.limit_default, settings.limit_max)
    offset, f = query.offset, query.f

    cache = page_cache(request, catalog)
    match_key = (
        "matched",
        layer.name,
        tuple(sorted((k, v) for k, v in request.query_params.items() if k not in _PAGING)),
    )
    matched = cache.get(layer.version, match_key)
    if matched is None:
        matched = _matched(layer, request, query, filters)
        cache.put(layer.version, match_key, matched, matched.nbytes + 256)
    page = matched[offset : offset + size]
    root = base_url(request)
    path = f"{root}/collections/{layer.name}/items"
    params = {k: v for k, v in request.query_params.items() if k not in ("offset", "limit", "f")}
    page_params = {**params, "limit": size}

    def page_link(rel: str, type_: str, fmt_value: str | None, start: int, title: str) -> dict:
        return link(with_query(path, {**page_params, "offset": start or None, "f": fmt_value}), rel, type_, title)

    json_rel, html_rel = ("self", "alternate") if fmt == "json" else ("alternate", "self")
    fval = "json" if f in ("json", "geojson") or fmt == "html" else None
    links = [
        page_link(json_rel, GEOJSON, fval, offset, "this page as GeoJSON"),
        page_link(html_rel, HTML, "html", offset, "this page as HTML"),
    ]
    if offset + len(page) < len(matched):
        links.append(
            page_link(
                "next",
                GEOJSON if fmt == "json" else HTML,
                fval if fmt == "json" else "html",
                offset + size,
                "next page",
            )
        )
    if offset > 0:
        links.append(
            page_link(
                "prev",
                GEOJSON if fmt == "json" else HTML,
                fval if fmt == "json" else "html",
                max(0, offset - size),
                "previous page",
            )
        )
    links.append(link(f"{root}/collections/{layer.name}", "collection", JSON, layer.title))

    head = {"links": links, "numberMatched": int(len(matched)), "numberReturned": int(len(page))}
    headers = {"Content-Crs": f"<{target_uri}>"}
    if fmt == "html":
        doc = {
            **head,
            "timeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "features": [{"id": layer.ids[p], "properties": layer.records[p]} for p in page],
        }
        return html.render(
            "items.html",
            doc=doc,
            title=f"{layer.title}: items",
            links=links,
            root=root,
            collection=layer.name,
            columns=layer.columns,
            headers=headers,
            crumbs=[("Home", f"{root}/?f=html"), (layer.name, f"{root}/collections/{layer.name}?f=html")],
        )
    encoded = feature_bytes(layer, target, target_uri)
    if len(page) > CHUNK:  # large pages are streamed in chunks, not cached
        return StreamingResponse(_chunks(head, encoded, page), media_type=GEOJSON, headers=headers)
    prefix = page_prefix(head, [encoded[p] for p in page])
    cached = CachedBody.of(prefix, headers, weak=True)  # weak: only the timeStamp differs between answers
    if len(prefix) <= MAX_CACHED_PAGE:
        key = ("page", collectionId, request.url.query, root)
        cache.put(layer.version, key, cached, cached.size)
    return _cached_page_response(request, cached)


_PAGING = ("offset", "limit", "f", "crs")


def _chunks(head: dict, encoded: list[bytes], page: np.ndarray):
    """A large page in chunks of :data:`CHUNK` features."""
    for begin in range(0, len(page), CHUNK):
        chosen = [encoded[p] for p in page[begin : begin + CHUNK]]
        if begin == 0:
            yield page_prefix(head, chosen)[:-1]
        else:
            yield b"," + b",".join(chosen)
    if len(page) == 0:
        yield page_prefix(head, [])[:-1]
    yield b"]" + time_stamp_tail()


@router.get(
    "/collections/{collectionId}/items/{featureId}",
    summary="One feature",
    response_class=Response,
    responses={
        200: {
            "description": "The feature (GeoJSON) with an ETag header, or its HTML page",
            "content": {GEOJSON: {"schema": ref("Feature")}, **HTML_CONTENT},
        },
        304: {"description": "Not modified (If-None-Match matched the ETag)"},
        **error_responses(400, 404),
    },
)
def item(
    request: Request,
    collectionId: CollectionId,
    featureId: Annotated[
        str,
        Path(
            description="Item id: the zone id (e.g. bk-kcn-thanh-binh-1) or the feature "
            "number for layers without an id attribute"
        ),
    ],
    catalog: CatalogDep,
    crs: CrsParam = None,
    f: FormatParam = None,
) -> Response:
    """One feature; its ``ETag`` identifies the stored record (same in every CRS and format)."""
    check_parameters(request, {"crs", "f"})
    fmt = output_format(request, f, GEOJSON)
    layer = catalog.get(collectionId)
    target, target_uri = _crs.parse_crs(crs, "crs")
    position = layer.position(featureId)
    etag = item_etag(layer, position)
    headers = {"Content-Crs": f"<{target_uri}>", "ETag": etag}
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    root = base_url(request)
    path = f"{root}/collections/{layer.name}/items/{featureId}"
    keep = {"crs": crs} if crs else {}
    links = [
        link(
            with_query(path, {**keep, "f": "json"}),
            "self" if fmt == "json" else "alternate",
            GEOJSON,
            "this feature as GeoJSON",
        ),
        link(
            with_query(path, {**keep, "f": "html"}),
            "self" if fmt == "html" else "alternate",
            HTML,
            "this feature as HTML",
        ),
        link(f"{root}/collections/{layer.name}", "collection", JSON, layer.title),
    ]
    if fmt == "html":
        geometry = layer.geometries[position]
        doc = {
            "properties": layer.records[position],
            "geometry_type": geometry.geom_type if geometry is not None else "none",
        }
        return html.render(
            "item.html",
            doc=doc,
            title=str(layer.ids[position]),
            links=links,
            root=root,
            headers=headers,
            crumbs=[("Home", f"{root}/?f=html"), (layer.name, f"{root}/collections/{layer.name}/items?f=html")],
        )
    texts = geometry_texts(layer, target, target_uri)
    return Response(dumps(feature(layer, position, texts, links)), media_type=GEOJSON, headers=headers)
