"""Scenario reports: the PDF's text holds the labels, targets and sources; its pages render and are not blank."""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap

import numpy as np
import pandas as pd
import pytest

from geozones.maps.report import ReportScenario, report_html, report_pdf
from geozones.scenario import loads_scenario, run_scenario
from geozones.schema import validate_zones
from tests.helpers.zonefactory import bac_kan_squares

PLAN = textwrap.dedent("""\
    id: report-test
    name: Test plan A
    province: Bắc Kạn
    start_year: 2026
    end_year: 2028
    sources: [seed:001_fbd537d986e07fda.txt]
    actions:
      - {action: grow, year: 2027, zone: z2, by_ha: 16, assumption: an assumed growth of Thử 2}
    targets:
      - {id: area-2028, name: CCN area at least 140 ha by 2028, name_vi: Diện tích CCN tối thiểu 140 ha năm 2028,
         indicator: ccn_area_ha, year: 2028, operator: ">=", value: 140, unit: ha,
         source: "Báo Bắc Kạn, “Bắc Kạn thu hút nguồn lực phát triển công nghiệp, tiểu thủ công nghiệp”, 28/11/2023"}
    """)
NO_TABLE = pd.DataFrame(
    columns=["id", "province_pre2025", "indicator", "operator", "value", "value_max", "unit", "year", "source"]
)


def item(name: str, by_ha: float) -> ReportScenario:
    zones = validate_zones(bac_kan_squares(status="established"))
    scenario = loads_scenario(PLAN.replace("Test plan A", name).replace("by_ha: 16", f"by_ha: {by_ha}"))
    result = run_scenario(scenario, zones=zones, targets=NO_TABLE, infra={})
    odds = pd.DataFrame({"target": ["area-2028"], "year": [2028], "probability": [0.25]})
    candidates = pd.DataFrame(
        {
            "id": ["c1", "c2"],
            "name": ["Candidate North", "Candidate South"],
            "area_ha": [30.0, 30.0],
            "ahp_score": [0.61, 0.42],
            "base_rank": [1, 2],
            "median_rank": [1, 2],
            "top_k_share": [0.9, 0.4],
        }
    )
    candidates.attrs.update({"k": 1, "draws": 500})
    return ReportScenario(
        id=scenario.id,
        name=name,
        zones=result.layer(),
        base=result.base.to_crs(4326),
        timeline=result.timeline,
        targets=result.targets,
        odds=odds,
        candidates=candidates,
        weights=pd.Series({"road": 0.75, "grid": 0.25}),
        assumptions=[f"2027 grow z2: an assumed growth of Thử 2 by {by_ha} ha"],
        sources=list(scenario.sources),
        draws=50,
    )


@pytest.fixture(scope="module")
def items():
    return [item("Test plan A", 16), item("Test plan B", 4)]


def text_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None, reason="needs poppler")
@pytest.mark.parametrize("lang, paper, size", [("en", "a4", (842, 595)), ("vi", "a3", (1191, 842))])
def test_report_pdf_holds_labels_targets_sources_and_renders(items, tmp_path, lang, paper, size):
    import PIL.Image

    pdf = report_pdf(items, lang=lang, paper=paper)
    text = text_of(pdf, tmp_path)
    flat = " ".join(text.split())
    # zone labels drawn on the maps, both scenarios' names side by side
    assert "Cụm công nghiệp Thử 0" in flat and "Test plan A" in flat and "Test plan B" in flat
    # targets by name with value, result and odds: A reaches 129 + 16 = 145 ha (pass), B 133 ha (fail)
    name = "Diện tích CCN tối thiểu 140 ha năm 2028" if lang == "vi" else "CCN area at least 140 ha by 2028"
    assert name in flat and "25 %" in flat
    assert ("đạt" if lang == "vi" else "pass") in flat and ("không đạt" if lang == "vi" else "fail") in flat
    assert "Candidate North" in flat and "0.610" in flat  # the AHP ranking and its stability
    assert "an assumed growth of Thử 2 by 16 ha" in flat  # assumptions
    assert "Bắc Kạn thu hút nguồn lực phát triển công nghiệp" in flat  # a source by its title ...
    assert "seed:" not in flat and "facts.md" not in flat and ".txt" not in flat  # ... never a file name
    assert "EPSG:9213" in flat and "UTM" not in flat
    # the pages render (poppler) at the paper size, and none is blank
    pdf_path = tmp_path / "r.pdf"
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf_path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 3
    info = subprocess.run(["pdfinfo", str(pdf_path)], capture_output=True, text=True, check=True).stdout
    width, height = (float(v) for v in re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert (width, height) == pytest.approx(size, abs=1)  # A4 / A3 landscape in points (297 x 210 mm, 420 x 297 mm)
    for page in pages:
        pixels = np.asarray(PIL.Image.open(page).convert("L"), dtype=float)
        assert pixels.std() > 5  # something is drawn on every page
    first = np.asarray(PIL.Image.open(pages[0]).convert("RGB"), dtype=int)
    yellow = (first[..., 0] > 200) & (first[..., 1] > 170) & (first[..., 2] < 110)  # established #fdd835
    magenta = (first[..., 0] > 150) & (first[..., 2] > 60) & (first[..., 1] < 90)
    assert yellow.sum() > 20  # established zones in their status colour on the maps
    assert magenta.sum() > 0  # new land hatched


def test_report_html_is_standalone_and_escapes_names(items):
    evil = item("<script>alert(1)</script>", 4)
    page = report_html([evil], lang="en")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "http://" not in page.replace("http://www.w3.org", "")  # nothing fetched from the network


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler")
def test_print_map_has_labels_new_land_and_a_tm3_note(items, tmp_path):
    from geozones import maps

    a = items[0]
    out = maps.print_map(a.zones, tmp_path / "print.pdf", baseline=a.base, lang="en", title="Plan A")
    flat = " ".join(text_of(out.read_bytes(), tmp_path).split())
    assert "Cụm công nghiệp Thử 0" in flat and "Cụm công nghiệp Thử 2" in flat  # zone labels
    assert "New land" in flat  # the legend entry of the hatched new land
    assert "EPSG:9213" in flat and "UTM" not in flat
    assert "seed:" not in flat and "facts.md" not in flat  # sources by title, never a file name


def test_cli_report_of_the_shipped_programme(store, tmp_path):
    from typer.testing import CliRunner

    from geozones.cli import app
    from tests.helpers.tools import ROOT

    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        app,
        ["--store", str(store.path), "scenario", "report", str(ROOT / "scenarios" / "bac-kan-2021-2025.yaml"), str(out),
         "--lang", "en", "--draws", "2"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "CCN total area about 150 ha by 2025" in page and "above the target" in page
    assert "Sở Kế hoạch và Đầu tư tỉnh Bắc Kạn" in page and "seed:" not in page
    bad = CliRunner().invoke(app, ["--store", str(store.path), "scenario", "report", str(out)])
    assert bad.exit_code == 2 and "one or two scenario files" in bad.output
