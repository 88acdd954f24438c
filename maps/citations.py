"""Sources as a reader can look them up: publisher, title, date — never the project's file names.

The one place maps, fact sheets, print maps and reports turn source references into citations.
Zones, figures and the status history cite sources by id of the sources table
(``data/zones/sources.csv``, the store's ``table_sources``; issue 21); older stores, scenarios and
targets use short tokens (``seed:001_….txt`` for the seed articles, ``facts.md: …`` for the
project's fact sheet, a decision number or a site name), which the table's ``replaces`` column maps
to their source. :func:`cite` resolves an id or token through the table first and falls back to
:data:`SEEDS` / :data:`OTHERS` (the citations the publishers give) when there is no table; a token
it does not know is printed as it is, unless it names a project file, which is never printed.

For the fact sheet: :func:`source_items` (publisher, title, date, kind, with the link) and
:func:`figure_rows` (every published figure of a zone with its source link and date, the served one
marked); for map source lines :func:`short_citations` (``Publisher (date)``).
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable

import pandas as pd

from geozones import provenance

#: Provenance tables the fact sheet reads from the store when given.
PROVENANCE_LAYERS = ("table_sources", "table_figures")

#: Seed article number -> (publisher, title, date), as the articles themselves give them.
SEEDS: dict[str, tuple[str, str, str]] = {
    "000": (
        "Cổng Thông tin điện tử tỉnh Bắc Kạn",
        "Phấn đấu công nghiệp tăng trưởng 10%",
        "early 2020",
    ),
    "001": (
        "Báo Bắc Kạn",
        "Bắc Kạn thu hút nguồn lực phát triển công nghiệp, tiểu thủ công nghiệp",
        "28/11/2023",
    ),
    "002": (
        "Sở Kế hoạch và Đầu tư tỉnh Bắc Kạn",
        "Nghị quyết phát triển công nghiệp tỉnh Bắc Kạn giai đoạn 2021-2025, định hướng đến năm 2030",
        "27/09/2021",
    ),
    "003": (
        "Bắc Kạn provincial news portal",
        "Bắc Kạn quan tâm đầu tư hạ tầng công nghiệp",
        "21/02/2022",
    ),
    "004": (
        "Báo Lạng Sơn",
        "UBND tỉnh họp về tình hình đầu tư, sản xuất, phát triển công nghiệp",
        "29/05/2020",
    ),
}
#: Other tokens the data uses -> how a reader finds them.
OTHERS: dict[str, str] = {
    "Resolution 202/2025/QH15": "Quốc hội, Nghị quyết 202/2025/QH15 (2025)",
    "Resolution 855/NQ-UBTVQH14": "Ủy ban Thường vụ Quốc hội, Nghị quyết 855/NQ-UBTVQH14 (10/01/2020)",
    "backan.gov.vn": "Cổng thông tin điện tử tỉnh Bắc Kạn (backan.gov.vn)",
    "baodauthau.vn": "Báo Đấu thầu (baodauthau.vn)",
}
_SEED = re.compile(r"seed:(\d{3})_[0-9a-f]+\.txt")
_WEB_DOMAIN = re.compile(r"(https?://)?[\w-]+(\.[\w-]+)*\.(vn|com|net|org|gov|edu|info|io)(/\S*)?", re.IGNORECASE)
#: Fact-sheet notes that are not a source of their own (what they qualify is said elsewhere).
_NOTES = {
    "facts.md: Approximate places": "approximate places geocoded from public material (±1–3 km)",
    "facts.md: low-confidence web source": "an unnamed web report (low confidence)",
}


@functools.cache
def shipped_sources() -> pd.DataFrame | None:
    """The shipped sources table (``data/zones/sources.csv``), for callers that pass none."""
    from geozones.paths import shipped_data_dir

    try:
        path = shipped_data_dir() / "zones" / "sources.csv"
    except Exception:
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8") if path.is_file() else None


def _text(frame) -> pd.DataFrame:
    frame = pd.DataFrame(frame)
    return frame.astype(object).where(frame.notna(), "").map(lambda v: str(v).strip())


def _table(sources: pd.DataFrame | None) -> pd.DataFrame | None:
    """The sources table as text (``sources`` or the shipped one), or None when there is none."""
    table = sources if sources is not None else shipped_sources()
    return None if table is None else _text(table)


def _legacy(token: str) -> str | None:
    """The citation of a legacy token from :data:`SEEDS` / :data:`OTHERS` (no sources table needed)."""
    match = _SEED.fullmatch(token)
    if match and match.group(1) in SEEDS:
        publisher, title, date = SEEDS[match.group(1)]
        return f"{publisher}, “{title}”, {date}"
    if token in OTHERS:
        return OTHERS[token]
    if token in _NOTES:
        return _NOTES[token]
    if "facts.md" in token or token.startswith("seed:") or re.search(r"\.(txt|md|csv|yaml|yml)\b", token):
        return None
    if provenance.looks_like_file_name(token) and not _WEB_DOMAIN.fullmatch(token):
        return None  # realdata:…, a file name; a bare web domain (publisher's site) is a citation
    return token


def cite(token: str, sources: pd.DataFrame | None = None) -> str | None:
    """The citation of one source id or token; None for a token that must not be printed (a file name).

    ``sources``: the sources table (default: the shipped ``data/zones/sources.csv``).
    """
    return _cite(token, _table(sources))


def _cite(token: str, table: pd.DataFrame | None) -> str | None:
    token = str(token).strip()
    if not token:
        return None
    source = provenance.resolve_citation(token, table) if table is not None else None
    if source is not None:
        return provenance.citation_text(source)
    return _legacy(token)


def cite_all(tokens, limit: int | None = None, sources: pd.DataFrame | None = None) -> list[str]:
    """Distinct citations of source tokens (``;``-separated strings or lists), in first-seen order."""
    table = _table(sources)
    seen: dict[str, None] = {}
    for value in tokens:
        if value is None or (isinstance(value, float) and value != value):
            continue
        parts = value if isinstance(value, (list, tuple)) else str(value).split(";")
        for part in parts:
            text = _cite(str(part), table)
            if text:
                seen.setdefault(text, None)
    names = list(seen)
    return names[:limit] if limit else names


def short_citations(tokens: Iterable[str], sources: pd.DataFrame | None = None) -> list[str]:
    """``Publisher (date)`` per distinct source id or legacy token; unresolvable file-like tokens left out."""
    table = _table(sources)
    out: list[str] = []
    for token in tokens:
        token = str(token).strip()
        source = provenance.resolve_citation(token, table) if token and table is not None else None
        label = f"{source['publisher']} ({source['date']})" if source is not None else _legacy(token)
        if label and not provenance.looks_like_file_name(label) and label not in out:
            out.append(label)
    return out


def _date(source) -> str:
    if source.get("date_basis") == "latest_event":
        return f"{source['date']} (undated; not before)"
    if source.get("date_basis") == "decision":
        return f"{source['date']} (decision date)"
    return str(source["date"])


def source_items(tokens: Iterable[str], sources: pd.DataFrame | None) -> list[tuple[str, str | None]]:
    """``[(label, url or None)]`` for source ids or legacy tokens, each source once.

    A resolved source reads ``publisher, “title”, date [kind]`` with its link; an unresolved token its
    legacy citation (:func:`cite`), never a file name.
    """
    table = _table(sources)
    items: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for token in tokens:
        token = str(token).strip()
        if not token:
            continue
        source = provenance.resolve_citation(token, table) if table is not None else None
        if source is None:
            label = _legacy(token)
            if label and not provenance.looks_like_file_name(label) and label not in seen:
                seen.add(label)
                items.append((label, None))
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
            cite_html = ""
        else:
            label = e(f"{source['publisher']}, {_date(source)}")
            cite_html = f"<a href='{e(source['url'])}'>{label}</a>" if source["url"] else label
        mark = f" <strong>{e(served_mark)}</strong>" if f["id"] in served else ""
        rows.append(
            f"<tr><td>{e(f['field'])}</td><td>{e(value)}{mark}</td><td>{e(f['as_of'])}</td><td>{cite_html}</td></tr>"
        )
    return "".join(rows)


__all__ = [
    "OTHERS",
    "PROVENANCE_LAYERS",
    "SEEDS",
    "cite",
    "cite_all",
    "figure_rows",
    "short_citations",
    "shipped_sources",
    "source_items",
]
