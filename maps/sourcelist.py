"""Citations for the fact sheets: source ids (or legacy tokens) as "publisher, title, date" with links,
and a zone's published figures, each with its source link and date (issue 21).

Never shows a file name: a token that resolves to no row of the sources table and looks like a file
name or an internal token is left out.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Iterable

import pandas as pd

from geozones import provenance

#: Provenance tables the fact sheet reads from the store when given.
PROVENANCE_LAYERS = ("table_sources", "table_figures")


@functools.cache
def shipped_sources() -> pd.DataFrame | None:
    """The shipped sources table (``data/zones/sources.csv``), for callers that pass none."""
    from geozones.paths import shipped_data_dir

    try:
        path = shipped_data_dir() / "zones" / "sources.csv"
    except Exception:
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8") if path.is_file() else None


def short_citations(tokens: Iterable[str], sources: pd.DataFrame | None = None) -> list[str]:
    """``Publisher (date)`` per distinct source id or legacy token; unresolvable file-like tokens left out."""
    table = sources if sources is not None else shipped_sources()
    out: list[str] = []
    for token in tokens:
        token = str(token).strip()
        source = provenance.resolve_citation(token, _text(table)) if token and table is not None else None
        label = f"{source['publisher']} ({source['date']})" if source is not None else token
        if label and not provenance.looks_like_file_name(label) and label not in out:
            out.append(label)
    return out


def _text(frame) -> pd.DataFrame:
    frame = pd.DataFrame(frame)
    return frame.astype(object).where(frame.notna(), "").map(lambda v: str(v).strip())


def _date(source) -> str:
    if source.get("date_basis") == "latest_event":
        return f"{source['date']} (undated; not before)"
    if source.get("date_basis") == "decision":
        return f"{source['date']} (decision date)"
    return str(source["date"])


def source_items(tokens: Iterable[str], sources: pd.DataFrame | None) -> list[tuple[str, str | None]]:
    """``[(label, url or None)]`` for source ids or legacy tokens, each source once."""
    sources = sources if sources is not None else shipped_sources()
    table = _text(sources) if sources is not None else None
    items: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for token in tokens:
        token = str(token).strip()
        if not token:
            continue
        source = provenance.resolve_citation(token, table) if table is not None else None
        if source is None:
            if not provenance.looks_like_file_name(token) and token not in seen:
                seen.add(token)
                items.append((token, None))
            continue
        if source["id"] in seen:
            continue
        seen.add(source["id"])
        label = f"{source['publisher']}, “{source['title']}”, {_date(source)} [{source['kind']}]"
        items.append((label, source.get("url") or None))
    return items


def figure_rows(zone_id: str, figures: pd.DataFrame | None, sources: pd.DataFrame | None, served_mark: str) -> str:
    """HTML rows (field, value, as of, source link) of every published figure of one zone; served ones marked."""
    if figures is None or sources is None:
        return ""
    figs, srcs = _text(figures), _text(sources)
    mine = figs[figs["zone_id"] == zone_id]
    if mine.empty:
        return ""
    served = set(provenance.served_figures(mine, srcs)["id"])
    by_id = srcs.set_index("id")
    e = html.escape
    rows = []
    for _, f in mine.iterrows():
        value = " ".join(
            v for v in (f["qualifier"] if f["qualifier"] not in ("", "exact") else "", f["value"], f["unit"]) if v
        )
        source = by_id.loc[f["source_id"]] if f["source_id"] in by_id.index else None
        if source is None:
            cite = ""
        else:
            label = e(f"{source['publisher']}, {_date(source)}")
            cite = f"<a href='{e(source['url'])}'>{label}</a>" if source["url"] else label
        mark = f" <strong>{e(served_mark)}</strong>" if f["id"] in served else ""
        rows.append(
            f"<tr><td>{e(f['field'])}</td><td>{e(value)}{mark}</td><td>{e(f['as_of'])}</td><td>{cite}</td></tr>"
        )
    return "".join(rows)


__all__ = ["PROVENANCE_LAYERS", "shipped_sources", "short_citations", "source_items", "figure_rows"]
