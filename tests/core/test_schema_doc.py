"""docs/schema.md is generated from geozones.schema and kept in sync; short names fit a shapefile."""

from __future__ import annotations

from geozones.schema import LONG_NAMES, SHORT_NAMES, schema_markdown
from geozones.schema import ZONE_FIELDS as FIELDS  # the record and the investor fields
from tests.helpers.tools import ROOT


def test_docs_schema_table_is_up_to_date():
    on_disk = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    assert on_disk == schema_markdown(), "run: .venv/bin/python scripts/make_schema_doc.py"


def test_every_field_is_a_row_with_its_short_name_and_type():
    text = schema_markdown()
    for field in FIELDS:
        assert f"| `{field.name}` | `{field.short}` | {field.ogr_type} |" in text


def test_short_names_fit_dbase_and_are_unique():
    assert set(SHORT_NAMES) == {f.name for f in FIELDS}
    assert all(1 <= len(short) <= 10 for short in SHORT_NAMES.values())
    assert len(LONG_NAMES) == len(FIELDS)  # no two fields share a short name
    # a short name is never another field's long name (so either spelling reads back the same)
    assert all(LONG_NAMES.get(short, long) == long for long, short in SHORT_NAMES.items())
    assert not any(short != long and short in SHORT_NAMES for long, short in SHORT_NAMES.items())


def test_years_are_integers_dates_dates_areas_reals():
    types = {f.name: f.ogr_type for f in FIELDS}
    assert {types[n] for n in ("status_year", "established_year", "target_year")} == {"Integer"}
    assert types["decision_date"] == "Date"
    assert {types[n] for n in ("area_published_ha", "occupancy_pct", "site_lon", "site_lat")} == {"Real"}
