"""The .prj corpus (tests/data/prj, written by scripts/make_prj_corpus.py with GDAL and pyproj).

Each file is read as the CRS it denotes (``expected.csv``), and the axis-order and
area-of-use checks apply to every projected CRS, recognised or not.
"""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import geopandas as gpd
import pyproj
import pytest
import shapely

from geozones import crs
from geozones.errors import AxisOrderError, CRSError

CORPUS = Path(__file__).resolve().parent.parent / "data" / "prj"
ROWS = list(csv.DictReader(open(CORPUS / "expected.csv", encoding="utf-8")))
# The Chợ Mới (Bắc Kạn) point tests/zonefactory.py uses; inside the area of use of every CRS of the corpus.
SITE = (105.787, 21.893)


def _outcome(reading: crs.CRSReading) -> str:
    got = f"EPSG:{reading.epsg}" if reading.epsg is not None else "unrecognised"
    return got + (" warning" if reading.warning else "")


def test_the_corpus_covers_every_form_the_issue_names():
    names = {row["file"] for row in ROWS}
    assert len(names) == len(ROWS) >= 25
    for form in ("esri_gdal36", "esri_proj", "ogc_wkt1", "wkt2", "_proj.prj", "rawsigns", "hanoi72", "wgs84_utm48n"):
        assert any(form in name for name in names), form
    assert all((CORPUS / name).exists() for name in names)


@pytest.mark.parametrize("row", ROWS, ids=[r["file"] for r in ROWS])
def test_each_prj_reads_as_expected(row):
    text = (CORPUS / row["file"]).read_text(encoding="utf-8")
    if row["expected"] == "error":
        with pytest.raises(CRSError, match=row["file"]):
            crs.read_prj(text, row["file"])
        return
    assert _outcome(crs.read_prj(text, row["file"])) == row["expected"]


def test_esri_datum_name_is_read_back_to_the_shift_it_encodes():
    name = (
        "D_Unknown_based_on_WGS84_ellipsoid_using_towgs84_-191_90441429_-39_30318279_-111_45032835_0_00928836_"
        "-0_01975479_0_00427372_0_252906278"
    )
    assert crs.TOWGS84_OFFICIAL in crs.esri_towgs84_readings(name)


def _definition(row) -> pyproj.CRS:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pyproj.CRS.from_user_input((CORPUS / row["file"]).read_text(encoding="utf-8").strip())


PROJECTED = [r for r in ROWS if r["expected"] != "error" and _definition(r).is_projected]


@pytest.mark.parametrize("row", PROJECTED, ids=[r["file"] for r in PROJECTED])
def test_swapped_axes_are_caught_in_every_projected_crs(row):
    definition = _definition(row)
    reading = crs.read_prj((CORPUS / row["file"]).read_text(encoding="utf-8"), row["file"])
    x, y = pyproj.Transformer.from_crs("OGC:CRS84", definition, always_xy=True).transform(*SITE)
    good = gpd.GeoDataFrame(geometry=[shapely.box(x, y, x + 200, y + 200)], crs=reading.crs)
    crs.check_coordinates(good)  # right order: accepted
    swapped = gpd.GeoDataFrame(geometry=[shapely.box(y, x, y + 200, x + 200)], crs=reading.crs)
    with pytest.raises(AxisOrderError, match="northing"):
        crs.check_coordinates(swapped)


def test_unrecognised_tm_gets_a_derived_area_of_use():
    row = next(r for r in ROWS if r["file"].startswith("custom_tm"))
    west, south, east, north, _ = crs.area_of_use(_definition(row))
    assert (west, east) == pytest.approx((103.1, 109.1))  # 106.1 ± 3
    far = gpd.GeoDataFrame(geometry=[shapely.Point(2_500_000, 2_400_000)], crs=_definition(row))
    with pytest.raises(CRSError, match="area of use"):
        crs.check_coordinates(far)
