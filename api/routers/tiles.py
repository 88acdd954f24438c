"""OGC API - Tiles (vector): WebMercatorQuad Mapbox Vector Tiles of every collection, their metadata and TMS."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from geozones.api import tiles
from geozones.api.dependencies import StoreDep
from geozones.api.errors import NotFound
from geozones.api.features import dumps
from geozones.api.layers import Catalog
from geozones.api.openapi import error_responses
from geozones.api.pages import CachedBody, accepts_gzip, etag_matches, page_cache
from geozones.api.query import JSON, base_url, check_parameters, link
from geozones.api.routers.collections import CatalogDep, CollectionId
from geozones.errors import WorkersBusyError

router = APIRouter(tags=["tiles"])

TILING_SCHEME_REL = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"
TILESETS_VECTOR_REL = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"
TmsId = Annotated[str, Path(description="Tile matrix set: WebMercatorQuad")]


def _check_tms(tileMatrixSetId: str) -> None:
    if tileMatrixSetId != tiles.TMS_ID:
        raise NotFound(f"no tile matrix set {tileMatrixSetId!r}; served: {tiles.TMS_ID}")


@router.get("/tileMatrixSets", summary="Tile matrix sets", responses=error_responses(400))
def tile_matrix_sets(request: Request) -> Response:
    """The tile matrix sets the tiles use (WebMercatorQuad)."""
    check_parameters(request, {"f"})
    root = base_url(request)
    doc = {
        "tileMatrixSets": [
            {
                "id": tiles.TMS_ID,
                "title": "Google Maps Compatible for the World",
                "uri": tiles.TMS_URI,
                "links": [link(f"{root}/tileMatrixSets/{tiles.TMS_ID}", "self", JSON, tiles.TMS_ID)],
            }
        ],
        "links": [link(f"{root}/tileMatrixSets", "self", JSON, "tile matrix sets")],
    }
    return Response(dumps(doc), media_type=JSON)


@router.get("/tileMatrixSets/{tileMatrixSetId}", summary="One tile matrix set", responses=error_responses(400, 404))
def tile_matrix_set(request: Request, tileMatrixSetId: TmsId) -> Response:
    """The definition of a tile matrix set (OGC 2D TMS 2.0 JSON)."""
    check_parameters(request, {"f"})
    _check_tms(tileMatrixSetId)
    return Response(dumps(tiles.tile_matrix_set_doc()), media_type=JSON)


def _tileset_doc(request: Request, catalog: Catalog, collection: str) -> dict:
    layer = catalog.get(collection)
    root = base_url(request)
    base = f"{root}/collections/{layer.name}/tiles/{tiles.TMS_ID}"
    return {
        "title": f"{layer.title}: vector tiles",
        "description": f"Mapbox Vector Tiles of {layer.name} (layer '{layer.name}'; attributes: "
        + ", ".join(c for c, _ in tiles.tile_columns(layer))
        + "; the full records are in the items)",
        "dataType": "vector",
        "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
        "tileMatrixSetURI": tiles.TMS_URI,
        "tileMatrixSetLimits": tiles.limits(layer),
        "boundingBox": {
            "lowerLeft": (layer.bbox or [-180, -85, 180, 85])[:2],
            "upperRight": (layer.bbox or [-180, -85, 180, 85])[2:],
            "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        },
        "minzoom": 0,
        "maxzoom": tiles.MAX_ZOOM,
        "layers": [
            {
                "id": layer.name,
                "title": layer.title,
                "dataType": "vector",
                "geometryDimension": _dimension(layer),
                "minTileMatrix": "0",
                "maxTileMatrix": str(tiles.MAX_ZOOM),
                "propertiesSchema": tiles.properties_schema(layer),
            }
        ],
        "attribution": layer.attribution,
        "license": layer.license,
        "links": [
            link(base, "self", JSON, "this tileset"),
            link(f"{root}/tileMatrixSets/{tiles.TMS_ID}", TILING_SCHEME_REL, JSON, tiles.TMS_ID),
            link(f"{root}/collections/{layer.name}", "collection", JSON, layer.title),
            {
                **link(base + "/{tileMatrix}/{tileRow}/{tileCol}", "item", tiles.MVT, "Mapbox Vector Tiles"),
                "templated": True,
            },
        ],
    }


def _dimension(layer) -> int:
    kinds = " ".join(layer.geometry_types)
    return 2 if "Polygon" in kinds else 1 if "Line" in kinds else 0


@router.get(
    "/collections/{collectionId}/tiles", summary="Vector tilesets of a collection", responses=error_responses(400, 404)
)
def tilesets(request: Request, collectionId: CollectionId, catalog: CatalogDep) -> Response:
    """The collection's tilesets (one: WebMercatorQuad)."""
    check_parameters(request, {"f"})
    doc = _tileset_doc(request, catalog, collectionId)
    root = base_url(request)
    entry = {k: doc[k] for k in ("title", "dataType", "crs", "tileMatrixSetURI")}
    entry["links"] = [doc["links"][0], doc["links"][1]]
    return Response(
        dumps(
            {
                "tilesets": [entry],
                "links": [link(f"{root}/collections/{collectionId}/tiles", "self", JSON, "tilesets")],
            }
        ),
        media_type=JSON,
    )


