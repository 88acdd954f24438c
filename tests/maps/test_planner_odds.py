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
    # the uncertainty of the suitability (std over the draws) is an overlay, its range in the legend
    import numpy as np
    import pandas as pd
    import rasterio

    with rasterio.open(rasters / "suitability_std.tif") as src:
        std = src.read(1, masked=True)
    assert "Standard deviation of the suitability over the weight draws" in html
    assert f"{float(std.min()):.3f} – {float(std.max()):.3f}" in html
    # the candidate sites' rank stability: a panel in rank order, with the draws and k it counts
    sites = pd.read_csv(rasters / "suitability_sites.csv").sort_values("base_rank")
    assert (sites["top_k"] == 3).all() and (sites["draws"] == 10).all()
    assert "Rank stability of the candidate sites" in html and "10 Dirichlet weight draws; share in the top 3" in html
    # the panel is a Leaflet control: its HTML is a JSON string in the page's script
    shown = html.replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&").replace('\\"', '"')
    panel = shown[shown.index("Rank stability of the candidate sites") :]
    panel = panel[: panel.index("</table>")]
    names = dict(zip(store.zones()["id"], store.zones()["name"]))
    positions = [panel.index(f"<tr><th>{names[i]}</th>") for i in sites["id"]]
    assert positions == sorted(positions)
    first = sites.iloc[0]
    assert f"<td>{first['ahp_score']:.3f}</td><td>1</td>" in panel
    assert np.isclose(sites["top_k_share"].between(0, 1).mean(), 1.0)
