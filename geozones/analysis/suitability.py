"""AHP criteria weights and the sensitivity of a weighted-overlay suitability to them.

Weights from pairwise comparisons
---------------------------------
:func:`ahp_weights` derives criteria weights from a reciprocal pairwise comparison matrix
as its normalised principal (Perron) eigenvector, with Saaty's consistency index
``CI = (lambda_max - n) / (n - 1)`` and consistency ratio ``CR = CI / RI(n)`` (RI: Saaty's
random index, :data:`RANDOM_INDEX`). Judgements with ``CR > 0.1`` are refused with an
:class:`InconsistentJudgementsError` naming the judgements farthest from the ratio of the
derived weights (``a_ij * w_j / w_i`` farthest from 1, Saaty 2003). :func:`judgement_matrix`
builds the matrix from a list of pairwise judgements (what a scenario file holds).

Sensitivity of the overlay
--------------------------
The overlay ``S = sum_c w_c * score_c`` is linear in the weights, so everything below is
computed from the stacked criterion scores:

* :func:`oat_weights` / :func:`oat_sensitivity`: one criterion's weight changed at a time by
  -20 % ... +20 % in 1 % steps, the others rescaled in proportion so the weights still sum to
  1 (Chen, Yu & Khan 2010);
* :func:`dirichlet_weights` / :func:`monte_carlo_suitability`: N weight vectors drawn from a
  Dirichlet distribution centred on the AHP weights (``alpha = concentration * w``), giving
  per cell the mean and standard deviation of the suitability and the share of draws in which
  the cell is in the top X % of the allowed cells, and per candidate site the share of draws
  in which it ranks in the top k (Feizizadeh, Jankowski & Blaschke 2014).

References
----------
Saaty, T. L. (1977). A scaling method for priorities in hierarchical structures. Journal of
Mathematical Psychology 15(3), 234-281.
Saaty, T. L. (1980). The Analytic Hierarchy Process. McGraw-Hill, New York.
Saaty, T. L. (2003). Decision-making with the AHP: why is the principal eigenvector necessary.
European Journal of Operational Research 145(1), 85-91.
Chen, Y., Yu, J. & Khan, S. (2010). Spatial sensitivity analysis of multi-criteria weights in
GIS-based land suitability evaluation. Environmental Modelling & Software 25(12), 1582-1591.
Feizizadeh, B., Jankowski, P. & Blaschke, T. (2014). A GIS based spatially-explicit sensitivity
and uncertainty analysis approach for multi-criteria decision analysis. Computers &
Geosciences 64, 81-95.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from geozones.errors import SuitabilityError

#: Saaty's random consistency index by matrix order (Saaty 1980, p. 21): the mean CI of
#: random reciprocal matrices with judgements from the 1/9 ... 9 scale.
RANDOM_INDEX: dict[int, float] = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
}

__all__ = [
    "RANDOM_INDEX",
    "AHPResult",
    "InconsistentJudgementsError",
    "ahp_weights",
    "judgement_matrix",
    "parse_judgement",
    "oat_weights",
    "oat_sensitivity",
    "dirichlet_weights",
    "monte_carlo_suitability",
    "SuitabilityDraws",
    "site_criterion_means",
]


class InconsistentJudgementsError(SuitabilityError):
    """The pairwise judgements are too inconsistent (CR above the limit).

    Attributes
    ----------
    result : AHPResult
        The weights and consistency figures that were refused.
    """

    def __init__(self, message: str, result: AHPResult):
        super().__init__(message)
        self.result = result


@dataclass(frozen=True)
class AHPResult:
    """Weights derived from a pairwise comparison matrix.

    Attributes
    ----------
    weights : pandas.Series
        Normalised principal eigenvector (sums to 1), indexed by criterion, named ``weight``.
    lambda_max : float
        Principal eigenvalue.
    ci, ri, cr : float
        Consistency index, Saaty's random index for the order, consistency ratio (``nan`` for n < 3
        where every reciprocal matrix is consistent: CR is reported as 0).
    matrix : pandas.DataFrame
        The comparison matrix (rows / columns: criteria).
    """

    weights: pd.Series
    lambda_max: float
    ci: float
    ri: float
    cr: float
    matrix: pd.DataFrame

    def inconsistencies(self) -> pd.DataFrame:
        """Every judgement ``a_ij`` (i < j) against the ratio of the derived weights, worst first.

        Columns: ``a``, ``b``, ``judgement`` (a_ij), ``consistent`` (w_i / w_j) and ``deviation``
        (``|ln(a_ij * w_j / w_i)|``, 0 when the judgement agrees with the weights).
        """
        names = list(self.weights.index)
        w = self.weights.to_numpy()
        a = self.matrix.to_numpy()
        rows = []
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                rows.append((names[i], names[j], a[i, j], w[i] / w[j], abs(math.log(a[i, j] * w[j] / w[i]))))
        table = pd.DataFrame(rows, columns=["a", "b", "judgement", "consistent", "deviation"])
        return table.sort_values("deviation", ascending=False, kind="stable").reset_index(drop=True)


def _fraction(value) -> float:
    if isinstance(value, str):
        try:
            return float(Fraction(value.strip()))
        except (ValueError, ZeroDivisionError) as exc:
            raise SuitabilityError(f"judgement {value!r} is not a number or a fraction like 1/3") from exc
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise SuitabilityError(f"judgement {value!r} is not a number")
    return float(value)


def ahp_weights(
    matrix, criteria: Sequence[str] | None = None, max_cr: float | None = 0.1, tolerance: float = 1e-6
) -> AHPResult:
    """Criteria weights from a pairwise comparison matrix (principal eigenvector), with CI and CR.

    Parameters
    ----------
    matrix : array-like or pandas.DataFrame
        ``n x n`` positive reciprocal matrix: ``a_ij`` = how many times criterion i matters more
        than j (Saaty's 1-9 scale), ``a_ji = 1 / a_ij``, ``a_ii = 1``. Entries may be strings such
        as ``"1/3"``. A DataFrame gives the criteria names.
    criteria : sequence of str, optional
        Names in matrix order (default: the DataFrame's index, else ``c1 ... cn``).
    max_cr : float or None
        Refuse judgements whose consistency ratio exceeds this (Saaty's 0.1); None: never refuse.
    tolerance : float
        Relative tolerance of the reciprocity check.

    Returns
    -------
    AHPResult

    Raises
    ------
    SuitabilityError
        Not square, non-positive entries, diagonal not 1, not reciprocal, or n > 10 (no random index).
    InconsistentJudgementsError
        ``CR > max_cr``; the message names the three judgements farthest from consistency.
    """
    if isinstance(matrix, pd.DataFrame):
        criteria = list(criteria or matrix.index)
        if list(matrix.columns) != list(matrix.index):
            raise SuitabilityError("the matrix's rows and columns must name the same criteria in the same order")
        matrix = matrix.to_numpy(dtype=object)
    rows = [list(r) for r in matrix]
    n = len(rows)
    if n == 0 or any(len(r) != n for r in rows):
        raise SuitabilityError(f"a pairwise comparison matrix must be square, got {[len(r) for r in rows]}")
    if n not in RANDOM_INDEX:
        raise SuitabilityError(f"{n} criteria: Saaty's random index is tabulated for 1 to 10 criteria")
    a = np.array([[_fraction(v) for v in r] for r in rows], dtype=float)
    criteria = [str(c) for c in (criteria or [f"c{i + 1}" for i in range(n)])]
    if len(criteria) != n or len(set(criteria)) != n:
        raise SuitabilityError(f"need {n} distinct criteria names, got {criteria}")
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise SuitabilityError("every judgement must be a positive number")
    if not np.allclose(np.diag(a), 1.0, rtol=tolerance, atol=0):
        raise SuitabilityError("a criterion compared with itself must be 1 (the diagonal)")
    bad = np.argwhere(~np.isclose(a * a.T, 1.0, rtol=tolerance, atol=0))
    if len(bad):
        i, j = bad[0]
        raise SuitabilityError(
            f"not reciprocal: {criteria[i]} vs {criteria[j]} is {a[i, j]:g} but "
            f"{criteria[j]} vs {criteria[i]} is {a[j, i]:g} (should be {1 / a[i, j]:g})"
        )
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    lam = float(values[k].real)
    w = np.abs(vectors[:, k].real)
    w = w / w.sum()
    ri = RANDOM_INDEX[n]
    ci = (lam - n) / (n - 1) if n > 1 else 0.0
    ci = max(ci, 0.0) if abs(ci) < 1e-12 else ci
    cr = ci / ri if ri > 0 else 0.0
    result = AHPResult(
        pd.Series(w, index=pd.Index(criteria, name="criterion"), name="weight"),
        lam,
        ci,
        ri,
        cr,
        pd.DataFrame(a, index=criteria, columns=criteria),
    )
    if max_cr is not None and cr > max_cr:
        worst = result.inconsistencies().head(3)
        named = "; ".join(
            f"{r.a} vs {r.b} judged {_fmt(r.judgement)} but the weights say {_fmt(r.consistent)}"
            for r in worst.itertuples()
        )
        raise InconsistentJudgementsError(
            f"pairwise judgements are inconsistent: CR = {cr:.3f} > {max_cr:g} (lambda_max = {lam:.3f}, "
            f"CI = {ci:.3f}, RI = {ri}); most inconsistent: {named}",
            result,
        )
    return result


def _fmt(x: float) -> str:
    return f"{x:.3g}" if x >= 0.9995 else f"1/{1 / x:.3g}"


def parse_judgement(item) -> tuple[str, str, float]:
    """One pairwise judgement from a scenario file.

    Accepted forms: ``[a, b, value]``, ``{"a": a, "b": b, "value": value}`` or the string
    ``"a > b: value"`` / ``"a < b: value"`` / ``"a = b"`` (``a > b: 3`` means a matters 3 times as much).
    """
    if isinstance(item, str):
        text = item.strip()
        body, _, value = text.partition(":")
        for op in (">", "<", "="):
            if op in body:
                left, right = (s.strip() for s in body.split(op, 1))
                v = 1.0 if op == "=" else _fraction(value)
                if op == "<":
                    v = 1.0 / v
                if not left or not right:
                    break
                return left, right, v
        raise SuitabilityError(f"judgement {item!r}: write 'a > b: 3', 'a < b: 5' or 'a = b'")
    if isinstance(item, Mapping):
        missing = {"a", "b", "value"} - set(item)
        if missing:
            raise SuitabilityError(f"judgement {dict(item)!r} lacks {sorted(missing)}")
        return str(item["a"]), str(item["b"]), _fraction(item["value"])
    if isinstance(item, (list, tuple)) and len(item) == 3:
        return str(item[0]), str(item[1]), _fraction(item[2])
    raise SuitabilityError(f"judgement {item!r}: expected [a, b, value], a mapping or 'a > b: value'")


def judgement_matrix(criteria: Sequence[str], judgements: Sequence) -> pd.DataFrame:
    """The reciprocal matrix from a list of pairwise judgements (every pair exactly once).

    Parameters
    ----------
    criteria : sequence of str
    judgements : sequence
        Items accepted by :func:`parse_judgement`.

    Raises
    ------
    SuitabilityError
        Unknown criterion, a pair judged twice, a criterion judged against itself, or missing
        pairs (all listed).
    """
    criteria = [str(c) for c in criteria]
    index = {c: i for i, c in enumerate(criteria)}
    n = len(criteria)
    a = np.ones((n, n))
    seen: set[frozenset] = set()
    errors = []
    for item in judgements:
        try:
            x, y, v = parse_judgement(item)
        except SuitabilityError as exc:
            errors.append(str(exc))
            continue
        unknown = [c for c in (x, y) if c not in index]
        if unknown:
            errors.append(f"judgement {x} vs {y}: unknown criterion {unknown[0]!r} (criteria: {criteria})")
            continue
        if x == y:
            errors.append(f"judgement {x} vs {y}: a criterion is not compared with itself")
            continue
        if v <= 0:
            errors.append(f"judgement {x} vs {y}: the value must be positive")
            continue
        pair = frozenset((x, y))
        if pair in seen:
            errors.append(f"judgement {x} vs {y} is given twice")
            continue
        seen.add(pair)
        a[index[x], index[y]] = v
        a[index[y], index[x]] = 1.0 / v
    missing = [
        f"{criteria[i]} vs {criteria[j]}"
        for i in range(n)
        for j in range(i + 1, n)
        if frozenset((criteria[i], criteria[j])) not in seen
    ]
    if missing:
        errors.append("missing judgements: " + ", ".join(missing))
    if errors:
        raise SuitabilityError("; ".join(errors))
    return pd.DataFrame(a, index=criteria, columns=criteria)


# --- sensitivity --------------------------------------------------------------------------------


def _weights_series(weights) -> pd.Series:
    w = pd.Series(weights, dtype=float) if not isinstance(weights, pd.Series) else weights.astype(float)
    if len(w) == 0 or (w < 0).any() or not np.isfinite(w).all() or w.sum() <= 0:
        raise SuitabilityError("weights must be finite, non-negative and not all zero")
    return w / w.sum()


def oat_weights(weights: Mapping[str, float] | pd.Series, change: float = 0.20, step: float = 0.01) -> pd.DataFrame:
    """One-at-a-time weight sets: each criterion changed by -change ... +change in ``step`` steps.

    The changed weight is ``w_i * (1 + p)``; the others are scaled by ``(1 - w_i') / (1 - w_i)`` so
    the set still sums to 1 and keeps their ratios (Chen et al. 2010). Changes that would push a
    weight outside [0, 1] are skipped.

    Returns
    -------
    pandas.DataFrame
        One row per (criterion, change_pct) with one weight column per criterion; the unchanged
        weights appear once per criterion as change 0.
    """
    w = _weights_series(weights)
    steps = int(round(change / step))
    rows = []
    for name in w.index:
        wi = w[name]
        for k in range(-steps, steps + 1):
            p = k * step
            new = wi * (1 + p)
            if new < 0 or new > 1 or (wi >= 1 and k != 0):
                continue
            scale = (1 - new) / (1 - wi) if wi < 1 else 1.0
            row = {c: (new if c == name else w[c] * scale) for c in w.index}
            rows.append({"criterion": name, "change_pct": round(100 * p, 6), **row})
    return pd.DataFrame(rows)


def _stack(scores: Mapping[str, np.ndarray], names: Sequence[str], constraints: Sequence[np.ndarray]):
    missing = [n for n in names if n not in scores]
    if missing or set(scores) - set(names):
        raise SuitabilityError(f"scores ({sorted(scores)}) and weights ({sorted(names)}) name different criteria")
    shape = np.shape(next(iter(scores.values())))
    for n in names:
        if np.shape(scores[n]) != shape:
            raise SuitabilityError(f"criterion {n!r} has shape {np.shape(scores[n])}, expected {shape}")
    allowed = np.ones(shape, dtype=bool)
    for c in constraints:
        allowed &= ~np.asarray(c, dtype=bool)
    stack = np.stack([np.asarray(scores[n], dtype=float)[allowed] for n in names])
    allowed_idx = np.flatnonzero(allowed.ravel())
    finite = np.all(np.isfinite(stack), axis=0)
    return stack[:, finite], allowed_idx[finite], shape


def _top_threshold(values: np.ndarray, top_pct: float) -> np.ndarray:
    """Per row: the score a cell must reach to be among the best ``top_pct`` % of the row's cells.

    The top set holds ``ceil(top_pct / 100 * n)`` cells: cells scoring at least the value of the
    k-th best (ties at the threshold are all in).
    """
    n = values.shape[-1]
    k = max(1, math.ceil(top_pct / 100.0 * n - 1e-9))
    return -np.partition(-values, k - 1, axis=-1)[..., k - 1]


def oat_sensitivity(
    scores: Mapping[str, np.ndarray],
    weights,
    constraints: Sequence[np.ndarray] = (),
    change: float = 0.20,
    step: float = 0.01,
    top_pct: float = 10.0,
) -> pd.DataFrame:
    """How the suitability responds to one-at-a-time weight changes.

    Parameters
    ----------
    scores : mapping criterion -> array of scores (same shape; NaN: no data)
    weights : mapping or Series criterion -> weight (normalised here)
    constraints : boolean arrays, True where a cell is excluded
    change, step : float
        Range and step of the relative change (default +-20 % in 1 % steps).
    top_pct : float
        Size of the "most suitable" set, in percent of the allowed cells.

    Returns
    -------
    pandas.DataFrame
        :func:`oat_weights`'s columns plus ``mean_abs_change`` and ``max_abs_change`` (suitability
        against the unchanged weights, over allowed cells) and ``top_overlap`` (share of the
        unchanged top ``top_pct`` % cells still in the top set).
    """
    w = _weights_series(weights)
    names = list(w.index)
    stack, _, _ = _stack(scores, names, constraints)
    if stack.shape[1] == 0:
        raise SuitabilityError("no allowed cell with scores for every criterion")
    table = oat_weights(w, change, step)
    base = w.to_numpy() @ stack
    base_top = base >= _top_threshold(base, top_pct)
    mean_abs, max_abs, overlap = [], [], []
    for row in table[names].to_numpy():
        s = row @ stack
        diff = np.abs(s - base)
        mean_abs.append(float(diff.mean()))
        max_abs.append(float(diff.max()))
        top = s >= _top_threshold(s, top_pct)
        overlap.append(float((top & base_top).sum() / base_top.sum()))
    return table.assign(mean_abs_change=mean_abs, max_abs_change=max_abs, top_overlap=overlap)


def dirichlet_weights(weights, n: int, concentration: float = 100.0, seed: int | None = 0) -> pd.DataFrame:
    """``n`` weight vectors from a Dirichlet distribution centred on ``weights``.

    ``alpha = concentration * w``: the mean of each weight is ``w_i`` and its variance
    ``w_i (1 - w_i) / (concentration + 1)`` (larger concentration: draws closer to the AHP weights).
    Criteria with weight 0 stay 0.
    """
    w = _weights_series(weights)
    if n < 1:
        raise SuitabilityError("the number of draws must be at least 1")
    if not concentration > 0:
        raise SuitabilityError("the Dirichlet concentration must be positive")
    rng = np.random.default_rng(seed)
    positive = w.to_numpy() > 0
    draws = np.zeros((n, len(w)))
    draws[:, positive] = rng.dirichlet(concentration * w.to_numpy()[positive], size=n)
    return pd.DataFrame(draws, columns=w.index)


def site_criterion_means(sites, scores: Mapping[str, np.ndarray], grid) -> pd.DataFrame:
    """Mean score of every criterion over each candidate site (exactextract, fractional cells).

    Because the overlay is linear in the weights, a site's mean suitability under any weights is
    ``weights @ means`` (excluded cells are not part of the overlay and are left out of the means).
    """
    from geozones.analysis.raster import zonal_stats

    cols = {
        name: zonal_stats(sites, np.asarray(arr, dtype=float), grid, stats=("mean",), prefix=f"{name}_")[f"{name}_mean"]
        for name, arr in scores.items()
    }
    return pd.DataFrame(cols, index=sites.index)


@dataclass(frozen=True)
class SuitabilityDraws:
    """Monte Carlo suitability under weight uncertainty.

    Attributes
    ----------
    mean, std : numpy.ndarray
        Per cell over the draws (population standard deviation); NaN where excluded or no data.
    top_share : numpy.ndarray
        Share of draws in which the cell is among the top ``top_pct`` % of allowed cells.
    weights : pandas.DataFrame
        The drawn weights (one row per draw).
    sites : pandas.DataFrame or None
        Per candidate site: ``mean_score``, ``std_score``, ``base_rank`` (rank under the AHP weights,
        1 = best), ``median_rank``, ``top_k_share`` (share of draws ranked within the top ``k``).
    top_pct, k : float, int
    """

    mean: np.ndarray
    std: np.ndarray
    top_share: np.ndarray
    weights: pd.DataFrame
    sites: pd.DataFrame | None
    top_pct: float
    k: int | None

    def to_cogs(self, grid, folder, prefix: str = "suitability") -> dict[str, object]:
        """Write ``mean``, ``std`` and ``top_share`` as Cloud-Optimized GeoTIFFs; returns the paths."""
        from geozones.analysis.raster import write_cog

        return {
            name: write_cog(
                getattr(self, name),
                grid,
                f"{folder}/{prefix}_{name}.tif",
                description=f"{prefix} {name.replace('_', ' ')} over {len(self.weights)} draws",
            )
            for name in ("mean", "std", "top_share")
        }


def monte_carlo_suitability(
    scores: Mapping[str, np.ndarray],
    weights,
    n: int = 1000,
    concentration: float = 100.0,
    seed: int | None = 0,
    constraints: Sequence[np.ndarray] = (),
    top_pct: float = 10.0,
    site_means: pd.DataFrame | None = None,
    k: int = 3,
    batch: int = 32,
) -> SuitabilityDraws:
    """Suitability under Dirichlet draws of the weights: mean/std rasters, top-X % shares, site ranks.

    Parameters
    ----------
    scores : mapping criterion -> array (same shape, NaN: no data)
    weights : mapping or Series criterion -> AHP weight
    n, concentration, seed : see :func:`dirichlet_weights`
    constraints : boolean arrays, True where excluded
    top_pct : float
        The top set: the best ``top_pct`` % of allowed cells in each draw.
    site_means : DataFrame, optional
        Per candidate site, the mean score of each criterion (:func:`site_criterion_means`); gives
        ``sites`` with the rank stability.
    k : int
        A site is stable when it stays within the top ``k`` sites.
    batch : int
        Draws evaluated together (memory: ``batch x allowed cells`` floats).

    Returns
    -------
    SuitabilityDraws
    """
    w = _weights_series(weights)
    names = list(w.index)
    stack, idx, shape = _stack(scores, names, constraints)
    if stack.shape[1] == 0:
        raise SuitabilityError("no allowed cell with scores for every criterion")
    draws = dirichlet_weights(w, n, concentration, seed)
    wd = draws.to_numpy()
    total = np.zeros(stack.shape[1])
    total2 = np.zeros(stack.shape[1])
    shift = w.to_numpy() @ stack  # sums of squares around the AHP overlay: stable variance
    in_top = np.zeros(stack.shape[1], dtype=np.int64)
    for start in range(0, n, batch):
        s = wd[start : start + batch] @ stack
        d = s - shift
        total += d.sum(axis=0)
        total2 += (d * d).sum(axis=0)
        in_top += (s >= _top_threshold(s, top_pct)[:, None]).sum(axis=0)
    mean_d = total / n
    var = np.maximum(total2 / n - mean_d * mean_d, 0.0)
    mean, std, share = (np.full(int(np.prod(shape)), np.nan) for _ in range(3))
    mean[idx] = shift + mean_d
    std[idx] = np.sqrt(var)
    share[idx] = in_top / n
    sites = None
    if site_means is not None:
        sites = _site_ranks(site_means, w, wd, k)
    return SuitabilityDraws(
        mean.reshape(shape),
        std.reshape(shape),
        share.reshape(shape),
        draws,
        sites,
        top_pct,
        k if site_means is not None else None,
    )


def _rank_desc(values: np.ndarray) -> np.ndarray:
    """1 + the number of strictly larger values (rank 1 = best; ties share the better rank)."""
    ordered = np.sort(values)
    return len(values) - np.searchsorted(ordered, values, side="right") + 1


def _site_ranks(site_means: pd.DataFrame, w: pd.Series, wd: np.ndarray, k: int) -> pd.DataFrame:
    missing = [c for c in w.index if c not in site_means.columns]
    if missing:
        raise SuitabilityError(f"site means lack criteria {missing}")
    m = site_means[list(w.index)].to_numpy(dtype=float)
    ok = np.all(np.isfinite(m), axis=1)
    scores = wd @ m[ok].T  # draws x sites
    # rank 1 = best; ties share the better rank
    ranks = np.vstack([_rank_desc(row) for row in scores]) if len(scores) else scores
    base_rank = _rank_desc(w.to_numpy() @ m[ok].T)
    out = pd.DataFrame(
        index=site_means.index,
        columns=["mean_score", "std_score", "base_rank", "median_rank", "top_k_share"],
        dtype=float,
    )
    out.loc[ok, "mean_score"] = scores.mean(axis=0)
    out.loc[ok, "std_score"] = scores.std(axis=0)
    out.loc[ok, "base_rank"] = base_rank
    out.loc[ok, "median_rank"] = np.median(ranks, axis=0)
    out.loc[ok, "top_k_share"] = (ranks <= k).mean(axis=0)
    return out


def site_rank_stability(
    site_means: pd.DataFrame, weights, n: int = 1000, concentration: float = 100.0, seed: int | None = 0, k: int = 3
) -> pd.DataFrame:
    """AHP score and rank stability of candidate sites under Dirichlet draws of the weights.

    ``site_means``: per site, the mean score of each criterion (:func:`site_criterion_means`). Returns
    per site ``ahp_score`` (weights @ means), ``mean_score``, ``std_score``, ``base_rank`` (1 = best),
    ``median_rank`` and ``top_k_share`` (share of draws ranking it within the top ``k``).
    """
    w = _weights_series(weights)
    draws = dirichlet_weights(w, n, concentration, seed)
    out = _site_ranks(site_means, w, draws.to_numpy(), k)
    out.insert(0, "ahp_score", site_means[list(w.index)].to_numpy(dtype=float) @ w.to_numpy())
    return out
