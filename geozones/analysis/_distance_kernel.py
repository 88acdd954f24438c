"""Compiled (numba) kernel of :func:`geozones.analysis.raster.distance_raster`: exact branch-and-bound.

Coordinates are relative to the centre of the upper-left cell with y growing southward, so
the centre of cell (row, col) is ``(col * res, row * res)``. A depth-first quadtree over
cell blocks carries the list of segments that can still be nearest to some cell of the
block; a segment is dropped only when a lower bound of its distance to the block exceeds an
upper bound of the nearest distance for every cell of the block, so the final per-cell
minimum over the surviving segments equals the brute-force minimum over all segments.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, inline="always")
def _d2f(px, py, f, s):
    """Squared distance from a point to segment ``s`` of the prepared array ``f`` (x0, y0, dx, dy, 1/len²)."""
    x0 = f[s, 0]
    y0 = f[s, 1]
    dx = f[s, 2]
    dy = f[s, 3]
    t = ((px - x0) * dx + (py - y0) * dy) * f[s, 4]
    if t < 0.0:
        t = 0.0
    elif t > 1.0:
        t = 1.0
    ex = px - (x0 + t * dx)
    ey = py - (y0 + t * dy)
    return ex * ex + ey * ey


@njit(cache=True, inline="always")
def _d2(px, py, x0, y0, x1, y1):
    dx = x1 - x0
    dy = y1 - y0
    length2 = dx * dx + dy * dy
    t = 0.0
    if length2 > 0.0:
        t = ((px - x0) * dx + (py - y0) * dy) / length2
        if t < 0.0:
            t = 0.0
        elif t > 1.0:
            t = 1.0
    ex = px - (x0 + t * dx)
    ey = py - (y0 + t * dy)
    return ex * ex + ey * ey


@njit(cache=True, parallel=True)
def distance_field(seg, height, width, res, leaf, limit, out, direct=2):
    """Fill ``out`` (height x width, float64) with exact distances; ``limit`` caps the search (inf: none).

    The grid is cut into tiles of 256 x 256 cells searched in parallel, each starting from
    every segment.
    """
    n = seg.shape[0]
    prep = np.empty((n, 5))
    for s in range(n):
        dx = seg[s, 2] - seg[s, 0]
        dy = seg[s, 3] - seg[s, 1]
        length2 = dx * dx + dy * dy
        prep[s, 0] = seg[s, 0]
        prep[s, 1] = seg[s, 1]
        prep[s, 2] = dx
        prep[s, 3] = dy
        prep[s, 4] = 1.0 / length2 if length2 > 0.0 else 0.0
    tile = 256
    while tile < leaf:
        tile *= 2
    rows = (height + tile - 1) // tile
    cols = (width + tile - 1) // tile
    for t in prange(rows * cols):
        _tile(seg, prep, (t // cols) * tile, (t % cols) * tile, tile, height, width, res, leaf, limit, out, direct)
    return out


@njit(cache=True)
def _tile(seg, prep, tr0, tc0, size, height, width, res, leaf, limit, out, direct):
    n = seg.shape[0]
    # stack of blocks: r0, c0, size, start, count (candidate lists live in `cand`)
    levels = 1
    while (leaf << (levels - 1)) < size:
        levels += 1
    stack = np.empty((levels * 4 + 4, 5), dtype=np.int64)
    cand = np.empty(n * (levels + 2), dtype=np.int64)
    for i in range(n):
        cand[i] = i
    stack[0, 0] = tr0
    stack[0, 1] = tc0
    stack[0, 2] = size
    stack[0, 3] = 0
    stack[0, 4] = n
    top = 1
    upper = np.empty(n, dtype=np.float64)
    lower = np.empty(n, dtype=np.float64)
    while top > 0:
        top -= 1
        r0 = stack[top, 0]
        c0 = stack[top, 1]
        bsize = stack[top, 2]
        start = stack[top, 3]
        count = stack[top, 4]
        r1 = min(r0 + bsize, height) - 1
        c1 = min(c0 + bsize, width) - 1
        bx0 = c0 * res
        bx1 = c1 * res
        by0 = r0 * res
        by1 = r1 * res
        cx = 0.5 * (bx0 + bx1)
        cy = 0.5 * (by0 + by1)
        half = 0.5 * np.sqrt((bx1 - bx0) ** 2 + (by1 - by0) ** 2)
        best = limit
        for k in range(count):
            s = cand[start + k]
            x0, y0, x1, y1 = seg[s, 0], seg[s, 1], seg[s, 2], seg[s, 3]
            u = max(
                max(_d2f(bx0, by0, prep, s), _d2f(bx1, by0, prep, s)),
                max(_d2f(bx0, by1, prep, s), _d2f(bx1, by1, prep, s)),
            )
            u = np.sqrt(u)
            upper[k] = u
            if u < best:
                best = u
            gx = max(0.0, max(min(x0, x1) - bx1, bx0 - max(x0, x1)))
            gy = max(0.0, max(min(y0, y1) - by1, by0 - max(y0, y1)))
            lb = np.sqrt(gx * gx + gy * gy)
            lc = np.sqrt(_d2f(cx, cy, prep, s)) - half
            lower[k] = lb if lb > lc else lc
        # keep the segments that may be nearest somewhere in the block (write after the parent's list)
        new_start = start + count
        kept = 0
        tol = 1e-9 * (1.0 + best)
        for k in range(count):
            if lower[k] <= best + tol:
                cand[new_start + kept] = cand[start + k]
                kept += 1
        if kept == 0:
            continue  # nothing within `limit`
        if bsize <= leaf or kept <= direct:
            for r in range(r0, r1 + 1):
                py = r * res
                for c in range(c0, c1 + 1):
                    px = c * res
                    dmin = np.inf
                    for k in range(kept):
                        d = _d2f(px, py, prep, cand[new_start + k])
                        if d < dmin:
                            dmin = d
                    out[r, c] = np.sqrt(dmin)
            continue
        # compact: move the kept list to `start` is not possible (siblings share the parent's list);
        # children read it from new_start
        h = bsize // 2
        for dr, dc in ((h, h), (h, 0), (0, h), (0, 0)):
            rr = r0 + dr
            cc = c0 + dc
            if rr < height and cc < width:
                stack[top, 0] = rr
                stack[top, 1] = cc
                stack[top, 2] = h
                stack[top, 3] = new_start
                stack[top, 4] = kept
                top += 1
    return out
