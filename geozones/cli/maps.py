"""Map commands: a standalone web map (HTML) and print maps (PNG, PDF)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from geozones.analysis.sites import enrich_sites
from geozones.cli._output import console, fail, store_from
from geozones.store import (
    candidate_sites,
    load_infrastructure,
    odds_table,
    scenario_layer_name,
    sensitivity_raster,
    site_ranks,
    store_layers,
    suitability_raster,
    uncertainty_raster,
)


class Lang(str, Enum):
    vi = "vi"
    en = "en"
    ko = "ko"
    ja = "ja"
    zh_Hans = "zh-Hans"


def _import_maps():
    try:
        from geozones import maps
    except ImportError as exc:  # pragma: no cover - depends on the install
        fail(f"maps need the maps extra: pip install 'geozones[maps]' ({exc})")
    return maps


def web_map(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help="Output HTML file (one standalone file, works offline).")],
    lang: Annotated[
        Lang, typer.Option(help="Language of the page (the explorer can switch between all five).")
    ] = Lang.vi,
    zones_map: Annotated[
        bool, typer.Option("--zones-map", help="The plain zone map (vi/en) instead of the investor site explorer.")
    ] = False,
    scenario: Annotated[
        str | None, typer.Option(help="Scenario id: the planner map of store layer scenario_<ID> over the zones.")
    ] = None,
    title: Annotated[str | None, typer.Option(help="Map title.")] = None,
    suitability: Annotated[
        Path | None,
        typer.Option(help="Suitability GeoTIFF to overlay on a scenario map (e.g. from 'geozones scenario rasters')."),
    ] = None,
) -> None:
    """Export the investor site explorer (or the zone map, or a scenario's planner map) as one standalone HTML file."""
    if out.suffix.lower() not in (".html", ".htm"):
        fail(f"{out}: the web map is written as .html")
    maps = _import_maps()
    store = store_from(ctx)
    if (scenario or zones_map) and lang.value not in ("vi", "en"):
        fail(f"the zone and scenario maps are in vi or en; --lang {lang.value} is for the site explorer")
    infra = load_infrastructure(store)
    if not scenario and not zones_map:
        from geozones.analysis.siteselect import site_table
        from geozones.maps.explorer import REFERENCE_LAYERS, explorer_html

        zones = store.zones()
        out.parent.mkdir(parents=True, exist_ok=True)
        from geozones.scenario.reach import add_logistics

        table = add_logistics(site_table(zones, infra), store)
        from geozones.errors import EmptyLayerError, WorkLimitError
        from geozones.scenario.reach import isochrone_frame

        try:
            isochrones = isochrone_frame(store, "car")
        except (EmptyLayerError, WorkLimitError):
            isochrones = None
        page = explorer_html(
            zones,
            table,
            layers=store_layers(store, tuple(REFERENCE_LAYERS)),
            lang=lang.value,
            isochrones=isochrones,
        )
        out.write_text(page, encoding="utf-8")
        console.print(f"wrote {out} ({out.stat().st_size / 1024:,.0f} KiB, assets inlined)")
        return
    layers = store_layers(store)
    if scenario:
        names = store.layers()
        layer = scenario_layer_name(names, scenario)
        if layer is None:
            known = [n.removeprefix("scenario_") for n in names if n.startswith("scenario_")]
            fail(f"no scenario {scenario!r} in the store; scenarios: {', '.join(known) or 'none'}")
        exclusions = {n.removeprefix("exclusion_"): store.layer(n) for n in names if n.startswith("exclusion")}
        if suitability is not None and not suitability.is_file():
            fail(f"{suitability}: no such GeoTIFF")
        m = maps.planner_map(
            enrich_sites(store.layer(layer), infra),
            store.zones(),
            exclusions=exclusions,
            suitability=suitability or suitability_raster(store, scenario),
            layers=layers,
            sensitivity=sensitivity_raster(store, scenario) if suitability is None else None,
            uncertainty=uncertainty_raster(store, scenario) if suitability is None else None,
            ranks=_ranks(store, scenario, suitability),
            candidates=candidate_sites(store, scenario),
            odds=odds_table(store, scenario),
            lang=lang.value,
            title=title,
        )
    else:
        m = maps.investor_map(enrich_sites(store.zones(), infra), layers=layers, lang=lang.value, title=title)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(maps.render_html(m), encoding="utf-8")
    console.print(f"wrote {out} ({out.stat().st_size / 1024:,.0f} KiB, assets inlined)")


def _ranks(store, scenario: str, suitability: Path | None):
    """The rank panel's table: the scenario's own candidate sites, else the sites table beside the raster."""
    import pandas as pd

    candidates = candidate_sites(store, scenario)
    if candidates is not None and len(candidates):
        return pd.DataFrame(candidates.drop(columns="geometry"))
    if suitability is not None:
        beside = suitability.with_name(suitability.stem + "_sites.csv")
        return pd.read_csv(beside) if beside.is_file() else None
    return site_ranks(store, scenario)


def print_map(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help="Output .png or .pdf.")],
    title: Annotated[str | None, typer.Option(help="Map title.")] = None,
    lang: Annotated[Lang, typer.Option(help="Language of the legend (vi or en).")] = Lang.vi,
    dpi: Annotated[int, typer.Option(min=50, max=600, help="Resolution (PNG pixels = 11.69 x 8.27 in x dpi).")] = 150,
) -> None:
    """A print map for reports: title, legend, scale bar, north arrow, sources and date."""
    if out.suffix.lower() not in (".png", ".pdf"):
        fail(f"{out}: print maps are .png or .pdf")
    if lang.value not in ("vi", "en"):
        fail(f"print maps are in vi or en, not {lang.value}")
    maps = _import_maps()
    store = store_from(ctx)
    maps.print_map(store.zones(), out, title=title, layers=store_layers(store), lang=lang.value, dpi=dpi)
    console.print(f"wrote {out}")


