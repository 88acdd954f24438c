"""Adding a published figure over HTTP: ``POST /edit/figures`` (editor key), append-only.

The body is one figure (``zone_id``, ``field``, ``value``, ``unit``, ``qualifier``, ``as_of``,
``source_id``, ``note``) citing a source already in ``table_sources``. The figure is appended to
``table_figures`` (never replacing an older one) and the zone's record field is set to the value
the served-value rule then picks (see data/README.md). The tables are read at
``/collections/table_figures`` and ``/collections/table_sources``.
"""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from geozones.api.auth import Editor
from geozones.api.dependencies import StoreDep
from geozones.api.errors import APIError, InvalidParameter
from geozones.api.openapi import error_responses
from geozones.provenance import FIGURE_COLUMNS
from geozones.store.figures import add_figure

router = APIRouter(tags=["transactions"])

#: Longest accepted body (one figure): 8 KiB.
MAX_BODY = 8192


@router.post(
    "/edit/figures",
    status_code=201,
    summary="Add a published figure with its source (append-only)",
    responses={
        201: {"description": "The stored figure (with its id) and the zone's served value for that field"},
        **error_responses(400, 401, 403, 404, 413, 415, 429),
    },
)
async def post_figure(request: Request, store: StoreDep, who: Editor) -> dict:
    """Append one figure; old figures are kept and the zone serves the value the rule picks."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise APIError(
            415, f"send the figure as application/json (got {media or 'no Content-Type'})", "UnsupportedMediaType"
        )
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise APIError(413, f"a figure is at most {MAX_BODY} bytes", "PayloadTooLarge")
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidParameter(f"the body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise InvalidParameter("the body must be a JSON object (one figure)")
    unknown = sorted(set(body) - set(FIGURE_COLUMNS) - {"id"})
    if unknown:
        raise InvalidParameter(f"unknown member(s) {', '.join(unknown)}; a figure has {', '.join(FIGURE_COLUMNS[1:])}")
    if body.get("id"):
        raise InvalidParameter("figures are append-only: the server assigns the id (leave it out)")
    for key, value in body.items():
        if value is not None and not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise InvalidParameter(f"{key} must be text or a number")
        if isinstance(value, str) and len(value) > 2000:
            raise InvalidParameter(f"{key} is longer than 2000 characters")
    return await run_in_threadpool(add_figure, store, body, actor=who.actor)
