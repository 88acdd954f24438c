"""Sources as a reader can look them up: publisher, title, date — never the project's file names.

The zones, scenarios and targets name their sources by short tokens (``seed:001_….txt`` for the
seed articles, ``facts.md: …`` for the project's fact sheet, a decision number or a site name).
:func:`cite` turns each into the citation the publisher gives (as listed in the project's fact
sheet); a token it does not know is printed as it is, unless it names a project file, which is
never printed.
"""

from __future__ import annotations

import re

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
#: Fact-sheet notes that are not a source of their own (what they qualify is said elsewhere).
_NOTES = {
    "facts.md: Approximate places": "approximate places geocoded from public material (±1–3 km)",
    "facts.md: low-confidence web source": "an unnamed web report (low confidence)",
}


def cite(token: str) -> str | None:
    """The citation of one source token; None for a token that must not be printed (a file name)."""
    token = token.strip()
    if not token:
        return None
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
    return token


def cite_all(tokens, limit: int | None = None) -> list[str]:
    """Distinct citations of source tokens (``;``-separated strings or lists), in first-seen order."""
    seen: dict[str, None] = {}
    for value in tokens:
        if value is None or (isinstance(value, float) and value != value):
            continue
        parts = value if isinstance(value, (list, tuple)) else str(value).split(";")
        for part in parts:
            text = cite(str(part))
            if text:
                seen.setdefault(text, None)
    names = list(seen)
    return names[:limit] if limit else names
