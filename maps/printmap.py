"""Print maps for reports (PNG, PDF) with matplotlib, in the web map's colours and outlines.

Drawn in the metric working CRS (VN-2000 / TM-3 of the province), so the scale bar is true
at the map's centre; the north arrow points to grid north (TM-3 grid convergence is under
1° across both provinces).
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

import geopandas as gpd
import numpy as np

from geozones.errors import InvalidParameterError
from geozones.io.style import KIND_OUTLINES, STATUS_COLORS
from geozones.maps._base import OVERLAY_STYLES, sources_of
from geozones.maps._text import LABELS, check_lang
from geozones.maps.data import attributions
from geozones.schema import KINDS, STATUSES

#: Points per millimetre (matplotlib line widths are in points).
PT_PER_MM = 72 / 25.4


def _require_matplotlib():
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
    except ImportError as exc:  # pragma: no cover
        raise ImportError("print maps need matplotlib: pip install 'geozones[maps]'") from exc


def _dashes(leaflet_dash: str | None):
    """Leaflet ``dashArray`` ("6 4") -> matplotlib linestyle."""
    if not leaflet_dash:
        return "solid"
    return (0, tuple(float(v) / 2 for v in leaflet_dash.split()))


def nice_length(span_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 x 10^n metres) close to a fifth of ``span_m``."""
    target = span_m / 5
    power = 10 ** np.floor(np.log10(target))
    return float(max(m * power for m in (1, 2, 5) if m * power <= target))


def _scale_bar(ax, length_m: float) -> None:
    from matplotlib.patches import Rectangle

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    x, y = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.05
    half = length_m / 2
    for i, colour in enumerate(("black", "white")):
        ax.add_patch(
            Rectangle(
                (x + i * half, y), half, (y1 - y0) * 0.008, facecolor=colour, edgecolor="black", lw=0.6, zorder=20
            )
        )
    label = f"{length_m / 1000:g} km" if length_m >= 1000 else f"{length_m:g} m"
    for pos, text in ((x, "0"), (x + length_m, label)):
        ax.text(pos, y + (y1 - y0) * 0.015, text, ha="center", va="bottom", fontsize=7, zorder=20)


def _north_arrow(ax) -> None:
    ax.annotate(
        "N",
        xy=(0.95, 0.95),
        xytext=(0.95, 0.86),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=11,
        fontweight="bold",
        zorder=20,
        arrowprops={"facecolor": "black", "width": 4, "headwidth": 10, "headlength": 10},
    )


#: Reference layers the print map draws, bottom to top.
_LAYER_ORDER = (
    "boundaries_provinces",
    "boundaries_districts",
    "infrastructure_roads",
    "infrastructure_railways",
    "infrastructure_power",
    "infrastructure_destinations",
)


def crs_note(crs, lang: str) -> str:
    """What the map is drawn in and what the figures are measured in (VN-2000 TM-3 of each province)."""
    text = LABELS[check_lang(lang)]
    code = crs.to_epsg()
    return f"{text['crs_drawn']}: {crs.name}" + (f" (EPSG:{code})" if code else "") + f"; {text['crs_measured']}"


def print_crs(zones: gpd.GeoDataFrame):
    """The VN-2000 TM-3 CRS a print map is drawn in: the zones' own when one zone fits them all, else the
    TM-3 of the province most of them lie in (never a UTM zone: the data is measured in TM-3)."""
    from geozones import crs as _crs
    from geozones.crs import working_crs

    placed = zones[~(zones.geometry.isna() | zones.geometry.is_empty)]
    chosen = working_crs(placed if len(placed) else zones)
    if chosen.to_epsg() in set(_crs.tm3_registry().values()):
        return chosen
    column = "province_pre2025" if "province_pre2025" in zones.columns else "province"
    if column in zones.columns and zones[column].notna().any():
        for province in zones[column].value_counts().index:
            try:
                return _crs.tm3_crs(str(province))
            except Exception:  # CRSError: a province without a TM-3 zone
                continue
    return chosen


