"""The planner map: a scenario over its baseline, new land hatched, exclusions, a suitability raster."""

from __future__ import annotations

import os
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geozones.errors import InvalidParameterError
from geozones.maps._base import add_layer_control, add_legend_and_title, add_overlays, base_map, sources_of, zone_bounds
from geozones.maps._elements import HtmlControl, OverlayLayer, ZoneLayer, swatch
from geozones.maps._text import LABELS, check_lang, js_config
from geozones.maps.citations import cite_all
from geozones.maps.data import feature_collection

#: New land smaller than this (m²) is treated as reprojection noise, not a change.
MIN_NEW_LAND_M2 = 100.0
CANDIDATE_STYLE = {"color": "#1565c0", "weight": 2.5, "dashArray": "6 3", "fillColor": "#42a5f5", "fillOpacity": 0.15}
EXCLUSION_STYLE = {"color": "#b71c1c", "weight": 1, "fillColor": "#e53935", "fillOpacity": 0.25, "opacity": 0.8}
BASELINE_STYLE = {"color": "#455a64", "weight": 1.5, "dashArray": "3 3", "fill": False, "opacity": 0.9}
NEW_LAND_STYLE = {
    "color": "#c2185b",
    "weight": 2,
    "fillColor": "#ff00aa",
    "fillOpacity": 0.35,
    "opacity": 1,
    "interactive": False,
}  # clicks go through to the zone and its popup


def _round(value: float) -> str:
    """A legend figure: two decimals at most, no trailing zeros (0.88934 -> 0.89, 99.0 -> 99)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _metric(frame: gpd.GeoDataFrame, crs) -> gpd.GeoSeries:
    return frame.geometry.to_crs(crs)


def new_land(scenario: gpd.GeoDataFrame, baseline: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Parts of scenario zones outside every baseline zone, in the metric working CRS.

    Returns a GeoDataFrame on the scenario index (zones without new land dropped) with
    ``id`` and ``new_land_ha``.
    """
    from geozones.crs import working_crs

    crs = working_crs(
        pd.concat([baseline[["geometry"]].to_crs(4326), scenario[["geometry"]].to_crs(4326)]).pipe(
            gpd.GeoDataFrame, geometry="geometry", crs=4326
        )
    )
    base = _metric(baseline, crs)
    union = base[~(base.isna() | base.is_empty)].union_all()
    geoms = _metric(scenario, crs)
    present = ~(geoms.isna() | geoms.is_empty)
    diff = geoms[present].difference(union)
    out = gpd.GeoDataFrame(
        {"id": scenario.loc[present, "id"], "new_land_ha": diff.area / 10_000}, geometry=diff, crs=crs
    )
    return out[diff.area >= MIN_NEW_LAND_M2]


def scenario_changes(scenario: gpd.GeoDataFrame, baseline: gpd.GeoDataFrame) -> pd.DataFrame:
    """Per scenario zone: ``change`` (new / changed / unchanged), areas before and after, new land.

    Matched on ``id``. Areas are planar hectares in the metric CRS (:func:`geozones.area.area_ha`).
    """
    from geozones.area import area_ha

    if not scenario.index.is_unique:
        raise InvalidParameterError("the scenario's index must be unique (reset_index first)")
    base = baseline.set_index("id")
    base_area = area_ha(baseline).set_axis(baseline["id"])
    after = area_ha(scenario)
    land = new_land(scenario, baseline)["new_land_ha"].reindex(scenario.index)
    in_base = scenario["id"].isin(base.index)
    before = scenario["id"].map(base_area).where(in_base)
    change_ha = (after - before).round(2)
    status_before = (
        scenario["id"].map(base["status"]) if "status" in base.columns else pd.Series(None, index=scenario.index)
    )
    before_geom = gpd.GeoSeries(
        scenario["id"].map(base.geometry).to_numpy(), index=scenario.index, crs=baseline.crs
    ).to_crs(scenario.crs)
    missing_now, missing_before = scenario.geometry.isna().to_numpy(), before_geom.isna().to_numpy()
    same = shapely.equals(scenario.geometry.array, before_geom.array) | (missing_now & missing_before)
    status_now = scenario["status"] if "status" in scenario.columns else pd.Series(None, index=scenario.index)
    changed = ~same | (status_before.fillna("").to_numpy() != status_now.fillna("").to_numpy())
    change = np.where(~in_base, "new", np.where(changed & in_base, "changed", "unchanged"))
    return pd.DataFrame(
        {
            "change": change,
            "baseline_area_ha": before.round(2),
            "area_mapped_ha": after.round(2),
            "change_ha": change_ha.where(in_base),
            "new_land_ha": land.round(2),
            "baseline_status": status_before,
        },
        index=scenario.index,
    )


