"""Sources, per-figure records and status histories: which published figure a zone record serves.

Three tables ship beside the zones (``data/zones/sources.csv``, ``figures.csv`` and
``status_history.csv``; store layers ``table_sources``, ``table_figures``, ``table_status_history``):

* a **source** is something a reader can look up: publisher, title, date (with how the date is
  known), URL where one exists, kind and language;
* a **figure** is one published value of one field of one zone, as of a date, from one source;
* a **status step** is one dated, sourced life-cycle status of one zone.

Figures are never overwritten: a new report is a new row. The value a zone record *serves* for a
field is chosen by one rule (:func:`served_figures`): the figures from the **most authoritative
kind** of source (:data:`KIND_RANK`: decision > official portal > developer > press > listing >
compilation > dataset), and among those the **newest** (``as_of``; an empty ``as_of`` is oldest);
a remaining tie goes to the later row. Every other figure stays in the table and is shown beside
the served one. A zone's status is its **newest** step (ties: the more authoritative kind).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd

from geozones.errors import ZoneValidationError
from geozones.schema import FIELDS_BY_NAME, STATUSES

#: Source kinds, most authoritative first (the order that picks the served figure).
KIND_RANK: dict[str, int] = {
    "decision": 0,
    "official portal": 1,
    "developer": 2,
    "press": 3,
    "listing": 4,
    "compilation": 5,
    "dataset": 6,
}
#: How a source's ``date`` is known.
DATE_BASES: dict[str, str] = {
    "printed": "the date printed on the document or page",
    "url": "read from the page's URL stamp",
    "decision": "the date of the decision the page reports (the page's own date was not recorded)",
    "latest_event": "the page shows no date: not before the latest event it reports",
    "compiled": "when the project compiled it",
}
SOURCE_COLUMNS = ("id", "publisher", "title", "date", "date_basis", "url", "kind", "language", "replaces", "note")
FIGURE_COLUMNS = ("id", "zone_id", "field", "value", "unit", "qualifier", "as_of", "source_id", "note")
HISTORY_COLUMNS = ("id", "zone_id", "status", "as_of", "source_id", "note")
#: Figure fields served into the zone record (the qualifier of an area goes to ``area_qualifier``).
RECORD_FIELDS = (
    "area_published_ha",
    "occupancy_pct",
    "investor",
    "decision",
    "decision_date",
    "established_year",
    "target_year",
)
#: Figure fields kept only in the figures table (not zone attributes).
EXTRA_FIELDS: dict[str, str] = {
    "extent_km2": "extent of an economic zone (contains other zones; not industrial land)",
    "investment_bn_vnd": "published total investment, bn VND",
}
FIGURE_FIELDS = RECORD_FIELDS + tuple(EXTRA_FIELDS)
QUALIFIERS = ("exact", "about", "over")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
#: Text that looks like a file name or an internal token, never a citation.
_FILE_LIKE = re.compile(
    r"(\.(txt|csv|md|geojson|json|gpkg|shp|py|pdf|docx?|xlsx?)\b)|(^|\s)(seed|realdata|facts\.md)\s*:|^[\w.-]+\.[a-z0-9]{2,5}$",
    re.IGNORECASE,
)


def looks_like_file_name(text: object) -> bool:
    """True for ``seed:004_x.txt``, ``facts.md: ...``, ``realdata:roads.geojson``, ``zones.csv``."""
    return bool(_FILE_LIKE.search(str(text or "").strip()))


def date_key(text: object) -> tuple[int, int, int]:
    """Sort key of a partial ISO date (``2025``, ``2025-07``, ``2025-07-15``); empty is oldest."""
    value = str(text or "").strip()
    if not value or value.lower() in ("nan", "none"):
        return (0, 0, 0)
    if not _DATE.match(value):
        raise ZoneValidationError(f"{value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", field="as_of")
    parts = [int(p) for p in value.split("-")] + [0, 0]
    return (parts[0], parts[1], parts[2])


def _text(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).where(frame.notna(), "").map(lambda v: str(v).strip())


def check_sources(sources: pd.DataFrame) -> None:
    """Every source has an id, publisher, title, a date, a known kind; none is a file name.

    Raises
    ------
    ZoneValidationError
        Naming the source and the field.
    """
    table = _text(sources)
    if not table["id"].is_unique:
        raise ZoneValidationError("source ids must be unique", field="id")
    for _, row in table.iterrows():
        for column in ("id", "publisher", "title", "date", "kind"):
            if not row[column]:
                raise ZoneValidationError(f"{column} is required", record=row["id"] or "source", field=column)
        for column in ("id", "publisher", "title"):
            if looks_like_file_name(row[column]):
                raise ZoneValidationError(
                    f"{column} looks like a file name, not a citation", record=row["id"], field=column
                )
        if row["kind"] not in KIND_RANK:
            raise ZoneValidationError(f"kind must be one of {', '.join(KIND_RANK)}", record=row["id"], field="kind")
        if row.get("date_basis") and row["date_basis"] not in DATE_BASES:
            raise ZoneValidationError(
                f"date_basis must be one of {', '.join(DATE_BASES)}", record=row["id"], field="date_basis"
            )
        date_key(row["date"])


def check_figure(figure: Mapping, sources: pd.DataFrame, zone_ids: Iterable[str] | None = None) -> dict:
    """One figure record checked and normalised (text values); the source must exist.

    Raises
    ------
    ZoneValidationError
    """
    row = {c: ("" if figure.get(c) is None else str(figure.get(c)).strip()) for c in FIGURE_COLUMNS}
    label = row["zone_id"] or "figure"
    if zone_ids is not None and row["zone_id"] not in set(zone_ids):
        raise ZoneValidationError(f"no zone {row['zone_id']!r}", record=label, field="zone_id")
    if row["field"] not in FIGURE_FIELDS:
        raise ZoneValidationError(f"field must be one of {', '.join(FIGURE_FIELDS)}", record=label, field="field")
    if not row["value"]:
        raise ZoneValidationError("value is required", record=label, field="value")
    if row["source_id"] not in set(_text(sources)["id"]):
        raise ZoneValidationError(
            f"no source {row['source_id']!r} in the sources table", record=label, field="source_id"
        )
    if row["qualifier"] and row["qualifier"] not in QUALIFIERS:
        raise ZoneValidationError(f"qualifier must be one of {', '.join(QUALIFIERS)}", record=label, field="qualifier")
    date_key(row["as_of"])
    spec = FIELDS_BY_NAME.get(row["field"])
    kind = spec.dtype if spec is not None else "float"
    if kind in ("float", "int"):
        try:
            number = float(row["value"])
        except ValueError:
            raise ZoneValidationError(f"{row['field']} must be a number", record=label, field="value") from None
        if spec is not None and spec.minimum is not None and number < spec.minimum:
            raise ZoneValidationError(f"{row['field']} must be >= {spec.minimum:g}", record=label, field="value")
        if spec is not None and spec.maximum is not None and number > spec.maximum:
            raise ZoneValidationError(f"{row['field']} must be <= {spec.maximum:g}", record=label, field="value")
    if kind == "date":
        date_key(row["value"])
    return row


def _ranked(table: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    kinds = dict(zip(_text(sources)["id"], _text(sources)["kind"]))
    out = _text(table).copy()
    out["_order"] = range(len(out))
    out["_rank"] = out["source_id"].map(lambda s: KIND_RANK.get(kinds.get(s, ""), len(KIND_RANK)))
    out["_date"] = out["as_of"].map(date_key)
    return out


def served_figures(figures: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """One row per (zone_id, field): the served figure and ``alternatives`` (how many others).

    The rule: most authoritative kind first, then the newest ``as_of``, then the later row.
    """
    if figures.empty:
        return pd.DataFrame(columns=[*FIGURE_COLUMNS, "alternatives"])
    ranked = _ranked(figures, sources)
    ranked["_neg"] = -ranked["_rank"]
    ranked = ranked.sort_values(["zone_id", "field", "_neg", "_date", "_order"], kind="stable")
    served = ranked.groupby(["zone_id", "field"], sort=False).tail(1)
    counts = ranked.groupby(["zone_id", "field"]).size()
    served = served.assign(alternatives=[int(counts[(z, f)]) - 1 for z, f in zip(served["zone_id"], served["field"])])
    return served[[*FIGURE_COLUMNS, "alternatives"]].reset_index(drop=True)


def served_status(history: pd.DataFrame, sources: pd.DataFrame, *, year: int | None = None) -> pd.DataFrame:
    """Each zone's status: its newest step (ties: the more authoritative kind); ``year`` = as of that year.

    With ``year``, steps dated after that year are ignored and a zone with no step by then is absent.
    Columns: ``zone_id``, ``status``, ``as_of``, ``source_id``, ``status_year``.
    """
    columns = ["zone_id", "status", "as_of", "source_id", "status_year"]
    if history.empty:
        return pd.DataFrame(columns=columns)
    ranked = _ranked(history, sources)
    if year is not None:
        ranked = ranked[ranked["_date"].map(lambda d: 0 < d[0] <= year)]
    ranked["_neg"] = -ranked["_rank"]
    ranked = ranked.sort_values(["zone_id", "_date", "_neg", "_order"], kind="stable")
    latest = ranked.groupby("zone_id", sort=False).tail(1).copy()
    latest["status_year"] = latest["_date"].map(lambda d: d[0] or None)
    return latest[columns].reset_index(drop=True)


def check_history(history: pd.DataFrame, sources: pd.DataFrame, zone_ids: Iterable[str]) -> None:
    """Every step names a known zone, status and source and has a date."""
    ids, known = set(zone_ids), set(_text(sources)["id"])
    for _, row in _text(history).iterrows():
        if row["zone_id"] not in ids:
            raise ZoneValidationError(f"no zone {row['zone_id']!r}", record=row["id"], field="zone_id")
        if row["status"] not in STATUSES:
            raise ZoneValidationError(f"status must be one of {', '.join(STATUSES)}", record=row["id"], field="status")
        if row["source_id"] not in known:
            raise ZoneValidationError(f"no source {row['source_id']!r}", record=row["id"], field="source_id")
        if date_key(row["as_of"]) == (0, 0, 0):
            raise ZoneValidationError("a status step needs its date", record=row["id"], field="as_of")


def record_values(figures: pd.DataFrame, history: pd.DataFrame, sources: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Zone id -> {field: served value as text} for the zone record fields (status and area qualifier too)."""
    out: dict[str, dict[str, str]] = {}
    for _, row in served_figures(figures, sources).iterrows():
        if row["field"] not in RECORD_FIELDS:
            continue
        values = out.setdefault(row["zone_id"], {})
        values[row["field"]] = row["value"]
        if row["field"] == "area_published_ha":
            values["area_qualifier"] = row["qualifier"] or "exact"
    for _, row in served_status(history, sources).iterrows():
        values = out.setdefault(row["zone_id"], {})
        values["status"] = row["status"]
        values["status_year"] = "" if row["status_year"] is None else str(int(row["status_year"]))
    return out


