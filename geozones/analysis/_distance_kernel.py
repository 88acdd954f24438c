"""Compiled (numba) kernel of :func:`geozones.analysis.raster.distance_raster`: exact branch-and-bound.

Coordinates are relative to the centre of the upper-left cell with y growing southward, so the
centre of cell (row, col) is ``(col * res, row * res)``. The grid is cut into tiles of 64 x 64
cells searched in parallel. Each tile starts from the segments a ring search over a bucket grid
finds near it, then a depth-first quadtree over blocks of cells carries the segments that can
still be nearest to some cell of the block, down to leaves of ``leaf`` x ``leaf`` cells where
every cell is measured against every surviving segment.

Why the result equals the brute-force minimum over all segments: a segment is dropped from a box
of cell centres only when it is provably no nearer than some kept segment at *every* point of
the box, by one of three rules:

1. **Bound.** Its distance to the box (the larger of the bounding-box gap and its distance to the
   box centre minus the half diagonal) exceeds ``bound``, the smallest over segments of the
   largest corner distance. The distance to a segment is convex, so its maximum over a box is at
   a corner, and ``bound`` bounds the nearest distance everywhere in the box.
2. **Dominance.** The box is split into four triangles, each two corners and the centre. For a
   reference segment ``s`` (the nearest at one of these five points) and a candidate ``t``,
   ``d_t(p) - d_s(p) >= min over the five points of (d_t - d_s) - R**2 / (2 * lower_t)`` for every
   ``p`` in the box: on each triangle ``d_s`` lies below its linear interpolation at the vertices
   (convexity) and ``d_t`` lies above its interpolation minus ``M R**2 / 2`` (Waldron, "The error
   in linear interpolation at the vertices of a simplex", SIAM J. Numer. Anal. 35, 1998), with
   ``R`` the largest radius of the triangles' smallest enclosing balls and ``M = 1 / lower_t`` the
   Lipschitz constant of the gradient of the distance to a segment away from it (its Hessian is
   0 or ``(I - g g') / d``). The difference of two interpolations is linear, so its minimum over
   a triangle is at a vertex. ``t`` is dropped when that bound is positive for some reference.
3. **Tile start.** A tile starts from the segments whose bounding box lies within
   ``D(c) + h`` of it, where ``D(c)`` is the exact nearest distance at the tile's centre and ``h``
   its half diagonal (the distance field is 1-Lipschitz). Both are found by ring searches over a
   bucket grid of the tile size: buckets ``k`` rings away are at least ``(k - 1)`` bucket widths
   away (segments outside the grid are clamped into the border buckets, which only moves them
   closer), so each search stops once that exceeds what it looks for.

Ties and rounding are covered by a relative tolerance of 1e-9 that keeps, never drops, a
segment. The final per-cell minimum is taken with the same float64 formula as the brute force.
The loops over candidates and over the cells of a leaf are written so that the compiler turns
them into SIMD code: candidate segments are copied into contiguous rows (x0, y0, dx, dy,
1/len**2), the survivors are flagged and compacted without branches, and minima run on eight
independent lanes.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

#: Cells on a side of the tiles searched in parallel (also the bucket size of the ring searches).
TILE = 64
#: Interleaved groups of tiles handed to the threads (balances dense and empty parts of the grid).
GROUPS = 16


@njit(cache=True, inline="always")
def _d2(px, py, x0, y0, dx, dy, inv):
    """Squared distance from a point to the segment (x0, y0) + t (dx, dy), ``inv`` = 1 / |(dx, dy)|²."""
    t = ((px - x0) * dx + (py - y0) * dy) * inv
    t = 0.0 if t < 0.0 else (1.0 if t > 1.0 else t)
    ex = px - (x0 + t * dx)
    ey = py - (y0 + t * dy)
    return ex * ex + ey * ey


@njit(cache=True)
def _prepare(seg):
    """Rows x0, y0, dx, dy, 1/len² of the segments (x0, y0, x1, y1)."""
    n = seg.shape[0]
    f = np.empty((5, n))
    for s in range(n):
        dx = seg[s, 2] - seg[s, 0]
        dy = seg[s, 3] - seg[s, 1]
        length2 = dx * dx + dy * dy
        f[0, s] = seg[s, 0]
        f[1, s] = seg[s, 1]
        f[2, s] = dx
        f[3, s] = dy
        f[4, s] = 1.0 / length2 if length2 > 0.0 else 0.0
    return f


@njit(cache=True)
def _buckets(seg, size, nbx, nby):
    """CSR lists of the segments whose bounding box meets each bucket (clamped into the bucket grid)."""
    n = seg.shape[0]
    starts = np.zeros(nbx * nby + 1, dtype=np.int64)
    items = np.empty(0, dtype=np.int64)
    fill = np.empty(0, dtype=np.int64)
    for stage in range(2):
        if stage == 1:
            for b in range(nbx * nby):
                starts[b + 1] += starts[b]
            items = np.empty(starts[nbx * nby], dtype=np.int64)
            fill = starts[:-1].copy()
        for s in range(n):
            i0 = min(max(int(np.floor(min(seg[s, 0], seg[s, 2]) / size)), 0), nbx - 1)
            i1 = min(max(int(np.floor(max(seg[s, 0], seg[s, 2]) / size)), 0), nbx - 1)
            j0 = min(max(int(np.floor(min(seg[s, 1], seg[s, 3]) / size)), 0), nby - 1)
            j1 = min(max(int(np.floor(max(seg[s, 1], seg[s, 3]) / size)), 0), nby - 1)
            for j in range(j0, j1 + 1):
                for i in range(i0, i1 + 1):
                    b = j * nbx + i
                    if stage == 0:
                        starts[b + 1] += 1
                    else:
                        items[fill[b]] = s
                        fill[b] += 1
    return starts, items


@njit(cache=True)
def _gap2(x0, y0, dx, dy, bx0, by0, bx1, by1):
    """Squared gap between a segment's bounding box and a box (0 when they meet)."""
    x1 = x0 + dx
    y1 = y0 + dy
    gx = max(0.0, max(min(x0, x1) - bx1, bx0 - max(x0, x1)))
    gy = max(0.0, max(min(y0, y1) - by1, by0 - max(y0, y1)))
    return gx * gx + gy * gy


@njit(cache=True)
def _ring(ti, tj, ring, nbx, nby, out):
    """Write into ``out`` the buckets ``ring`` rings around bucket (ti, tj) that lie in the grid; return how many.

    Buckets ``ring`` rings away are at least ``ring - 1`` bucket widths from any point of (ti, tj).
    """
    count = 0
    for j in range(tj - ring, tj + ring + 1):
        if j < 0 or j >= nby:
            continue
        step = 1 if (j == tj - ring or j == tj + ring or ring == 0) else 2 * ring
        for i in range(ti - ring, ti + ring + 1, step):
            if 0 <= i < nbx:
                out[count] = j * nbx + i
                count += 1
    return count


@njit(cache=True)
def _nearest(f, starts, items, nbx, nby, size, ti, tj, px, py, limit):
    """Distance from (px, py), inside bucket (ti, tj), to the nearest segment; at most ``limit``."""
    buckets = np.empty(8 * max(nbx, nby) + 1, dtype=np.int64)
    best2 = limit * limit
    for ring in range(max(nbx, nby) + 1):
        if ring >= 2 and ((ring - 1) * size) ** 2 > best2:
            break
        for k in range(_ring(ti, tj, ring, nbx, nby, buckets)):
            b = buckets[k]
            for q in range(starts[b], starts[b + 1]):
                s = items[q]
                d = _d2(px, py, f[0, s], f[1, s], f[2, s], f[3, s], f[4, s])
                if d < best2:
                    best2 = d
    return np.sqrt(best2)


@njit(cache=True)
def _within(f, starts, items, nbx, nby, size, ti, tj, box, reach, seen, stamp, found):
    """Segments whose bounding box lies within ``reach`` of ``box`` (tile ti, tj), into ``found``.

    ``seen[s] == stamp`` marks the segments already met (a segment is listed in every bucket its
    bounding box meets).
    """
    buckets = np.empty(8 * max(nbx, nby) + 1, dtype=np.int64)
    bx0, by0, bx1, by1 = box[0], box[1], box[2], box[3]
    reach2 = reach * reach * (1.0 + 1e-9) + 1e-9
    count = 0
    for ring in range(max(nbx, nby) + 1):
        if ring >= 2 and (ring - 1) * size > reach:
            break
        for k in range(_ring(ti, tj, ring, nbx, nby, buckets)):
            b = buckets[k]
            for q in range(starts[b], starts[b + 1]):
                s = items[q]
                if seen[s] == stamp:
                    continue
                seen[s] = stamp
                if _gap2(f[0, s], f[1, s], f[2, s], f[3, s], bx0, by0, bx1, by1) <= reach2:
                    found[count] = s
                    count += 1
    return count


@njit(cache=True)
def _measure(cand, start, count, box, cx, cy, half, corner, lower):
    """Distances of each candidate to the four corners (rows 0-3) and the centre (row 4) of a box,
    and a lower bound of its distance over the box."""
    bx0, by0, bx1, by1 = box[0], box[1], box[2], box[3]
    for q in range(count):
        k = start + q
        x0 = cand[0, k]
        y0 = cand[1, k]
        dx = cand[2, k]
        dy = cand[3, k]
        inv = cand[4, k]
        corner[0, q] = np.sqrt(_d2(bx0, by0, x0, y0, dx, dy, inv))
        corner[1, q] = np.sqrt(_d2(bx1, by0, x0, y0, dx, dy, inv))
        corner[2, q] = np.sqrt(_d2(bx0, by1, x0, y0, dx, dy, inv))
        corner[3, q] = np.sqrt(_d2(bx1, by1, x0, y0, dx, dy, inv))
        corner[4, q] = np.sqrt(_d2(cx, cy, x0, y0, dx, dy, inv))
        gap = np.sqrt(_gap2(x0, y0, dx, dy, bx0, by0, bx1, by1))
        centre = corner[4, q] - half
        lower[q] = gap if gap > centre else centre


@njit(cache=True)
def _row_min(x, n):
    """Smallest of ``x[:n]`` (eight independent running minima)."""
    m0 = m1 = m2 = m3 = m4 = m5 = m6 = m7 = np.inf
    full = n - n % 8
    for q in range(0, full, 8):
        m0 = min(m0, x[q])
        m1 = min(m1, x[q + 1])
        m2 = min(m2, x[q + 2])
        m3 = min(m3, x[q + 3])
        m4 = min(m4, x[q + 4])
        m5 = min(m5, x[q + 5])
        m6 = min(m6, x[q + 6])
        m7 = min(m7, x[q + 7])
    m = min(min(min(m0, m1), min(m2, m3)), min(min(m4, m5), min(m6, m7)))
    for q in range(full, n):
        m = min(m, x[q])
    return m


@njit(cache=True)
def _row_argmin(x, n):
    """Index of the (first) smallest of ``x[:n]``."""
    m = _row_min(x, n)
    for q in range(n):
        if x[q] == m:
            return q
    return 0


@njit(cache=True)
def _bound(corner, n):
    """Smallest over candidates of the largest corner distance: the nearest distance is below it."""
    m0 = m1 = m2 = m3 = np.inf
    full = n - n % 4
    for q in range(0, full, 4):
        m0 = min(m0, max(max(corner[0, q], corner[1, q]), max(corner[2, q], corner[3, q])))
        m1 = min(m1, max(max(corner[0, q + 1], corner[1, q + 1]), max(corner[2, q + 1], corner[3, q + 1])))
        m2 = min(m2, max(max(corner[0, q + 2], corner[1, q + 2]), max(corner[2, q + 2], corner[3, q + 2])))
        m3 = min(m3, max(max(corner[0, q + 3], corner[1, q + 3]), max(corner[2, q + 3], corner[3, q + 3])))
    m = min(min(m0, m1), min(m2, m3))
    for q in range(full, n):
        m = min(m, max(max(corner[0, q], corner[1, q]), max(corner[2, q], corner[3, q])))
    return m


