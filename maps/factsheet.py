"""One-page site fact sheets (HTML and A4 PDF) in vi, en, ko, ja or zh-Hans.

A fact sheet has a locator map and a site map (drawn with matplotlib in the province's
VN-2000 TM-3 CRS on the store's boundaries and roads, as vector SVG), the figures of the site
table (:func:`geozones.analysis.siteselect.site_table`) with "not published" where no source gives one, what is
approximate and why, the sources with links, and the date. The PDF is the same HTML laid out
by WeasyPrint: A4, real text (selectable, extractable), fonts embedded as subsets -- Noto Sans
for Vietnamese and Noto Sans CJK (Debian ``fonts-noto-core`` / ``fonts-noto-cjk``) for Korean,
Japanese and Chinese.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import re
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj

from geozones import crs as _crs
from geozones.analysis.siteselect import PLACE_KINDS
from geozones.errors import GeozonesError
from geozones.maps import citations, i18n
from geozones.maps.explorer import (
    COMPARE_FIELDS,
    LOGISTICS_FIELDS,
    UnknownSiteError,
    format_value,
    logistics_note,
    site_records,
)
from geozones.maps.printmap import nice_length

#: Rows of "what investors ask" (catalogue key, column).
INVESTOR_ROWS: tuple[tuple[str, str], ...] = (
    ("field.land_price", "land_price"),
    ("field.leased", "leased_land_ha"),
    ("field.power", "power_capacity_mva"),
    ("field.water", "water_capacity_m3_day"),
    ("field.wastewater", "wastewater_capacity_m3_day"),
    ("field.incentives", "incentives"),
    ("field.contact", "contact"),
)
_INVESTOR_COLUMNS = {c for _, c in INVESTOR_ROWS}
#: Destination categories of the fact sheet's logistics table (minutes by car and by truck).
LOGISTICS_CATEGORIES = ("capital", "airport", "seaport", "border_gate")
_URL = re.compile(r"^(https?://\S+|(?:[a-z0-9-]+\.)+(?:vn|com|org|net|gov|info)(?:/\S*)?)$", re.IGNORECASE)


class FactSheetError(GeozonesError, RuntimeError):
    """No PDF engine (WeasyPrint and pango) to lay the fact sheet out; the message is in the asked language."""


def _svg(fig) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", pad_inches=0.02)
    plt.close(fig)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue().encode("utf-8")).decode("ascii")


def _draw(
    ax,
    layers: Mapping[str, gpd.GeoDataFrame],
    crs,
    zones: gpd.GeoDataFrame,
    site_id: str,
    *,
    bounds,
    label_places: bool,
) -> None:
    """Boundaries, roads, destinations, other sites and the site, in ``crs`` (metres)."""
    x0, y0, x1, y1 = bounds
    ax.set_facecolor("#f7f6f2")
    provinces = layers.get("boundaries_provinces")
    if provinces is not None and len(provinces):
        provinces.to_crs(crs).boundary.plot(ax=ax, color="#555", lw=0.8, linestyle=(0, (4, 2)), zorder=2)
    districts = layers.get("boundaries_districts")
    if districts is not None and len(districts) and not label_places:
        districts.to_crs(crs).boundary.plot(ax=ax, color="#aaa", lw=0.4, linestyle=(0, (2, 2)), zorder=1)
    roads = layers.get("infrastructure_roads")
    if roads is not None and len(roads):
        roads.to_crs(crs).plot(ax=ax, color="#c0392b", lw=1.2, zorder=3)
    isochrones = layers.get("logistics_isochrones")
    if label_places and isochrones is not None and len(isochrones) and "zone_id" in isochrones.columns:
        mine = isochrones[isochrones["zone_id"] == site_id].sort_values("minutes", ascending=False)
        shades = {15.0: "#08519c", 30.0: "#3182bd", 45.0: "#6baed6", 60.0: "#bdd7e7"}
        for _, iso in mine.to_crs(crs).iterrows():  # 60 minutes first, 15 on top
            color = shades.get(float(iso["minutes"]), "#6baed6")
            gpd.GeoSeries([iso.geometry], crs=crs).plot(
                ax=ax, color=color, alpha=0.35, edgecolor=color, lw=0.5, zorder=1
            )
    rail = layers.get("infrastructure_railways")
    if rail is not None and len(rail):
        rail.to_crs(crs).plot(ax=ax, color="#333", lw=1.0, linestyle=(0, (6, 2)), zorder=3)
    others = zones[zones["id"] != site_id]
    shaped = others[others.geometry.notna() & ~others.geometry.is_empty]
    if len(shaped):
        shaped.to_crs(crs).plot(ax=ax, color="#bdbdbd", edgecolor="#777", lw=0.4, zorder=4)
    site = zones[zones["id"] == site_id]
    if site.geometry.notna().any() and not site.geometry.is_empty.all():
        site.to_crs(crs).plot(
            ax=ax,
            color="#e53935",
            alpha=0.55,
            edgecolor="#b71c1c",
            lw=1.2,
            zorder=6,
            hatch="//" if site["geometry_quality"].iloc[0] == "approximate" else None,
        )
    lon, lat = site["site_lon"].iloc[0], site["site_lat"].iloc[0]
    shaped_site = site.geometry.notna().any() and not site.geometry.is_empty.all()
    points = (
        site.to_crs(crs).representative_point()
        if shaped_site
        else gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs=_crs.WGS84).to_crs(crs)
    )
    if (shaped_site or (np.isfinite(lon) and np.isfinite(lat))) and np.isfinite(points.x.iloc[0]):
        ax.plot(
            points.x.iloc[0],
            points.y.iloc[0],
            marker="*",
            color="#b71c1c",
            markersize=13 if label_places else 9,
            markeredgecolor="white",
            zorder=8,
        )
    places = layers.get("infrastructure_destinations")
    if places is not None and len(places):
        places = places.to_crs(crs)
        inside = places.cx[x0:x1, y0:y1]
        if len(inside):
            inside.plot(ax=ax, color="white", edgecolor="#1f4e79", markersize=22, zorder=7)
        names = inside.get("name", inside["id"] if "id" in inside else [])
        _place_labels(ax, [(g.x, g.y, str(n)) for g, n in zip(inside.geometry, names)], (x0, y0, x1, y1))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_color("#888")
    length = nice_length(x1 - x0)
    bx, by = x0 + (x1 - x0) * 0.05, y0 + (y1 - y0) * 0.05
    ax.plot([bx, bx + length], [by, by], color="black", lw=2.2, solid_capstyle="butt", zorder=10)
    ax.annotate(
        f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m",
        (bx + length / 2, by),
        xytext=(0, 3),
        textcoords="offset points",
        ha="center",
        fontsize=6.5,
        zorder=10,
    )
    ax.annotate("N ↑", (0.96, 0.94), xycoords="axes fraction", ha="right", va="top", fontsize=8, weight="bold")


#: Offsets (points) tried for a place label around its marker: right-up, right-down, left-up, left-down, above, below.
_LABEL_SPOTS = (
    (4, 3, "left", "bottom"),
    (4, -3, "left", "top"),
    (-4, 3, "right", "bottom"),
    (-4, -3, "right", "top"),
    (0, 6, "center", "bottom"),
    (0, -6, "center", "top"),
)


def _place_labels(ax, places: list[tuple[float, float, str]], bounds) -> None:
    """Name each place beside its marker where the name overlaps no other name and stays in the frame.

    A name that fits in none of :data:`_LABEL_SPOTS` is left out (its marker stays): two names are never
    printed over each other (the border gate beside the railway station at Đồng Đăng).
    """
    x0, y0, x1, y1 = bounds
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.apply_aspect()
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    taken = []
    for x, y, name in places:
        for dx, dy, ha, va in _LABEL_SPOTS:
            text = ax.annotate(
                name,
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=6.5,
                color="#1f4e79",
                zorder=9,
            )
            box = text.get_window_extent(renderer)
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
            if inside and not any(box.overlaps(other) for other in taken):
                taken.append(box)
                break
            text.remove()


def _maps(zones: gpd.GeoDataFrame, site_id: str, layers: Mapping[str, gpd.GeoDataFrame]) -> tuple[str, str | None]:
    """The locator map and the site map as SVG data URIs (no site map for a site with no published location)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"svg.fonttype": "path", "font.family": ["DejaVu Sans"], "hatch.color": "#b71c1c"}):
        site = zones[zones["id"] == site_id]
        code = int(_crs.metric_epsg(site)[0])
        crs = pyproj.CRS.from_epsg(code)
        region = [
            f.to_crs(crs).total_bounds
            for f in (layers.get("boundaries_provinces"), zones)
            if f is not None and len(f) and f.geometry.notna().any()
        ]
        rx0, ry0 = min(b[0] for b in region), min(b[1] for b in region)
        rx1, ry1 = max(b[2] for b in region), max(b[3] for b in region)
        fig, ax = plt.subplots(figsize=(3.4, 2.1))
        _draw(ax, layers, crs, zones, site_id, bounds=(rx0, ry0, rx1, ry1), label_places=True)
        locator = _svg(fig)
        if site.geometry.notna().any() and not site.geometry.is_empty.all():
            sx0, sy0, sx1, sy1 = site.to_crs(crs).total_bounds
        elif not np.isfinite(site[["site_lon", "site_lat"]].astype(float).to_numpy()).all():
            return locator, None
        else:
            point = gpd.GeoSeries(gpd.points_from_xy(site["site_lon"], site["site_lat"]), crs=_crs.WGS84).to_crs(crs)
            sx0 = sx1 = float(point.x.iloc[0])
            sy0 = sy1 = float(point.y.iloc[0])
        cx, cy = (sx0 + sx1) / 2, (sy0 + sy1) / 2
        half = max(sx1 - sx0, sy1 - sy0) / 2 + 2500.0  # the site and 2.5 km around it
        fig, ax = plt.subplots(figsize=(3.4, 2.1))
        _draw(ax, layers, crs, zones, site_id, bounds=(cx - half, cy - half, cx + half, cy + half), label_places=False)
        return locator, _svg(fig)


