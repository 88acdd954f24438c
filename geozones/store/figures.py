"""Adding a published figure to a store: append it to ``table_figures`` and re-serve the zone's value.

The old figures are never changed or removed (``geozones.provenance.append_figure``); the zone's
record field is then set to the value the served-value rule picks among all its figures (which
may still be an older figure from a more authoritative source). Used by ``geozones figures add``
and ``POST /edit/figures``.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from geozones import provenance
from geozones.errors import ZoneValidationError

FIGURES = "table_figures"
SOURCES = "table_sources"
HISTORY = "table_status_history"


def _table(store, name: str, columns) -> pd.DataFrame:
    if name in store.layers():
        frame = pd.DataFrame(store.layer(name))
        return frame.astype(object).where(frame.notna(), "").map(lambda v: str(v))
    return pd.DataFrame(columns=list(columns))


def add_figure(store, figure: Mapping, *, actor: str) -> dict:
    """Append one figure; return it with the zone's served value for that field afterwards.

    Raises
    ------
    ZoneValidationError
        For an unknown zone, field or source, or a value of the wrong type.
    """
    sources = _table(store, SOURCES, provenance.SOURCE_COLUMNS)
    if sources.empty:
        raise ZoneValidationError("the store has no sources table (table_sources); add the source first")
    figures = _table(store, FIGURES, provenance.FIGURE_COLUMNS)
    zone_ids = list(store.zones()["id"])
    updated = provenance.append_figure(figures, figure, sources, zone_ids)
    row = updated.iloc[-1].to_dict()
    store.write_layer(FIGURES, updated)
    served = provenance.served_figures(updated, sources)
    served = served[(served["zone_id"] == row["zone_id"]) & (served["field"] == row["field"])].iloc[0].to_dict()
    if row["field"] in provenance.RECORD_FIELDS:
        patch: dict = {row["field"]: served["value"]}
        if row["field"] == "area_published_ha":
            patch["area_qualifier"] = served["qualifier"] or "exact"
        current = store.get_zone(row["zone_id"])
        cited = [t.strip() for t in str(current.properties.get("sources") or "").split(";") if t.strip()]
        patch["sources"] = "; ".join(dict.fromkeys([*cited, row["source_id"]]))
        store.update_zone(row["zone_id"], {"properties": patch}, if_match=None, actor=actor)
    return {"figure": row, "served": served}


__all__ = ["add_figure"]