def zone_source_ids(zone_id: str, figures: pd.DataFrame, history: pd.DataFrame) -> list[str]:
    """The source ids a zone's figures and status steps cite, in table order, without repeats."""
    ids = [s for z, s in zip(_text(figures)["zone_id"], _text(figures)["source_id"]) if z == zone_id]
    ids += [s for z, s in zip(_text(history)["zone_id"], _text(history)["source_id"]) if z == zone_id]
    return list(dict.fromkeys(ids))


def append_figure(
    figures: pd.DataFrame, figure: Mapping, sources: pd.DataFrame, zone_ids: Iterable[str]
) -> pd.DataFrame:
    """The figures table with one more row (id ``fig-NNNN``); existing rows are never changed.

    Raises
    ------
    ZoneValidationError
        For an unknown zone, field or source, or a value that is not of the field's type.
    """
    row = check_figure(figure, sources, zone_ids)
    existing = _text(figures) if len(figures) else pd.DataFrame(columns=list(FIGURE_COLUMNS))
    numbers = [int(m.group(1)) for m in existing["id"].map(lambda v: re.match(r"^fig-(\d+)$", v)) if m]
    row["id"] = f"fig-{(max(numbers) + 1 if numbers else 1):04d}"
    return pd.concat([existing, pd.DataFrame([row], columns=list(FIGURE_COLUMNS))], ignore_index=True)


def resolve_citation(token: str, sources: pd.DataFrame) -> dict | None:
    """A source row (as a dict) for a source id or a legacy token it replaces (``seed:...``); None if unknown."""
    table = _text(sources)
    token = str(token).strip()
    hit = table[table["id"] == token]
    if hit.empty and "replaces" in table.columns:
        hit = table[table["replaces"].map(lambda r: token in [t.strip() for t in r.split(";")])]
    return None if hit.empty else hit.iloc[0].to_dict()


def citation_text(source: Mapping) -> str:
    """``Publisher, "Title", date`` for display."""
    return f"{source['publisher']}, “{source['title']}”, {source['date']}"


__all__ = [
    "KIND_RANK",
    "DATE_BASES",
    "SOURCE_COLUMNS",
    "FIGURE_COLUMNS",
    "HISTORY_COLUMNS",
    "RECORD_FIELDS",
    "FIGURE_FIELDS",
    "looks_like_file_name",
    "date_key",
    "check_sources",
    "check_figure",
    "check_history",
    "served_figures",
    "served_status",
    "record_values",
    "zone_source_ids",
    "append_figure",
    "resolve_citation",
    "citation_text",
]
