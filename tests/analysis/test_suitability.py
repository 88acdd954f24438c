"""AHP weights against Saaty's published worked examples; sensitivity against brute force."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geozones.analysis.suitability import (
    InconsistentJudgementsError,
    ahp_weights,
    dirichlet_weights,
    judgement_matrix,
    monte_carlo_suitability,
    oat_sensitivity,
    oat_weights,
)
from geozones.errors import SuitabilityError

# Saaty & Khouja (1976), reproduced in Saaty (1980) The Analytic Hierarchy Process, ch. 2, and
# Saaty (1977) J. Math. Psych. 15: relative wealth of seven nations (US, USSR, China, France, UK,
# Japan, West Germany). Published eigenvector .427 .230 .021 .052 .052 .123 .094, lambda_max 7.61.
WEALTH = [
    [1, 4, 9, 6, 6, 5, 5],
    ["1/4", 1, 7, 5, 5, 3, 4],
    ["1/9", "1/7", 1, "1/5", "1/5", "1/7", "1/5"],
    ["1/6", "1/5", 5, 1, 1, "1/3", "1/3"],
    ["1/6", "1/5", 5, 1, 1, "1/3", "1/3"],
    ["1/5", "1/3", 7, 3, 3, 1, 2],
    ["1/5", "1/4", 5, 3, 3, "1/2", 1],
]
WEALTH_PUBLISHED = [0.427, 0.230, 0.021, 0.052, 0.052, 0.123, 0.094]

# Saaty (1977) J. Math. Psych. 15, 234-281, the optics experiment: brightness of four chairs
# judged by eye; published lambda_max 4.39, eigenvector .61 .24 .10 .05 (inverse-square law
# .61 .22 .11 .06).
LIGHT = [[1, 5, 6, 7], ["1/5", 1, 4, 6], ["1/6", "1/4", 1, 4], ["1/7", "1/6", "1/4", 1]]


def test_wealth_of_nations_matches_the_published_eigenvector_and_lambda():
    names = ["US", "USSR", "China", "France", "UK", "Japan", "W.Germany"]
    result = ahp_weights(WEALTH, names)
    np.testing.assert_allclose(result.weights.to_numpy(), WEALTH_PUBLISHED, atol=0.0006)
    assert result.lambda_max == pytest.approx(7.61, abs=0.005)
    # CI and CR from the published lambda by hand: (7.61 - 7) / 6 and / RI(7) = 1.32
    assert result.ci == pytest.approx((7.61 - 7) / 6, abs=0.001)
    assert result.cr == pytest.approx((7.61 - 7) / 6 / 1.32, abs=0.001)
    assert result.cr < 0.1
    assert list(result.weights.index) == names


def test_the_optics_example_is_refused_as_inconsistent_naming_the_worst_judgements():
    with pytest.raises(InconsistentJudgementsError) as caught:
        ahp_weights(LIGHT, ["c1", "c2", "c3", "c4"])
    result = caught.value.result
    assert result.lambda_max == pytest.approx(4.39, abs=0.005)
    np.testing.assert_allclose(result.weights.to_numpy(), [0.61, 0.24, 0.10, 0.05], atol=0.01)
    # CR = (4.39 - 4) / 3 / 0.90 = 0.144 by hand
    assert result.cr == pytest.approx((4.39 - 4) / 3 / 0.90, abs=0.003)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, SuitabilityError)
    message = str(caught.value)
    assert "CR = 0.14" in message
    worst = result.inconsistencies().iloc[0]
    assert f"{worst.a} vs {worst.b}" in message
    # the worst judgement is the one farthest from w_i / w_j, checked by brute force
    w = result.weights
    a = result.matrix
    devs = {(i, j): abs(math.log(a.loc[i, j] * w[j] / w[i])) for i in w.index for j in w.index if i < j}
    assert (worst.a, worst.b) == max(devs, key=devs.get)
    # the same judgements pass when the limit is lifted
    assert ahp_weights(LIGHT, max_cr=None).cr > 0.1


def test_consistent_matrix_gives_exact_ratios_and_zero_cr():
    w = np.array([0.5, 0.3, 0.2])
    result = ahp_weights(w[:, None] / w[None, :], ["road", "grid", "rail"])
    np.testing.assert_allclose(result.weights.to_numpy(), w, atol=1e-12)
    assert result.lambda_max == pytest.approx(3.0, abs=1e-12)
    assert result.cr == pytest.approx(0.0, abs=1e-12)


def test_judgement_list_builds_the_reciprocal_matrix_and_reports_every_error():
    m = judgement_matrix(
        ["road", "grid", "rail"], ["road > grid: 3", ["road", "rail", 5], {"a": "rail", "b": "grid", "value": "1/2"}]
    )
    assert m.loc["road", "grid"] == 3 and m.loc["grid", "road"] == pytest.approx(1 / 3)
    assert m.loc["rail", "grid"] == 0.5 and m.loc["grid", "rail"] == 2
    with pytest.raises(SuitabilityError) as caught:
        judgement_matrix(["road", "grid", "rail"], ["road > grid: 3", "road > gird: 2", "road > grid: 4"])
    text = str(caught.value)
    assert "unknown criterion 'gird'" in text and "given twice" in text and "missing judgements" in text
    with pytest.raises(SuitabilityError, match="reciprocal"):
        ahp_weights([[1, 3], [3, 1]])


def test_oat_weights_renormalise_and_keep_the_other_ratios():
    w = pd.Series({"road": 0.5, "grid": 0.3, "rail": 0.2})
    table = oat_weights(w)
    assert len(table) == 3 * 41
    np.testing.assert_allclose(table[["road", "grid", "rail"]].sum(axis=1), 1.0, atol=1e-12)
    row = table[(table.criterion == "road") & (table.change_pct == 20)].iloc[0]
    assert row.road == pytest.approx(0.6)
    # by hand: the other two share 0.4 in the ratio 3:2
    assert row.grid == pytest.approx(0.24) and row.rail == pytest.approx(0.16)


def _brute_force(scores, weights_rows, allowed, top_pct):
    """Cell by cell, draw by draw: the overlay, its mean/std and the top-X % membership."""
    h, w = allowed.shape
    n = len(weights_rows)
    values = np.full((n, h, w), np.nan)
    for d, weights in enumerate(weights_rows):
        for r in range(h):
            for c in range(w):
                if allowed[r, c]:
                    values[d, r, c] = sum(weights[k] * scores[k][r, c] for k in range(len(scores)))
    count = int(allowed.sum())
    k = math.ceil(top_pct / 100 * count)
    top = np.zeros((n, h, w), dtype=bool)
    for d in range(n):
        kth = sorted(values[d][allowed], reverse=True)[k - 1]
        top[d] = allowed & (values[d] >= kth)
    return values, top


def test_monte_carlo_outputs_equal_a_brute_force_on_a_small_grid():
    rng = np.random.default_rng(7)
    names = ["road", "grid", "rail"]
    scores = {n: rng.uniform(0, 1, (6, 5)) for n in names}
    excluded = np.zeros((6, 5), dtype=bool)
    excluded[0, :2] = True
    weights = pd.Series({"road": 0.5, "grid": 0.3, "rail": 0.2})
    result = monte_carlo_suitability(
        scores, weights, n=200, concentration=50, seed=3, constraints=[excluded], top_pct=20, batch=7
    )
    draws = dirichlet_weights(weights, 200, 50, seed=3).to_numpy()
    np.testing.assert_array_equal(result.weights.to_numpy(), draws)
    values, top = _brute_force([scores[n] for n in names], draws, ~excluded, 20)
    allowed = ~excluded
    np.testing.assert_allclose(result.mean[allowed], values.mean(axis=0)[allowed], atol=1e-12)
    np.testing.assert_allclose(result.std[allowed], values.std(axis=0)[allowed], atol=1e-9)
    share = top.mean(axis=0)
    share[excluded] = np.nan
    np.testing.assert_allclose(result.top_share, share, atol=0)
    assert np.isnan(result.mean[0, 0]) and np.isnan(result.top_share[0, 1])
    # the Dirichlet draws are centred on the AHP weights
    np.testing.assert_allclose(draws.mean(axis=0), weights.to_numpy(), atol=0.02)


def test_site_rank_stability_equals_a_brute_force():
    rng = np.random.default_rng(11)
    names = ["road", "grid"]
    means = pd.DataFrame(rng.uniform(0, 1, (6, 2)), columns=names, index=[f"s{i}" for i in range(6)])
    weights = pd.Series({"road": 0.6, "grid": 0.4})
    scores = {n: rng.uniform(0, 1, (3, 3)) for n in names}
    result = monte_carlo_suitability(scores, weights, n=300, concentration=20, seed=5, site_means=means, k=2)
    draws = result.weights.to_numpy()
    in_top = dict.fromkeys(means.index, 0)
    for wd in draws:
        site_scores = {s: sum(wd[i] * means.loc[s, n] for i, n in enumerate(names)) for s in means.index}
        for s, v in site_scores.items():
            if 1 + sum(other > v for other in site_scores.values()) <= 2:
                in_top[s] += 1
    np.testing.assert_allclose(result.sites["top_k_share"], [in_top[s] / 300 for s in means.index])
    base = {s: 0.6 * means.loc[s, "road"] + 0.4 * means.loc[s, "grid"] for s in means.index}
    best = max(base, key=base.get)
    assert result.sites.loc[best, "base_rank"] == 1


def test_oat_sensitivity_equals_a_brute_force():
    rng = np.random.default_rng(2)
    names = ["road", "grid"]
    scores = {n: rng.uniform(0, 1, (5, 4)) for n in names}
    weights = pd.Series({"road": 0.7, "grid": 0.3})
    table = oat_sensitivity(scores, weights, top_pct=25)
    allowed = np.ones((5, 4), dtype=bool)
    base_values, base_top = _brute_force([scores[n] for n in names], [weights.to_numpy()], allowed, 25)
    for row in table.sample(10, random_state=1).itertuples():
        values, top = _brute_force([scores[n] for n in names], [np.array([row.road, row.grid])], allowed, 25)
        assert row.mean_abs_change == pytest.approx(np.abs(values - base_values).mean(), abs=1e-12)
        assert row.max_abs_change == pytest.approx(np.abs(values - base_values).max(), abs=1e-12)
        assert row.top_overlap == pytest.approx((top & base_top).sum() / base_top.sum())
    assert table[table.change_pct == 0].top_overlap.eq(1).all()
