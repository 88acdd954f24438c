"""Editing zones: OGC API - Features Part 4 (create, replace, update, delete) plus history and restore.

Only the ``zones`` collection is editable. Every write needs an API key with the
``editor`` role; replace, update and delete need ``If-Match`` with the feature's
current ETag (428 without it, 412 when it is stale), so two editors never silently
overwrite each other. Geometries are GeoJSON in OGC:CRS84 unless a ``Content-Crs``
header names another CRS; invalid geometries are rejected (400) unless ``repair=true``.
"""

from __future__ import annotations

import re
from typing import Annotated

import orjson
import shapely
from fastapi import APIRouter, Header, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from geozones.api.auth import Admin, Editor, Reader
from geozones.api.dependencies import SettingsDep, StoreDep
from geozones.api.errors import APIError, InvalidParameter, NotFound
from geozones.api.layers import get_catalog
from geozones.api.openapi import error_responses, ref
from geozones.api.placement import Allow, parse_allow, patch_moves, placement_check
from geozones.crs import reproject_geometry
from geozones.errors import GeometryError
from geozones.store.edits import DEFAULT_INPUT_CRS, check_geometry_budget
from geozones.store.records import HistoryEntry, StoredZone, json_record

router = APIRouter(tags=["transactions"])


class GeoJSONResponse(JSONResponse):
    media_type = "application/geo+json"


def _feature_doc(status: int, text: str) -> dict:
    return {status: {"description": text, "content": {"application/geo+json": {"schema": ref("Feature")}}}}


#: Every status a write route may answer besides success (OGC exception body).
WRITE_ERRORS = error_responses(400, 401, 403, 404, 405, 409, 412, 413, 415, 428, 429, 503)
READ_ERRORS = error_responses(400, 401, 403, 404, 405)
KEY_ERRORS = error_responses(400, 401, 403, 404, 413, 415, 429)

EDITABLE = "zones"
FEATURE_TYPES = ("application/geo+json", "application/json")
PATCH_TYPES = ("application/merge-patch+json", "application/geo+json", "application/json")
_CRS_URI = re.compile(r"^<?\s*https?://www\.opengis\.net/def/crs/(EPSG|OGC)/[^/]+/([A-Za-z0-9]+)\s*>?$")

CollectionId = Annotated[str, Path(description="Collection id; only `zones` is editable")]
FeatureId = Annotated[str, Path(description="Zone id (e.g. `thanh-binh-1`)")]
Repair = Annotated[
    bool, Query(description="Repair an invalid geometry with shapely.make_valid instead of rejecting it")
]
IfMatch = Annotated[str | None, Header(description="The ETag from GET .../items/{featureId} (required)")]


def _editable(store, collection_id: str) -> None:
    if collection_id == EDITABLE:
        return
    if collection_id in store.layers():
        raise APIError(
            405,
            f"collection {collection_id!r} is read-only; only the {EDITABLE!r} collection can be edited",
            "MethodNotAllowed",
        )
    raise NotFound(f"no collection {collection_id!r}")


def _require_if_match(if_match: str | None, feature_id: str) -> str:
    if not if_match:
        raise APIError(
            428,
            f"send If-Match with the ETag of zone {feature_id!r} (from GET "
            f"/collections/{EDITABLE}/items/{feature_id}) so concurrent edits are not lost",
            "PreconditionRequired",
        )
    return if_match


def content_crs(request: Request) -> str:
    """The CRS of the body's geometries: the ``Content-Crs`` header (an OGC CRS URI) or CRS84."""
    header = request.headers.get("content-crs")
    if not header:
        return DEFAULT_INPUT_CRS
    match = _CRS_URI.match(header.strip())
    if not match:
        raise InvalidParameter(
            f"Content-Crs {header!r} is not an OGC CRS URI such as <http://www.opengis.net/def/crs/EPSG/0/9213>"
        )
    authority, code = match.groups()
    return f"{authority}:{code}"