@router.get(
    "/collections/{collectionId}/tiles/{tileMatrixSetId}",
    summary="Vector tileset metadata",
    responses=error_responses(400, 404),
)
def tileset(request: Request, collectionId: CollectionId, tileMatrixSetId: TmsId, catalog: CatalogDep) -> Response:
    """Tileset metadata: limits per zoom, layer and attributes, attribution and licence, the tile URL template."""
    check_parameters(request, {"f"})
    _check_tms(tileMatrixSetId)
    return Response(dumps(_tileset_doc(request, catalog, collectionId)), media_type=JSON)


@router.get(
    "/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}",
    summary="One vector tile (Mapbox Vector Tile)",
    response_class=Response,
    responses={
        200: {"description": "The tile", "content": {tiles.MVT: {}}},
        204: {"description": "The collection has nothing in this tile"},
        304: {"description": "Not modified (If-None-Match matched the ETag)"},
        **error_responses(400, 404, 429),
    },
)
async def tile(
    request: Request,
    collectionId: CollectionId,
    tileMatrixSetId: TmsId,
    tileMatrix: Annotated[int, Path(ge=0, le=tiles.MAX_ZOOM, description="Zoom level (0-16)")],
    tileRow: Annotated[int, Path(ge=0, description="Row, 0 at the north")],
    tileCol: Annotated[int, Path(ge=0, description="Column, 0 at 180° W")],
    catalog: CatalogDep,
    store: StoreDep,
) -> Response:
    """A Mapbox Vector Tile of the collection (layer named after it), cached per store version, gzip if accepted."""
    if request.query_params:
        check_parameters(request, set())
    _check_tms(tileMatrixSetId)
    if tileRow >= 2**tileMatrix or tileCol >= 2**tileMatrix:
        raise NotFound(f"tile {tileMatrix}/{tileRow}/{tileCol} lies outside the tile matrix ({2**tileMatrix} wide)")
    cache = page_cache(request, catalog)
    key = ("tile", collectionId, tileMatrix, tileRow, tileCol)
    cached = cache.get(catalog.version(), key)
    if cached is None:
        cached = await run_in_threadpool(_build, request, catalog, store, collectionId, tileMatrix, tileRow, tileCol)
    headers = {"ETag": cached.etag, "Vary": "Accept-Encoding", "Cache-Control": "no-cache"}
    if etag_matches(request, cached.etag):
        return Response(status_code=304, headers=headers)
    if not cached.prefix:
        return Response(status_code=204, headers=headers)
    body, gzipped = cached.body(b"", accepts_gzip(request))
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type=tiles.MVT, headers=headers)


_SLOTS_LOCK = threading.Lock()


def _slots(request: Request) -> tuple[threading.BoundedSemaphore, float]:
    """The app's render slots: at most ``tile_workers`` tiles rendered at once (bounded cost under a burst)."""
    state = request.app.state
    found = getattr(state, "tile_slots", None)
    if found is None:
        with _SLOTS_LOCK:
            found = getattr(state, "tile_slots", None)
            if found is None:
                settings = state.settings
                found = (threading.BoundedSemaphore(settings.tile_workers), settings.tile_wait_s)
                state.tile_slots = found
    return found


def _build(request: Request, catalog: Catalog, store, collection: str, z: int, row: int, col: int) -> CachedBody:
    layer = catalog.get(collection)
    slots, wait_s = _slots(request)
    if not slots.acquire(timeout=wait_s):
        raise WorkersBusyError("vector tiles: every render slot is busy; try again in a few seconds")
    try:
        found = page_cache(request, catalog).get(layer.version, ("tile", collection, z, row, col))
        if found is not None:  # rendered by another request meanwhile
            return found
        data = tiles.render_tile(store, layer, z, col, row)
    finally:
        slots.release()
    cached = CachedBody.of(data, {}, weak=False)
    page_cache(request, catalog).put(layer.version, ("tile", collection, z, row, col), cached, cached.size)
    return cached
