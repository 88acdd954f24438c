"""Request helpers shared by the OGC routes: format negotiation, links, bbox, datetime, property filters."""

from __future__ import annotations

import datetime as _dt
import math
from urllib.parse import urlencode

import numpy as np
import pandas as pd
from fastapi import Request

from geozones.api.errors import InvalidParameter
from geozones.api.layers import Layer

GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"

FORMATS = {"json": JSON, "geojson": GEOJSON, "html": HTML}


def output_format(request: Request, f: str | None, json_type: str = JSON) -> str:
    """``html`` or ``json`` from the ``f`` parameter, else from the Accept header (JSON by default)."""
    if f is not None:
        key = f.strip().lower()
        if key not in FORMATS:
            raise InvalidParameter(f"f={f!r} is not supported; use f=json or f=html")
        return "html" if key == "html" else "json"
    accept = request.headers.get("accept", "")
    best, best_q = "json", -1.0
    for part in accept.split(","):
        media, _, params = part.strip().partition(";")
        media = media.strip().lower()
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        kind = (
            "html"
            if media in (HTML, "application/xhtml+xml")
            else (
                "json"
                if media in (JSON, GEOJSON, json_type, "application/schema+json", "*/*", "application/*")
                or media.endswith("+json")
                else None
            )
        )
        if kind and q > best_q:
            best, best_q = kind, q
    return best


def base_url(request: Request) -> str:
    """The service root URL (``GEOZONES_PUBLIC_URL`` when behind a proxy), without a trailing slash."""
    public = getattr(request.app.state.settings, "public_url", None)
    return (public or str(request.base_url)).rstrip("/")


def link(href: str, rel: str, type_: str, title: str | None = None, **extra) -> dict:
    out = {"href": href, "rel": rel, "type": type_}
    if title:
        out["title"] = title
    out.update(extra)
    return out


def with_query(url: str, params: dict) -> str:
    """``url`` with the given query parameters (None values dropped)."""
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{url}?{query}" if query else url


def self_links(
    request: Request, path: str, fmt: str, json_type: str = JSON, title: str = "this document", keep: dict | None = None
) -> list[dict]:
    """``self`` and ``alternate`` links for a JSON/HTML resource."""
    root = base_url(request) + path
    params = dict(keep or {})
    json_link = link(
        with_query(root, {**params, "f": "json"}),
        "self" if fmt == "json" else "alternate",
        json_type,
        f"{title} as JSON",
    )
    html_link = link(
        with_query(root, {**params, "f": "html"}), "self" if fmt == "html" else "alternate", HTML, f"{title} as HTML"
    )
    return [json_link, html_link] if fmt == "json" else [html_link, json_link]


def check_parameters(request: Request, allowed: set[str], queryables: dict | None = None) -> dict[str, str]:
    """Reject unknown and repeated query parameters; return the property filters (queryables used)."""
    queryables = queryables or {}
    filters: dict[str, str] = {}
    seen: set[str] = set()
    for key, value in request.query_params.multi_items():
        if key in seen:
            raise InvalidParameter(f"parameter {key!r} is given more than once")
        seen.add(key)
        if key in allowed:
            continue
        if key in queryables:
            filters[key] = value
            continue
        names = sorted(allowed) + (sorted(queryables) if queryables else [])
        raise InvalidParameter(f"unknown parameter {key!r}; allowed: {', '.join(names)}")
    return filters


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """``bbox`` as 4 numbers (6-number boxes drop their heights)."""
    parts = text.split(",")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise InvalidParameter(f"bbox={text!r}: give 4 or 6 comma-separated numbers") from None
    if len(numbers) not in (4, 6) or not all(math.isfinite(n) for n in numbers):
        raise InvalidParameter(f"bbox={text!r}: give 4 or 6 comma-separated finite numbers")
    box = numbers if len(numbers) == 4 else [numbers[0], numbers[1], numbers[3], numbers[4]]
    if len(numbers) == 6 and numbers[2] > numbers[5]:
        raise InvalidParameter(f"bbox={text!r}: the lower height is above the upper height")
    return tuple(box)


def _instant(text: str, end: bool) -> pd.Timestamp | None:
    text = text.strip()
    if text in ("", ".."):
        return None
    try:
        if len(text) == 10:
            day = pd.Timestamp(_dt.date.fromisoformat(text)).tz_localize("UTC")
            return day + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1) if end else day
        value = pd.Timestamp(_dt.datetime.fromisoformat(text.replace("z", "Z")))
    except ValueError:
        raise InvalidParameter(f"datetime: {text!r} is not an RFC 3339 date or date-time") from None
    return value.tz_localize("UTC") if value.tzinfo is None else value.tz_convert("UTC")


def datetime_mask(layer: Layer, text: str) -> np.ndarray:
    """Rows whose temporal property (a date = the whole day) intersects the instant or interval."""
    if layer.temporal is None:
        raise InvalidParameter(f"collection {layer.name!r} has no temporal property; datetime cannot be used")
    if "/" in text:
        first, _, second = text.partition("/")
        if "/" in second:
            raise InvalidParameter(f"datetime={text!r}: an interval has exactly one '/'")
        if first.strip() in ("", "..") and second.strip() in ("", ".."):
            raise InvalidParameter(f"datetime={text!r}: at least one end of the interval must be given")
        start, stop = _instant(first, end=False), _instant(second, end=True)
    else:
        if text.strip() in ("", ".."):
            raise InvalidParameter("datetime: give a date, a date-time or an interval start/end")
        start, stop = _instant(text, end=False), _instant(text, end=True)
    if start is not None and stop is not None and start > stop:
        raise InvalidParameter(f"datetime={text!r}: the interval ends before it starts")
    values = layer.temporal_values
    day_start = values
    day_end = values + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
    mask = values.notna()
    if stop is not None:
        mask &= day_start <= stop
    if start is not None:
        mask &= day_end >= start
    return mask.fillna(False).to_numpy(dtype=bool)


def property_mask(layer: Layer, name: str, text: str) -> np.ndarray:
    """Rows whose property ``name`` equals the query value (typed by the queryable's schema)."""
    schema = layer.queryables[name]
    column = layer.frame[name]
    kind = schema.get("type")
    if schema.get("format") in ("date", "date-time"):
        value = _instant(text, end=False)
        values = pd.to_datetime(column.astype(object), errors="coerce", utc=True)
        return (values == value).fillna(False).to_numpy(dtype=bool)
    if kind in ("number", "integer"):
        try:
            number = float(text)
        except ValueError:
            raise InvalidParameter(f"{name}={text!r}: {name} is a number") from None
        return (pd.to_numeric(column, errors="coerce") == number).fillna(False).to_numpy(dtype=bool)
    if kind == "boolean":
        lowered = text.strip().lower()
        if lowered not in ("true", "false"):
            raise InvalidParameter(f"{name}={text!r}: {name} is true or false")
        return (column == (lowered == "true")).fillna(False).to_numpy(dtype=bool)
    return (column.astype(object) == text).fillna(False).to_numpy(dtype=bool)