def _source_items(text: str | None) -> list[tuple[str, str | None]]:
    """``'a; b.vn; https://c'`` -> ``[(label, url or None)]`` (web domains and URLs become links)."""
    items = []
    for part in str(text or "").split(";"):
        part = part.strip()
        if not part:
            continue
        url = None
        if _URL.match(part):
            url = part if part.lower().startswith("http") else "https://" + part
        items.append((part, url))
    return items


def factsheet_html(
    zones: gpd.GeoDataFrame,
    table,
    site_id: str,
    *,
    lang: str = "vi",
    layers: Mapping[str, gpd.GeoDataFrame] | None = None,
    date: _dt.date | None = None,
    links: Mapping[str, str] | None = None,
) -> str:
    """The fact sheet of one site as a standalone HTML page (A4 print layout; every value escaped).

    Parameters
    ----------
    zones : GeoDataFrame
        All zone records (the others are drawn in grey).
    table : DataFrame
        Their site table (:func:`geozones.analysis.siteselect.site_table`).
    site_id : str
        The site's ``id``.
    lang : str
        ``vi``, ``en``, ``ko``, ``ja`` or ``zh-Hans``.
    layers : mapping, optional
        Reference layers by store name for the maps (boundaries, roads, destinations).
    date : datetime.date, optional
        The date printed on the sheet (default today).
    links : mapping, optional
        ``pdf`` and ``explorer`` URLs to show on the web page.

    Raises
    ------
    UnknownSiteError
        For an unknown site (message in ``lang``).
    """
    lang = i18n.check_lang(lang)
    if site_id not in set(zones["id"]):
        raise UnknownSiteError(i18n.text(lang, "error.unknown_site", id=site_id))
    layers = dict(layers or {})
    zones = zones.copy()
    row = next(r for r in site_records(table) if r["id"] == site_id)
    record = zones[zones["id"] == site_id].iloc[0]
    e = html.escape
    t = lambda key, **kw: e(i18n.text(lang, key, **kw))  # noqa: E731
    locator, site_map = _maps(zones, site_id, layers)
    figure_rows = "".join(
        f"<tr><th>{t(key)}</th><td>{e(format_value(column, row, lang))}</td></tr>"
        for key, column in COMPARE_FIELDS
        if column not in _INVESTOR_COLUMNS
        and column not in ("geometry_quality", "sources")
        and not column.startswith(("road_", "straight_"))
        and (key, column) not in LOGISTICS_FIELDS
    )
    logistics_rows = "".join(
        f"<tr><th>{t('place.' + category)}"
        + (
            f" ({e(str(row['nearest_' + category + '_name']))})"
            if category == "border_gate" and row.get("nearest_border_gate_name")
            else ""
        )
        + f"</th><td>{e(format_value('minutes_' + category, row, lang))}</td>"
        f"<td>{e(format_value('truck_minutes_' + category, row, lang))}</td></tr>"
        for category in LOGISTICS_CATEGORIES
    ) + (
        f"<tr><th>{t('logistics.pop')}</th><td colspan='2'>"
        f"{e(format_value('pop_30min', row, lang))} / {e(format_value('pop_60min', row, lang))}</td></tr>"
    )
    if row.get("far_from_roads"):  # no time at all: one line, with the access leg that explains it
        logistics_rows = (
            f"<tr><td colspan='3'>{t('value.far_from_roads')}: {t('field.access')} "
            f"{e(format_value('access_km', row, lang))}</td></tr>"
        )
    logistics_head = "".join(f"<th>{t(k)}</th>" for k in ("distance.place", "logistics.car", "logistics.truck"))
    distance_rows = "".join(
        f"<tr><th>{t('place.' + kind)}</th><td>{e(str(row.get('nearest_' + kind) or ''))}</td>"
        f"<td>{e(format_value('road_km_' + kind, row, lang))}</td><td>{e(format_value('straight_km_' + kind, row, lang))}</td>"
        f"<td>{e(format_value('road_h_' + kind, row, lang))}</td></tr>"
        for kind in PLACE_KINDS
    )
    distance_head = "".join(
        f"<th>{t(k)}</th>"
        for k in ("distance.place", "distance.nearest", "distance.by_road", "distance.straight", "distance.drive")
    )
    extra = [
        ("field.decision", "decision"),
        ("field.district_pre2025", "district_pre2025"),
        ("field.commune", "commune"),
    ]
    figure_rows += "".join(
        f"<tr><th>{t(key)}</th><td>{e(format_value(column, row, lang))}</td></tr>" for key, column in extra
    )
    investor_rows = "".join(
        f"<tr><th>{t(key)}</th><td>{e(format_value(column, row, lang))}</td></tr>" for key, column in INVESTOR_ROWS
    )
    approx = [format_value("geometry_quality", row, lang)]
    # the record's location_basis is the data's own working note (English, file names, bearings): the sheet
    # says what it means for the reader, in the reader's language; the note stays in the data and the API
    if record.get("geometry_quality") == "approximate" and not row.get("location_only"):
        approx.append(i18n.text(lang, "factsheet.note_schematic"))
    approx += [
        i18n.text(lang, k)
        for k in ("factsheet.note_roads", "factsheet.note_drive", "factsheet.note_available", "factsheet.note_names")
    ]
    approx.append(logistics_note(lang))  # the drive-time model, stated (times on this sheet are minutes)
    table_sources = layers.get("table_sources")
    tokens = str(row.get("sources") or "").split(";")
    for name in ("infrastructure_roads", "infrastructure_destinations", "boundaries_provinces"):
        frame = layers.get(name)
        if frame is not None and "sources" in frame.columns:
            for value in dict.fromkeys(frame["sources"].dropna().astype(str)):
                tokens += value.split(";")
    if table_sources is None:  # not passed: the shipped table
        table_sources = citations.shipped_sources()
    # cited by id (issue 21): publisher, title, date, link; never a file name
    sources = citations.source_items(tokens, table_sources)
    sources += [s for s in _source_items(row.get("investor_info_sources")) if s not in sources]
    published_rows = citations.figure_rows(site_id, layers.get("table_figures"), table_sources, t("factsheet.served"))
    published = (
        f"<h2>{t('factsheet.published_figures')}</h2><table class='published'>{published_rows}</table>"
        if published_rows
        else ""
    )
    source_items = "".join(
        f"<li><a href='{e(url)}'>{e(label)}</a></li>" if url else f"<li>{e(label)}</li>" for label, url in sources[:24]
    )
    today = (date or _dt.date.today()).isoformat()
    nav = ""
    if links:
        nav = (
            "<p class='nav'>"
            + " · ".join(
                f"<a href='{e(url)}'>{t(key)}</a>"
                for key, name in (("popup.factsheet_pdf", "pdf"), ("app.title", "explorer"))
                if (url := links.get(name))
            )
            + "</p>"
        )
    heading = f"{e(row['name'])}"
    iso = layers.get("logistics_isochrones")
    iso_caption = (
        f". {t('factsheet.isochrones')}"
        if iso is not None and "zone_id" in iso.columns and (iso["zone_id"] == site_id).any()
        else ""
    )
    site_image = (
        f'<img alt="{t("factsheet.site_map")}" src="{site_map}">'
        if site_map
        else f"<p>{t('quality.location_only')}</p>"
    )
    sub = " · ".join(
        e(v) for v in (row.get("name_ascii"), format_value("kind", row, lang), format_value("status", row, lang)) if v
    )
    return f"""<!doctype html>
<html lang="{e(lang)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t("factsheet.title")} — {heading}</title>
<style>
@page {{ size: A4; margin: 11mm 12mm; }}
body {{ font-family: {i18n.FONT_STACKS[lang]}; font-size: 8pt; line-height: 1.25; color: #1d1d1d; max-width: 190mm; margin: 0 auto; }}
h1 {{ font-size: 15pt; margin: 0; }} h2 {{ font-size: 10pt; margin: 2mm 0 1mm; border-bottom: 0.3mm solid #999; }}
.kicker {{ color: #666; font-size: 8pt; margin: 0; }} .sub {{ margin: 0 0 1.5mm; color: #333; }}
table.maps {{ width: 100%; }} table.maps td {{ width: 50%; border: 0; padding: 0 1mm; }}
.maps img {{ height: 38mm; max-width: 100%; width: auto; border: 0.2mm solid #999; }} figcaption {{ font-size: 7.5pt; color: #444; }}
figure {{ margin: 0; }}
table.cols {{ width: 100%; }} table.cols > tbody > tr > td {{ width: 50%; border: 0; padding: 0 2mm 0 0; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ text-align: left; vertical-align: top; padding: 0.5mm 1mm;
border-bottom: 0.1mm solid #ddd; }} th {{ color: #444; font-weight: 600; width: 45%; }}
ul {{ margin: 0; padding-left: 4mm; }} ul.sources {{ columns: 2; column-gap: 5mm; font-size: 6pt; line-height: 1.1; }} li {{ margin: 0.3mm 0; }} ul.sources li {{ margin: 0; }} a {{ color: #174a7c; word-break: break-all; }}
table.distances {{ margin-top: 2mm; }} table.published td {{ font-size: 7pt; }} table.distances th {{ width: auto; }}
table.logistics th {{ width: 40%; }}
.date {{ color: #555; font-size: 7.5pt; margin-top: 1mm; }}
{i18n.LINE_BREAK_CSS}
</style></head><body>
{nav}<p class="kicker">{t("factsheet.title")} · geozones</p>
<h1>{heading}</h1><p class="sub">{sub}</p>
<table class="maps"><tr><td><figure><img alt="{t("factsheet.locator")}" src="{locator}"><figcaption>{t("factsheet.locator")}{iso_caption}</figcaption></figure></td>
<td><figure>{site_image}<figcaption>{t("factsheet.site_map")}. {t("factsheet.map_legend")}</figcaption></figure></td></tr></table>
<table class="cols"><tr><td><h2>{t("factsheet.figures")}</h2><table class="figures">{figure_rows}</table>
<h2>{t("factsheet.logistics")}</h2>
<table class="logistics"><thead><tr>{logistics_head}</tr></thead><tbody>{logistics_rows}</tbody></table></td>
<td><h2>{t("factsheet.investor_info")}</h2><table class="investor">{investor_rows}</table>
<h2>{t("factsheet.approximate")}</h2><ul class="approximate">{"".join(f"<li>{e(a)}</li>" for a in approx)}</ul></td></tr></table>
<table class="distances"><thead><tr>{distance_head}</tr></thead><tbody>{distance_rows}</tbody></table>
{published}
<h2>{t("factsheet.sources")}</h2><ul class="sources">{source_items}</ul>
<p class="date">{t("factsheet.date", date=today)} · {t("factsheet.generated")}</p>
</body></html>"""


