"""Scenario reports for the provincial leadership: one or two scenarios side by side, in HTML and PDF.

A report holds, in Vietnamese or English: the scenario maps side by side (zone labels, new land
hatched, scale bar, VN-2000 TM-3), the indicator timeline as charts with the targets marked, the
targets with each scenario's value, status and odds of meeting them, the candidate sites' AHP ranks
with their rank stability (the sensitivity of the ranking to the weights), the assumptions, the
sources (publisher, title, date; never a file name) and the date. The PDF is the HTML laid out by
WeasyPrint on A4 or A3 landscape (real, selectable text; maps and charts as vector SVG).

The package never imports ``geozones.scenario``: the CLI turns each scenario run into a
:class:`ReportScenario` of plain tables.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from geozones.errors import InvalidParameterError
from geozones.maps.citations import cite_all
from geozones.maps.i18n import FONT_STACKS, check_lang
from geozones.maps.printmap import (
    _draw_layers,
    _draw_points,
    _draw_zones,
    _frame,
    _legend,
    _scale_bar,
    crs_note,
    draw_labels,
    draw_new_land,
    nice_length,
    print_crs,
)

PAPERS = {"a4": "A4 landscape", "a3": "A3 landscape"}
#: Timeline columns drawn as charts, in order.
CHARTS = ("total_ha", "ccn_area_ha", "ccn_count", "ccn_full_infra", "occupied_ha", "new_land_ha")
TEXT = {
    "vi": {
        "title": "Báo cáo kịch bản phát triển khu, cụm công nghiệp",
        "maps": "Bản đồ kịch bản (năm cuối)",
        "new_land": "đất mới",
        "timeline": "Diễn biến các chỉ tiêu theo năm",
        "targets": "Mục tiêu và khả năng đạt được",
        "target": "Mục tiêu",
        "year": "Năm",
        "rule": "Điều kiện",
        "value": "Giá trị",
        "status": "Kết quả",
        "odds": "Xác suất đạt",
        "pass": "đạt",
        "fail": "không đạt",
        "not assessed": "không đánh giá",
        "above the target": "cao hơn mục tiêu",
        "below the target": "thấp hơn mục tiêu",
        "odds_note": "xác suất: tỷ lệ trong {draws} lần mô phỏng Monte Carlo các giả định không chắc chắn đạt mục tiêu vào năm của nó",
        "no_odds": "chưa mô phỏng",
        "ahp": "Địa điểm đề xuất: xếp hạng AHP và độ nhạy",
        "weights": "Trọng số AHP",
        "site": "Địa điểm",
        "area": "Diện tích (ha)",
        "score": "Điểm AHP",
        "rank": "Hạng",
        "median_rank": "Hạng trung vị",
        "top_k": "Tỷ lệ trong nhóm {k} đầu",
        "ahp_note": "độ nhạy: {draws} lần rút trọng số Dirichlet quanh trọng số AHP",
        "assumptions": "Giả định",
        "sources": "Nguồn",
        "date": "Ngày lập",
        "generated": "Lập bằng geozones; mọi số liệu dẫn nguồn, hình học là gần đúng",
        "chart": {
            "total_ha": "Tổng diện tích (ha)",
            "ccn_area_ha": "Diện tích CCN (ha)",
            "ccn_count": "Số CCN",
            "ccn_full_infra": "CCN hoàn thiện hạ tầng",
            "occupied_ha": "Diện tích đã lấp đầy (ha)",
            "new_land_ha": "Đất mới (ha)",
        },
    },
    "en": {
        "title": "Industrial zone scenario report",
        "maps": "Scenario maps (end year)",
        "new_land": "new land",
        "timeline": "Indicators year by year",
        "targets": "Targets and the odds of meeting them",
        "target": "Target",
        "year": "Year",
        "rule": "Rule",
        "value": "Value",
        "status": "Result",
        "odds": "Odds",
        "pass": "pass",
        "fail": "fail",
        "not assessed": "not assessed",
        "above the target": "above the target",
        "below the target": "below the target",
        "odds_note": "odds: share of {draws} Monte Carlo draws of the uncertain assumptions meeting the target in its year",
        "no_odds": "not drawn",
        "ahp": "Candidate sites: AHP ranking and its sensitivity",
        "weights": "AHP weights",
        "site": "Site",
        "area": "Area (ha)",
        "score": "AHP score",
        "rank": "Rank",
        "median_rank": "Median rank",
        "top_k": "Share in the top {k}",
        "ahp_note": "sensitivity: {draws} Dirichlet draws of the weights around the AHP weights",
        "assumptions": "Assumptions",
        "sources": "Sources",
        "date": "Date",
        "generated": "Made with geozones; every figure cites its source, geometry is approximate",
        "chart": {
            "total_ha": "Total area (ha)",
            "ccn_area_ha": "CCN area (ha)",
            "ccn_count": "CCN (count)",
            "ccn_full_infra": "CCN with complete infrastructure",
            "occupied_ha": "Occupied land (ha)",
            "new_land_ha": "New land (ha)",
        },
    },
}
COLORS = ("#1565c0", "#c62828")


@dataclass
class ReportScenario:
    """One scenario of a report, as plain tables (what a scenario run and its odds give)."""

    id: str
    name: str
    zones: gpd.GeoDataFrame
    base: gpd.GeoDataFrame
    timeline: pd.DataFrame
    targets: pd.DataFrame
    odds: pd.DataFrame | None = None
    candidates: pd.DataFrame | None = None
    weights: pd.Series | None = None
    assumptions: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    draws: int = 0
    description: str = ""


def _svg(fig) -> str:
    import matplotlib
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text stays text: selectable, found by search
        fig.savefig(buffer, format="svg", bbox_inches="tight", pad_inches=0.03)
    plt.close(fig)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue().encode("utf-8")).decode("ascii")


def scenario_map(item: ReportScenario, layers: dict, lang: str, size: tuple[float, float]) -> tuple[str, float]:
    """The end-year zones of a scenario with labels and new land hatched, as an SVG data URL; new land ha."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    zones = item.zones[item.zones["status"].ne("retired")] if "status" in item.zones.columns else item.zones
    crs = print_crs(zones)
    metric = zones.to_crs(crs)
    fig, ax = plt.subplots(figsize=size)
    _draw_layers(ax, layers, crs)
    polygons = _draw_zones(ax, metric)
    _draw_points(ax, zones, crs)
    added = draw_new_land(ax, metric, item.base, crs)
    _frame(ax, polygons, zones, crs, size[0] / size[1])
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([]), ax.set_yticks([])
    ax.set_xlabel(""), ax.set_ylabel("")
    fig.canvas.draw()
    x0, x1 = ax.get_xlim()
    _scale_bar(ax, nice_length(x1 - x0))
    draw_labels(ax, metric, fontsize=6)
    _legend(ax, zones, lang, new_land=added > 0)
    ax.set_title(item.name, fontsize=9)
    return _svg(fig), added


