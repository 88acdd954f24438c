"""Register interest: investors post an inquiry for one to four zones; the province's editors read and export them.

``POST /inquiries`` is anonymous (the explorer's form) but bounded: a small body
(``GEOZONES_MAX_INQUIRY_BYTES``), a per-client token bucket (``GEOZONES_INQUIRY_PER_HOUR``,
``GEOZONES_INQUIRY_BURST``) whose table of clients is itself bounded (oldest forgotten first), and a
cap on stored inquiries (``GEOZONES_MAX_INQUIRIES``). ``GET /inquiries`` (JSON, ``f=csv``) needs an
editor key; the CSV neutralises formula cells.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from geozones.api.auth import Editor
from geozones.api.dependencies import SettingsDep, StoreDep
from geozones.api.errors import APIError
from geozones.api.openapi import error_responses
from geozones.api.routers.investor import AcceptLanguage, _lang
from geozones.errors import InvalidParameterError
from geozones.store import inquiries as inq

router = APIRouter(tags=["investor"])

#: Most clients the limiter remembers (memory stays bounded whatever the number of addresses).
CLIENTS_MAX = 4096


class ClientLimiter:
    """Per-client token buckets with a bounded table: ``burst`` at once, refilled at ``per_hour``."""

    def __init__(self, per_hour: float, burst: int, clients: int = CLIENTS_MAX):
        self.rate = per_hour / 3600.0
        self.burst = float(burst)
        self.clients = clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """0 when the client may post now, else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.pop(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
            self._buckets[client] = (tokens - 1 if tokens >= 1 else tokens, now)
            while len(self._buckets) > self.clients:
                self._buckets.popitem(last=False)
            return wait

    def __len__(self) -> int:
        return len(self._buckets)


_LIMITERS: dict[tuple, ClientLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


def _limiter(request: Request, settings) -> ClientLimiter:
    key = (id(request.app), settings.inquiry_per_hour, settings.inquiry_burst)
    with _LIMITERS_LOCK:
        if key not in _LIMITERS:
            _LIMITERS[key] = ClientLimiter(settings.inquiry_per_hour, settings.inquiry_burst)
        return _LIMITERS[key]


def _text(lang: str, key: str, **values) -> str:
    from geozones.maps import i18n

    return i18n.text(lang, key, **values)


@router.post(
    "/inquiries",
    status_code=201,
    summary="Register interest in one to four zones (anonymous, rate-limited)",
    responses=error_responses(400, 404, 413, 429),
)
async def post_inquiry(
    request: Request, store: StoreDep, settings: SettingsDep, lang: str | None = None, accept: AcceptLanguage = None
) -> Response:
    """Body (JSON or form): ``zone_ids`` (list or comma-separated), ``company``, ``contact``, ``sector``,
    ``land_ha``, ``message``, ``lang``. Answers 201 with the inquiry's id and a confirmation in its language."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > settings.max_inquiry_bytes:
            raise APIError(413, f"an inquiry is at most {settings.max_inquiry_bytes} bytes", "PayloadTooLarge")
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    try:
        if kind == "application/x-www-form-urlencoded":
            from urllib.parse import parse_qsl

            fields: dict = dict(parse_qsl(body.decode("utf-8"), max_num_fields=20))
        else:
            fields = json.loads(body or b"{}")
    except (UnicodeDecodeError, ValueError):
        raise APIError(400, "the inquiry must be JSON or a form", "InvalidParameterValue") from None
    if not isinstance(fields, dict):
        raise APIError(400, "the inquiry must be a JSON object", "InvalidParameterValue")
    code = _lang(lang or (fields.get("lang") if isinstance(fields.get("lang"), str) else None), accept)
    client = request.client.host if request.client else "unknown"
    wait = _limiter(request, settings).take(client)
    if wait > 0:
        raise APIError(
            429, _text(code, "inquiry.too_many"), "TooManyRequests", headers={"Retry-After": str(int(wait) + 1)}
        )
    zone_ids = fields.get("zone_ids") or []
    if isinstance(zone_ids, str):
        zone_ids = [z.strip() for z in zone_ids.split(",") if z.strip()]
    if not isinstance(zone_ids, list) or not all(isinstance(z, str) for z in zone_ids):
        raise InvalidParameterError("zone_ids must be a list of zone ids")
    known = set(store.zones()["id"])
    record = inq.make_inquiry(fields, zone_ids, known, code)
    inq.add_inquiry(store, record, max_rows=settings.max_inquiries)
    names = store.zones().set_index("id")["name"]
    sites = ", ".join(str(names.get(z, z)) for z in zone_ids)
    body_out = {"id": record["id"], "message": _text(code, "inquiry.thanks", ref=record["id"], site=sites)}
    return Response(json.dumps(body_out, ensure_ascii=False), status_code=201, media_type="application/json")


@router.get(
    "/inquiries",
    summary="The stored inquiries (editor key): JSON or CSV",
    responses={200: {"content": {"application/json": {}, "text/csv": {}}, "description": "The inquiries"}}
    | error_responses(400, 401, 403),
)
def list_inquiries(
    store: StoreDep,
    who: Editor,
    f: Annotated[Literal["json", "csv"], Query(description="json (default) or csv")] = "json",
    zone: Annotated[str | None, Query(max_length=200, description="Only inquiries naming this zone")] = None,
) -> Response:
    """Every inquiry, newest first (``zone=`` filters). CSV text cells are neutralised for spreadsheets."""
    frame = inq.inquiries(store, zone)
    if f == "csv":
        return Response(
            inq.inquiries_csv(frame),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": "attachment; filename=geozones-inquiries.csv", "Cache-Control": "no-store"},
        )
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return Response(
        json.dumps({"inquiries": records, "count": len(records)}, ensure_ascii=False),
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )
