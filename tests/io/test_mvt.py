"""geozones.io.mvt: the per-tile caps keep the largest features and bound the bytes (hand-decoded tiles)."""

from __future__ import annotations

import numpy as np
import pyproj
import shapely

from geozones.io.mvt import TileLayer, tile_range
from tests.helpers.mvt_decode import decode


def _squares(n: int = 2000):
    rng = np.random.default_rng(3)
    x = rng.uniform(105.80, 105.90, n)
    y = rng.uniform(22.10, 22.20, n)
    half = rng.uniform(0.0002, 0.002, n)
    geoms = shapely.box(x - half, y - half, x + half, y + half)
    layer = TileLayer.of("sq", geoms, pyproj.CRS("EPSG:4326"), [{"i": int(i)} for i in range(n)])
    return layer, half


def test_feature_cap_keeps_the_largest():
    layer, half = _squares()
    z = 10
    x, y, _, _ = tile_range((105.85, 22.15, 105.85, 22.15), z)
    everything = decode(layer.tile(z, x, y))["sq"]["features"]
    inside = {f["properties"]["i"] for f in everything}
    capped = decode(layer.tile(z, x, y, max_features=10))["sq"]["features"]
    kept = {f["properties"]["i"] for f in capped}
    largest = sorted(inside, key=lambda i: -half[i])[:10]
    assert len(kept) == 10 and kept == set(largest)


def test_byte_cap_bounds_the_tile():
    layer, half = _squares()
    z = 10
    x, y, _, _ = tile_range((105.85, 22.15, 105.85, 22.15), z)
    full = layer.tile(z, x, y)
    assert len(full) > 20_000
    small = layer.tile(z, x, y, max_bytes=5_000)
    assert 0 < len(small) <= 5_000
    kept = [f["properties"]["i"] for f in decode(small)["sq"]["features"]]
    smallest_kept = min(half[i] for i in kept)
    dropped = set(range(len(half))) - set(kept)
    in_tile = {f["properties"]["i"] for f in decode(full)["sq"]["features"]}
    assert all(half[i] <= smallest_kept for i in dropped & in_tile)  # what went were the smaller ones
