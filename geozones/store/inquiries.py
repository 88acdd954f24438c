"""Investor inquiries ("register interest"): one non-spatial table ``inquiries`` in the store, both backends.

An inquiry names one to four zones, the investor's company, contact, sector, the land wanted (ha),
a message and the language they wrote in. Text is cleaned (NFC, control characters and angle brackets
of markup kept as plain characters; lengths bounded) but never interpreted: pages show it with
``textContent`` / escaping, CSV exports neutralise formula cells (:mod:`geozones.io.csvcells`).
Appends go through the store's own write path under its lock (``append_rows``).
"""

from __future__ import annotations

import datetime as _dt
import re
import secrets
import unicodedata
from collections.abc import Mapping

import pandas as pd

from geozones.errors import InvalidParameterError

INQUIRIES = "inquiries"
#: Column -> largest length in characters (text columns).
TEXT_LIMITS: dict[str, int] = {"company": 200, "contact": 200, "sector": 120, "message": 2000}
COLUMNS = ("id", "created", "zone_ids", "company", "contact", "sector", "land_ha", "message", "lang")
#: Most zones one inquiry names (the comparison's most sites).
MAX_ZONES = 4
#: Largest land wanted, ha (the largest zone in the region is under 1 000 ha).
MAX_LAND_HA = 10_000.0
#: Default cap on stored inquiries (a full table refuses more, it never grows without bound).
MAX_ROWS = 20_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean_text(value, limit: int, field: str, *, required: bool = False) -> str:
    """``value`` as NFC text without control or bidi-override characters; too long or missing raises."""
    text = unicodedata.normalize("NFC", str(value or ""))
    text = _CONTROL.sub("", text.replace("\r\n", "\n")).strip()
    if required and not text:
        raise InvalidParameterError(f"{field} is required")
    if len(text) > limit:
        raise InvalidParameterError(f"{field} is longer than {limit} characters")
    return text


def make_inquiry(fields: Mapping, zone_ids: list[str], known_ids: set[str], lang: str) -> dict:
    """A checked inquiry record from posted ``fields`` for ``zone_ids`` (all in ``known_ids``)."""
    zone_ids = list(dict.fromkeys(zone_ids))
    if not 1 <= len(zone_ids) <= MAX_ZONES:
        raise InvalidParameterError(f"an inquiry names 1 to {MAX_ZONES} zones")
    unknown = [z for z in zone_ids if z not in known_ids]
    if unknown:
        raise InvalidParameterError(f"unknown zone {unknown[0]!r}")
    record: dict[str, object] = {
        name: clean_text(fields.get(name), limit, name, required=name in ("company", "contact"))
        for name, limit in TEXT_LIMITS.items()
    }
    land = fields.get("land_ha")
    if land in (None, ""):
        record["land_ha"] = None
    else:
        try:
            number = float(land)
        except (TypeError, ValueError):
            raise InvalidParameterError("land_ha must be a number of hectares") from None
        if not 0 < number <= MAX_LAND_HA:
            raise InvalidParameterError(f"land_ha must be above 0 and at most {MAX_LAND_HA:g} ha")
        record["land_ha"] = round(number, 2)
    record.update(
        id="inq-" + secrets.token_hex(6),
        created=_dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        zone_ids=",".join(zone_ids),
        lang=lang,
    )
    return {c: record.get(c) for c in COLUMNS}


def add_inquiry(store, record: Mapping, *, max_rows: int = MAX_ROWS) -> int:
    """Store one inquiry (a :func:`make_inquiry` record); returns how many the store holds."""
    frame = pd.DataFrame([dict(record)], columns=list(COLUMNS))
    frame["land_ha"] = frame["land_ha"].astype(float)
    return store.append_rows(INQUIRIES, frame, max_rows=max_rows)


def inquiries(store, zone_id: str | None = None) -> pd.DataFrame:
    """Every stored inquiry (newest first), or those naming ``zone_id``."""
    if INQUIRIES not in store.layers():
        return pd.DataFrame(columns=list(COLUMNS))
    frame = pd.DataFrame(store.layer(INQUIRIES))
    frame = frame[[c for c in COLUMNS if c in frame.columns]]
    frame["land_ha"] = pd.to_numeric(frame["land_ha"], errors="coerce")  # a GeoPackage table keeps it as text
    if zone_id is not None:
        frame = frame[frame["zone_ids"].fillna("").str.split(",").apply(lambda ids: zone_id in ids)]
    return frame.sort_values("created", ascending=False, kind="stable").reset_index(drop=True)


def inquiries_csv(frame: pd.DataFrame) -> str:
    """The inquiries as CSV (UTF-8 with BOM), every text cell neutralised for spreadsheets (OWASP)."""
    from geozones.io.csvcells import rows_to_csv

    rows: list[list] = [list(COLUMNS)]
    for record in frame.to_dict("records"):
        rows.append(["" if pd.isna(record.get(c)) else record.get(c) for c in COLUMNS])
    return "\ufeff" + rows_to_csv(rows)


__all__ = [
    "INQUIRIES",
    "COLUMNS",
    "TEXT_LIMITS",
    "MAX_ZONES",
    "MAX_ROWS",
    "clean_text",
    "make_inquiry",
    "add_inquiry",
    "inquiries",
    "inquiries_csv",
]
