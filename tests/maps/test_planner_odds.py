"""The planner map shows the odds of meeting targets by year and the Monte Carlo top-share raster."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]


def test_scenario_odds_and_sensitivity_reach_the_planner_map(store, tmp_path):
    from geozones.cli import app

    runner = CliRunner()
    base = ["--store", str(store.path)]
    result = runner.invoke(
        app, base + ["scenario", "run", str(ROOT / "scenarios" / "bac-kan-2030.yaml"), "--draws", "8", "--seed", "4"]
    )
    assert result.exit_code == 0, result.output
    assert "Probability of meeting each target" in result.output and "odds_bac_kan_2030" in result.output
    from geozones.store import odds_table

    odds = odds_table(store, "bac-kan-2030")
    assert set(odds["year"]) == set(range(2021, 2031)) and (odds["seed"] == 4).all()
    rasters = Path(store.path).parent / "rasters"
    result = runner.invoke(
        app,
        base
        + [
            "scenario",
            "suitability",
            str(ROOT / "scenarios" / "suitability" / "bac-kan.yaml"),
            "--out",
            str(rasters),
            "--draws",
            "10",
        ],
    )
    assert result.exit_code == 0, result.output
    out = tmp_path / "planner.html"
    result = runner.invoke(app, base + ["map", str(out), "--scenario", "bac-kan-2030", "--lang", "en"])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "Probability of meeting each target, by year" in html and "gz-odds" in html
    # the table shows each target's probability in each year, the deadline year outlined
    occupancy = odds[(odds["target"] == "bk-target-ccn-occupancy-2025") & (odds["year"] == 2025)]
    assert f"{occupancy['probability'].iloc[0]:.0%}" in html and "gz-deadline" in html
    assert "Share of weight draws with the cell in the most suitable set" in html
