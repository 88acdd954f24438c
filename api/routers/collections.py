"""Feature collections: the list, one collection's metadata, and its queryables (Part 3)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from geozones.api import crs as _crs
from geozones.api import html
from geozones.api.features import dumps
from geozones.api.layers import Catalog, Layer, get_catalog
from geozones.api.openapi import HTML_CONTENT, error_responses, json_and_html, ref
from geozones.api.query import GEOJSON, HTML, JSON, base_url, check_parameters, link, output_format, self_links

router = APIRouter(tags=["data"])


async def _catalog(request: Request) -> Catalog:
    """:func:`api.layers.get_catalog` as an async dependency (no thread-pool hop per request)."""
    return get_catalog(request)


CatalogDep = Annotated[Catalog, Depends(_catalog)]
CollectionId = Annotated[str, Path(description="Collection id: zones, boundaries_*, infrastructure_*, scenario_*")]
FormatParam = Annotated[
    Literal["json", "html"] | None,
    Query(description="Output format: json or html (default: from the Accept header, else json)"),
]

QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
SCHEMA_JSON = "application/schema+json"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"


def collection_doc(request: Request, layer: Layer, fmt: str | None = None) -> dict:
    """The collection description (OGC API - Features Part 1 and Part 2 members)."""
    root = base_url(request)
    path = f"/collections/{layer.name}"
    links = (
        self_links(request, path, fmt, title=layer.title) if fmt else [link(f"{root}{path}", "self", JSON, layer.title)]
    )
    links += [
        link(f"{root}{path}/items", "items", GEOJSON, f"{layer.title} (GeoJSON)"),
        link(f"{root}{path}/items?f=html", "items", HTML, f"{layer.title} (HTML)"),
        link(f"{root}{path}/queryables", QUERYABLES_REL, SCHEMA_JSON, "Queryable properties"),
        link(f"{root}{path}/tiles", "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", JSON, "Vector tiles"),
    ]
    extent: dict = {"spatial": {"bbox": [layer.bbox or [-180.0, -90.0, 180.0, 90.0]], "crs": _crs.CRS84_URI}}
    if layer.temporal:
        extent["temporal"] = {"interval": layer.interval, "trs": GREGORIAN, "property": layer.temporal}
    description = layer.description
    if layer.temporal:
        description += f" The datetime parameter filters on '{layer.temporal}'."
    doc = {
        "id": layer.name,
        "title": layer.title,
        "description": description,
        "links": links,
        "extent": extent,
        "itemType": "feature",
        "crs": _crs.supported_crs_uris(),
    }
    if layer.storage_crs_uri:
        doc["storageCrs"] = layer.storage_crs_uri
    doc["license"], doc["attribution"] = layer.license, layer.attribution
    if layer.license_url:
        links.append(link(layer.license_url, "license", HTML, layer.license))
    return doc


@router.get(
    "/collections",
    summary="Feature collections",
    response_class=Response,
    responses={**json_and_html("Collections"), **error_responses(400)},
)
def collections(request: Request, catalog: CatalogDep, f: FormatParam = None) -> Response:
    """Every feature collection: zones, boundaries, infrastructure layers and saved scenarios."""
    check_parameters(request, {"f"})
    fmt = output_format(request, f)
    docs = [collection_doc(request, catalog.get(name)) for name in catalog.names()]
    doc = {
        "links": self_links(request, "/collections", fmt, title="collections"),
        "collections": docs,
        "crs": _crs.supported_crs_uris(),
    }
    if fmt == "html":
        root = base_url(request)
        return html.render(
            "collections.html",
            doc=doc,
            title="Collections",
            links=doc["links"],
            root=root,
            crumbs=[("Home", f"{root}/?f=html"), ("Collections", f"{root}/collections?f=html")],
        )
    return Response(dumps(doc), media_type=JSON)


@router.get(
    "/collections/{collectionId}",
    summary="One feature collection",
    response_class=Response,
    responses={**json_and_html("Collection"), **error_responses(400, 404)},
)
def collection(request: Request, collectionId: CollectionId, catalog: CatalogDep, f: FormatParam = None) -> Response:
    """The collection's title, extent, CRSs and links to its items and queryables."""
    check_parameters(request, {"f"})
    fmt = output_format(request, f)
    layer = catalog.get(collectionId)
    doc = collection_doc(request, layer, fmt)
    if fmt == "html":
        root = base_url(request)
        return html.render(
            "collection.html",
            doc=doc,
            title=layer.title,
            links=doc["links"],
            root=root,
            crumbs=[("Home", f"{root}/?f=html"), ("Collections", f"{root}/collections?f=html")],
        )
    return Response(dumps(doc), media_type=JSON)


@router.get(
    "/collections/{collectionId}/queryables",
    summary="Queryable properties",
    response_class=Response,
    responses={
        200: {
            "description": "JSON Schema of the properties usable in filters and as parameters",
            "content": {SCHEMA_JSON: {"schema": ref("Queryables")}, **HTML_CONTENT},
        },
        **error_responses(400, 404),
    },
)
def queryables(request: Request, collectionId: CollectionId, catalog: CatalogDep, f: FormatParam = None) -> Response:
    """Properties that CQL2 filters and simple ``?name=value`` parameters can use (JSON Schema)."""
    check_parameters(request, {"f"})
    fmt = output_format(request, f, SCHEMA_JSON)
    layer = catalog.get(collectionId)
    root = base_url(request)
    properties = {
        "geometry": {
            "title": "geometry",
            "format": "geometry-any",
            "description": "Feature geometry (spatial filters: S_INTERSECTS and others)",
            "x-ogc-role": "primary-geometry",
        }
    }
    properties.update(layer.queryables)
    doc = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{root}/collections/{layer.name}/queryables",
        "type": "object",
        "title": f"{layer.title}: queryables",
        "properties": properties,
        "additionalProperties": False,
    }
    if fmt == "html":
        links = self_links(request, f"/collections/{layer.name}/queryables", fmt, SCHEMA_JSON, "queryables")
        return html.render(
            "queryables.html",
            doc=doc,
            title=doc["title"],
            links=links,
            root=root,
            crumbs=[("Home", f"{root}/?f=html"), (layer.name, f"{root}/collections/{layer.name}?f=html")],
        )
    return Response(dumps(doc), media_type=SCHEMA_JSON)
