"""The province's data desk page (``/desk``): the page is open, every call it makes needs an editor key."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from geozones.api.dependencies import SettingsDep
from geozones.api.routers.investor import AcceptLanguage, LangParam, _base, _lang

router = APIRouter(tags=["investor"])


@router.get("/desk", response_class=HTMLResponse, summary="Data desk: fill each zone's investor figures (editor key)")
def desk(
    request: Request, settings: SettingsDep, lang: LangParam = None, accept: AcceptLanguage = None
) -> HTMLResponse:
    """Fill and update each zone's investor figures, status and contact, each with its source and as-of
    date, through the edit API (PATCH with If-Match); preview the public fact sheet; the zone's inquiries."""
    from geozones.maps.desk import desk_html

    code = _lang(lang, accept)
    base = _base(request, settings)
    links = {
        "items": f"{base}/collections/zones/items?limit=1000&f=json",
        "item": f"{base}/collections/zones/items/{{id}}?f=json",
        "inquiries": f"{base}/inquiries",
        "factsheet": f"{base}/collections/zones/items/{{id}}/factsheet?lang={{lang}}&f=html",
        "explorer": f"{base}/maps/investor?lang={{lang}}",
    }
    page = desk_html(links, code, base_url=f"{base}/maps/static")
    return HTMLResponse(page, headers={"Cache-Control": "no-store", "Content-Language": code})