def timeline_charts(items: list[ReportScenario], lang: str, size: tuple[float, float]) -> str:
    """Small multiples of the indicator timeline, one line per scenario, targets marked at their year."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    text = TEXT[lang]
    columns = [c for c in CHARTS if any(c in item.timeline.columns for item in items)]
    ncols = 3
    nrows = int(np.ceil(len(columns) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=size, squeeze=False)
    for ax, column in zip(axes.ravel(), columns):
        for colour, item in zip(COLORS, items):
            if column in item.timeline.columns:
                series = item.timeline[column].astype(float)
                ax.plot(series.index, series.to_numpy(), marker="o", markersize=3, color=colour, label=item.name)
        for item in items[:1]:
            mine = item.targets[item.targets["indicator"] == column] if len(item.targets) else item.targets
            for _, target in mine.iterrows():
                ax.plot(target["year"], target["value"], marker="*", markersize=10, color="#f9a825", zorder=5)
                ax.annotate(
                    str(target["rule"]), (target["year"], target["value"]), fontsize=6, xytext=(3, 3),
                    textcoords="offset points",
                )  # fmt: skip
        ax.set_title(text["chart"][column], fontsize=8)
        ax.tick_params(labelsize=6)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(columns) :]:
        ax.axis("off")
    handles, labels = axes.ravel()[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(items), fontsize=7, frameon=False)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return _svg(fig)


def _status(value, text) -> str:
    return text.get(str(value), str(value))


def _fmt(value, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "—"
    number = float(value)
    return f"{number:,.0f}" if number == int(number) and abs(number) >= 1 else f"{number:,.{digits}f}"


def targets_table(items: list[ReportScenario], lang: str) -> str:
    """Targets by name with each scenario's value, result and odds of meeting it in its year."""
    text, e = TEXT[lang], html.escape
    first = items[0].targets
    head = f"<th>{e(text['target'])}</th><th>{e(text['year'])}</th><th>{e(text['rule'])}</th>"
    for item in items:
        head += f"<th>{e(item.name)}: {e(text['value'])}</th><th>{e(text['status'])}</th><th>{e(text['odds'])}</th>"
    rows = []
    for _, target in first.iterrows():
        name = (
            target.get("name_vi") if lang == "vi" and target.get("name_vi") else target.get("name") or target["target"]
        )
        cells = f"<td>{e(str(name))}</td><td>{int(target['year'])}</td><td>{e(str(target['rule']))}</td>"
        for item in items:
            mine = item.targets.set_index("target")
            if target["target"] not in mine.index:
                cells += "<td>—</td><td>—</td><td>—</td>"
                continue
            row = mine.loc[target["target"]]
            status = _status(row["status"], text) + (f" ({_status(row['note'], text)})" if row["note"] in text else "")
            odds = text["no_odds"]
            if item.odds is not None and len(item.odds):
                hit = item.odds[(item.odds["target"] == target["target"]) & (item.odds["year"] == target["year"])]
                if len(hit):
                    odds = f"{100 * float(hit['probability'].iloc[0]):.0f} %"
            cells += f"<td>{e(_fmt(row['scenario_value']))}</td><td class='{e(str(row['status']))}'>{e(status)}</td>"
            cells += f"<td>{e(odds)}</td>"
        rows.append(f"<tr>{cells}</tr>")
    draws = max((item.draws for item in items), default=0)
    note = f"<p class='note'>{e(text['odds_note'].format(draws=draws))}</p>" if draws else ""
    return f"<table class='targets'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{note}"


