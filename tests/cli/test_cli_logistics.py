"""``geozones logistics zones|refresh``: minutes and catchments printed with the model; isochrones stored."""

from __future__ import annotations

from typer.testing import CliRunner

from geozones.cli import app


def test_zones_prints_minutes_the_model_and_far_sites(store, tmp_path):
    out = tmp_path / "reach.csv"
    result = CliRunner().invoke(
        app, ["--store", str(store.path), "logistics", "zones", "--vehicle", "truck", "--csv", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Drive times (truck) are a model" in result.output and "far from mapped roads" in result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("zone_id,") and "min_ha_noi_centre" in text and "pop_30min" in text
    bad = CliRunner().invoke(app, ["--store", str(store.path), "logistics", "zones", "--vehicle", "bike"])
    assert bad.exit_code != 0


def test_refresh_writes_the_isochrone_layer(store):
    result = CliRunner().invoke(app, ["--store", str(store.path), "logistics", "refresh"])
    assert result.exit_code == 0, result.output
    layer = store.layer("logistics_isochrones")
    assert set(layer["vehicle"]) == {"car", "truck"} and set(layer["minutes"]) == {15.0, 30.0, 45.0, 60.0}
    assert layer["model"].str.contains("assumed speeds").all()