def suitability_overlay(path: str | os.PathLike, name: str, opacity: float = 0.6, show: bool = True):
    """A GeoTIFF (band 1) as a folium ImageOverlay, warped to Web Mercator and coloured with viridis.

    Returns the overlay and the (min, max) of the valid values, for the legend.
    """
    import folium
    import rasterio
    from matplotlib import colormaps
    from pyproj import Transformer
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    with rasterio.open(path) as src:
        if src.crs is None:
            raise InvalidParameterError(f"{path}: the raster has no CRS")
        transform, width, height = calculate_default_transform(src.crs, "EPSG:3857", src.width, src.height, *src.bounds)
        values = np.full((height, width), np.nan, dtype="float32")
        reproject(
            rasterio.band(src, 1),
            values,
            src_transform=src.transform,
            src_crs=src.crs,
            src_nodata=src.nodata,
            dst_transform=transform,
            dst_crs="EPSG:3857",
            dst_nodata=np.nan,
            resampling=Resampling.nearest,
        )
    valid = np.isfinite(values)
    if not valid.any():
        raise InvalidParameterError(f"{path}: the raster has no valid cells")
    low, high = float(values[valid].min()), float(values[valid].max())
    scaled = (values - low) / (high - low) if high > low else np.where(valid, 0.5, np.nan)
    rgba = (colormaps["viridis"](np.nan_to_num(scaled)) * 255).astype("uint8")
    rgba[..., 3] = np.where(valid, 255, 0)
    west, north = transform @ (0, 0)
    east, south = transform @ (width, height)
    to_wgs = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)
    (lon0, lat0), (lon1, lat1) = to_wgs.transform(west, south), to_wgs.transform(east, north)
    overlay = folium.raster_layers.ImageOverlay(
        rgba,
        bounds=[[lat0, lon0], [lat1, lon1]],
        opacity=opacity,
        name=name,
        overlay=True,
        show=show,
        mercator_project=False,
    )
    return overlay, (low, high)


def ranks_panel(ranks: pd.DataFrame, text: dict, names: dict | None = None):
    """A fixed panel: each candidate site's AHP score, rank, median rank and share of draws in the top k."""
    from html import escape

    table = ranks.sort_values(["base_rank", "id"])
    k = table["top_k"].iloc[0] if "top_k" in table.columns else None
    draws = table["draws"].iloc[0] if "draws" in table.columns else None
    note = ""
    if draws is not None and pd.notna(draws) and k is not None and pd.notna(k):
        note = f" <small>({int(draws)} {escape(text['ranks_note'])} {int(k)})</small>"
    head = "".join(f"<th>{escape(c)}</th>" for c in text["ranks_columns"])
    rows = []
    for _, row in table.iterrows():
        own = row.get("name") if "name" in table.columns else None
        site = own if isinstance(own, str) and own else (names or {}).get(row["id"], row["id"])

        def number(value, fmt):
            return format(float(value), fmt) if pd.notna(value) else "—"

        rows.append(
            f"<tr><th>{escape(str(site))}</th><td>{number(row['ahp_score'], '.3f')}</td>"
            f"<td>{number(row['base_rank'], '.0f')}</td><td>{number(row['median_rank'], '.0f')}</td>"
            f"<td>{number(row['top_k_share'], '.0%')}</td></tr>"
        )
    html = (
        f"<details open><summary><b>{escape(text['ranks'])}</b>{note}</summary>"
        f'<table style="border-collapse:collapse;text-align:right"><tr>{head}</tr>{"".join(rows)}</table>'
        f"</details>"
    )
    # a Leaflet control in the top-left corner: stacked under the zoom buttons, never beneath them
    return HtmlControl(html, "topleft", "gz-ranks gz-panel")


