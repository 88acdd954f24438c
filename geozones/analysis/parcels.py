"""Allocating land demand as parks: compact, contiguous parcels of a minimum width.

Works on a raster of suitability (higher is better, NaN unusable) and a boolean ``allowed`` mask
(every constraint already applied). Each parcel is one 4-connected piece of cells that:

* **is wide enough**: the morphological opening of its cells by a disc of diameter
  ``min_width`` (cells whose square meets the disc, :func:`disc`) keeps at least
  :data:`WIDTH_SHARE` of its cells: a strip narrower than the disc vanishes under the opening;
* **is compact**: its Polsby–Popper score ``4 π A / P²`` (area and perimeter of the cell
  outline, 1 for a disc, about 0.6 for a disc drawn in cells, 0.01 for a 40 ha strip 42 m wide)
  is at least ``min_compactness``;
* **is useful**: it holds at least ``min_parcel`` (a smaller piece is not placed).

A parcel grows from a seed cell, best first, where a cell's priority is its suitability minus
its distance from the seed in units of the radius ``R`` of a disc of the parcel's target area
(so a parcel stays round unless the land forces otherwise). Seeds are ranked by the mean
suitability of the wide land in a disc of radius ``R`` around them (the best suitable block):

* **grow**: seeds are the free cells on a zone's frontier (cells whose square meets it); the
  parcel joins that zone;
* **sites**: seeds are cells that neither lie on nor touch a zone; the parcel never touches one;
* **both**: grow first, then open sites for the rest.

Only cells inside the opening of the allowed land by the disc are used (land where a disc of the
minimum width fits). A remainder smaller than ``min_parcel`` enlarges the last parcel placed
(when it still meets the rules) or is reported as shortfall. Everything is deterministic: ties
go to the lower row, then the lower column.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage, signal

from geozones.errors import InvalidParameterError

_STEPS = ((-1, 0), (1, 0), (0, -1), (0, 1))
#: Share of a parcel's cells its opening by the minimum-width disc must keep.
WIDTH_SHARE = 0.9
#: Most seeds one allocation tries (bounds the work of a demand no land can hold).
MAX_SEEDS = 400
#: Growth rounds that drop the cells the opening removes and grow again.
ROUNDS = 6


@dataclass(frozen=True)
class ParcelAllocation:
    """Cells given to each zone and new site, and why any demand was not placed.

    Attributes
    ----------
    labels : numpy.ndarray
        int32, 0 where nothing was allocated; ``k > 0`` grows existing zone ``k``; new sites get
        labels after the largest existing one, in the order they were opened.
    allocated : dict
        label -> area allocated (units of ``area``).
    new_sites : list of int
        Labels of the sites opened.
    shortfall : float
        Demand that could not be placed (0 when met).
    compactness : dict
        label -> Polsby–Popper score of each parcel placed (a zone grown twice: its last parcel).
    reasons : list of str
        Why seeds were refused or demand left unplaced (empty when everything fitted at once).
    """

    labels: np.ndarray
    allocated: dict[int, float]
    new_sites: list[int]
    shortfall: float
    compactness: dict[int, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)


def disc(width_cells: float) -> np.ndarray:
    """Structuring element of a disc of diameter ``width_cells``: the cells whose square meets it."""
    rho = max(float(width_cells), 1.0) / 2.0
    k = int(np.ceil(rho + 0.5))
    i, j = np.mgrid[-k : k + 1, -k : k + 1]
    di = np.maximum(np.abs(i) - 0.5, 0.0)
    dj = np.maximum(np.abs(j) - 0.5, 0.0)
    element = di * di + dj * dj < rho * rho
    rows, cols = np.nonzero(element.any(axis=1))[0], np.nonzero(element.any(axis=0))[0]
    return element[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def polsby_popper(mask: np.ndarray) -> float:
    """``4 π A / P²`` of the outline of a set of cells (unit cells; edges shared with the outside count)."""
    cells = int(mask.sum())
    if cells == 0:
        return 0.0
    padded = np.pad(mask.astype(bool), 1)
    edges = int((padded[1:, :] != padded[:-1, :]).sum() + (padded[:, 1:] != padded[:, :-1]).sum())
    return float(4 * np.pi * cells / edges**2)


def opening(mask: np.ndarray, element: np.ndarray) -> np.ndarray:
    """The morphological opening of a set of cells by ``element`` (outside the array counts as empty)."""
    mask = np.asarray(mask, dtype=bool)
    out = np.zeros_like(mask)
    rows, cols = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
    if len(rows) == 0:
        return out
    r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    pad = max(element.shape)
    window = np.pad(mask[r0:r1, c0:c1], pad)
    out[r0:r1, c0:c1] = ndimage.binary_opening(window, structure=element)[pad:-pad, pad:-pad]
    return out


def width_share(mask: np.ndarray, element: np.ndarray) -> float:
    """Share of a set of cells kept by its opening with ``element`` (1 when every part is wide enough)."""
    cells = int(np.count_nonzero(mask))
    return float(np.count_nonzero(opening(mask, element)) / cells) if cells else 0.0


class _Placer:
    """Shared state of one allocation: what is taken, the wide land, the seed ranking."""

    def __init__(self, suit, allowed, area, element, min_width_cells, min_compactness, min_parcel):
        self.suit, self.area, self.element = suit, area, element
        self.min_compactness, self.min_parcel = min_compactness, min_parcel
        self.min_width_cells = min_width_cells
        self.wide = ndimage.binary_opening(allowed, structure=element) if element.size > 1 else allowed.copy()
        self.taken = ~self.wide
        self.labels = np.zeros(suit.shape, dtype=np.int32)
        self.cell_mean = float(np.mean(area[allowed])) if allowed.any() else 1.0
        self.reasons: dict[str, int] = {}
        self._blocks: dict[int, np.ndarray] = {}

    def radius(self, target: float) -> float:
        """Radius, in cells, of a disc holding ``target`` (units of ``area``)."""
        return max(1.0, float(np.sqrt(target / self.cell_mean / np.pi)))

    def block_score(self, target: float) -> np.ndarray:
        """Mean suitability of the wide land in a disc of the target's size around each cell."""
        r = int(round(self.radius(target)))
        if r not in self._blocks:
            i, j = np.mgrid[-r : r + 1, -r : r + 1]
            kernel = (i * i + j * j <= r * r).astype(float)
            values = np.where(self.wide, np.nan_to_num(self.suit, nan=0.0), 0.0)
            self._blocks[r] = signal.fftconvolve(values, kernel, mode="same") / kernel.sum()
        return self._blocks[r]

    def refuse(self, reason: str) -> None:
        self.reasons[reason] = self.reasons.get(reason, 0) + 1

    def grow(self, seed, target: float, free: np.ndarray) -> np.ndarray:
        """Cells of a compact parcel grown from ``seed`` over ``free`` cells until it holds ``target``."""
        h, w = self.suit.shape
        radius = self.radius(target)
        parcel = np.zeros((h, w), dtype=bool)
        heap = [(-float(self.suit[seed]), seed[0], seed[1])]
        got = 0.0
        while heap and got < target - 1e-9:
            _key, r, c = heapq.heappop(heap)
            if parcel[r, c]:
                continue
            parcel[r, c] = True
            got += float(self.area[r, c])
            for dr, dc in _STEPS:
                rr, cc = r + dr, c + dc
                if 0 <= rr < h and 0 <= cc < w and free[rr, cc] and not parcel[rr, cc]:
                    distance = np.hypot(rr - seed[0], cc - seed[1]) / radius
                    heapq.heappush(heap, (-(float(self.suit[rr, cc]) - distance), rr, cc))
        return parcel

    def parcel(self, seed, target: float, free: np.ndarray) -> tuple[np.ndarray | None, float]:
        """The largest parcel up to ``target`` meeting the rules, halving a target the land cannot hold as one
        compact piece down to the minimum parcel (or None, the reason noted)."""
        while True:
            parcel, score, reason = self._parcel(seed, target, free)
            if parcel is not None:
                return parcel, score
            if reason.startswith("too little") or target / 2 < self.min_parcel:
                self.refuse(reason)
                return None, 0.0
            target /= 2

    def _parcel(self, seed, target: float, free: np.ndarray) -> tuple[np.ndarray | None, float, str]:
        usable = free.copy()
        parcel = self.grow(seed, target, usable)
        for _ in range(ROUNDS):
            if width_share(parcel, self.element) >= WIDTH_SHARE:
                break
            usable &= ~(parcel & ~opening(parcel, self.element))
            if not usable[seed]:
                break
            parcel = self.grow(seed, target, usable)
        got = float(self.area[parcel].sum())
        if got < self.min_parcel - 1e-9:
            return None, 0.0, "too little contiguous land for the minimum parcel"
        if width_share(parcel, self.element) < WIDTH_SHARE:
            return None, 0.0, f"narrower than the minimum width ({self.min_width_cells:g} cells)"
        score = polsby_popper(parcel)
        if score < self.min_compactness:
            return None, 0.0, f"not compact (Polsby–Popper below {self.min_compactness:g})"
        return parcel, score, ""


