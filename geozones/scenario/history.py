"""A scenario's zones as of its start year, from the status history (``table_status_history``).

Rules (documented in docs/scenarios.md and data/README.md):

* a zone with a status step dated in or before the start year starts from the newest such step;
* a zone whose first step comes later and is ``planned`` did not exist as a plan yet: it
  *enters* the run in the year of that step;
* a zone whose first step comes later but is past ``planned`` (the first report already finds it
  in site clearance, say) existed before it was reported: it starts from that earliest known step;
* a zone with no step at all (a user's own zone) keeps its record's status;
* during the run, each later step is replayed in its year unless an action of the scenario has
  already set that zone's status (the scenario's own actions win).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from geozones import provenance


@dataclass
class StartState:
    """Zones at the start, zones that enter later (by year) and the steps to replay (by year)."""

    zones: pd.DataFrame
    entering: dict[int, pd.DataFrame] = field(default_factory=dict)
    replay: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def load(store) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The store's status history and sources tables, or None when it has no history."""
    if store is None:
        return None
    try:
        names = set(store.layers())
    except Exception:
        return None
    if "table_status_history" not in names:
        return None
    history = pd.DataFrame(store.layer("table_status_history"))
    sources = (
        pd.DataFrame(store.layer("table_sources")) if "table_sources" in names else pd.DataFrame(columns=["id", "kind"])
    )
    return history, sources


def start_state(
    zones: pd.DataFrame, history: pd.DataFrame, sources: pd.DataFrame, start_year: int, end_year: int
) -> StartState:
    """Split ``zones`` (indexed by id) into the start state, the later entries and the replayed steps."""
    table = history.astype(object).where(history.notna(), "").map(lambda v: str(v).strip())
    table = table[table["zone_id"].isin(zones.index)]
    if table.empty:
        return StartState(zones)
    table = table.assign(_date=table["as_of"].map(provenance.date_key), _order=range(len(table)))
    table = table[table["_date"].map(lambda d: d[0] > 0)].sort_values(["_date", "_order"], kind="stable")
    at_start = provenance.served_status(history[history["zone_id"].isin(zones.index)], sources, year=start_year)
    at_start = at_start.set_index("zone_id")
    state = StartState(zones.copy())
    late_known: list[str] = []
    frames: dict[int, list[pd.DataFrame]] = {}
    for zone_id, steps in table.groupby("zone_id", sort=False):
        if zone_id in at_start.index:
            state.zones.loc[zone_id, "status"] = at_start.at[zone_id, "status"]
            state.zones.loc[zone_id, "status_year"] = at_start.at[zone_id, "status_year"]
            later = steps[steps["_date"].map(lambda d: d[0] > start_year)]
        else:
            first = steps.iloc[0]
            year = first["_date"][0]
            if first["status"] == "planned":
                if year <= end_year:
                    entry = state.zones.loc[[zone_id]].copy()
                    entry["status"], entry["status_year"] = "planned", year
                    frames.setdefault(year, []).append(entry)
                state.zones = state.zones.drop(index=zone_id)
                later = steps.iloc[1:]
            else:
                state.zones.loc[zone_id, "status"] = first["status"]
                state.zones.loc[zone_id, "status_year"] = year
                late_known.append(zone_id)
                later = steps.iloc[1:]
        for _, step in later.iterrows():
            year = step["_date"][0]
            if start_year < year <= end_year:
                state.replay.setdefault(year, []).append((zone_id, step["status"]))
    state.entering = {y: pd.concat(f) for y, f in frames.items()}
    if state.entering:
        state.notes.append(
            "status history: zones first planned after the start year enter in that year: "
            + "; ".join(f"{y}: {', '.join(f.index)}" for y, f in sorted(state.entering.items()))
        )
    if late_known:
        state.notes.append(
            f"status history: no step by {start_year}, so these start from their earliest known (later) "
            f"status: {', '.join(late_known)}"
        )
    return state


__all__ = ["StartState", "load", "start_state"]