def footer_lines(
    zones: gpd.GeoDataFrame, layers: dict[str, gpd.GeoDataFrame] | None, lang: str, crs_name: str, when: str
) -> tuple[str, str]:
    """The print map's footer: the source line (publisher, title, date of each source; never a file name),
    and the attribution line of the drawn reference layers (empty when they carry none). CC BY-SA data
    must carry its attribution wherever it travels."""
    from geozones.maps.citations import cite_all

    text = LABELS[check_lang(lang)]
    cited = cite_all(zones["sources"]) if "sources" in zones.columns else []
    listed = "; ".join(cited) if cited else sources_of(None)
    source = f"{text['source']}: {listed}. {crs_name}. {text['approximate_print']}. {when}"
    drawn = {n: f for n, f in (layers or {}).items() if n in _LAYER_ORDER}
    credit = " ".join(attributions(drawn))
    return source, (f"{text['attribution']}: {credit}" if credit else "")


def _draw_layers(ax, layers: dict[str, gpd.GeoDataFrame], crs) -> None:
    for name in _LAYER_ORDER:
        frame = layers.get(name)
        if frame is None or frame.empty:
            continue
        style = OVERLAY_STYLES[name]
        frame = frame.to_crs(crs)
        kinds = frame.geometry.geom_type
        lines = frame[kinds.isin(["LineString", "MultiLineString", "Polygon", "MultiPolygon"])]
        points = frame[kinds.isin(["Point", "MultiPoint"])]
        if len(lines):
            lines.boundary.plot(
                ax=ax,
                color=style["color"],
                linewidth=style["weight"] * 0.5,
                linestyle=_dashes(style.get("dashArray")),
                zorder=2,
            ) if name.startswith("boundaries") else lines.plot(
                ax=ax,
                color=style["color"],
                linewidth=style["weight"] * 0.5,
                linestyle=_dashes(style.get("dashArray")),
                zorder=3,
            )
        if len(points):
            points.plot(
                ax=ax, color=style.get("fillColor", style["color"]), edgecolor=style["color"], markersize=12, zorder=4
            )