def candidates_table(item: ReportScenario, lang: str) -> str:
    """The AHP weights and the candidate sites' ranks with their stability."""
    text, e = TEXT[lang], html.escape
    if item.candidates is None or not len(item.candidates):
        return ""
    k = item.candidates.attrs.get("k", 3)
    draws = item.candidates.attrs.get("draws", "")
    weights = ""
    if item.weights is not None:
        weights = (
            f"<table class='weights'><tr><th>{e(text['weights'])}</th>"
            + "".join(f"<td>{e(str(n))}: {float(w):.3f}</td>" for n, w in item.weights.items())
            + "</tr></table>"
        )
    head = "".join(
        f"<th>{e(h)}</th>"
        for h in (
            text["site"], text["area"], text["score"], text["rank"], text["median_rank"], text["top_k"].format(k=k),
        )
    )  # fmt: skip
    rows = "".join(
        f"<tr><td>{e(str(r['name']))}</td><td>{_fmt(r['area_ha'], 1)}</td><td>{_fmt(r['ahp_score'], 3)}</td>"
        f"<td>{_fmt(r['base_rank'])}</td><td>{_fmt(r['median_rank'])}</td><td>{100 * float(r['top_k_share']):.0f} %</td></tr>"
        for _, r in item.candidates.iterrows()
    )
    note = f"<p class='note'>{e(text['ahp_note'].format(draws=draws))}</p>"
    return f"<h3>{e(item.name)}</h3>{weights}<table class='ranks'><tr>{head}</tr>{rows}</table>{note}"


