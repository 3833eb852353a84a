"""Site load against capacity and the access target: statuses, sums, errors, the two methods."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from palveluverkko.errors import InputError
from palveluverkko.evaluation.capacity import COLUMNS, site_load
from palveluverkko.evaluation.queueing import analytic_wait

TARGETS = {"vastaanotto": 7.0, "kotihoito": 1.0}


def _inputs() -> tuple[pd.DataFrame, pd.DataFrame]:
    demand = pd.DataFrame(
        {
            "site_id": ["a", "a", "b", "c"],
            "service": ["vastaanotto"] * 4,
            "contacts_per_week": [30.0, 10.0, 60.0, 5.0],
        }
    )
    ss = pd.DataFrame(
        {
            "site_id": ["a", "b", "b", "c"],
            "service": ["vastaanotto", "vastaanotto", "kotihoito", "vastaanotto"],
            "capacity_per_week": [50.0, 50.0, 200.0, 0.0],
            "staff_fte": [2.0, 1.5, 7.0, 0.0],
        }
    )
    return demand, ss


def test_every_row_kept_with_its_status() -> None:
    """Rows of either input are kept: ok, overloaded, no capacity and no demand, with sums."""
    out = site_load(*_inputs(), TARGETS).set_index(["site_id", "service"])
    assert list(out.reset_index().columns) == COLUMNS
    assert len(out) == 4
    a = out.loc[("a", "vastaanotto")]
    assert a["contacts_per_week"] == 40.0  # the two demand rows of site a are summed
    assert a["utilisation"] == pytest.approx(0.8)
    assert a["contacts_per_fte_week"] == pytest.approx(20.0)
    assert a["slots_per_day"] == 10
    assert a["status"] == "ok"
    assert a["steady_state"]
    ref = analytic_wait(40.0, 50.0, 7.0)
    assert a["expected_wait_days"] == pytest.approx(ref.expected_wait_days)
    assert a["contacts_within_target_per_week"] == pytest.approx(40.0 * ref.share_within_target)
    b = out.loc[("b", "vastaanotto")]
    assert b["backlog_growth_per_week"] == pytest.approx(10.0)
    assert not b["steady_state"]
    assert b["wait_method"] == "overload"
    c = out.loc[("c", "vastaanotto")]
    assert c["status"] == "no_capacity"
    assert np.isinf(c["expected_wait_days"])
    assert c["share_within_target"] == 0.0
    assert c["backlog_growth_per_week"] == 5.0
    home = out.loc[("b", "kotihoito")]
    assert home["status"] == "no_demand"
    assert np.isnan(home["expected_wait_days"])
    assert out["contacts_per_week"].sum() == pytest.approx(105.0)  # conserved


def test_simulation_method_is_close_to_analytic() -> None:
    """The SimPy method gives the analytic figures within sampling error on a steady row."""
    demand, ss = _inputs()
    demand, ss = demand.iloc[:2], ss.iloc[:1]
    a = site_load(demand, ss, TARGETS).iloc[0]
    s = site_load(demand, ss, TARGETS, method="simulation", seed=1).iloc[0]
    assert s["wait_method"] == "simulation"
    assert s["expected_wait_days"] == pytest.approx(a["expected_wait_days"], rel=0.03)


def test_errors_name_the_column_row_and_fix() -> None:
    """A missing target, a negative capacity and a missing column are explained."""
    demand, ss = _inputs()
    with pytest.raises(InputError, match="no access_target_days for kotihoito"):
        site_load(demand, ss, {"vastaanotto": 7.0})
    bad = ss.assign(capacity_per_week=[50.0, -1.0, 200.0, 0.0])
    with pytest.raises(InputError, match=r"capacity_per_week, row 1 \(site b"):
        site_load(demand, bad, TARGETS)
    with pytest.raises(InputError, match="missing column"):
        site_load(demand.drop(columns="contacts_per_week"), ss, TARGETS)
    with pytest.raises(InputError, match="'analytic' or 'simulation'"):
        site_load(demand, ss, TARGETS, method="exact")  # type: ignore[arg-type]