def allocate_parcels(
    suitability: np.ndarray,
    allowed: np.ndarray,
    zones: np.ndarray,
    demand: float,
    mode: str = "both",
    min_parcel: float = 1.0,
    max_parcel: float | None = None,
    grow_labels: set[int] | None = None,
    area: np.ndarray | None = None,
    *,
    min_width: float = 1.0,
    min_compactness: float = 0.0,
) -> ParcelAllocation:
    """Place ``demand`` of new industrial land as compact parcels of at least ``min_width`` cells.

    Parameters
    ----------
    suitability, allowed, zones, demand, mode, min_parcel, max_parcel, grow_labels, area
        As for :func:`geozones.analysis.allocation.allocate` (``max_parcel`` caps a new site).
    min_width : float
        Narrowest a parcel may be, in cells (see :func:`disc`).
    min_compactness : float
        Lowest Polsby–Popper score of a parcel's cell outline (0..1).

    Returns
    -------
    ParcelAllocation
    """
    if mode not in ("grow", "sites", "both"):
        raise InvalidParameterError(f"mode must be grow, sites or both, got {mode!r}")
    if demand < 0 or min_parcel <= 0 or min_width <= 0 or not 0 <= min_compactness < 1:
        raise InvalidParameterError("demand >= 0, minimum parcel > 0, width > 0 and 0 <= compactness < 1 required")
    suit = np.asarray(suitability, dtype=float)
    zones = np.asarray(zones)
    h, w = suit.shape
    area = np.ones((h, w)) if area is None else np.asarray(area, dtype=float)
    allowed = np.asarray(allowed, dtype=bool) & np.isfinite(suit) & (area > 0)
    placer = _Placer(suit, allowed, area, disc(min_width), min_width, min_compactness, min_parcel)
    near = ndimage.grey_dilation(np.where(zones > 0, zones, 0), footprint=ndimage.generate_binary_structure(2, 1))
    counts: dict[int, float] = {}
    compactness: dict[int, float] = {}
    new_sites: list[int] = []
    remaining = float(demand)
    last: tuple | None = None  # (label, seed, target, free) of the last parcel placed

    def place(label: int, parcel: np.ndarray, score: float) -> float:
        placer.taken |= parcel
        placer.labels[parcel] = label
        got = float(area[parcel].sum())
        counts[label] = counts.get(label, 0.0) + got
        compactness[label] = score
        return got

    def seeds(candidates: np.ndarray, target: float):
        score = placer.block_score(target)
        rows, cols = np.nonzero(candidates)
        order = np.lexsort((cols, rows, -score[rows, cols]))
        return [(int(rows[k]), int(cols[k])) for k in order[: MAX_SEEDS * 4]]

    if mode in ("grow", "both") and remaining > 1e-9:
        frontier = zones if grow_labels is None else np.where(np.isin(zones, list(grow_labels)), zones, 0)
        tried = 0
        for seed in seeds((frontier > 0) & placer.wide, remaining):
            if remaining <= 1e-9 or remaining < min_parcel or tried >= MAX_SEEDS:
                break
            if placer.taken[seed]:
                continue
            tried += 1
            label = int(frontier[seed])
            free = ~placer.taken & ((near == 0) | (near == label) | (zones == label))
            parcel, score = placer.parcel(seed, remaining, free)
            if parcel is not None:
                remaining -= place(label, parcel, score)
                last = (label, seed, counts[label], free, parcel)
    if mode in ("sites", "both") and remaining >= min_parcel - 1e-9:
        next_label = int(max(zones.max(initial=0), 0)) + 1
        tried = 0
        target = min(max_parcel or remaining, remaining)
        for seed in seeds(placer.wide & (near == 0), target):
            if remaining < min_parcel - 1e-9 or tried >= MAX_SEEDS:
                break
            if placer.taken[seed]:
                continue
            tried += 1
            target = min(max_parcel or remaining, remaining)
            free = ~placer.taken & (near == 0)
            parcel, score = placer.parcel(seed, target, free)
            if parcel is None:
                continue
            remaining -= place(next_label, parcel, score)
            new_sites.append(next_label)
            last = (next_label, seed, counts[next_label], free, parcel)
            next_label += 1
    if 1e-9 < remaining < min_parcel and last is not None:  # the last parcel takes the remainder if it can
        label, seed, had, free, old = last
        placer.taken[old] = False
        placer.labels[old] = 0
        bigger, score = placer.parcel(seed, float(area[old].sum()) + remaining, free | old)
        if bigger is not None and float(area[bigger].sum()) > float(area[old].sum()):
            counts[label] -= float(area[old].sum())
            remaining += float(area[old].sum())
            remaining -= place(label, bigger, score)
        else:
            place(label, old, compactness[label])
            counts[label] -= float(area[old].sum())
    reasons = [f"{count} seed(s) refused: {reason}" for reason, count in placer.reasons.items()]
    if remaining > 1e-9 and remaining < min_parcel:
        reasons.append(f"a remainder of {remaining:g} is below the minimum parcel of {min_parcel:g}")
    if remaining > 1e-9 and not placer.wide.any():
        reasons.append("no allowed land is as wide as the minimum width")
    return ParcelAllocation(placer.labels, counts, new_sites, max(remaining, 0.0), compactness, reasons)
