"""LocationProblem: validation, unreachable demand, candidates, row reduction."""

from __future__ import annotations

import numpy as np
import pytest

from palveluverkko.errors import InfeasibleError, InputError, UnknownIdError, UnreachableWarning
from palveluverkko.locate import SolveParams, p_median, problem_from_matrix
from palveluverkko.locate.problem import model_rows

INF = np.inf


def test_nan_minutes_rejected_with_position() -> None:
    """NaN travel times are refused, naming the first row and column."""
    with pytest.raises(InputError, match=r"1 NaN entries \(first at demand row 1, site column 0\)"):
        problem_from_matrix([[1.0, 2.0], [np.nan, 3.0]], [1, 1])


def test_negative_minutes_and_demand_rejected() -> None:
    """Negative travel times and negative demand are refused with their values."""
    with pytest.raises(InputError, match=r"negative travel times \(first -1.0"):
        problem_from_matrix([[1.0, -1.0]], [1])
    with pytest.raises(InputError, match=r"first -2.0 at row 0"):
        problem_from_matrix([[1.0, 1.0]], [-2])


def test_shape_mismatch_rejected() -> None:
    """A demand vector of the wrong length is refused with both sizes."""
    with pytest.raises(InputError, match=r"one weight per demand point \(2\); found 3"):
        problem_from_matrix(np.ones((2, 2)), [1, 1, 1])


def test_unknown_and_conflicting_site_ids() -> None:
    """Unknown must-open ids and a site both must-open and must-close are refused."""
    with pytest.raises(UnknownIdError, match=r"'z'"):
        problem_from_matrix(np.ones((2, 2)), [1, 1], ["a", "b"], must_open=["z"])
    with pytest.raises(InputError, match="cannot be both"):
        problem_from_matrix(np.ones((2, 2)), [1, 1], ["a", "b"], must_open=["a"], must_close=["a"])


def test_group_minimum_unmeetable() -> None:
    """A group whose sites all must close cannot meet its minimum: InfeasibleError."""
    with pytest.raises(InfeasibleError, match="g2"):
        problem_from_matrix(
            np.ones((2, 3)),
            [1, 1],
            ["a", "b", "c"],
            groups=["g1", "g1", "g2"],
            min_open_per_group=1,
            must_close=["c"],
        )


def test_unreachable_point_excluded_counted_and_warned() -> None:
    """A row of inf is excluded with a warning, counted, and left unassigned in results."""
    minutes = np.array([[1.0, 5.0], [INF, INF], [4.0, 2.0]])
    with pytest.warns(UnreachableWarning, match=r"1 of 3 demand points \(demand 7 of 10\)"):
        prob = problem_from_matrix(minutes, [1, 7, 2], demand_ids=["x", "y", "z"])
    assert prob.n_unreachable == 1
    assert prob.unreachable_demand == 7.0
    assert prob.unreachable_ids.tolist() == ["y"]
    res = p_median(prob, 1)
    assert res.assignment.tolist() == [0, -1, 0]
    assert res.objective == pytest.approx(1 * 1 + 2 * 4)
    assert "excluded: 1 demand point(s)" in res.summary()
    assert not np.isnan(res.mean_minutes)


def test_unreachable_error_mode() -> None:
    """With unreachable='error' an unreachable point raises InfeasibleError with counts."""
    with pytest.raises(InfeasibleError, match=r"1 of 2 demand points \(demand 3 of 4\)"):
        problem_from_matrix([[1.0], [INF]], [1, 3], unreachable="error")


def test_must_close_makes_point_unreachable() -> None:
    """A point reachable only from a must-close site counts as unreachable."""
    with pytest.warns(UnreachableWarning):
        prob = problem_from_matrix([[1.0, INF], [2.0, 3.0]], [1, 1], must_close=[0])
    assert prob.n_unreachable == 1


def test_candidates_appended_after_sites() -> None:
    """Candidate columns follow the existing sites, with ids, groups and costs stacked."""
    prob = problem_from_matrix(
        [[1.0], [2.0]],
        [1, 1],
        ["s1"],
        groups=["m1"],
        site_cost_eur=[100.0],
        candidate_minutes=[[3.0, 4.0], [5.0, 6.0]],
        candidate_ids=["c1", "c2"],
        candidate_groups=["m1", "m2"],
        candidate_cost_eur=[10.0, 20.0],
    )
    assert prob.site_ids is not None
    assert prob.site_ids.tolist() == ["s1", "c1", "c2"]
    assert prob.site_cost_eur is not None
    assert prob.site_cost_eur.tolist() == [100.0, 10.0, 20.0]
    assert prob.rules.group_of_site.tolist() == [0, 0, 1]


def test_candidate_cost_required_when_sites_have_cost() -> None:
    """Site costs without candidate costs are refused, naming the missing argument."""
    with pytest.raises(InputError, match="candidate_cost_eur: required"):
        problem_from_matrix(
            [[1.0]], [1], ["s"], site_cost_eur=[1.0], candidate_minutes=[[2.0]], candidate_ids=["c"]
        )


def test_model_rows_drops_zero_weight_and_merges_identical_rows() -> None:
    """Zero-weight rows are dropped and counted; identical rows merge with summed weight."""
    minutes = np.array([[1.0, 2.0], [1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    prob = problem_from_matrix(minutes, [1, 2, 3, 0])
    rows = model_rows(prob, aggregate=True)
    assert rows.n_rows == 2
    assert rows.n_zero_weight == 1
    assert sorted(rows.weight.tolist()) == [3.0, 3.0]
    assert rows.row_of_demand[3] == -1
    assert rows.row_of_demand[0] == rows.row_of_demand[1]


def test_zero_weight_points_still_assigned() -> None:
    """Zero-weight points are assigned to their nearest open site in the result."""
    prob = problem_from_matrix([[1.0, 9.0], [9.0, 1.0], [8.0, 2.0]], [1, 1, 0])
    res = p_median(prob, 2)
    assert res.assignment.tolist() == [0, 1, 1]


def test_solve_params_validated() -> None:
    """Invalid solver parameters are refused with the value found."""
    with pytest.raises(InputError, match="time_limit_s"):
        SolveParams(time_limit_s=0)
    with pytest.raises(InputError, match="'fast'"):
        SolveParams(method="fast")  # type: ignore[arg-type]


def test_result_frames() -> None:
    """to_frame and sites_frame list every demand point and site with ids and loads."""
    prob = problem_from_matrix([[1.0, 9.0], [9.0, 1.0]], [2, 3], ["a", "b"], demand_ids=["p", "q"])
    res = p_median(prob, 1)
    frame = res.to_frame()
    assert frame["demand_id"].tolist() == ["p", "q"]
    sites = res.sites_frame().set_index("site_id")
    assert sites.loc[res.open_sites[0], "load"] == 5.0
    assert int(sites["open"].sum()) == 1
