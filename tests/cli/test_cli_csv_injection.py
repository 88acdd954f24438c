"""The command line's CSV files neutralise formula cells (OWASP CSV injection) like the server's."""

from __future__ import annotations

import csv

from typer.testing import CliRunner

from geozones.cli import app

PAYLOAD = '=HYPERLINK("http://x","y")'


def test_totals_and_reconcile_csv_neutralise_a_stored_formula_name(store, tmp_path):
    zone = "bk-ccn-cam-giang"
    store.update_zone(zone, {"properties": {"name": PAYLOAD}}, if_match=store.get_zone(zone).etag, actor="t")
    runner = CliRunner()
    totals = tmp_path / "totals.csv"
    result = runner.invoke(app, ["--store", str(store.path), "totals", "--by", "name", "--csv", str(totals)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(open(totals, encoding="utf-8")))
    assert ["'" + PAYLOAD] == [r[0] for r in rows if "HYPERLINK" in r[0]]  # the index column
    reconciled = tmp_path / "reconcile.csv"
    runner.invoke(app, ["--store", str(store.path), "reconcile", "--csv", str(reconciled)])
    rows = list(csv.DictReader(open(reconciled, encoding="utf-8")))
    assert next(r for r in rows if r["id"] == zone)["name"] == "'" + PAYLOAD
    numbers = [r["rel_diff"] for r in rows if r["rel_diff"]]
    assert numbers and [float(n) for n in numbers]  # numbers stay numbers (a negative one without a quote)
    cells = [c for path in (totals, reconciled) for r in csv.reader(open(path, encoding="utf-8")) for c in r]
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]
    assert not [c for c in cells if c.startswith("-") and not _is_number(c)]  # only plain negative numbers


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