@njit(cache=True)
def _flags(corner, lower, count, bound, tol, r2, refs, keep):
    """``keep[q]`` = 1 when candidate ``q`` survives rules 1 and 2 (see the module docstring), else 0.

    Rule 2 compares with the five references' values at the five points, held in scalars so that
    the loop vectorises.
    """
    a0, a1, a2, a3, a4 = (
        corner[0, refs[0]],
        corner[1, refs[0]],
        corner[2, refs[0]],
        corner[3, refs[0]],
        corner[4, refs[0]],
    )
    b0, b1, b2, b3, b4 = (
        corner[0, refs[1]],
        corner[1, refs[1]],
        corner[2, refs[1]],
        corner[3, refs[1]],
        corner[4, refs[1]],
    )
    c0, c1, c2, c3, c4 = (
        corner[0, refs[2]],
        corner[1, refs[2]],
        corner[2, refs[2]],
        corner[3, refs[2]],
        corner[4, refs[2]],
    )
    d0, d1, d2, d3, d4 = (
        corner[0, refs[3]],
        corner[1, refs[3]],
        corner[2, refs[3]],
        corner[3, refs[3]],
        corner[4, refs[3]],
    )
    e0, e1, e2, e3, e4 = (
        corner[0, refs[4]],
        corner[1, refs[4]],
        corner[2, refs[4]],
        corner[3, refs[4]],
        corner[4, refs[4]],
    )
    reach = bound + tol
    for q in range(count):
        low = lower[q]
        margin = 0.5 * r2 / low + tol if low > 0.0 else np.inf
        v0 = corner[0, q]
        v1 = corner[1, q]
        v2 = corner[2, q]
        v3 = corner[3, q]
        v4 = corner[4, q]
        # by how much the candidate exceeds each reference at the least of the five points
        xa = min(min(min(v0 - a0, v1 - a1), min(v2 - a2, v3 - a3)), v4 - a4)
        xb = min(min(min(v0 - b0, v1 - b1), min(v2 - b2, v3 - b3)), v4 - b4)
        xc = min(min(min(v0 - c0, v1 - c1), min(v2 - c2, v3 - c3)), v4 - c4)
        xd = min(min(min(v0 - d0, v1 - d1), min(v2 - d2, v3 - d3)), v4 - d4)
        xe = min(min(min(v0 - e0, v1 - e1), min(v2 - e2, v3 - e3)), v4 - e4)
        excess = max(max(max(xa, xb), max(xc, xd)), xe)
        keep[q] = 1 if (low <= reach and excess <= margin) else 0


@njit(cache=True)
def _compact(cand, start, count, keep):
    """Copy the kept candidates of ``cand[:, start:start+count]`` right after it; return how many."""
    d = start + count
    for q in range(count):
        k = start + q
        cand[0, d] = cand[0, k]
        cand[1, d] = cand[1, k]
        cand[2, d] = cand[2, k]
        cand[3, d] = cand[3, k]
        cand[4, d] = cand[4, k]
        d += keep[q]
    return d - start - count


@njit(cache=True)
def _fan_radius2(box, h2):
    """Largest squared radius of the smallest balls enclosing the four triangles (two corners, centre)."""
    r2 = 0.0
    for edge2 in ((box[2] - box[0]) ** 2, (box[3] - box[1]) ** 2):
        # an isosceles triangle with legs h (the half diagonal) on an edge: obtuse or right at the
        # centre when edge² >= 2 h², then the ball has the edge as diameter; else its circumcircle
        if edge2 >= 2.0 * h2:
            r = 0.25 * edge2
        else:
            r = h2 * h2 / (4.0 * h2 - edge2)
        r2 = max(r2, r)
    return r2


@njit(cache=True)
def _leaf(cand, start, count, r0, r1, c0, c1, res, out, px, py, best):
    """Every cell of a leaf against every candidate (vectorised over the cells)."""
    m = 0
    for r in range(r0, r1 + 1):
        for c in range(c0, c1 + 1):
            px[m] = c * res
            py[m] = r * res
            best[m] = np.inf
            m += 1
    for k in range(start, start + count):
        x0 = cand[0, k]
        y0 = cand[1, k]
        dx = cand[2, k]
        dy = cand[3, k]
        inv = cand[4, k]
        for j in range(m):
            d = _d2(px[j], py[j], x0, y0, dx, dy, inv)
            best[j] = d if d < best[j] else best[j]
    m = 0
    for r in range(r0, r1 + 1):
        for c in range(c0, c1 + 1):
            out[r, c] = np.sqrt(best[m])
            m += 1


@njit(cache=True)
def _single(cand, k, r0, r1, c0, c1, res, out):
    """A block with one candidate left: its distance is the answer for every cell."""
    x0 = cand[0, k]
    y0 = cand[1, k]
    dx = cand[2, k]
    dy = cand[3, k]
    inv = cand[4, k]
    for r in range(r0, r1 + 1):
        py = r * res
        for c in range(c0, c1 + 1):
            out[r, c] = np.sqrt(_d2(c * res, py, x0, y0, dx, dy, inv))


