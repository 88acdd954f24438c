"""validate and store import check where zones lie: a misplaced, an overlapping and a badly named
zone each fail with the zone and the fix named; --allow accepts what the user means."""

from __future__ import annotations

import geopandas as gpd
import pyogrio
import pyproj
import pytest
from typer.testing import CliRunner

from geozones.cli import app
from geozones.crs import TOWGS84_RAW_SIGNS
from geozones.io import to_file
from geozones.schema import validate_zones
from geozones.store import GeoPackageStore
from tests.helpers.zonefactory import bac_kan_squares


def _run(store, *args):
    return CliRunner().invoke(app, ["--store", str(store.path), *args])


def test_misplaced_zone_fails_validate_and_import_until_allowed(tmp_path, store):
    # Bắc Kạn coordinates read with Lạng Sơn's CRS: the zone lands 0.75° east, outside Bắc Kạn
    misplaced = bac_kan_squares().to_crs(9213).set_crs(9215, allow_override=True).iloc[:1]
    path = to_file(misplaced, tmp_path / "misplaced.gpkg")
    result = _run(store, "validate", str(path))
    assert result.exit_code == 2
    assert "record 'z0'" in result.output and "outside the province it names (Bắc Kạn)" in result.output
    assert "EPSG:9213" in result.output and "--allow province" in result.output
    before = len(store.zones())
    assert _run(store, "store", "import", str(path)).exit_code == 2
    assert len(GeoPackageStore(store.path).zones()) == before  # nothing written
    result = _run(store, "store", "import", str(path), "--allow", "province", "--allow", "district")
    assert result.exit_code == 0, result.output
    assert len(GeoPackageStore(store.path).zones()) == before + 1


def test_zone_drawn_over_a_stored_zone_of_another_park(tmp_path, store):
    stored = store.zones().set_index("id").loc[["bk-ccn-quang-chu"]].reset_index()
    intruder = stored.assign(id="bk-ccn-moi", name="CCN Mới", name_ascii="CCN Moi", zone_group="Mới")
    path = to_file(intruder, tmp_path / "intruder.geojson")
    result = _run(store, "store", "import", str(path))
    assert result.exit_code == 2
    assert "record 'bk-ccn-moi'" in result.output and "overlaps zone 'bk-ccn-quang-chu'" in result.output
    assert "a copy of one zone" in result.output
    # a copy claiming the park's zone_group is still a copy (issue 20 item 8: it doubled the totals)
    copy = intruder.assign(zone_group=stored["zone_group"].iloc[0], phase="II")
    path = to_file(copy, tmp_path / "copy.geojson")
    result = _run(store, "store", "import", str(path))
    assert result.exit_code == 2, result.output
    assert "share 100% of their combined area" in result.output and "--allow overlap" in result.output
    assert "bk-ccn-moi" not in set(GeoPackageStore(store.path).zones()["id"])
    # a new phase of the same park may share some of its ground: moved east by half its width, it
    # shares about a fifth of the park's outline, an eighth of their union (under the 50 % of a copy)
    metric = copy.to_crs(9213)
    minx, _, maxx, _ = metric.total_bounds
    phase = metric.set_geometry(metric.translate(xoff=0.5 * (maxx - minx))).to_crs(4326)
    own, moved = metric.geometry.iloc[0], phase.to_crs(9213).geometry.iloc[0]
    assert 0.05 < own.intersection(moved).area / own.union(moved).area < 0.3
    path = to_file(phase, tmp_path / "phase.geojson")
    result = _run(store, "store", "import", str(path), "--allow", "area")
    assert result.exit_code == 0, result.output


def test_badly_named_zone(tmp_path, store):
    path = to_file(bac_kan_squares().iloc[:1].assign(id="Bad ID!"), tmp_path / "bad.gpkg")
    result = _run(store, "validate", str(path))
    assert result.exit_code == 2
    assert "record 'Bad ID!'" in result.output and "rename it, e.g. to 'bad-id'" in result.output
    assert _run(store, "validate", str(path), "--allow", "id").exit_code == 0
    assert "choose from" in _run(store, "validate", str(path), "--allow", "everything").output