def factsheet_pdf(
    zones: gpd.GeoDataFrame, table, site_id: str, *, lang: str = "vi", timeout: float | None = None, **kwargs
) -> bytes:
    """The fact sheet as an A4 PDF (WeasyPrint; text selectable, fonts embedded as subsets).

    Takes the arguments of :func:`factsheet_html`. Raises :class:`FactSheetError` when
    WeasyPrint or its system libraries are missing (message in ``lang``). The render runs in a worker
    process (:func:`pdf_from_html`) killed after ``timeout`` seconds (default ``GEOZONES_PDF_TIMEOUT_S``,
    20): :class:`~geozones.errors.BudgetError`.
    """
    from geozones import bounded

    page = factsheet_html(zones, table, site_id, lang=lang, **kwargs)
    try:
        return bounded.call(
            pdf_from_html, page, timeout=timeout, kind="pdf", what="the fact sheet PDF", warm=("weasyprint",)
        )
    except ImportError as exc:
        raise FactSheetError(f"{i18n.text(i18n.check_lang(lang), 'error.pdf_unavailable')} ({exc})") from exc


#: The only folder a rendered page may load files from: the project's bundled assets.
STATIC = Path(__file__).resolve().parent / "static"


def bundled_only_fetcher():
    """A WeasyPrint URL fetcher that loads ``data:`` URLs and files under :data:`STATIC` only.

    Everything else (``file://`` elsewhere, ``http(s)://``, ``ftp://``) is refused: WeasyPrint logs it and
    leaves the resource out, so a stored value can never make the renderer read a server file or
    call another host, whatever the escaping. Redirects are not followed.
    """
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import URLFetcher

    root = STATIC.resolve()

    class BundledOnly(URLFetcher):
        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(unquote(urlsplit(url).path)).resolve()
                if path.is_relative_to(root) and path.is_file():
                    return super().fetch(path.as_uri(), headers)
            raise ValueError(f"a fact sheet loads only data: URLs and bundled assets, not {url[:80]!r}")

    return BundledOnly(allowed_protocols=("data", "file"), allow_redirects=False, timeout=5)


def pdf_from_html(page: str) -> bytes:
    """Render an HTML page to PDF with :func:`bundled_only_fetcher` (runs in a worker process).

    Raises
    ------
    ImportError
        When WeasyPrint or its system libraries are missing.
    """
    try:
        from weasyprint import HTML
    except OSError as exc:  # missing Pango and friends
        raise ImportError(str(exc)) from None
    return HTML(string=page, url_fetcher=bundled_only_fetcher()).write_pdf()


__all__ = [
    "INVESTOR_ROWS",
    "FactSheetError",
    "bundled_only_fetcher",
    "factsheet_html",
    "factsheet_pdf",
    "pdf_from_html",
]