def report_html(
    items: list[ReportScenario],
    *,
    layers: dict[str, gpd.GeoDataFrame] | None = None,
    lang: str = "vi",
    paper: str = "a4",
    date: _dt.date | None = None,
) -> str:
    """The report as one standalone HTML page (maps and charts inlined as SVG)."""
    lang = check_lang(lang)
    if lang not in TEXT:
        raise InvalidParameterError(f"scenario reports are in vi or en, not {lang}")
    if paper not in PAPERS:
        raise InvalidParameterError(f"paper must be a4 or a3, not {paper!r}")
    if not 1 <= len(items) <= 2:
        raise InvalidParameterError("a report shows one or two scenarios")
    text, e = TEXT[lang], html.escape
    width_in = 11.0 if paper == "a4" else 15.6
    map_size = (width_in / len(items) - 0.2, (width_in * 0.58 if len(items) == 1 else width_in / 2 * 0.95))
    figures = []
    for item in items:
        image, added = scenario_map(item, layers or {}, lang, map_size)
        figures.append(
            f"<td><figure><img alt='{e(item.name)}' src='{image}'><figcaption>{e(item.name)} — "
            f"{e(text['new_land'])}: {added:,.1f} ha</figcaption></figure></td>"
        )
    charts = timeline_charts(items, lang, (width_in, width_in * 0.42))
    assumptions = "".join(f"<li><b>{e(item.name)}</b>: {e(line)}</li>" for item in items for line in item.assumptions)
    tokens = [s for item in items for s in item.sources]
    tokens += [s for item in items for s in item.targets.get("source", pd.Series(dtype=object)).tolist()]
    tokens += [s for item in items for s in item.zones.get("sources", pd.Series(dtype=object)).tolist()]
    sources = "".join(f"<li>{e(s)}</li>" for s in cite_all(tokens))
    crs = crs_note(print_crs(items[0].zones), lang)
    today = (date or _dt.date.today()).isoformat()
    names = " · ".join(e(item.name) for item in items)
    candidates = "".join(candidates_table(item, lang) for item in items)
    ahp = f"<h2>{e(text['ahp'])}</h2>{candidates}" if candidates else ""
    size = "A4 landscape" if paper == "a4" else "A3 landscape"
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{e(text["title"])} — {names}</title>
<style>
@page {{ size: {size}; margin: 10mm 11mm 12mm; @bottom-left {{ content: "{_css(text["date"])}: {today} · {_css(crs)}";
font-size: 6.5pt; color: #555; }} @bottom-right {{ content: counter(page) " / " counter(pages); font-size: 7pt; }} }}
body {{ font-family: {FONT_STACKS[lang]}; font-size: 8.5pt; color: #1d1d1d; }}
h1 {{ font-size: 15pt; margin: 0 0 1mm; }} h2 {{ font-size: 11pt; margin: 3mm 0 1.5mm; border-bottom: 0.3mm solid #999;
break-after: avoid; }} h3 {{ font-size: 9pt; margin: 2mm 0 1mm; }}
.sub {{ color: #444; margin: 0 0 2mm; }} table {{ border-collapse: collapse; width: 100%; }}
table.maps td {{ width: {100 // len(items)}%; vertical-align: top; border: 0; }} img {{ max-width: 100%; }}
figure {{ margin: 0; }} figcaption {{ font-size: 7.5pt; color: #333; }}
th, td {{ text-align: left; padding: 0.6mm 1.2mm; border-bottom: 0.1mm solid #ddd; vertical-align: top; }}
th {{ background: #f3f3f3; }} td.pass {{ color: #1b5e20; font-weight: 600; }} td.fail {{ color: #b71c1c; font-weight: 600; }}
.note {{ font-size: 7pt; color: #555; margin: 1mm 0; }} ul {{ margin: 0; padding-left: 4mm; }} li {{ margin: 0.4mm 0; }}
section {{ break-inside: avoid; }} .page {{ break-before: page; }}
</style></head><body>
<h1>{e(text["title"])}</h1><p class="sub">{names} · {e(text["date"])}: {today}</p>
<h2>{e(text["maps"])}</h2><table class="maps"><tr>{"".join(figures)}</tr></table>
<p class="note">{e(crs)}</p>
<section class="page"><h2>{e(text["timeline"])}</h2><img alt="{e(text["timeline"])}" src="{charts}"></section>
<section class="page"><h2>{e(text["targets"])}</h2>{targets_table(items, lang)}</section>
{ahp}
<h2>{e(text["assumptions"])}</h2><ul class="assumptions">{assumptions}</ul>
<h2>{e(text["sources"])}</h2><ul class="sources">{sources}</ul>
<p class="note">{e(text["generated"])} · {e(text["date"])}: {today}</p>
</body></html>"""


def _css(value: str) -> str:
    """Text for a CSS string: backslashes, quotes and line breaks escaped (no HTML entities there)."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")


def report_pdf(items: list[ReportScenario], **kwargs) -> bytes:
    """The report laid out by WeasyPrint (A4 or A3 landscape; text selectable, fonts embedded)."""
    page = report_html(items, **kwargs)
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # pragma: no cover - depends on the system
        from geozones.maps.factsheet import FactSheetError

        raise FactSheetError(f"PDF needs WeasyPrint and pango ({exc})") from exc
    return HTML(string=page).write_pdf()


__all__ = ["PAPERS", "ReportScenario", "report_html", "report_pdf"]
