"""The province's data desk: one page to fill each zone's investor figures, status and contact.

Behind an editor key (``api/auth.py`` roles): the page itself holds no data and no secret; its script
(``static/geozones/desk.js``) sends the key the person types with every call to the existing edit API
(``PATCH /collections/zones/items/{id}`` with ``If-Match``, so history, placement checks and the
published-source rule apply as for any edit), shows the public fact sheet as a preview, and lists
and exports (CSV, formula cells neutralised) the zone's inquiries. Each figure is saved with its
source and as-of date, written into ``investor_info_sources`` as ``field: source (as of date)``.
"""

from __future__ import annotations

import html

from geozones.maps import i18n
from geozones.maps._assets import PLACEHOLDER, finalise
from geozones.maps.data import safe_json
from geozones.schema import LAND_PRICE_CURRENCIES, LAND_PRICE_PERIODS, LAND_PRICE_UNITS, STATUSES

#: The fields the desk edits: (property, input type, catalogue key of its label).
DESK_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("status", "status", "field.status"),
    ("status_year", "int", "desk.status_year"),
    ("available_land_ha", "number", "field.available"),
    ("leased_land_ha", "number", "field.leased"),
    ("land_price", "number", "field.land_price"),
    ("land_price_currency", "currency", "desk.currency"),
    ("land_price_unit", "unit", "desk.unit"),
    ("land_price_period", "period", "desk.period"),
    ("power_capacity_mva", "number", "field.power"),
    ("water_capacity_m3_day", "number", "field.water"),
    ("wastewater_capacity_m3_day", "number", "field.wastewater"),
    ("incentives", "text", "field.incentives"),
    ("contact", "text", "field.contact"),
)

_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{title}</title>
<link rel="stylesheet" href="{static}geozones/desk.css"/>
</head><body class="gz-desk">
<noscript>{title}</noscript>
<script type="application/json" id="gz-desk-data">{data}</script>
<script src="{static}geozones/desk.js"></script>
</body></html>
"""


def desk_html(links: dict[str, str], lang: str = "vi", base_url: str | None = "/maps/static") -> str:
    """The desk page (``links``: ``items``, ``item`` with ``{id}``, ``inquiries``, ``factsheet``, ``explorer``)."""
    lang = i18n.check_lang(lang)
    data = {
        "lang": lang,
        "langs": list(i18n.LANGS),
        "messages": {code: i18n.messages(code) for code in i18n.LANGS},
        "fields": [list(f) for f in DESK_FIELDS],
        "statuses": list(STATUSES),
        "currencies": list(LAND_PRICE_CURRENCIES),
        "units": list(LAND_PRICE_UNITS),
        "periods": list(LAND_PRICE_PERIODS),
        "links": dict(links),
    }
    page = _PAGE.format(
        lang=html.escape(lang),
        title=html.escape(i18n.text(lang, "desk.title")),
        static=PLACEHOLDER,
        data=safe_json(data),
    )
    return finalise(page, base_url)


__all__ = ["DESK_FIELDS", "desk_html"]