@njit(cache=True)
def _tile(f, first, nfirst, tr0, tc0, size, height, width, res, leaf, limit, out):
    """Depth-first branch-and-bound over one tile, starting from segments ``first[:nfirst]``."""
    levels = 1
    while (leaf << (levels - 1)) < size:
        levels += 1
    # stack of blocks: r0, c0, size, start, count; a block's candidates are cand[:, start:start+count]
    stack = np.empty((levels * 4 + 4, 5), dtype=np.int64)
    cand = np.empty((5, nfirst * (levels + 2) + 1))
    for i in range(nfirst):
        s = first[i]
        for a in range(5):
            cand[a, i] = f[a, s]
    stack[0, 0] = tr0
    stack[0, 1] = tc0
    stack[0, 2] = size
    stack[0, 3] = 0
    stack[0, 4] = nfirst
    top = 1
    corner = np.empty((5, nfirst + 1))
    lower = np.empty(nfirst + 1)
    keep = np.empty(nfirst + 1, dtype=np.int64)
    refs = np.zeros(5, dtype=np.int64)
    px = np.empty(leaf * leaf)
    py = np.empty(leaf * leaf)
    best = np.empty(leaf * leaf)
    box = np.empty(4)
    while top > 0:
        top -= 1
        r0 = stack[top, 0]
        c0 = stack[top, 1]
        bsize = stack[top, 2]
        start = stack[top, 3]
        count = stack[top, 4]
        r1 = min(r0 + bsize, height) - 1
        c1 = min(c0 + bsize, width) - 1
        box[0] = c0 * res
        box[1] = r0 * res
        box[2] = c1 * res
        box[3] = r1 * res
        cx = 0.5 * (box[0] + box[2])
        cy = 0.5 * (box[1] + box[3])
        h2 = 0.25 * ((box[2] - box[0]) ** 2 + (box[3] - box[1]) ** 2)
        half = np.sqrt(h2)
        _measure(cand, start, count, box, cx, cy, half, corner, lower)
        bound = min(limit, _bound(corner, count))
        for i in range(5):
            refs[i] = _row_argmin(corner[i], count)
        tol = 1e-9 * (1.0 + bound)
        _flags(corner, lower, count, bound, tol, _fan_radius2(box, h2), refs, keep)
        # the kept candidates go after the parent's list (siblings share it)
        new_start = start + count
        kept = _compact(cand, start, count, keep)
        if kept == 0:
            continue  # nothing within `limit`
        if bsize <= leaf:
            _leaf(cand, new_start, kept, r0, r1, c0, c1, res, out, px, py, best)
            continue
        if kept == 1:
            _single(cand, new_start, r0, r1, c0, c1, res, out)
            continue
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


@njit(cache=True, parallel=True)
def distance_field(seg, height, width, res, leaf, limit, out):
    """Fill ``out`` (height x width, float64) with exact distances; ``limit`` caps the search (inf: none).

    ``seg`` holds one segment per row (x0, y0, x1, y1) in the kernel's coordinates (see the module
    docstring); ``leaf`` is a power of two. Every cell gets its distance when ``limit`` is inf;
    otherwise cells with no segment within ``limit`` keep their value and cells beyond it may get a
    distance above ``limit``.
    """
    f = _prepare(seg)
    n = seg.shape[0]
    tile = TILE
    while tile < leaf:
        tile *= 2
    rows = (height + tile - 1) // tile
    cols = (width + tile - 1) // tile
    size = tile * res
    starts, items = _buckets(seg, size, cols, rows)
    for group in prange(GROUPS):
        seen = np.zeros(n, dtype=np.int64)
        first = np.empty(n, dtype=np.int64)
        box = np.empty(4)
        stamp = 0
        for t in range(group, rows * cols, GROUPS):
            tr0 = (t // cols) * tile
            tc0 = (t % cols) * tile
            box[0] = tc0 * res
            box[1] = tr0 * res
            box[2] = (min(tc0 + tile, width) - 1) * res
            box[3] = (min(tr0 + tile, height) - 1) * res
            cx = 0.5 * (box[0] + box[2])
            cy = 0.5 * (box[1] + box[3])
            half = 0.5 * np.sqrt((box[2] - box[0]) ** 2 + (box[3] - box[1]) ** 2)
            near = _nearest(f, starts, items, cols, rows, size, t % cols, t // cols, cx, cy, limit + half)
            stamp += 1
            nfirst = _within(
                f, starts, items, cols, rows, size, t % cols, t // cols, box, near + half, seen, stamp, first
            )
            _tile(f, first, nfirst, tr0, tc0, tile, height, width, res, leaf, limit, out)
    return out
