"""Remote-data fixtures in the real formats: a hand-written Overpass JSON answer and GLO-30-named COG tiles.

The Overpass answer follows the Overpass API JSON schema (``out geom`` for ways, ``out center`` for
substations); its ids and coordinates are made up for the tests, near Lạng Sơn city, not real
OpenStreetMap data. The DEM tiles hold a known elevation field, linear in longitude and latitude.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from geozones.io import fetch

QL1A = [(106.7400, 21.8000), (106.7500, 21.8200), (106.7620, 21.8450)]
RAIL = [(106.7300, 21.8100), (106.7700, 21.8600)]
RIVER = [(106.7000, 21.8500), (106.7300, 21.8520), (106.7600, 21.8480)]
LINE = [(106.7100, 21.7900), (106.7900, 21.8700)]

OVERPASS = {
    "version": 0.6,
    "generator": "Overpass API 0.7.62.1 084b4234",
    "osm3s": {
        "timestamp_osm_base": "2026-11-30T18:00:00Z",
        "copyright": "The data included in this document is from www.openstreetmap.org. "
        "The data is made available under ODbL.",
    },
    "elements": [
        {
            "type": "way",
            "id": 1001,
            "bounds": {"minlat": 21.80, "minlon": 106.74, "maxlat": 21.845, "maxlon": 106.762},
            "nodes": [1, 2, 3],
            "geometry": [{"lat": la, "lon": lo} for lo, la in QL1A],
            "tags": {"highway": "trunk", "ref": "QL1A", "name": "Quốc lộ 1A", "maxspeed": "80"},
        },
        {
            "type": "way",
            "id": 1002,
            "nodes": [4, 5],
            "geometry": [{"lat": 21.83, "lon": 106.75}, {"lat": 21.835, "lon": 106.755}],
            "tags": {"highway": "tertiary", "name": "Đường Bà Triệu"},
        },
        {
            "type": "way",
            "id": 2001,
            "nodes": [6, 7],
            "geometry": [{"lat": la, "lon": lo} for lo, la in RAIL],
            "tags": {"railway": "rail", "name": "Đường sắt Hà Nội – Đồng Đăng", "gauge": "1000;1435", "usage": "main"},
        },
        {
            "type": "way",
            "id": 3001,
            "nodes": [8, 9, 10],
            "geometry": [{"lat": la, "lon": lo} for lo, la in RIVER],
            "tags": {"waterway": "river", "name": "Sông Kỳ Cùng"},
        },
        {
            "type": "way",
            "id": 4001,
            "nodes": [11, 12],
            "geometry": [{"lat": la, "lon": lo} for lo, la in LINE],
            "tags": {"power": "line", "voltage": "220000;110000", "circuits": "2"},
        },
        {
            "type": "node",
            "id": 5001,
            "lat": 21.8300,
            "lon": 106.7700,
            "tags": {"power": "substation", "name": "Trạm biến áp 110 kV (test)", "voltage": "110000;35000;22000"},
        },
        {
            "type": "way",
            "id": 5002,
            "center": {"lat": 21.8600, "lon": 106.7200},
            "nodes": [13, 14, 15, 16, 13],
            "tags": {"power": "substation", "voltage": "35000", "substation": "distribution"},
        },
    ],
}

PX = 120  # pixels per 1° tile in the test tiles (30"); real GLO-30 tiles have 3600  # pixels per 1° tile in the test tiles (30"); real GLO-30 tiles have 3600


def local_settings(server, **kw):
    return fetch.FetchSettings(
        overpass_url=f"{server.url}/api/interpreter",
        dem_url=f"{server.url}/dem",
        timeout_s=10,
        retries=kw.pop("retries", 2),
        backoff_s=0.01,
        **kw,
    )


def z(lon, lat):
    """The elevation field put into the test tiles: linear in lon/lat, so bilinear resampling is exact."""
    return 100.0 + 1000.0 * (lon - 106.0) + 500.0 * (lat - 21.0)


def tile_bytes(tmp_path: Path, lat: int, lon: int, px: int = PX, blocksize: int = 128) -> bytes:
    import rasterio
    import rasterio.shutil
    from rasterio.io import MemoryFile
    from rasterio.transform import from_origin

    res = 1.0 / px
    cols = lon + (np.arange(px) + 0.5) * res
    rows = lat + 1 - (np.arange(px) + 0.5) * res
    data = z(cols[None, :], rows[:, None]).astype("float32")
    profile = {
        "driver": "GTiff",
        "width": px,
        "height": px,
        "count": 1,
        "dtype": "float32",
        "crs": "EPSG:4326",
        "transform": from_origin(lon, lat + 1, res, res),
    }
    path = tmp_path / f"{fetch.dem_tile_name(lat, lon)}.tif"
    with MemoryFile() as mem:
        with mem.open(**profile) as dst:
            dst.write(data, 1)
        with mem.open() as src:
            rasterio.shutil.copy(src, path, driver="COG", BLOCKSIZE=blocksize, OVERVIEWS="NONE")
    return path.read_bytes()


def serve_tiles(server, tmp_path, tiles):
    for lat, lon in tiles:
        name = fetch.dem_tile_name(lat, lon)
        server.files[f"/dem/{name}/{name}.tif"] = tile_bytes(tmp_path, lat, lon)
