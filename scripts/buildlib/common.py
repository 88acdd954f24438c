"""Paths, CRS helpers, source tokens and licence strings shared by the build steps."""

from __future__ import annotations

import functools
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
#: Unmodified copies of ../shared/realdata (see data/sources/realdata/PROVENANCE.md).
REALDATA = DATA / "sources" / "realdata"

#: Provincial VN-2000 TM-3 CRS (facts.md: EPSG:9213 Bắc Kạn / Thái Nguyên, EPSG:9215 Lạng Sơn).
PROVINCE_EPSG = {"Bắc Kạn": 9213, "Thái Nguyên": 9213, "Lạng Sơn": 9215}

#: Licence strings carried by every feature (``licence`` column) and the folder LICENSE files.
LICENCE_BOUNDARIES = "CC BY-SA 4.0"
LICENCE_PROVISIONAL = (
    "CC BY-SA 4.0 (PROVISIONAL: the redistributor's licence statements conflict, "
    "CC BY-SA 4.0 vs CC BY 4.0, and the upstream is not named)"
)
LICENCE_FACTS = "facts (coordinates and legal areas); cited Wikipedia text CC BY-SA 4.0"
LICENCE_PROJECT = "geozones fact sheet (facts.md) and seed articles; no third-party geometry"

ATTRIBUTION_BOUNDARIES = (
    "Administrative boundaries: Open Development Vietnam (Open Development Mekong) / "
    "Department of Survey and Mapping, CC BY-SA 4.0. Modified (selected, dissolved, "
    "attributes renamed) by geozones."
)
ATTRIBUTION_NETWORK = (
    "Roads, railways, hydropower plants: CTU-SematX/LegoCity opendata "
    "(commit a1aabc7), CC BY-SA 4.0 (provisional; upstream unconfirmed). Clipped and "
    "attributes renamed by geozones."
)
ATTRIBUTION_POINTS = (
    "Border gates and protected areas: coordinates from Wikipedia (CC BY-SA 4.0) and "
    "nbca.gov.vn; legal areas from the cited decisions."
)


def realdata_token(name: str) -> str:
    """Source token for a file of data/sources/realdata (described in its PROVENANCE.md)."""
    if not (REALDATA / name).is_file():
        raise FileNotFoundError(REALDATA / name)
    return f"realdata:{name}"


@functools.cache
def _transformer(src: int, dst: int) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def reproject(geom, src: int, dst: int):
    """Reproject a shapely geometry (vertices only)."""
    tr = _transformer(src, dst)

    def func(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(tr.transform(xy[:, 0], xy[:, 1]))

    return shapely.transform(geom, func)


def read_realdata(name: str) -> gpd.GeoDataFrame:
    """One realdata file as a GeoDataFrame (EPSG:4326), rows in file order."""
    return gpd.read_file(REALDATA / name).set_crs(4326, allow_override=True)


def slug(text: str) -> str:
    """``'Thành phố Bắc Kạn'`` -> ``'thanh-pho-bac-kan'``."""
    import re

    from geozones.schema import ascii_name

    return re.sub(r"[^a-z0-9]+", "-", ascii_name(text).lower()).strip("-")


def vertices(geom) -> int:
    """Vertex count as stored (closing ring vertices included)."""
    return 0 if geom is None else int(shapely.get_num_coordinates(geom))
