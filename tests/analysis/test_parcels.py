"""Compact parcel allocation: every parcel is one piece, wide and compact, measured independently with shapely."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from scipy import ndimage

from geozones.analysis.allocation import allocate
from geozones.analysis.parcels import allocate_parcels, disc, polsby_popper

CELL = 25.0  # metres per cell, as in the shipped scenario


def outline(mask: np.ndarray) -> shapely.Geometry:
    """The cells of a mask as one shapely geometry (cell (r, c) is the square [c, c+1] x [r, r+1] times CELL)."""
    rows, cols = np.nonzero(mask)
    return shapely.union_all(shapely.box(cols * CELL, rows * CELL, (cols + 1) * CELL, (rows + 1) * CELL))


def measured_width_ok(geom, width_m: float, share: float = 0.8) -> bool:
    """Independent width rule: the inward buffer by half the width is non-empty and, buffered back out,
    covers ``share`` of the polygon (a strip narrower than the width vanishes)."""
    inner = shapely.buffer(geom, -width_m / 2 + 1e-6)
    if shapely.is_empty(inner):
        return False
    return shapely.area(shapely.intersection(shapely.buffer(inner, width_m / 2), geom)) >= share * shapely.area(geom)


def measured_pp(geom) -> float:
    return 4 * np.pi * shapely.area(geom) / shapely.length(geom) ** 2


def short_side(geom) -> float:
    coords = np.asarray(shapely.minimum_rotated_rectangle(geom).exterior.coords)
    return float(min(np.hypot(*(coords[1] - coords[0])), np.hypot(*(coords[2] - coords[1]))))


def test_polsby_popper_and_disc_by_hand():
    square = np.ones((6, 6), dtype=bool)
    assert polsby_popper(square) == pytest.approx(4 * np.pi * 36 / 24**2)  # pi/4 for any square
    strip = np.ones((1, 64), dtype=bool)
    assert polsby_popper(strip) == pytest.approx(4 * np.pi * 64 / 130**2)
    # a 4-cell disc: the cells whose square meets a disc of radius 2 around the middle cell's centre:
    # 5 x 5 without its corners (the corner square is 1.5 * sqrt(2) = 2.12 cells away)
    element = disc(4)
    expected = np.ones((5, 5), dtype=bool)
    expected[[0, 0, 4, 4], [0, 4, 0, 4]] = False
    np.testing.assert_array_equal(element, expected)


def roadside():
    """A field 120 x 400 cells: a 2-cell strip of the best land along a road (row 10), worse land below."""
    h, w = 120, 400
    suit = np.tile(np.linspace(0.6, 0.2, h)[:, None], (1, w))
    allowed = np.ones((h, w), dtype=bool)
    allowed[9, :] = False  # the road corridor
    allowed[12, :] = False  # a stream: rows 10-11 are a 50 m ribbon between the two
    suit[10:12, :] = 1.0
    zones = np.zeros((h, w), dtype=int)
    zones[2:9, 50:60] = 1  # a zone north of the road: its frontier is row 8's neighbours
    zones[8, 50:60] = 1
    return suit, allowed, zones


def test_the_greedy_allocator_draws_a_ribbon_the_parcel_allocator_a_park():
    suit, allowed, zones = roadside()
    sites = np.zeros_like(zones)
    greedy = allocate(suit, allowed, sites, 640, mode="sites", min_parcel=80)
    ribbon = outline(greedy.labels > 0)
    assert short_side(ribbon) <= 2 * CELL + 1e-6  # the old way: 640 cells along the road, 50 m wide
    result = allocate_parcels(
        suit, allowed, sites, 640, mode="sites", min_parcel=80, min_width=100 / CELL, min_compactness=0.3
    )
    assert sum(result.allocated.values()) == pytest.approx(640, abs=1)
    for label in result.new_sites:
        geom = outline(result.labels == label)
        assert shapely.get_num_geometries(geom) == 1
        assert measured_width_ok(geom, 100.0)
        assert measured_pp(geom) >= 0.3
        assert short_side(geom) >= 300.0
    assert not ((result.labels > 0) & ~allowed).any()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_parcel_meets_the_width_compactness_and_size_rules(seed):
    rng = np.random.default_rng(seed)
    h, w = 90, 90
    suit = ndimage.uniform_filter(rng.uniform(0, 1, (h, w)), 7)
    allowed = ndimage.uniform_filter(rng.uniform(0, 1, (h, w)), 5) > 0.45  # a ragged, patchy landscape
    zones = np.zeros((h, w), dtype=int)
    zones[40:46, 40:46] = 1
    allowed[41:45, 41:45] = False
    result = allocate_parcels(
        suit, allowed, zones, 500, mode="both", min_parcel=40, min_width=4, min_compactness=0.3, max_parcel=200
    )
    placed = sum(result.allocated.values())
    assert placed + result.shortfall == pytest.approx(500)
    assert placed > 0
    touching_zone = ndimage.binary_dilation(zones == 1)
    for label in set(np.unique(result.labels)) - {0}:
        pieces, count = ndimage.label(result.labels == label)  # 4-connected pieces
        assert label == 1 or count == 1  # a new site is one piece; a zone may grow on two sides
        for k in range(1, count + 1):
            patch = pieces == k
            geom = outline(patch)
            assert patch.sum() >= 40
            assert measured_width_ok(geom, 4 * CELL), label
            assert measured_pp(geom) >= 0.3 - 1e-9, label
            assert not (patch & ~allowed).any()
            assert (label == 1) == bool((patch & touching_zone).any())  # grown land joins its zone, sites do not
    if result.shortfall > 0:
        assert result.reasons
    again = allocate_parcels(
        suit, allowed, zones, 500, mode="both", min_parcel=40, min_width=4, min_compactness=0.3, max_parcel=200
    )
    np.testing.assert_array_equal(again.labels, result.labels)


def test_land_too_narrow_everywhere_is_a_shortfall_with_its_reason():
    suit = np.ones((40, 40))
    allowed = np.zeros((40, 40), dtype=bool)
    allowed[:, 5:7] = True  # a 2-cell (50 m) strip only
    result = allocate_parcels(suit, allowed, np.zeros((40, 40), int), 50, mode="sites", min_parcel=10, min_width=4)
    assert result.shortfall == 50 and not result.new_sites
    assert any("minimum width" in reason for reason in result.reasons)
