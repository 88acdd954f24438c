"""The investor map: zones by status and kind, bilingual escaped popups, reference layers, tools."""

from __future__ import annotations

from typing import Literal

import geopandas as gpd

from geozones.errors import InvalidParameterError
from geozones.maps._base import add_layer_control, add_legend_and_title, add_overlays, base_map, sources_of, zone_bounds
from geozones.maps._elements import ZoneLayer
from geozones.maps._text import LABELS, check_lang, js_config
from geozones.maps.data import feature_collection


def investor_map(
    zones: gpd.GeoDataFrame | None = None,
    *,
    layers: dict[str, gpd.GeoDataFrame] | None = None,
    lang: Literal["vi", "en"] = "vi",
    mode: Literal["embed", "api"] = "embed",
    data_url: str | None = None,
    extras_url: str | None = None,
    title: str | None = None,
):
    """Build the investor web map.

    Parameters
    ----------
    zones : geopandas.GeoDataFrame, optional
        Zone records (any CRS), enriched beforehand with the attributes the popups show
        (:func:`geozones.analysis.sites.enrich_sites`); the map only draws them. Embedded in the page with ``mode="embed"``; with
        ``mode="api"`` only used to fit the first view.
    layers : dict of GeoDataFrame, optional
        Reference layers by store name (``boundaries_provinces``, ``boundaries_districts``,
        ``infrastructure_roads``, ``infrastructure_power``, ``infrastructure_destinations``);
        absent ones are left out.
    lang : {"vi", "en"}
        Language of the popups, legend and layer names.
    mode : {"embed", "api"}
        Embed the zones as GeoJSON, or fetch them in the browser from ``data_url`` (an
        OGC API - Features items URL) so the page stays small.
    data_url, extras_url : str, optional
        For ``mode="api"``: the items URL, and a JSON of derived attributes by zone id.
    title : str, optional
        Map title; a default in ``lang``.

    Returns
    -------
    folium.Map
        Render it with :func:`maps.render_html` (served or standalone).
    """
    check_lang(lang)
    if mode not in ("embed", "api"):
        raise InvalidParameterError(f"mode must be 'embed' or 'api', not {mode!r}")
    if mode == "embed" and zones is None:
        raise InvalidParameterError("mode='embed' needs the zones")
    if mode == "api" and not data_url:
        raise InvalidParameterError("mode='api' needs data_url (an OGC API items URL)")
    text = LABELS[lang]
    m = base_map(lang, bounds=zone_bounds(zones))
    add_overlays(m, layers or {}, lang)
    config = js_config(lang)
    if mode == "embed":
        data = feature_collection(zones)
        ZoneLayer(config, data=data, search=text["search"], name=text["zones"]).add_to(m)
    else:
        ZoneLayer(
            config, url=data_url, extras_url=extras_url, fit=zones is None, search=text["search"], name=text["zones"]
        ).add_to(m)
    add_legend_and_title(m, lang, title or text["title_investor"], source=sources_of(zones, limit=3))
    add_layer_control(m)
    return m