def odds_panel(odds: pd.DataFrame, text: dict):
    """A fixed panel with the probability of meeting each target (rows) in each year (columns)."""
    from html import escape

    years = sorted(int(y) for y in odds["year"].unique())
    odds = odds.copy()
    if "name" in odds.columns:  # targets by their names; the id where a table has none
        odds["name"] = odds["name"].where(odds["name"].notna() & (odds["name"].astype(str) != ""), odds["target"])
    else:
        odds["name"] = odds["target"]
    table = odds.pivot_table(index="name", columns="year", values="probability", aggfunc="first", sort=False)
    deadline = odds.groupby("name", sort=False)["deadline"].first()
    head = "".join(f"<th>{y}</th>" for y in years)
    rows = []
    for target, row in table.iterrows():
        cells = "".join(
            f'<td class="{"gz-deadline" if y == deadline[target] else ""}">{row[y]:.0%}</td>' for y in years
        )
        rows.append(f"<tr><th>{escape(str(target))}</th>{cells}</tr>")
    draws = int(odds["draws"].iloc[0])
    seed = odds["seed"].iloc[0] if "seed" in odds.columns else odds.attrs.get("seed", "")
    html = (
        f"<b>{escape(text['odds'])}</b> <small>({draws} {escape(text['odds_note'])} {escape(str(seed))})</small>"
        f'<table style="border-collapse:collapse;text-align:right"><tr><th></th>{head}</tr>{"".join(rows)}'
        f"</table>"
    )
    # a Leaflet control in the bottom-left corner: stacked with the title, never over it
    return HtmlControl(html, "bottomleft", "gz-odds gz-panel")