def _draw_zones(ax, zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    polygons = zones[~(zones.geometry.isna() | zones.geometry.is_empty)]
    for (status, kind), group in polygons.groupby([polygons["status"], polygons["kind"]], sort=False):
        colour, width_mm, _, dash = KIND_OUTLINES.get(kind, ("#212121", 0.4, "solid", None))
        group.plot(
            ax=ax,
            facecolor=STATUS_COLORS.get(status, "#cccccc"),
            edgecolor=colour,
            linewidth=width_mm * PT_PER_MM,
            linestyle=_dashes(dash),
            zorder=5,
        )
    return polygons


def _draw_points(ax, zones: gpd.GeoDataFrame, crs) -> None:
    if not {"site_lon", "site_lat"} <= set(zones.columns):
        return
    only = zones[
        (zones.geometry.isna() | zones.geometry.is_empty) & zones["site_lon"].notna() & zones["site_lat"].notna()
    ]
    if only.empty:
        return
    pts = gpd.GeoSeries(
        gpd.points_from_xy(only["site_lon"].astype(float), only["site_lat"].astype(float)), crs=4326
    ).to_crs(crs)
    for (x, y), status in zip(zip(pts.x, pts.y), only["status"]):
        ax.plot(
            x,
            y,
            marker="o",
            markersize=8,
            markerfacecolor=STATUS_COLORS.get(status, "#cccccc"),
            markeredgecolor="#212121",
            linestyle="none",
            zorder=6,
        )


NEW_LAND_COLOR = "#c2185b"


def draw_new_land(ax, zones_metric: gpd.GeoDataFrame, baseline: gpd.GeoDataFrame | None, crs) -> float:
    """Hatch the parts of the zones outside every baseline zone (new land); returns its hectares."""
    import shapely

    if baseline is None or zones_metric.empty:
        return 0.0
    base = baseline.to_crs(crs).geometry
    base = base[~(base.isna() | base.is_empty)]
    now = zones_metric.geometry
    now = now[~(now.isna() | now.is_empty)]
    if "status" in zones_metric.columns:
        now = now[zones_metric.loc[now.index, "status"].ne("retired")]
    land = shapely.difference(shapely.union_all(now.array), shapely.union_all(base.array))
    parts = shapely.get_parts(land)
    parts = parts[shapely.area(parts) >= 100.0]  # reprojection slivers are not new land
    if len(parts):
        gpd.GeoSeries(parts, crs=crs).plot(
            ax=ax, facecolor="none", edgecolor=NEW_LAND_COLOR, hatch="////", linewidth=1.2, zorder=7
        )
    return float(shapely.area(parts).sum() / 10_000.0) if len(parts) else 0.0


def draw_labels(ax, zones_metric: gpd.GeoDataFrame, fontsize: float = 6.5) -> list[str]:
    """Zone names at their polygons (or site points), skipping a label that would overlap one already
    placed (bigger zones first); returns the names drawn."""
    import shapely

    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    frame = zones_metric.copy()
    geoms = frame.geometry
    has = ~(geoms.isna() | geoms.is_empty)
    frame["_area"] = np.where(has, geoms.area, 0.0)
    points = []
    for idx, row in frame.sort_values("_area", ascending=False).iterrows():
        geom = row.geometry
        if geom is not None and not geom.is_empty:
            point = shapely.point_on_surface(geom)
        elif {"site_lon", "site_lat"} <= set(frame.columns) and pd_notna(row["site_lon"]):
            point = (
                gpd.GeoSeries(gpd.points_from_xy([float(row["site_lon"])], [float(row["site_lat"])]), crs=4326)
                .to_crs(zones_metric.crs)
                .iloc[0]
            )
        else:
            continue
        points.append((str(row.get("name", idx)), point))
    placed, drawn = [], []
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    for name, point in points:
        if not (x0 <= point.x <= x1 and y0 <= point.y <= y1):
            continue
        label = ax.annotate(
            name,
            (point.x, point.y),
            xytext=(4, 4),
            textcoords="offset points",
            fontsize=fontsize,
            zorder=25,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8},
        )
        box = label.get_window_extent(renderer).expanded(1.05, 1.1)
        if any(box.overlaps(other) for other in placed):
            label.remove()
            continue
        placed.append(box)
        drawn.append(name)
    return drawn


def pd_notna(value) -> bool:
    return value is not None and value == value


def _legend(ax, zones: gpd.GeoDataFrame, lang: str, new_land: bool = False) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    text = LABELS[lang]
    handles = [
        Patch(facecolor=STATUS_COLORS[s], edgecolor="#555555", label=STATUSES[s][lang])
        for s in STATUS_COLORS
        if s in set(zones["status"])
    ]
    handles += [
        Patch(
            facecolor="white",
            edgecolor=c,
            linewidth=w * PT_PER_MM,
            linestyle=_dashes(d),
            label=f"{k} — {KINDS[k][lang]}",
        )
        for k, (c, w, _, d) in KIND_OUTLINES.items()
        if k in set(zones["kind"])
    ]
    handles.append(
        Line2D(
            [],
            [],
            marker="o",
            linestyle="none",
            markerfacecolor="#bdbdbd",
            markeredgecolor="#212121",
            label=text["location_marker"],
        )
    )
    if new_land:
        handles.append(Patch(facecolor="none", edgecolor=NEW_LAND_COLOR, hatch="////", label=text["new_land_layer"]))
    ax.legend(handles=handles, loc="lower right", fontsize=7, framealpha=0.92).set_zorder(30)


