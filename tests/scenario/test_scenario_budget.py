"""Scenario validation that bounds a scenario (issue 20): ids, years, the CRS, and the budget of one call.

A planner in Python gets the same typed errors as the API: a ScenarioError naming the field, and a
ScenarioBudgetError (also a BudgetError) naming the limit.
"""

from __future__ import annotations

import re

import pyproj
import pytest

from geozones.errors import ScenarioError
from geozones.scenario import Scenario, loads_scenario

BASE = {"id": "t", "name": "t", "province": "Bắc Kạn", "start_year": 2024, "end_year": 2026}


def scenario(**changes) -> Scenario:
    return Scenario.from_dict({**BASE, **changes})


@pytest.mark.parametrize(
    "value",
    [
        "+init=/etc/passwd:root +type=crs",
        "+nadgrids=/etc/hostname",
        "+proj=tmerc +lon_0=106.5 +nadgrids=/etc/hostname +type=crs",
        "not a crs",
        'PROJCS["x",GEOGCS["y",DATUM["z",SPHEROID["a",6378137,298.257]],PRIMEM["G",0],UNIT["d",0.0174]],'
        'PROJECTION["Transverse_Mercator"],EXTENSION["PROJ4_GRIDS","/etc/hostname"],UNIT["m",1]]',
        "file:///etc/passwd",
        "EPSG:4326",  # an EPSG code, but in degrees: growth is measured in metres
        "EPSG:99999",
        ["EPSG:9213"],
        True,
    ],
)
def test_a_scenario_crs_is_an_epsg_code_or_a_vn2000_name_and_proj_never_sees_the_text(value, monkeypatch, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("<not a proj init file>")
    if isinstance(value, str):
        value = value.replace("/etc/hostname", str(secret)).replace("/etc/passwd", str(secret))

    real = pyproj.CRS.from_user_input.__func__

    def guarded(cls, value, **kwargs):  # only the "EPSG:n" text geozones builds from a number may reach PROJ
        if not (isinstance(value, int) or re.fullmatch(r"EPSG:\d+", str(value))):
            raise AssertionError(f"PROJ was handed {value!r}")
        return real(cls, value, **kwargs)

    def refuse(*args, **kwargs):
        raise AssertionError(f"PROJ was handed {args!r}")

    monkeypatch.setattr(pyproj.CRS, "from_user_input", classmethod(guarded))
    for name in ("from_string", "from_proj4", "from_wkt", "from_json"):
        monkeypatch.setattr(pyproj.CRS, name, refuse)
    with pytest.raises(ScenarioError) as caught:
        scenario(crs=value)
    assert caught.value.field == "crs"
    assert "EPSG code" in str(caught.value) or "EPSG:" in str(caught.value)


@pytest.mark.parametrize(
    "value, epsg",
    [
        ("EPSG:9213", 9213),
        ("epsg:9215", 9215),
        (9215, 9215),
        ("9213", 9213),
        ("VN-2000 / TM-3 106-30", 9213),  # EPSG's own name of 9213 (read from the database)
        ("VN-2000 / TM-3 107-15", 9215),
        ("VN-2000 / UTM zone 48N", 3405),
        ("VN-2000 / TM-3 Bắc Kạn", 9213),  # the province names the library knows
        ("VN-2000 / TM-3 Lang Son", 9215),
    ],
)
def test_a_scenario_crs_is_kept_as_its_epsg_code(value, epsg):
    assert scenario(crs=value).crs == f"EPSG:{epsg}"
    assert pyproj.CRS.from_user_input(scenario(crs=value).crs).to_epsg() == epsg


def test_a_bad_crs_in_a_file_names_its_line():
    text = "id: t\nname: t\nprovince: Bắc Kạn\nstart_year: 2024\nend_year: 2026\ncrs: '+init=/etc/passwd:root'\n"
    with pytest.raises(ScenarioError) as caught:
        loads_scenario(text)
    assert caught.value.line == 6 and caught.value.field == "crs"


@pytest.mark.parametrize("value", ["a_b", "A", "-a", "x" * 65, "x" * 3000, "a/b", "a b", "é"])
def test_scenario_ids_follow_the_zone_id_pattern(value):
    with pytest.raises(ScenarioError) as caught:
        scenario(id=value)
    assert caught.value.field == "id" and "1-64" in str(caught.value)


def test_a_64_character_id_is_fine():
    assert scenario(id="a" * 64).layer_name == "scenario_" + "a" * 64


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"end_year": 1_002_024}, "end_year"),
        ({"start_year": 1000, "end_year": 2026}, "start_year"),
        ({"start_year": 2024, "end_year": 2101}, "end_year"),
    ],
)
def test_scenario_years_lie_in_the_schema_range(changes, field):
    with pytest.raises(ScenarioError) as caught:
        scenario(**changes)
    assert caught.value.field == field and "1990..2100" in str(caught.value)


def _grow(k: int, year: int = 2026) -> dict:
    return {"action": "grow", "year": year, "zone": "bk-ccn-vang-muoi", "to_ha": 20 + k, "assumption": "what-if"}


def test_the_budget_of_one_call_names_each_limit():
    from geozones.errors import BudgetError, ScenarioBudgetError
    from geozones.scenario.budget import ScenarioBudget

    budget = ScenarioBudget(years=10, scenarios=3, actions=5, draw_work=100, settings=(("years", "MY_YEARS"),))
    budget.check([scenario(start_year=2020, end_year=2029)])  # 10 years: fine
    with pytest.raises(ScenarioBudgetError) as caught:
        budget.check([scenario(start_year=2020, end_year=2030)])
    assert isinstance(caught.value, BudgetError) and caught.value.setting == "MY_YEARS"
    assert "11 years" in str(caught.value) and "limit is 10" in str(caught.value)
    with pytest.raises(ScenarioBudgetError, match="4 scenarios"):
        budget.check([scenario(id=f"s{i}") for i in range(4)])
    with pytest.raises(ScenarioBudgetError, match="6 scenario actions"):
        budget.check([scenario(actions=[_grow(k) for k in range(6)])])
    # draws x actions x years: 5 draws x 2 actions x 10 years = 100 fits, 101 does not
    two = scenario(start_year=2020, end_year=2029, actions=[_grow(0), _grow(1)])
    budget.check([two], draws=5)
    with pytest.raises(ScenarioBudgetError, match="6 draws x 2 actions x 10 years = 120"):
        budget.check([two], draws=6)
    # without actions a draw still costs its years
    with pytest.raises(ScenarioBudgetError, match="11 draws x 1 actions x 10 years"):
        budget.check([scenario(start_year=2020, end_year=2029)], draws=11)