def planner_map(
    scenario: gpd.GeoDataFrame,
    baseline: gpd.GeoDataFrame,
    *,
    exclusions: dict[str, gpd.GeoDataFrame] | None = None,
    suitability: str | os.PathLike | None = None,
    sensitivity: str | os.PathLike | None = None,
    uncertainty: str | os.PathLike | None = None,
    ranks: pd.DataFrame | None = None,
    odds: pd.DataFrame | None = None,
    candidates: gpd.GeoDataFrame | None = None,
    layers: dict[str, gpd.GeoDataFrame] | None = None,
    lang: Literal["vi", "en"] = "vi",
    mode: Literal["embed", "api"] = "embed",
    baseline_url: str | None = None,
    title: str | None = None,
):
    """Build the planner map: scenario zones over the baseline, with per-zone change in the popups.

    Parameters
    ----------
    scenario, baseline : geopandas.GeoDataFrame
        Zone layers with an ``id`` column (the scenario result, e.g. store layer ``scenario_<id>``,
        and the zones it started from).
    exclusions : dict of GeoDataFrame, optional
        Exclusion layers by name, drawn in red.
    suitability : path, optional
        A suitability GeoTIFF shown as a coloured overlay.
    sensitivity : path, optional
        The share of Monte Carlo weight draws in which each cell is in the most suitable set
        (``suitability_top_share.tif`` of ``geozones scenario suitability``), an overlay off by default.
    uncertainty : path, optional
        The standard deviation of the suitability over the weight draws (``suitability_std.tif``),
        an overlay off by default.
    ranks : DataFrame, optional
        The candidate sites' rank stability (``suitability_sites.csv``: ``id``, ``ahp_score``,
        ``base_rank``, ``median_rank``, ``top_k_share``, optional ``top_k`` and ``draws``): a panel.
    odds : DataFrame, optional
        Probabilities of meeting targets (:class:`geozones.scenario.odds.OddsResult.probabilities`):
        a target x year table along the map's time axis.
    candidates : GeoDataFrame, optional
        The scenario's candidate sites (``id``, ``name``, ``base_rank``, ...; store layer
        ``candidates_<id>`` of ``geozones scenario run``): outlines labelled with their AHP rank.
    layers : dict of GeoDataFrame, optional
        Reference layers as for :func:`maps.investor_map`.
    lang : {"vi", "en"}
    mode : {"embed", "api"}
        ``"api"`` loads the baseline outlines from ``baseline_url``; the scenario is always embedded.
    title : str, optional
    infra : optional
        Infrastructure for distances in the popups (a store or a mapping; see :func:`maps.investor_map`).

    Returns
    -------
    folium.Map
    """
    check_lang(lang)
    if mode == "api" and not baseline_url:
        raise InvalidParameterError("mode='api' needs baseline_url (an OGC API items URL)")
    text = LABELS[lang]
    m = base_map(
        lang, bounds=zone_bounds(pd.concat([scenario[["geometry"]].to_crs(4326), baseline[["geometry"]].to_crs(4326)]))
    )
    add_overlays(m, layers or {}, lang)
    legend = []
    if suitability is not None:
        overlay, (low, high) = suitability_overlay(suitability, text["suitability"])
        overlay.add_to(m)
        legend.append(
            (
                swatch("#21918c", "#21918c"),
                f"{text['suitability']}: {_round(low)} ({text['low']}) – {_round(high)} ({text['high']})",
            )
        )
    if sensitivity is not None:
        overlay, (low, high) = suitability_overlay(sensitivity, text["top_share"], show=False)
        overlay.add_to(m)
        legend.append((swatch("#fde725", "#440154"), f"{text['top_share']}: {low:.0%} – {high:.0%}"))
    if uncertainty is not None:
        overlay, (low, high) = suitability_overlay(uncertainty, text["uncertainty"], show=False)
        overlay.add_to(m)
        legend.append((swatch("#fde725", "#440154"), f"{text['uncertainty']}: {low:.3f} – {high:.3f}"))
    if ranks is not None and len(ranks):
        names = dict(zip(scenario["id"], scenario["name"])) if "name" in scenario.columns else None
        ranks_panel(ranks, text, names).add_to(m)
    if odds is not None and len(odds):
        odds_panel(odds, text).add_to(m)
    for name, frame in (exclusions or {}).items():
        OverlayLayer(
            feature_collection(frame, [c for c in ("name", "reason", "kind") if c in frame.columns]),
            f"{text['exclusion']}: {name}",
            EXCLUSION_STYLE,
        ).add_to(m)
        legend.append((swatch(EXCLUSION_STYLE["fillColor"], EXCLUSION_STYLE["color"]), f"{text['exclusion']}: {name}"))
    if candidates is not None and len(candidates):
        shown = candidates.to_crs(4326).copy()
        shown["rank"] = shown["base_rank"].map(lambda r: f"#{int(r)}" if pd.notna(r) else "—")
        shown = shown.round({"ahp_score": 3, "area_ha": 1})
        OverlayLayer(
            feature_collection(shown, ["name", "rank", "ahp_score", "area_ha"]),
            text["candidates"],
            CANDIDATE_STYLE,
            ["name", "rank", "ahp_score"],
            class_name="gz-candidates",
        ).add_to(m)
        legend.append((swatch(None, CANDIDATE_STYLE["color"], "6 3"), text["candidates"]))
    removed = baseline[~baseline["id"].isin(scenario["id"])]
    if mode == "embed":
        OverlayLayer(feature_collection(baseline, ["id", "name"]), text["baseline"], BASELINE_STYLE).add_to(m)
    else:
        ZoneLayer(js_config(lang), url=baseline_url, fit=False, name=text["baseline"]).add_to(m)
    legend.append((swatch(None, BASELINE_STYLE["color"], "3 3"), text["baseline"]))
    if len(removed):
        OverlayLayer(
            feature_collection(removed, ["id", "name"]),
            text["removed"],
            dict(BASELINE_STYLE, color="#9e9e9e", dashArray="1 4"),
        ).add_to(m)
    changes = scenario_changes(scenario, baseline)
    zones = scenario.drop(columns=["area_mapped_ha"], errors="ignore").join(changes)
    ZoneLayer(js_config(lang), data=feature_collection(zones), search=text["search"], name=text["scenario"]).add_to(m)
    land = new_land(scenario, baseline)
    if len(land):
        land = land.assign(name=scenario.loc[land.index, "name"] if "name" in scenario.columns else land["id"])
        OverlayLayer(
            feature_collection(land.round({"new_land_ha": 2}), ["name", "new_land_ha"]),
            text["new_land_layer"],
            NEW_LAND_STYLE,
            ["name", "new_land_ha"],
            class_name="gz-new-land",
        ).add_to(m)
    legend.append((swatch(None, NEW_LAND_STYLE["color"], pattern=True), text["new_land_layer"]))
    cited = cite_all(scenario["sources"], limit=3) if "sources" in scenario.columns else []
    add_legend_and_title(m, lang, title or text["title_scenario"], legend, "; ".join(cited) or sources_of(None))
    add_layer_control(m)
    return m
