"""Demand allocation on a raster: best contiguous cells, never excluded ones, demand met or shortfall."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from geozones.analysis.allocation import allocate


def _connected(mask: np.ndarray) -> bool:
    return ndimage.label(mask)[1] == 1  # 4-connectivity by default


def test_growth_takes_the_best_contiguous_cells_and_never_an_excluded_one():
    suit = np.tile(np.linspace(0, 1, 10), (8, 1))  # better to the east
    zones = np.zeros((8, 10), dtype=int)
    zones[2:6, 2:4] = 1  # cells whose square shares more than a corner with the zone (covering [3:5, 2:4])
    zones[3:5, 1:5] = 1
    allowed = np.ones((8, 10), dtype=bool)
    allowed[3:5, 2:4] = False
    allowed[:, 6] = False  # a river (excluded) two cells east of the zone
    result = allocate(suit, allowed, zones, 10, mode="grow")
    taken = result.labels == 1
    assert taken.sum() == 10 and result.shortfall == 0
    assert not (taken & ~allowed).any()
    block = np.zeros_like(taken)
    block[3:5, 2:4] = True
    assert _connected(taken | block)  # one piece with the zone
    # by hand: the best frontier cells are east (columns 4, 5); column 6 is excluded, so the zone
    # fills columns 4-5 (rows 0-7 as they join the frontier: 16 cells available) best-first
    assert set(np.nonzero(taken)[1]) <= {1, 2, 3, 4, 5}
    assert taken[:, 5].sum() >= 4


def test_new_sites_have_the_minimum_size_and_the_demand_is_met_or_the_shortfall_reported():
    rng = np.random.default_rng(3)
    suit = rng.uniform(0, 1, (30, 30))
    allowed = rng.uniform(0, 1, (30, 30)) > 0.15
    zones = np.zeros((30, 30), dtype=int)
    result = allocate(suit, allowed, zones, 55, mode="sites", min_parcel=8, max_parcel=20)
    assert sum(result.allocated.values()) == pytest.approx(55)
    for label in result.new_sites:
        patch = result.labels == label
        assert 8 <= patch.sum() <= 20 + 7 and _connected(patch) and not (patch & ~allowed).any()
    # the first site starts on the best allowed cell
    best = np.unravel_index(np.argmax(np.where(allowed, suit, -1)), suit.shape)
    assert result.labels[best] == result.new_sites[0]
    # too little land: the shortfall says how much is missing
    short = allocate(
        suit, np.zeros_like(allowed) | (np.arange(30)[None, :] < 2), zones, 100, mode="sites", min_parcel=4
    )
    assert short.shortfall == pytest.approx(100 - sum(short.allocated.values())) and short.shortfall >= 40
    # same inputs, same result
    again = allocate(suit, allowed, zones, 55, mode="sites", min_parcel=8, max_parcel=20)
    np.testing.assert_array_equal(again.labels, result.labels)


def test_cell_areas_count_partial_cells():
    suit = np.ones((4, 4))
    area = np.full((4, 4), 0.5)
    result = allocate(suit, np.ones((4, 4), bool), np.zeros((4, 4), int), 3.0, mode="sites", min_parcel=1, area=area)
    assert sum(result.allocated.values()) == pytest.approx(3.0) and (result.labels > 0).sum() == 6