async def _json_body(request: Request, allowed: tuple[str, ...]) -> dict:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in allowed:
        raise APIError(
            415, f"send the body as {' or '.join(allowed)} (got {media or 'no Content-Type'})", "UnsupportedMediaType"
        )
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError as exc:
        raise InvalidParameter(f"the body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise InvalidParameter("the body must be a JSON object (a GeoJSON Feature)")
    return body


def _within_budget(body: dict, settings) -> None:
    """The request's geometry within the configured vertex/ring/part limits (before any GEOS work)."""
    geometry = body.get("geometry")
    if geometry is not None:
        check_geometry_budget(
            geometry, max_vertices=settings.max_vertices, max_rings=settings.max_rings, max_parts=settings.max_parts
        )


def feature_json(zone: StoredZone) -> dict:
    """A stored zone as a GeoJSON Feature in CRS84."""
    if zone.geometry is None:
        geometry = None
    else:
        geometry = shapely.geometry.mapping(reproject_geometry(zone.geometry, zone.crs, DEFAULT_INPUT_CRS))
    return {"type": "Feature", "id": zone.id, "properties": json_record(zone.properties), "geometry": geometry}


def _item_url(request: Request, settings, zone_id: str) -> str:
    base = (settings.public_url or str(request.base_url)).rstrip("/")
    return f"{base}/collections/{EDITABLE}/items/{zone_id}"


def _feature_response(zone: StoredZone, status: int, request: Request, settings) -> JSONResponse:
    headers = {"ETag": zone.etag}
    if status == 201:
        headers["Location"] = _item_url(request, settings, zone.id)
    return GeoJSONResponse(feature_json(zone), status_code=status, headers=headers)


async def _edit(call, *args, **kwargs) -> StoredZone:
    try:
        return await run_in_threadpool(call, *args, **kwargs)
    except GeometryError as exc:
        if "invalid geometry" in str(exc):
            raise InvalidParameter(
                f"{exc}; or send the request with ?repair=true to store the repaired geometry"
            ) from exc
        raise


#: The methods each resource answers (``OPTIONS`` and its ``Allow`` header, OGC API Part 4).
READ_METHODS = ("GET", "OPTIONS")


def _allow(store, collection_id: str, methods: tuple[str, ...]) -> Response:
    if collection_id not in store.layers():
        raise NotFound(f"no collection {collection_id!r}")
    allowed = READ_METHODS + (methods if collection_id == EDITABLE else ())
    return Response(status_code=204, headers={"Allow": ", ".join(allowed)})


@router.options(
    "/collections/{collectionId}/items",
    status_code=204,
    summary="Methods the items resource answers (Allow header)",
    responses={
        204: {"description": "`Allow` lists the methods; POST only on the editable `zones`"},
        **error_responses(400, 404),
    },
)
def items_options(store: StoreDep, collectionId: CollectionId) -> Response:
    """``Allow: GET, OPTIONS, POST`` for ``zones`` (an editor key creates zones), read methods elsewhere."""
    return _allow(store, collectionId, ("POST",))


@router.options(
    "/collections/{collectionId}/items/{featureId}",
    status_code=204,
    summary="Methods a feature answers (Allow header)",
    responses={
        204: {"description": "`Allow` lists the methods; PUT, PATCH, DELETE only on `zones`"},
        **error_responses(400, 404),
    },
)
def item_options(store: StoreDep, collectionId: CollectionId, featureId: FeatureId) -> Response:
    """``Allow: GET, OPTIONS, PUT, PATCH, DELETE`` for a zone, read methods elsewhere."""
    return _allow(store, collectionId, ("PUT", "PATCH", "DELETE"))


@router.post(
    "/collections/{collectionId}/items",
    status_code=201,
    summary="Add a zone (OGC API Part 4)",
    response_class=GeoJSONResponse,
    responses={**_feature_doc(201, "Created; Location and ETag headers name the new zone"), **WRITE_ERRORS},
)
async def create_item(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    who: Editor,
    collectionId: CollectionId,
    repair: Repair = False,
    allow: Allow = None,
) -> JSONResponse:
    """Create a zone from a GeoJSON Feature (``id`` in ``properties.id`` or the feature ``id``).

    The zone must pass the placement checks (province, district, overlap, area) unless ``allow`` names them.
    """
    _editable(store, collectionId)
    skip = parse_allow(allow)
    body = await _json_body(request, FEATURE_TYPES)
    _within_budget(body, settings)
    check = await run_in_threadpool(placement_check, get_catalog(request), skip)
    zone = await _edit(store.create_zone, body, actor=who.actor, crs=content_crs(request), repair=repair, check=check)
    return _feature_response(zone, 201, request, settings)


@router.put(
    "/collections/{collectionId}/items/{featureId}",
    summary="Replace a zone (OGC API Part 4)",
    response_class=GeoJSONResponse,
    responses={**_feature_doc(200, "The stored zone; ETag header"), **WRITE_ERRORS},
)
async def replace_item(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    who: Editor,
    collectionId: CollectionId,
    featureId: FeatureId,
    if_match: IfMatch = None,
    repair: Repair = False,
    allow: Allow = None,
) -> JSONResponse:
    """Replace every attribute and the geometry; attributes left out become empty (placement checked)."""
    _editable(store, collectionId)
    tag = _require_if_match(if_match, featureId)
    skip = parse_allow(allow)
    body = await _json_body(request, FEATURE_TYPES)
    _within_budget(body, settings)
    check = await run_in_threadpool(placement_check, get_catalog(request), skip)
    zone = await _edit(
        store.replace_zone,
        featureId,
        body,
        if_match=tag,
        actor=who.actor,
        crs=content_crs(request),
        repair=repair,
        check=check,
    )
    return _feature_response(zone, 200, request, settings)


@router.patch(
    "/collections/{collectionId}/items/{featureId}",
    summary="Update part of a zone (OGC API Part 4)",
    response_class=GeoJSONResponse,
    responses={**_feature_doc(200, "The stored zone; ETag header"), **WRITE_ERRORS},
)
async def update_item(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    who: Editor,
    collectionId: CollectionId,
    featureId: FeatureId,
    if_match: IfMatch = None,
    repair: Repair = False,
    allow: Allow = None,
) -> JSONResponse:
    """JSON merge patch: ``{"properties": {"occupancy_pct": 62.5}}``; ``null`` clears an optional attribute.

    A patch that moves the zone or changes its province, district, park group or published area is
    placement-checked again.
    """
    _editable(store, collectionId)
    tag = _require_if_match(if_match, featureId)
    skip = parse_allow(allow)
    body = await _json_body(request, PATCH_TYPES)
    _within_budget(body, settings)
    # an attribute-only patch cannot move the zone: no snapshot of the zones and boundaries to take
    check = await run_in_threadpool(placement_check, get_catalog(request), skip) if patch_moves(body) else None
    zone = await _edit(
        store.update_zone,
        featureId,
        body,
        if_match=tag,
        actor=who.actor,
        crs=content_crs(request),
        repair=repair,
        check=check,
    )
    return _feature_response(zone, 200, request, settings)


@router.delete(
    "/collections/{collectionId}/items/{featureId}",
    status_code=204,
    summary="Delete a zone (OGC API Part 4)",
    responses={204: {"description": "Deleted"}, **WRITE_ERRORS},
)
async def delete_item(
    store: StoreDep, who: Editor, collectionId: CollectionId, featureId: FeatureId, if_match: IfMatch = None
) -> Response:
    """Delete a zone. It stays in the history and can be restored."""
    _editable(store, collectionId)
    tag = _require_if_match(if_match, featureId)
    await _edit(store.delete_zone, featureId, if_match=tag, actor=who.actor)
    return Response(status_code=204)


# --- history ---------------------------------------------------------------------------------


def entry_json(entry: HistoryEntry, request: Request, settings) -> dict:
    """One history entry: who, when, what, and links to the before/after snapshots."""
    url = _item_url(request, settings, entry.zone_id)
    changed = sorted(
        k
        for k in set((entry.before or {}).get("properties", {})) | set((entry.after or {}).get("properties", {}))
        if (entry.before or {}).get("properties", {}).get(k) != (entry.after or {}).get("properties", {}).get(k)
    )
    if entry.before and entry.after and entry.before["geometry"] != entry.after["geometry"]:
        changed.append("geometry")
    return {
        "zone_id": entry.zone_id,
        "version": entry.version,
        "op": entry.op,
        "actor": entry.actor,
        "at": entry.at,
        "etag_before": entry.etag_before,
        "etag_after": entry.etag_after,
        "changed": changed,
        "before": _snapshot_json(entry, "before"),
        "after": _snapshot_json(entry, "after"),
        "links": [{"rel": "version", "href": f"{url}/history/{entry.version}", "type": "application/geo+json"}],
    }


def _snapshot_json(entry: HistoryEntry, which: str) -> dict | None:
    zone = entry.snapshot(which)
    return None if zone is None else feature_json(zone)


History = Annotated[int | None, Query(ge=1, le=10_000, description="Most recent entries to return")]


@router.get("/collections/{collectionId}/history", summary="Recent changes to a collection", responses=READ_ERRORS)
def collection_history(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    who: Reader,
    collectionId: CollectionId,
    limit: History = 100,
) -> dict:
    """The latest recorded changes of every zone, newest first."""
    _editable(store, collectionId)
    entries = store.history(None, limit)
    return {"collection": collectionId, "changes": [entry_json(e, request, settings) for e in entries]}


@router.get(
    "/collections/{collectionId}/items/{featureId}/history", summary="A zone's change history", responses=READ_ERRORS
)
def item_history(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    who: Reader,
    collectionId: CollectionId,
    featureId: FeatureId,
    limit: History = None,
) -> dict:
    """Every recorded change of one zone (also of a deleted one), newest first."""
    _editable(store, collectionId)
    entries = store.history(featureId, limit)
    if not entries:
        store.get_zone(featureId)  # 404 for an unknown id; a zone never edited has an empty history
    return {"zone_id": featureId, "versions": [entry_json(e, request, settings) for e in entries]}


@router.get(
    "/collections/{collectionId}/items/{featureId}/history/{version}",
    summary="A zone as it was after one version",
    response_class=GeoJSONResponse,
    responses={**_feature_doc(200, "The zone at that version; ETag header"), **READ_ERRORS},
)
def item_version(
    store: StoreDep,
    who: Reader,
    collectionId: CollectionId,
    featureId: FeatureId,
    version: Annotated[int, Path(ge=0, description="Version number (0: before the first change)")],
) -> JSONResponse:
    """The zone as it was after ``version`` (0: as it was before its first recorded change)."""
    _editable(store, collectionId)
    entries = {e.version: e for e in store.history(featureId)}
    entry = entries.get(max(version, 1))
    zone = entry.snapshot("before" if version == 0 else "after") if entry else None
    if zone is None:
        raise NotFound(f"zone {featureId!r} has no state at version {version}")
    return GeoJSONResponse(feature_json(zone), headers={"ETag": zone.etag})


@router.post(
    "/collections/{collectionId}/items/{featureId}/history/{version}/restore",
    summary="Restore a zone to a previous version",
    response_class=GeoJSONResponse,
    responses={**_feature_doc(200, "The restored zone; ETag header"), **WRITE_ERRORS},
)
async def restore_item(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    who: Editor,
    collectionId: CollectionId,
    featureId: FeatureId,
    version: Annotated[int, Path(ge=0, description="Version to bring back")],
    if_match: IfMatch = None,
    allow: Allow = None,
) -> JSONResponse:
    """Bring back the zone as it was after ``version``; recorded as a new version.

    ``If-Match`` is required while the zone exists (not for a deleted zone). The restored zone
    passes the placement checks against the zones stored now (an old outline put back over a zone
    created since is refused) unless ``allow`` names them.
    """
    _editable(store, collectionId)
    skip = parse_allow(allow)
    exists = True
    try:
        await run_in_threadpool(store.get_zone, featureId)
    except KeyError:
        exists = False
    tag = _require_if_match(if_match, featureId) if exists else if_match
    check = await run_in_threadpool(placement_check, get_catalog(request), skip)
    zone = await _edit(store.restore, featureId, version, actor=who.actor, if_match=tag, check=check)
    return _feature_response(zone, 200, request, settings)


# --- keys (admin) ------------------------------------------------------------------------------


def _keys_path(request: Request):
    return request.app.state.keyring.path


@router.get("/keys", tags=["keys"], summary="List API keys (admin)", responses=KEY_ERRORS)
def list_api_keys(request: Request, who: Admin) -> dict:
    """Id, name, role and creation time of every key (never the key or its hash)."""
    from geozones.store.keys import load_keys

    return {
        "keys": [
            {"id": k.id, "name": k.name, "role": k.role, "created": k.created} for k in load_keys(_keys_path(request))
        ]
    }


@router.post("/keys", tags=["keys"], status_code=201, summary="Create an API key (admin)", responses=KEY_ERRORS)
async def create_api_key(request: Request, who: Admin) -> dict:
    """Body ``{"role": "editor", "name": "..."}``; the answer holds the key, shown only this once."""
    from geozones.store.keys import create_key

    body = await _json_body(request, ("application/json",))
    secret, key = await run_in_threadpool(
        create_key, str(body.get("role", "")), str(body.get("name", "")), _keys_path(request)
    )
    return {"id": key.id, "name": key.name, "role": key.role, "key": secret}


@router.delete(
    "/keys/{keyId}",
    tags=["keys"],
    status_code=204,
    summary="Revoke an API key (admin)",
    responses={204: {"description": "Revoked"}, **KEY_ERRORS},
)
def revoke_api_key(request: Request, who: Admin, keyId: Annotated[str, Path(description="Key id")]) -> Response:
    """The key stops working at once."""
    from geozones.store.keys import revoke_key

    try:
        revoke_key(keyId, _keys_path(request))
    except KeyError as exc:
        raise NotFound(str(exc.args[0])) from exc
    return Response(status_code=204)