def print_map(
    zones: gpd.GeoDataFrame,
    out: str | os.PathLike,
    *,
    title: str | None = None,
    layers: dict[str, gpd.GeoDataFrame] | None = None,
    lang: str = "vi",
    figsize: tuple[float, float] = (11.69, 8.27),
    dpi: int = 150,
    date: _dt.date | None = None,
    baseline: gpd.GeoDataFrame | None = None,
    labels: bool = True,
) -> Path:
    """Write a print map (PNG or PDF, from the extension) with title, zone labels, legend, scale bar, north
    arrow, the CRS and the sources (publisher, title, date).

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        Zones with ``status`` and ``kind``; zones without a polygon but with
        ``site_lon``/``site_lat`` are drawn as points.
    out : path
        ``.png`` or ``.pdf``.
    title : str, optional
    layers : dict of GeoDataFrame, optional
        Reference layers by store name (boundaries, roads, grid, destinations).
    lang : {"vi", "en"}
    figsize : (width, height) in inches
        A4 landscape by default; a PNG is ``figsize x dpi`` pixels.
    dpi : int
    date : datetime.date, optional
        Printed in the source line; today by default.
    baseline : geopandas.GeoDataFrame, optional
        The zones before a scenario: the land outside all of them is hatched as new land.
    labels : bool
        Zone names on the map (a label that would overlap another is left out).

    Returns
    -------
    pathlib.Path
    """
    check_lang(lang)
    _require_matplotlib()
    import matplotlib.pyplot as plt

    out = Path(out)
    if out.suffix.lower() not in (".png", ".pdf"):
        raise InvalidParameterError(f"print maps are .png or .pdf, not {out.suffix or 'no extension'!r}")
    text = LABELS[lang]
    crs = print_crs(zones)
    metric = zones.to_crs(crs)
    fig, ax = plt.subplots(figsize=figsize, dpi=dpi)
    try:
        fig.subplots_adjust(left=0.03, right=0.97, top=0.92, bottom=0.07)
        _draw_layers(ax, layers or {}, crs)
        polygons = _draw_zones(ax, metric)
        _draw_points(ax, zones, crs)
        added = draw_new_land(ax, metric, baseline, crs)
        _frame(ax, polygons, zones, crs, (0.94 * figsize[0]) / (0.78 * figsize[1]))
        ax.set_position([0.03, 0.14, 0.94, 0.78])
        ax.set_aspect("equal", adjustable="box")
        ax.set_xticks([]), ax.set_yticks([])
        ax.set_xlabel(""), ax.set_ylabel("")
        fig.canvas.draw()
        x0, x1 = ax.get_xlim()
        _scale_bar(ax, nice_length(x1 - x0))
        _north_arrow(ax)
        if labels:
            draw_labels(ax, metric)
        _legend(ax, zones, lang, new_land=added > 0)
        fig.suptitle(title or text["title_investor"], fontsize=14, fontweight="bold")
        when = (date or _dt.date.today()).isoformat()
        source, credit = footer_lines(zones, layers, lang, crs_note(crs, lang), when)
        fig.text(0.03, 0.128, source, fontsize=6.5, ha="left", va="top", wrap=True)
        if credit:
            fig.text(0.03, 0.04, credit, fontsize=5.5, ha="left", va="top", wrap=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, dpi=dpi, format=out.suffix.lower().lstrip("."))
    finally:
        plt.close(fig)
    return out


def _frame(ax, polygons, zones, crs, ratio: float) -> None:
    """Fit the view to the zones (polygons and site points), with a margin, at the axes' width/height ratio."""
    boxes = [polygons.total_bounds] if len(polygons) else []
    if {"site_lon", "site_lat"} <= set(zones.columns):
        pts = zones[["site_lon", "site_lat"]].astype(float).dropna()
        if len(pts):
            boxes.append(
                gpd.GeoSeries(gpd.points_from_xy(pts.site_lon, pts.site_lat), crs=4326).to_crs(crs).total_bounds
            )
    if not boxes:
        return
    b = np.vstack(boxes)
    west, south, east, north = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
    pad = max(east - west, north - south, 2000) * 0.08
    west, east, south, north = west - pad, east + pad, south - pad, north + pad
    width, height = east - west, north - south
    if width / height < ratio:
        grow = (height * ratio - width) / 2
        west, east = west - grow, east + grow
    else:
        grow = (width / ratio - height) / 2
        south, north = south - grow, north + grow
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
