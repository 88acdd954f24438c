"""Schema validation: each class of bad record gives a typed error naming the record and the field."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geozones.errors import GeometryError, MissingCRSError, ZoneValidationError
from geozones.schema import ascii_name, validate_zones
from tests.helpers.zonefactory import bac_kan_squares


def test_valid_layer_passes_and_keeps_diacritics():
    zones = validate_zones(bac_kan_squares())
    assert zones["name"].iloc[0] == "Cụm công nghiệp Thử 0"
    assert zones["area_published_ha"].tolist() == [100.0, 25.0, 4.0]


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("kind", "XYZ", "must be one of KCN, CCN, KCX"),
        ("status", "finished", "must be one of planned"),
        ("occupancy_pct", 120, "must be <= 100"),
        ("area_published_ha", -3, "must be >= 0"),
        ("area_published_ha", "seventy", "must be a number"),
        ("decision_date", "21/09/2021", "ISO date"),
        ("status_year", 2021.5, "whole number"),
        ("name", None, "name is required"),
        ("geometry_quality", "guessed", "approximate, surveyed"),
    ],
)
def test_bad_value_names_record_and_field(field, value, message):
    zones = bac_kan_squares()
    zones[field] = zones[field].astype(object) if field in zones else None
    zones.loc[zones.index[1], field] = value
    with pytest.raises(ZoneValidationError, match=message) as info:
        validate_zones(zones)
    assert info.value.record == "z1"
    assert info.value.field == field
    assert "'z1'" in str(info.value) and repr(field) in str(info.value)


def test_self_intersecting_polygon_is_a_geometry_error():
    zones = bac_kan_squares()
    x0, y0, x1, y1 = zones.geometry.iloc[2].bounds
    bowtie = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1), (x0, y0)])
    zones.loc[zones.index[2], "geometry"] = bowtie
    with pytest.raises(GeometryError, match="Self-intersection") as info:
        validate_zones(zones)
    assert (info.value.record, info.value.field) == ("z2", "geometry")
    assert isinstance(info.value, ValueError)


def test_point_geometry_is_refused():
    zones = bac_kan_squares()
    zones.loc[zones.index[0], "geometry"] = shapely.Point(105.8, 21.9)
    with pytest.raises(GeometryError, match="Polygon or MultiPolygon"):
        validate_zones(zones)


def test_missing_geometry_is_allowed_for_unmapped_zones():
    zones = bac_kan_squares()
    zones.loc[zones.index[0], "geometry"] = None
    assert validate_zones(zones).geometry.iloc[0] is None


def test_duplicate_ids_are_refused():
    zones = bac_kan_squares()
    zones.loc[zones.index[2], "id"] = "z0"
    with pytest.raises(ZoneValidationError, match="not unique"):
        validate_zones(zones)


def test_unknown_attribute_is_refused_unless_kept():
    zones = bac_kan_squares().assign(colour="red")
    with pytest.raises(ZoneValidationError, match="unknown attribute.*'colour'"):
        validate_zones(zones)
    assert "colour" in validate_zones(zones, extra="keep").columns
    assert "colour" not in validate_zones(zones, extra="drop").columns


def test_collect_mode_lists_every_problem():
    zones = bac_kan_squares()
    zones["kind"] = ["XYZ", "CCN", "ABC"]
    zones["occupancy_pct"] = [None, 150, None]
    with pytest.raises(ZoneValidationError) as info:
        validate_zones(zones, errors="collect")
    found = {(p.record, p.field) for p in info.value.problems}
    assert found == {("z0", "kind"), ("z2", "kind"), ("z1", "occupancy_pct")}


def test_layer_without_crs_is_refused():
    zones = gpd.GeoDataFrame(
        bac_kan_squares().drop(columns="geometry"), geometry=list(bac_kan_squares().geometry), crs=None
    )
    with pytest.raises(MissingCRSError):
        validate_zones(zones)


def test_input_is_not_modified():
    zones = bac_kan_squares()
    before = zones.copy()
    validate_zones(zones)
    assert zones.equals(before)


@pytest.mark.parametrize(
    "text,expected",
    [("Bắc Kạn", "Bac Kan"), ("Đồng Bành", "Dong Banh"), ("Huyền Tụng", "Huyen Tung"), ("Lạng Sơn", "Lang Son")],
)
def test_ascii_names(text, expected):
    assert ascii_name(text) == expected


@pytest.mark.parametrize("bad_id", ["Bad ID!", "a/b", "UPPER", "under_score", "-x", "x" * 65, "ý"])
def test_stores_refuse_ids_outside_the_documented_pattern_on_import(bad_id, tmp_path):
    """A store (every import and whole zone-layer write) refuses ids outside ^[a-z0-9][a-z0-9-]{0,63}$;
    validating a file alone leaves ids to the placement checks (``--allow id``)."""
    import re

    from geozones.errors import ZoneValidationError
    from geozones.schema import ID_PATTERN, check_ids, validate_zones
    from geozones.store import GeoPackageStore
    from tests.helpers import zonefactory as zf
    from tests.helpers.zonefactory import bac_kan_squares

    zones = bac_kan_squares()
    zones.loc[0, "id"] = bad_id
    with pytest.raises(ZoneValidationError, match="id must be"):
        check_ids(validate_zones(zones))
    assert not re.match(ID_PATTERN, bad_id)
    store = GeoPackageStore(tmp_path / "s.gpkg", data_dir=zf.data_dir(tmp_path / "data", 3)).ensure()
    before = store.version()
    with pytest.raises(ZoneValidationError, match="id must be"):
        store.write_zones(zones)
    assert store.version() == before
    zones.loc[0, "id"] = "a" + "0" * 63
    store.write_zones(zones)
    assert len(store.zones()) == 3


def test_structured_values_are_refused_in_every_field():
    """Objects, arrays and booleans never become Python reprs in text fields, nor numbers in numeric ones."""
    from geozones.errors import ZoneValidationError
    from geozones.schema import validate_zones
    from tests.helpers.zonefactory import bac_kan_squares

    for field, value in (
        ("name", {"a": 1}),
        ("investor", ["x"]),
        ("notes", True),
        ("area_published_ha", True),
        ("occupancy_pct", [1, 2]),
    ):
        zones = bac_kan_squares()
        column = list(zones[field]) if field in zones.columns else [None] * len(zones)
        zones[field] = pd.Series([value, *column[1:]], index=zones.index, dtype=object)
        with pytest.raises(ZoneValidationError, match=f"{field} must be .*not an object, array or boolean"):
            validate_zones(zones)


def test_an_unknown_status_or_kind_names_the_closest_choice():
    cases = {
        ("status", "plannedd"): "'plannedd' is closest to 'planned'",
        ("status", "Quy hoạch"): "'Quy hoạch' is the label of 'planned'",
        ("status", "dang hoat dong"): "'dang hoat dong' is the label of 'operating'",
        ("kind", "KCNN"): "'KCNN' is closest to 'KCN'",
    }
    for (name, value), expected in cases.items():
        with pytest.raises(ZoneValidationError, match=f"{name} must be one of .*{expected}"):
            validate_zones(bac_kan_squares(**{name: value}))
    with pytest.raises(ZoneValidationError) as error:
        validate_zones(bac_kan_squares(status="Atlantis"))
    assert "closest" not in str(error.value) and "planned, established" in str(error.value)
