"""Allocating land demand to the most suitable contiguous cells: grow zones, open new sites.

Works on a raster of suitability (higher is better, NaN unusable) and a boolean ``allowed``
mask (every constraint already applied: exclusions, other zones, maximum distance to a road).
Everything is deterministic: ties between equally suitable cells go to the lower row, then the
lower column; no randomness anywhere.

* **grow**: the frontier of every existing zone (allowed cells whose square meets it) is
  one priority queue; the most suitable frontier cell is taken, its free neighbours join the
  frontier under the same zone, until the demand is met or no frontier is left;
* **sites**: a new site starts at the most suitable free allowed cell that does not touch an
  existing zone and grows the same way (best neighbour first, so it stays one contiguous
  piece) up to ``max_parcel_cells``; a patch that cannot reach ``min_parcel_cells`` is dropped
  (its cells stay free but are not tried as seeds again); a remainder smaller than the minimum
  parcel grows the last site opened instead of opening a site too small;
* **both**: grow first, then open sites for what the frontiers could not hold.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from geozones.errors import InvalidParameterError

_STEPS = ((-1, 0), (1, 0), (0, -1), (0, 1))


@dataclass(frozen=True)
class Allocation:
    """Cells given to each zone and new site.

    Attributes
    ----------
    labels : numpy.ndarray
        int32, 0 where nothing was allocated; ``k > 0`` grows existing zone ``k``; new sites get
        labels after the largest existing one, in the order they were opened.
    allocated : dict
        label -> area allocated (units of ``area``; cells when no area is given).
    new_sites : list of int
        Labels of the sites opened.
    shortfall : float
        Demand that could not be placed (0 when met).
    """

    labels: np.ndarray
    allocated: dict[int, float]
    new_sites: list[int]
    shortfall: float


def _grow(heap, taken, labels, suit, allowed, area, counts, want: float, only: int | None = None) -> float:
    """Pop the best frontier cells until ``want`` area is taken; returns the area taken."""
    h, w = suit.shape
    got = 0.0
    while got < want - 1e-9 and heap:
        _neg, r, c, label = heapq.heappop(heap)
        if taken[r, c]:
            continue
        taken[r, c] = True
        labels[r, c] = label
        counts[label] = counts.get(label, 0.0) + float(area[r, c])
        got += float(area[r, c])
        for dr, dc in _STEPS:
            rr, cc = r + dr, c + dc
            if 0 <= rr < h and 0 <= cc < w and allowed[rr, cc] and not taken[rr, cc]:
                if only is None or label == only:
                    heapq.heappush(heap, (-suit[rr, cc], rr, cc, label))
    return got


def allocate(
    suitability: np.ndarray,
    allowed: np.ndarray,
    zones: np.ndarray,
    demand: float,
    mode: str = "both",
    min_parcel: float = 1.0,
    max_parcel: float | None = None,
    grow_labels: set[int] | None = None,
    area: np.ndarray | None = None,
) -> Allocation:
    """Place ``demand`` of new industrial land on the most suitable contiguous land.

    Parameters
    ----------
    suitability : numpy.ndarray
        Higher is better; NaN cells are never used.
    allowed : numpy.ndarray of bool
        Cells the land may take (every constraint applied).
    zones : numpy.ndarray of int
        ``k > 0`` on cells whose square meets existing zone ``k`` (touching counts): the free ones are
        its first frontier, so grown land always joins the zone; new sites never start on or next
        to them. 0 elsewhere.
    demand : float
        Area wanted (units of ``area``; cells when ``area`` is None).
    mode : {"grow", "sites", "both"}
    min_parcel, max_parcel : float
        Size limits of a new site (units of ``area``).
    grow_labels : set of int, optional
        The zones allowed to grow (default: all).
    area : numpy.ndarray, optional
        The usable area of each cell (e.g. its area minus excluded parts); default 1 per cell.

    Returns
    -------
    Allocation
    """
    if mode not in ("grow", "sites", "both"):
        raise InvalidParameterError(f"mode must be grow, sites or both, got {mode!r}")
    if demand < 0 or min_parcel <= 0:
        raise InvalidParameterError("demand must be >= 0 and the minimum parcel > 0")
    suit = np.asarray(suitability, dtype=float)
    zones = np.asarray(zones)
    h, w = suit.shape
    area = np.ones((h, w)) if area is None else np.asarray(area, dtype=float)
    allowed = np.asarray(allowed, dtype=bool) & np.isfinite(suit) & (area > 0)
    labels = np.zeros((h, w), dtype=np.int32)
    taken = ~allowed  # cells that can never be taken count as taken
    counts: dict[int, float] = {}
    remaining = float(demand)
    near = np.zeros((h, w), dtype=np.int64)  # a zone label on and next to its cells
    near[zones > 0] = zones[zones > 0]
    for dr, dc in _STEPS:
        shifted = np.zeros_like(near)
        shifted[max(0, dr) : h - max(0, -dr), max(0, dc) : w - max(0, -dc)] = zones[
            max(0, -dr) : h - max(0, dr), max(0, -dc) : w - max(0, dc)
        ]
        near = np.where((near == 0) & (shifted > 0), shifted, near)
    if mode in ("grow", "both") and remaining > 0:
        frontier = zones if grow_labels is None else np.where(np.isin(zones, list(grow_labels)), zones, 0)
        heap = [
            (-suit[r, c], int(r), int(c), int(frontier[r, c])) for r, c in zip(*np.nonzero((frontier > 0) & allowed))
        ]
        heapq.heapify(heap)
        remaining -= _grow(heap, taken, labels, suit, allowed, area, counts, remaining)
    new_sites: list[int] = []
    if mode in ("sites", "both") and remaining > 1e-9:
        tried = np.zeros((h, w), dtype=bool)
        next_label = int(max(zones.max(initial=0), 0)) + 1
        cap = max_parcel or remaining
        order = np.lexsort((np.arange(h * w), -np.nan_to_num(suit, nan=-np.inf).ravel()))
        position = 0
        last_heap = None
        last_label = None
        while remaining > 1e-9:
            if remaining < min_parcel:
                if last_heap is not None:  # too little for a site of its own: the last site grows
                    remaining -= _grow(
                        last_heap, taken, labels, suit, allowed, area, counts, remaining, only=last_label
                    )
                break
            seed = None
            while position < len(order):
                r, c = divmod(int(order[position]), w)
                position += 1
                if not taken[r, c] and near[r, c] == 0 and not tried[r, c]:
                    seed = (r, c)
                    break
            if seed is None:
                break
            label = next_label
            heap = [(-suit[seed], seed[0], seed[1], label)]
            got = _grow(heap, taken, labels, suit, allowed, area, counts, min(cap, remaining), only=label)
            if got < min_parcel - 1e-9:
                patch = labels == label
                taken[patch] = False
                labels[patch] = 0
                tried[patch] = True
                counts.pop(label, None)
                continue
            new_sites.append(label)
            next_label += 1
            remaining -= got
            last_heap, last_label = heap, label
    return Allocation(labels, counts, new_sites, max(remaining, 0.0))
