"""The OpenAPI 3.0 document at ``/api`` (OGC API - Features Part 1, OpenAPI 3.0 conformance class).

FastAPI writes OpenAPI 3.1; :func:`to_openapi30` rewrites the 3.1-only constructs (``anyOf`` with
``type: null``, ``examples`` arrays, ``const``, numeric ``exclusiveMinimum``) so the document is
valid 3.0. Request-validation responses are documented as 400 with the OGC exception body,
and the items ``limit`` carries the configured minimum, maximum and default.
"""

from __future__ import annotations

import copy
from typing import Annotated, Literal

from fastapi import FastAPI, Query, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, Response

from geozones.api.features import dumps
from geozones.api.query import OPENAPI, output_format

EXCEPTION_SCHEMA = {
    "type": "object",
    "required": ["code", "description"],
    "properties": {
        "code": {"type": "string"},
        "description": {"type": "string"},
        "status": {"type": "integer"},
        "title": {"type": "string"},
        "detail": {"type": "string"},
    },
}
LINK_SCHEMA = {
    "type": "object",
    "required": ["href", "rel"],
    "properties": {
        "href": {"type": "string"},
        "rel": {"type": "string"},
        "type": {"type": "string"},
        "title": {"type": "string"},
        "hreflang": {"type": "string"},
    },
}
LINKS = {"type": "array", "items": {"$ref": "#/components/schemas/Link"}}
FEATURE_SCHEMA = {
    "type": "object",
    "required": ["type", "geometry", "properties"],
    "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
        "geometry": {"type": "object", "nullable": True},
        "properties": {"type": "object", "nullable": True},
        "links": LINKS,
    },
}
FEATURE_COLLECTION_SCHEMA = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": {"$ref": "#/components/schemas/Feature"}},
        "links": LINKS,
        "timeStamp": {"type": "string", "format": "date-time"},
        "numberMatched": {"type": "integer", "minimum": 0},
        "numberReturned": {"type": "integer", "minimum": 0},
    },
}
COLLECTION_SCHEMA = {
    "type": "object",
    "required": ["id", "links"],
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "links": LINKS,
        "itemType": {"type": "string"},
        "crs": {"type": "array", "items": {"type": "string"}},
        "storageCrs": {"type": "string"},
        "extent": {"type": "object"},
    },
}
SCHEMAS = {
    "Exception": EXCEPTION_SCHEMA,
    "Link": LINK_SCHEMA,
    "Feature": FEATURE_SCHEMA,
    "FeatureCollection": FEATURE_COLLECTION_SCHEMA,
    "Collection": COLLECTION_SCHEMA,
    "LandingPage": {
        "type": "object",
        "required": ["links"],
        "properties": {"title": {"type": "string"}, "description": {"type": "string"}, "links": LINKS},
    },
    "Conformance": {
        "type": "object",
        "required": ["conformsTo"],
        "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}},
    },
    "Collections": {
        "type": "object",
        "required": ["links", "collections"],
        "properties": {
            "links": LINKS,
            "collections": {"type": "array", "items": {"$ref": "#/components/schemas/Collection"}},
            "crs": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Queryables": {
        "type": "object",
        "required": ["type", "properties"],
        "properties": {
            "$schema": {"type": "string"},
            "$id": {"type": "string"},
            "type": {"type": "string"},
            "title": {"type": "string"},
            "properties": {"type": "object"},
        },
    },
}

HTML_CONTENT = {"text/html": {"schema": {"type": "string"}}}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def error_responses(*codes: int) -> dict:
    """OpenAPI ``responses`` entries for OGC exception bodies."""
    text = {400: "Invalid or unknown query parameter", 404: "No such collection or item", 406: "Not acceptable"}
    return {
        code: {"description": text.get(code, "Error"), "content": {"application/json": {"schema": ref("Exception")}}}
        for code in codes
    }


def json_and_html(schema: str, media: str = "application/json") -> dict:
    """A 200 response documented as JSON (``schema``) or HTML."""
    return {
        200: {
            "description": "The resource as JSON or HTML (f=json|html or Accept)",
            "content": {media: {"schema": ref(schema)}, **HTML_CONTENT},
        }
    }


def _convert(node):
    """Rewrite OpenAPI 3.1 / JSON Schema 2020-12 constructs as OpenAPI 3.0."""
    if isinstance(node, list):
        return [_convert(v) for v in node]
    if not isinstance(node, dict):
        return node
    node = {k: _convert(v) for k, v in node.items()}
    for key in ("anyOf", "oneOf"):
        options = node.get(key)
        if isinstance(options, list) and any(o == {"type": "null"} for o in options):
            rest = [o for o in options if o != {"type": "null"}]
            del node[key]
            node["nullable"] = True
            if len(rest) == 1:
                merged = dict(rest[0])
                if "$ref" in merged:
                    node["allOf"] = [merged]
                else:
                    node.update({k: v for k, v in merged.items() if k not in node})
            elif rest:
                node[key] = rest
    if isinstance(node.get("type"), list):
        types = [t for t in node["type"] if t != "null"]
        if len(types) < len(node["type"]):
            node["nullable"] = True
        node["type"] = types[0] if len(types) == 1 else "string"
    if "examples" in node and isinstance(node["examples"], list) and "schema" not in node and "content" not in node:
        examples = node.pop("examples")
        if examples:
            node.setdefault("example", examples[0])
    if "const" in node:
        node["enum"] = [node.pop("const")]
    for key, flag in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(node.get(key), (int, float)) and not isinstance(node.get(key), bool):
            node[flag] = node.pop(key)
            node[key] = True
    for key in ("contentMediaType", "contentEncoding", "$schema", "unevaluatedProperties", "prefixItems"):
        if key in node and not isinstance(node[key], dict):
            node.pop(key)
    return node


def to_openapi30(document: dict, settings) -> dict:
    """The FastAPI document as a valid OpenAPI 3.0.3 document with the OGC specifics."""
    doc = copy.deepcopy(document)
    components = doc.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    components.update(copy.deepcopy(SCHEMAS))
    for path_item in doc.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            if "422" in responses and "HTTPValidationError" in str(responses["422"]):  # FastAPI's own: a 400 here
                responses.pop("422")
                responses.setdefault("400", error_responses(400)[400])
            for parameter in operation.get("parameters", []):
                if parameter.get("name") == "limit" and parameter.get("in") == "query":
                    parameter["schema"] = {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": settings.limit_max,
                        "default": settings.limit_default,
                    }
                    parameter["description"] = (
                        f"Items per page: minimum 1, maximum {settings.limit_max} "
                        f"(larger values are reduced to it), default "
                        f"{settings.limit_default}."
                    )
                elif parameter.get("name") == "bbox" and parameter.get("in") == "query":
                    parameter["schema"] = {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}
                    parameter["style"] = "form"
                    parameter["explode"] = False
    doc = _convert(doc)
    doc["openapi"] = "3.0.3"
    doc.pop("jsonSchemaDialect", None)
    doc.pop("webhooks", None)
    return doc


def install(app: FastAPI) -> None:
    """Serve the 3.0 document at ``/api`` (JSON with the OGC media type, or the Swagger page)."""
    settings = app.state.settings
    app.router.routes = [r for r in app.router.routes if getattr(r, "path", None) != "/api"]

    def openapi() -> dict:
        if app.openapi_schema is None:
            generated = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
                servers=app.servers,
            )
            app.openapi_schema = to_openapi30(generated, settings)
        return app.openapi_schema

    app.openapi = openapi

    @app.get(
        "/api",
        include_in_schema=True,
        tags=["capabilities"],
        summary="The API definition (OpenAPI 3.0)",
        response_class=Response,
        responses={
            200: {
                "description": "OpenAPI 3.0 document, or its HTML rendering",
                "content": {OPENAPI: {"schema": {"type": "object"}}, **HTML_CONTENT},
            },
            **error_responses(400),
        },
    )
    def api_definition(
        request: Request,
        f: Annotated[
            Literal["json", "html"] | None, Query(description="Output format: json (OpenAPI 3.0) or html")
        ] = None,
    ):
        if output_format(request, f, OPENAPI) == "html":
            from fastapi.openapi.docs import get_swagger_ui_html

            page = get_swagger_ui_html(openapi_url="/api?f=json", title=f"{app.title} - API")
            return HTMLResponse(page.body)
        return Response(dumps(app.openapi()), media_type=OPENAPI)