def factsheet(
    ctx: typer.Context,
    zone_id: Annotated[str, typer.Argument(metavar="ID", help="Zone id (see 'geozones list').")],
    out: Annotated[Path, typer.Argument(help="Output .pdf (A4) or .html.")],
    lang: Annotated[Lang, typer.Option(help="Language of the sheet; place names stay Vietnamese.")] = Lang.vi,
) -> None:
    """A one-page fact sheet of a site: locator and site maps, figures, what is approximate and why, sources, date."""
    if out.suffix.lower() not in (".pdf", ".html", ".htm"):
        fail(f"{out}: a fact sheet is written as .pdf or .html")
    _import_maps()
    from geozones.analysis.siteselect import site_table
    from geozones.maps.explorer import REFERENCE_LAYERS
    from geozones.maps.factsheet import FactSheetError, factsheet_html, factsheet_pdf

    store = store_from(ctx)
    zones = store.zones()
    kwargs = {"lang": lang.value, "layers": store_layers(store, tuple(REFERENCE_LAYERS))}
    if zone_id not in set(zones["id"]):
        from geozones.maps import i18n

        fail(i18n.text(lang.value, "error.unknown_site", id=zone_id))
    try:
        table = site_table(zones, load_infrastructure(store))
        if out.suffix.lower() == ".pdf":
            body = factsheet_pdf(zones, table, zone_id, **kwargs)
        else:
            body = factsheet_html(zones, table, zone_id, **kwargs).encode("utf-8")
    except FactSheetError as exc:
        fail(str(exc))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(body)
    console.print(f"wrote {out} ({len(body) / 1024:,.0f} KiB)")


def register(app: typer.Typer) -> None:
    """Add the map commands to ``app``."""
    app.command("map")(web_map)
    app.command("printmap")(print_map)
    app.command("factsheet")(factsheet)
