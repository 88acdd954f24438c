"""Candidate sites in a scenario file, ranked by AHP with rank stability, checked against numpy by hand."""

from __future__ import annotations

import textwrap

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geozones.errors import ScenarioError
from geozones.scenario import loads_scenario
from geozones.scenario.candidates import rank_candidates
from tests.helpers.zonefactory import CHO_MOI

AHP = textwrap.dedent("""\
    id: cand-ahp
    province: Bắc Kạn
    assumption: test judgements
    resolution_m: 25
    criteria:
      road: {layer: road, worst_m: 3000}
      grid: {layer: power, worst_m: 3000}
    matrix: [[1, 3], [0.3333333333, 1]]
    sensitivity: {draws: 400, concentration: 20, seed: 5, k: 2}
    """)
# candidates: (dx, dy) of the disc centre from the crossing of the road (y = 0) and the power line (x = 0)
OFFSETS = {"a": (2000, 300), "b": (400, 1500), "c": (1200, 900), "d": (2600, 2400)}


def plan(tmp_path):
    x, y = CHO_MOI
    lonlat = gpd.GeoSeries([shapely.Point(x + dx, y + dy) for dx, dy in OFFSETS.values()], crs=9213).to_crs(4326)
    sites = "\n".join(
        f"    - {{id: {k}, name: Site {k.upper()}, point: [{p.x:.8f}, {p.y:.8f}], ha: 12}}"
        for k, p in zip(OFFSETS, lonlat)
    )
    (tmp_path / "ahp.yaml").write_text(AHP, encoding="utf-8")
    text = (
        textwrap.dedent("""\
        id: cand
        name: cand
        province: Bắc Kạn
        start_year: 2026
        end_year: 2026
        candidates:
          suitability: ahp.yaml
          sites:
        """)
        + sites
        + "\n"
    )
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    road = gpd.GeoDataFrame(geometry=[shapely.LineString([(x - 9000, y), (x + 9000, y)])], crs=9213)
    power = gpd.GeoDataFrame(geometry=[shapely.LineString([(x, y - 9000), (x, y + 9000)])], crs=9213)
    return path, {"road": road, "power": power}


def test_candidate_ranks_equal_a_numpy_ahp_by_hand(tmp_path):
    from geozones.scenario import load_scenario

    path, layers = plan(tmp_path)
    table, outlines = rank_candidates(load_scenario(path), layers=layers)
    # numpy AHP: the principal eigenvector of the judgement matrix, normalised
    matrix = np.array([[1, 3], [1 / 3, 1]])
    values, vectors = np.linalg.eig(matrix)
    w = np.abs(np.real(vectors[:, np.argmax(np.real(values))]))
    w /= w.sum()
    assert w == pytest.approx([0.75, 0.25], abs=1e-6)
    # a disc lying on one side of a straight line has a mean distance to it equal to its centre's:
    # mean score = 1 - distance / 3000 for each criterion
    means = np.array([[1 - dy / 3000, 1 - dx / 3000] for dx, dy in OFFSETS.values()])
    scores = means @ w
    order = [list(OFFSETS)[i] for i in np.argsort(-scores)]
    assert list(table["id"]) == order
    by_id = table.set_index("id")
    for key, score in zip(OFFSETS, scores):
        assert by_id.loc[key, "ahp_score"] == pytest.approx(score, abs=0.01)
        assert by_id.loc[key, "area_ha"] == pytest.approx(12, rel=1e-3)
    assert list(by_id.loc[order, "base_rank"]) == [1, 2, 3, 4]
    # rank stability with the same Dirichlet draws (alpha = concentration * w, seed 5), by numpy
    draws = np.random.default_rng(5).dirichlet(20 * w, size=400)
    drawn = draws @ means.T
    ranks = 1 + (drawn[:, :, None] < drawn[:, None, :]).sum(axis=2)
    for i, key in enumerate(OFFSETS):
        assert by_id.loc[key, "top_k_share"] == pytest.approx((ranks[:, i] <= 2).mean(), abs=0.03)
        assert by_id.loc[key, "median_rank"] == pytest.approx(np.median(ranks[:, i]), abs=0.5)
    assert len(outlines) == 4 and outlines.crs.to_epsg() == 4326


def test_candidates_are_checked_when_the_file_is_read():
    with pytest.raises(ScenarioError, match="ha must be a positive area"):
        loads_scenario(
            textwrap.dedent("""\
                id: cand
                name: cand
                province: Bắc Kạn
                start_year: 2026
                end_year: 2026
                candidates:
                  suitability: ahp.yaml
                  sites:
                    - {id: a, name: A, point: [105.8, 22.1], ha: -3}
                """)
        )