def test_field_map_on_the_command_line_and_unmapped_columns_listed(tmp_path, store):
    # TEN_KCN is a built-in office alias (of name); TINH_CU and DU_AN are not
    zones = bac_kan_squares().iloc[:1].rename(columns={"name": "TEN_KCN", "province_pre2025": "TINH_CU"})
    path = tmp_path / "survey.shp"
    pyogrio.write_dataframe(zones.assign(DU_AN="x"), path, encoding="UTF-8")
    result = _run(store, "validate", str(path))
    assert result.exit_code == 2 and "'TINH_CU', 'DU_AN' (unmapped columns)" in result.output
    assert "read office columns as schema fields: TEN_KCN → name" in result.output
    result = _run(store, "validate", str(path), "--field-map", "TINH_CU=province_pre2025", "--allow-extra")
    assert result.exit_code == 0, result.output
    assert "unmapped columns kept as extra attributes: DU_AN" in result.output
    assert "--field-map" in _run(store, "validate", str(path), "--field-map", "TEN_KCN").output


@pytest.mark.parametrize("variant", ["raw-signs"])
def test_python_warnings_are_one_clean_line(tmp_path, store, variant):
    zones = bac_kan_squares().to_crs(9213).iloc[:1]
    path = tmp_path / "zones.shp"
    pyogrio.write_dataframe(zones, path, encoding="UTF-8")
    towgs84 = ",".join(str(v) for v in TOWGS84_RAW_SIGNS)
    definition = pyproj.CRS.from_proj4(
        f"+proj=tmerc +lat_0=0 +lon_0=106.5 +k=0.9999 +x_0=500000 +y_0=0 "
        f"+ellps=WGS84 +towgs84={towgs84} +units=m +no_defs"
    )
    path.with_suffix(".prj").write_text(definition.to_wkt("WKT1_ESRI"))
    result = _run(store, "validate", str(path))
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "warning" in line.lower()]
    assert len(lines) == 1 and lines[0].startswith("warning: VN2000DefinitionWarning: ")
    assert "raw rotation signs" in lines[0] and "warnings.warn" not in result.output and ".py:" not in result.output
    assert isinstance(gpd.read_file(path), gpd.GeoDataFrame)


def test_an_unknown_province_fails_validate_and_import_naming_the_known_ones(tmp_path, store):
    path = to_file(bac_kan_squares(province_pre2025="Atlantis").iloc[:1], tmp_path / "atlantis.geojson")
    for command in (["validate"], ["store", "import"]):
        result = _run(store, *command, str(path))
        assert result.exit_code == 2, result.output
        assert "province 'Atlantis' has no boundary" in result.output and "Bắc Kạn" in result.output
        assert "--allow province" in result.output and "✓" not in result.output
    assert "z0" not in set(GeoPackageStore(store.path).zones()["id"])


def test_scale_import_checks_placement_like_store_import(tmp_path, store):
    import pandas as pd

    from geozones.io.geoparquet import write_geoparquet

    zones = store.zones()
    # the store's own zones go back in unchanged
    same, doubled, moved = (tmp_path / f"{name}.parquet" for name in ("same", "copy", "moved"))
    write_geoparquet(zones, same)
    assert _run(store, "scale", "import", str(same), "zones").exit_code == 0
    # a copy of a zone under a new id (same zone_group) is refused, as `store import` refuses it
    copy = zones[zones["id"] == "bk-ccn-quang-chu"].assign(id="bk-ccn-quang-chu-2")
    write_geoparquet(pd.concat([zones, copy], ignore_index=True), doubled)
    version = GeoPackageStore(store.path).version()
    result = _run(store, "scale", "import", str(doubled), "zones")
    assert result.exit_code == 2, result.output
    assert "record 'bk-ccn-quang-chu-2'" in result.output and "--allow overlap" in result.output
    after = GeoPackageStore(store.path)
    assert after.version() == version and len(after.zones()) == len(zones)
    # so is a misplaced zone (Bắc Kạn coordinates read with Lạng Sơn's CRS)
    misplaced = validate_zones(bac_kan_squares().to_crs(9213).set_crs(9215, allow_override=True).iloc[:1])
    write_geoparquet(pd.concat([zones, misplaced.to_crs(zones.crs)], ignore_index=True), moved)
    result = _run(store, "scale", "import", str(moved), "zones")
    assert result.exit_code == 2 and "outside the province it names (Bắc Kạn)" in result.output
    result = _run(store, "scale", "import", str(doubled), "zones", "--allow", "overlap")
    assert result.exit_code == 0, result.output
    assert len(GeoPackageStore(store.path).zones()) == len(zones) + 1
