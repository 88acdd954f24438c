"""Write the ``.prj`` test corpus (tests/data/prj/) with GDAL and pyproj, not by hand.

Each file is a CRS definition as a real tool writes it: ESRI WKT1 from GDAL 3.6
(``gdalsrsinfo -o wkt_esri``, the GDAL QGIS 3.22 ships with) and from PROJ
(``pyproj.CRS.to_wkt(WktVersion.WKT1_ESRI)``), OGC WKT1 (``WKT1_GDAL``), WKT2 and PROJ
strings. ``expected.csv`` says what each file *is* (the EPSG code it denotes, or that it
must be an error / stay unrecognised); tests/core/test_prj_corpus.py checks geozones
reads it so. Run: ``.venv/bin/python scripts/make_prj_corpus.py``.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import warnings
from pathlib import Path

import pyproj
from pyproj.enums import WktVersion

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "prj"

# Decision 05/2007/QĐ-BTNMT shift = EPSG:6960 "VN-2000 to WGS 84 (2)", position-vector signs.
OFFICIAL = "-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278"
# The decision's raw (coordinate-frame) rotation signs, as circulating .prj files carry them.
RAW = "-191.90441429,-39.30318279,-111.45032835,-0.00928836,0.01975479,-0.00427372,0.252906278"


def tm3(lon0: float, towgs84: str | None, ellps: str = "WGS84", k: float = 0.9999) -> str:
    shift = f" +towgs84={towgs84}" if towgs84 else ""
    return f"+proj=tmerc +lat_0=0 +lon_0={lon0:g} +k={k:g} +x_0=500000 +y_0=0 +ellps={ellps}{shift} +units=m +no_defs"


def hanoi72_towgs84() -> str:
    from geozones.crs import known_shifts

    name, values = known_shifts()["Hanoi 1972"][0]
    return ",".join(f"{v:g}" for v in values)


def gdal_esri(definition: str) -> str | None:
    """ESRI WKT1 from the system GDAL (3.6 on Debian 12, as used by QGIS 3.22)."""
    tool = shutil.which("gdalsrsinfo")
    if tool is None:
        return None
    done = subprocess.run(
        [tool, "--single-line", "-o", "wkt_esri", definition], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def pyproj_form(definition: str, version: WktVersion | str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        crs = pyproj.CRS.from_user_input(definition)
        return crs.to_wkt(version) if version != "PROJ" else crs.to_proj4()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.prj"):
        old.unlink()
    hanoi = hanoi72_towgs84()
    gk18 = f"+proj=tmerc +lat_0=0 +lon_0=105 +k=1 +x_0=18500000 +y_0=0 +ellps=krass +towgs84={hanoi} +units=m +no_defs"
    # (file, text, expected outcome, what it is)
    rows: list[tuple[str, str | None, str, str]] = [
        (
            "vn2000_tm3_10630_esri_gdal36.prj",
            gdal_esri(tm3(106.5, OFFICIAL)),
            "EPSG:9213",
            "GDAL 3.6 ESRI WKT1 of the official +towgs84 TM-3 106-30 (datum name encodes the shift)",
        ),
        (
            "vn2000_tm3_10630_esri_proj.prj",
            pyproj_form(tm3(106.5, OFFICIAL), WktVersion.WKT1_ESRI),
            "EPSG:9213",
            "PROJ 9 ESRI WKT1 of the official +towgs84 TM-3 106-30",
        ),
        (
            "vn2000_tm3_10715_esri_gdal36.prj",
            gdal_esri(tm3(107.25, OFFICIAL)),
            "EPSG:9215",
            "GDAL 3.6 ESRI WKT1 of the official +towgs84 TM-3 107-15",
        ),
        (
            "vn2000_tm3_10630_rawsigns_esri_gdal36.prj",
            gdal_esri(tm3(106.5, RAW)),
            "EPSG:9213 warning",
            "GDAL 3.6 ESRI WKT1 of the raw-sign +towgs84 TM-3 106-30",
        ),
        (
            "vn2000_tm3_10630_ogc_wkt1.prj",
            pyproj_form(tm3(106.5, OFFICIAL), WktVersion.WKT1_GDAL),
            "EPSG:9213",
            "OGC WKT1 (GDAL flavour) with TOWGS84",
        ),
        (
            "vn2000_tm3_10715_rawsigns_ogc_wkt1.prj",
            pyproj_form(tm3(107.25, RAW), WktVersion.WKT1_GDAL),
            "EPSG:9215 warning",
            "OGC WKT1 with the raw-sign TOWGS84",
        ),
        (
            "vn2000_tm3_10630_wkt2.prj",
            pyproj_form(tm3(106.5, OFFICIAL), WktVersion.WKT2_2019),
            "EPSG:9213",
            "WKT2:2019 BoundCRS with the official shift",
        ),
        (
            "vn2000_tm3_10630_wkt2_2015.prj",
            pyproj_form(tm3(106.5, OFFICIAL), WktVersion.WKT2_2015),
            "EPSG:9213",
            "WKT2:2015 BoundCRS with the official shift",
        ),
        ("vn2000_tm3_10630_proj.prj", tm3(106.5, OFFICIAL), "EPSG:9213", "PROJ string with the official +towgs84"),
        (
            "vn2000_tm3_10630_rawsigns_proj.prj",
            tm3(106.5, RAW),
            "EPSG:9213 warning",
            "PROJ string with the raw-sign +towgs84",
        ),
        ("vn2000_tm3_10715_proj.prj", tm3(107.25, OFFICIAL), "EPSG:9215", "PROJ string, TM-3 107-15"),
        (
            "vn2000_tm3_10630_epsg_esri.prj",
            pyproj_form("EPSG:9213", WktVersion.WKT1_ESRI),
            "EPSG:9213",
            "EPSG:9213 as ESRI WKT1 (named VN-2000_TM-3_106-30, no shift)",
        ),
        (
            "vn2000_tm3_10630_epsg_esri_gdal36.prj",
            gdal_esri("EPSG:9213"),
            "EPSG:9213",
            "EPSG:9213 as GDAL 3.6 ESRI WKT1",
        ),
        (
            "vn2000_tm3_10715_epsg_wkt1.prj",
            pyproj_form("EPSG:9215", WktVersion.WKT1_GDAL),
            "EPSG:9215",
            "EPSG:9215 as OGC WKT1 with AUTHORITY",
        ),
        (
            "vn2000_utm48n_esri.prj",
            pyproj_form("EPSG:3405", WktVersion.WKT1_ESRI),
            "EPSG:3405",
            "VN-2000 / UTM zone 48N as ESRI WKT1",
        ),
        (
            "vn2000_utm48n_proj.prj",
            f"+proj=utm +zone=48 +ellps=WGS84 +towgs84={OFFICIAL} +units=m +no_defs",
            "EPSG:3405",
            "VN-2000 / UTM zone 48N as a PROJ string",
        ),
        (
            "vn2000_geographic_proj.prj",
            f"+proj=longlat +ellps=WGS84 +towgs84={OFFICIAL} +no_defs",
            "EPSG:4756",
            "VN-2000 geographic as a PROJ string",
        ),
        (
            "vn2000_geographic_esri_gdal36.prj",
            gdal_esri(f"+proj=longlat +ellps=WGS84 +towgs84={OFFICIAL} +no_defs"),
            "EPSG:4756",
            "VN-2000 geographic, GDAL 3.6 ESRI WKT1",
        ),
        (
            "hanoi72_gk18_esri.prj",
            pyproj_form("EPSG:2044", WktVersion.WKT1_ESRI),
            "EPSG:2044",
            "Hanoi 1972 / Gauss-Kruger zone 18 as ESRI WKT1",
        ),
        ("hanoi72_gk18_proj.prj", gk18, "EPSG:2044", "Hanoi 1972 / GK zone 18 as PROJ with the EPSG +towgs84"),
        (
            "hanoi72_gk18_esri_gdal36.prj",
            gdal_esri(gk18),
            "EPSG:2044",
            "Hanoi 1972 / GK zone 18 with +towgs84, GDAL 3.6 ESRI WKT1",
        ),
        (
            "hanoi72_geographic_esri.prj",
            pyproj_form("EPSG:4147", WktVersion.WKT1_ESRI),
            "EPSG:4147",
            "Hanoi 1972 geographic as ESRI WKT1",
        ),
        (
            "wgs84_utm48n_esri.prj",
            pyproj_form("EPSG:32648", WktVersion.WKT1_ESRI),
            "EPSG:32648",
            "WGS 84 / UTM zone 48N as ESRI WKT1",
        ),
        ("wgs84_utm48n_esri_gdal36.prj", gdal_esri("EPSG:32648"), "EPSG:32648", "WGS 84 / UTM 48N, GDAL 3.6 ESRI"),
        (
            "wgs84_utm48n_proj.prj",
            "+proj=utm +zone=48 +datum=WGS84 +units=m +no_defs",
            "EPSG:32648",
            "WGS 84 / UTM zone 48N as a PROJ string",
        ),
        (
            "wgs84_geographic_esri.prj",
            pyproj_form("EPSG:4326", WktVersion.WKT1_ESRI),
            "EPSG:4326",
            "WGS 84 as ESRI WKT1 (what most shapefiles carry)",
        ),
        (
            "wgs84_tm3_10630_no_shift_proj.prj",
            tm3(106.5, None),
            "unrecognised warning",
            "TM-3 106-30 parameters on the WGS 84 ellipsoid with no datum shift: not VN-2000, kept, warned",
        ),
        (
            "custom_tm_10606_esri.prj",
            pyproj_form(tm3(106.1, OFFICIAL), WktVersion.WKT1_ESRI),
            "unrecognised",
            "VN-2000 shift but a central meridian (106.1°) no EPSG CRS has: kept as given, still range-checked",
        ),
        (
            "vn2000_tm3_10600_esri_gdal36.prj",
            gdal_esri(tm3(106.0, OFFICIAL)),
            "EPSG:9211",
            "GDAL 3.6 ESRI WKT1 of the official +towgs84 TM-3 106-00 (Hòa Bình, Tuyên Quang)",
        ),
        ("empty.prj", "", "error", "an empty .prj"),
        ("garbage.prj", "this is not a coordinate reference system", "error", "text that is no CRS"),
    ]
    with open(OUT / "expected.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["file", "expected", "what"])
        for name, text, expected, what in rows:
            if text is None:
                raise SystemExit(f"gdalsrsinfo is needed to write {name}")
            (OUT / name).write_text(text + ("\n" if text else ""), encoding="utf-8")
            writer.writerow([name, expected, what])
    print(f"wrote {len(rows)} .prj files and expected.csv to {OUT}")


if __name__ == "__main__":
    main()
