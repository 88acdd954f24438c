"""OGC API landing page and conformance declaration."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from geozones.api import html
from geozones.api.dependencies import SettingsDep
from geozones.api.features import dumps
from geozones.api.openapi import error_responses, json_and_html
from geozones.api.query import HTML, JSON, OPENAPI, base_url, check_parameters, link, output_format, self_links

router = APIRouter(tags=["capabilities"])

#: Conformance classes the service implements.
CONFORMANCE: tuple[str, ...] = (
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    # OGC API - Features - Part 4 (draft 20-002r1): the zones collection is editable
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/optimistic-locking-etags",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/features",
)

FormatParam = Annotated[
    Literal["json", "html"] | None,
    Query(description="Output format: json or html (default: from the Accept header, else json)"),
]


def _reply(request: Request, fmt: str, doc: dict, template: str, title: str, crumbs: list, **extra) -> Response:
    if fmt == "html":
        return html.render(
            template, doc=doc, title=title, links=doc.get("links", []), root=base_url(request), crumbs=crumbs, **extra
        )
    return Response(dumps(doc), media_type=JSON)


def _investor_links(root: str) -> list[dict]:
    """The explorer, downloads and analysis endpoints, so the service's address leads to everything."""
    out = [
        link(
            f"{root}/maps/investor",
            "alternate",
            "text/html",
            "Industrial site explorer: map, list, filters, comparison, fact sheets (vi, en, ko, ja, zh-Hans)",
        ),
        link(f"{root}/downloads", "enclosure", JSON, "Downloads: every layer as GeoPackage, GeoJSON or CSV"),
    ]
    for path, title in (
        ("totals", "Analysis: zone counts and hectares grouped by attributes"),
        ("reconcile", "Analysis: mapped area against published area, per zone"),
        ("indicators", "Analysis: Bắc Kạn programme indicators against the 2025/2030 targets"),
        ("proximity", "Analysis: distances to highways, substations, the border gate, by road"),
    ):
        out.append(link(f"{root}/analysis/{path}", "related", JSON, title))
    return out


@router.get(
    "/",
    summary="Landing page",
    response_class=Response,
    responses={**json_and_html("LandingPage"), **error_responses(400)},
)
def landing(
    request: Request,
    settings: SettingsDep,
    f: FormatParam = None,
    lang: Annotated[str | None, Query(max_length=20, description="HTML language: vi, en, ko, ja, zh-Hans")] = None,
) -> Response:
    """Links to the API definition, the conformance declaration and the collections.

    The HTML page is in the language of ``lang=`` or else ``Accept-Language`` (vi, en, ko, ja, zh-Hans)."""
    check_parameters(request, {"f", "lang"})
    fmt = output_format(request, f)
    root = base_url(request)
    links = self_links(request, "/", fmt, title="landing page") + [
        link(f"{root}/api", "service-desc", OPENAPI, "API definition (OpenAPI 3.0, JSON)"),
        link(f"{root}/api.html", "service-doc", HTML, "API documentation (HTML)"),
        link(f"{root}/conformance", "conformance", JSON, "Conformance classes"),
        link(f"{root}/conformance", "http://www.opengis.net/def/rel/ogc/1.0/conformance", JSON, "Conformance classes"),
        link(f"{root}/collections", "data", JSON, "Feature collections"),
        link(f"{root}/collections", "http://www.opengis.net/def/rel/ogc/1.0/data", JSON, "Feature collections"),
        link(
            f"{root}/tileMatrixSets",
            "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes",
            JSON,
            "Tile matrix sets of the vector tiles",
        ),
        *_investor_links(root),
    ]
    doc = {"title": settings.title, "description": settings.description, "links": links}
    if fmt == "html":
        return _landing_html(request, root, lang)
    return _reply(request, fmt, doc, "landing.html", settings.title, [("Home", f"{root}/?f=html")])


def _landing_html(request: Request, root: str, lang: str | None) -> Response:
    from geozones.api.routers.investor import _lang
    from geozones.maps import i18n

    code = _lang(lang, request.headers.get("accept-language"))
    keys = [k for k in i18n.keys("en") if k.startswith("landing.") and k != "landing.qgis"]
    tr = {k.removeprefix("landing."): i18n.text(code, k) for k in keys}
    tr["qgis"] = i18n.text(
        code, "landing.qgis", url=root if root.startswith("http") else str(request.base_url).rstrip("/")
    )
    langs = [("vi", "Tiếng Việt"), ("en", "English"), ("ko", "한국어"), ("ja", "日本語"), ("zh-Hans", "简体中文")]
    page = html.render("landing_i18n.html", tr=tr, lang=code, langs=langs, root=root)
    page.headers["Content-Language"] = code
    page.headers["Vary"] = "Accept-Language"
    return page


@router.get(
    "/conformance",
    summary="Conformance declaration",
    response_class=Response,
    responses={**json_and_html("Conformance"), **error_responses(400)},
)
def conformance(request: Request, f: FormatParam = None) -> Response:
    """The OGC conformance classes this service implements."""
    check_parameters(request, {"f"})
    fmt = output_format(request, f)
    root = base_url(request)
    doc = {"conformsTo": list(CONFORMANCE), "links": self_links(request, "/conformance", fmt, title="conformance")}
    return _reply(request, fmt, doc, "conformance.html", "Conformance", [("Home", f"{root}/?f=html")])
