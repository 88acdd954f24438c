"""Spreadsheet-safe CSV cells (OWASP CSV injection) in every CSV file geozones writes."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from geozones.io.csvcells import csv_cell, restore_cell, safe_frame, write_csv

FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_text_gets_a_quote_and_numbers_stay(text):
    assert csv_cell(text) == "'" + text
    assert restore_cell(csv_cell(text, reversible=True)) == text
    assert csv_cell(-12.5) == -12.5 and csv_cell(-3) == -3 and csv_cell(None) is None
    assert csv_cell("plain") == "plain" and csv_cell("") == ""
    assert csv_cell("'quoted") == "'quoted" and restore_cell(csv_cell("'quoted", reversible=True)) == "'quoted"


def test_write_csv_neutralises_text_cells_index_and_header_but_not_numbers(tmp_path):
    frame = pd.DataFrame({"name": ["=cmd|' /C calc'!A0", "ok"], "=col": [-1.5, 2.0]}, index=["-idx", "b"])
    path = tmp_path / "t.csv"
    write_csv(frame, path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows == [["", "name", "'=col"], ["'-idx", "'=cmd|' /C calc'!A0", "-1.5"], ["b", "ok", "2.0"]]
    assert frame["name"].iloc[0].startswith("=")  # the caller's frame is not changed
    assert safe_frame(frame)["'=col"].tolist() == [-1.5, 2.0]


def test_layer_csv_and_shapefile_sidecars(tmp_path):
    from geozones.io import read_layer, to_file
    from tests.helpers.zonefactory import bac_kan_squares

    zones = bac_kan_squares(sides_m=(1000.0, 500.0))
    zones["name"] = ['=HYPERLINK("http://x","y")', "'s-Hertogenbosch"]
    zones["location_basis"] = ["=" + "x" * 400, "-" + "y" * 300]  # too long for dBASE: .longtext.csv
    to_file(zones, tmp_path / "z.csv")
    rows = list(csv.DictReader(open(tmp_path / "z.csv", encoding="utf-8")))
    assert [r["name"] for r in rows] == ['\'=HYPERLINK("http://x","y")', "'s-Hertogenbosch"]
    assert rows[1]["location_basis"] == "'-" + "y" * 300
    to_file(zones, tmp_path / "z.shp")
    sidecar = list(csv.reader(open(tmp_path / "z.longtext.csv", encoding="utf-8")))
    assert not [c for r in sidecar for c in r if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    back = read_layer(tmp_path / "z.shp")
    assert back["location_basis"].tolist() == zones["location_basis"].tolist()  # the sidecar restores exactly
