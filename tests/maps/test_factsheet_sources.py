"""Issue 21: a fact sheet shows each published figure with its source link and date, the served one marked,
and cites sources by publisher, title and date — never by a file name — in the HTML and in the PDF text."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from geozones.cli import app

FILE_LIKE = re.compile(r"seed:|realdata:|facts\.md|\.txt\b|\.geojson\b|_[0-9a-f]{16}")


def _sheet(built_store, tmp_path, zone_id: str, suffix: str) -> str:
    out = tmp_path / f"{zone_id}.{suffix}"
    result = CliRunner().invoke(app, ["--store", str(built_store.path), "factsheet", zone_id, str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    return str(out)


def test_factsheet_html_lists_every_figure_with_its_source_and_date(built_store, tmp_path):
    pytest.importorskip("matplotlib")
    page = open(_sheet(built_store, tmp_path, "ls-kcn-dong-banh", "html"), encoding="utf-8").read()
    published = page[page.index("Published figures") : page.index('class="sources"')]
    # the three published areas of Đồng Bành, each with its date; the served one (Báo Lạng Sơn 2019) marked
    assert "over 321 ha <strong>served</strong>" in published
    assert "about 162 ha" in published and "200 ha" in published
    assert "Báo Lạng Sơn (LSO), 2020-05-29" in published and "2019-07-15" in published
    sources = page[page.index('class="sources"') :]
    assert "UBND tỉnh họp về tình hình đầu tư, sản xuất, phát triển công nghiệp" in sources
    assert "Open Development Vietnam" in sources  # the boundary dataset, not its file name
    assert not FILE_LIKE.search(re.sub(r"href='[^']*'", "", sources))
    # a source with a URL is a link
    vsip = open(_sheet(built_store, tmp_path, "ls-kcn-huu-lung", "html"), encoding="utf-8").read()
    assert (
        "href='https://news.laodong.vn/bat-dong-san/lang-son-thuc-tien-do-trien-khai-khu-cum-cong-nghiep-1539684.ldo'"
        in vsip
    )


def test_factsheet_pdf_text_has_the_citations(built_store, tmp_path):
    pytest.importorskip("weasyprint")
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler's pdftotext is not installed")
    pdf = _sheet(built_store, tmp_path, "tn-kcn-phu-binh", "pdf")
    text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert "675 ha" in flat and "CafeF" in flat and "2025-12-19" in flat
    assert not FILE_LIKE.search(flat)
