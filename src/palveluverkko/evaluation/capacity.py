"""Capacity against the access target per site and service (the adapter around :mod:`.queueing`).

For every site-service row: weekly demand (physical contacts allocated to the site) against
capacity and staff, the expected wait until an appointment and the share of contacts seen within
the service's access target, from the booking-queue model of :mod:`.queueing`. Rows are never
dropped; ``status`` says which figures exist:

``ok``
    demand and capacity: the queue figures;
``no_capacity``
    demand but no capacity (0 or missing): the wait is infinite, none is seen within the target
    and the book grows by the whole demand;
``no_demand``
    capacity but no demand at the site: no wait figures;
``home_not_evaluated``
    a service delivered at home (home care): its visits are counted in
    ``Evaluation.channels``; its capacity against those visits comes with home-care routing
    (not evaluated here, rather than shown as a site without demand).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from ..errors import InputError
from .queueing import analytic_wait, simulate_wait, slots_per_day

log = logging.getLogger("palveluverkko.evaluation")

__all__ = ["COLUMNS", "share_within_target", "site_load"]

COLUMNS = [
    "site_id",
    "service",
    "contacts_per_week",
    "capacity_per_week",
    "staff_fte",
    "utilisation",
    "contacts_per_fte_week",
    "slots_per_day",
    "access_target_days",
    "expected_wait_days",
    "share_within_target",
    "contacts_within_target_per_week",
    "backlog_growth_per_week",
    "steady_state",
    "wait_method",
    "status",
]


def site_load(
    demand: pd.DataFrame,
    site_services: pd.DataFrame,
    access_target_days: Mapping[str, float],
    *,
    method: Literal["analytic", "simulation"] = "analytic",
    seed: int = 0,
) -> pd.DataFrame:
    """Weekly demand against capacity, expected wait and share seen within the access target.

    Parameters
    ----------
    demand
        ``site_id, service, contacts_per_week`` (several rows of one site-service are summed).
    site_services
        ``site_id, service, capacity_per_week, staff_fte``.
    access_target_days
        Access target in calendar days per service (services' ``access_target_days``).
    method
        ``"analytic"`` (:func:`.queueing.analytic_wait`) or ``"simulation"`` (SimPy, seeded).
    seed
        Seed of the simulation.

    Returns
    -------
    DataFrame
        Columns :data:`COLUMNS`, one row per site-service in either input, sorted by site and
        service. ``utilisation = contacts / capacity``; ``backlog_growth_per_week =
        max(contacts - capacity, 0)``; ``steady_state`` False when utilisation >= 1 (wait figures
        are then the average over one year from an empty book).

    Raises
    ------
    InputError
        For a missing column, a negative or non-numeric figure (naming the row), or a service
        without an access target.
    """
    if method not in ("analytic", "simulation"):
        raise InputError(f"capacity method={method!r}: expected 'analytic' or 'simulation'")
    for name, frame, cols in (
        ("demand", demand, ["site_id", "service", "contacts_per_week"]),
        ("site_services", site_services, ["site_id", "service", "capacity_per_week", "staff_fte"]),
    ):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise InputError(
                f"{name}: missing column(s) {', '.join(missing)}; expected {', '.join(cols)}"
            )
        for col in cols[2:]:
            values = pd.to_numeric(frame[col], errors="coerce")
            bad = values.lt(0) | (values.isna() & frame[col].notna())
            if bad.any():
                row = int(np.flatnonzero(bad.to_numpy())[0])
                raise InputError(
                    f"{name}: column {col}, row {row} (site {frame['site_id'].iloc[row]}, service "
                    f"{frame['service'].iloc[row]}): {frame[col].iloc[row]!r} is not a number "
                    ">= 0; fix the value"
                )
    d = (
        demand.assign(site_id=demand["site_id"].astype(str), service=demand["service"].astype(str))
        .groupby(["site_id", "service"], as_index=False)["contacts_per_week"]
        .sum()
    )
    ss = site_services[["site_id", "service", "capacity_per_week", "staff_fte"]].assign(
        site_id=site_services["site_id"].astype(str), service=site_services["service"].astype(str)
    )
    ss = ss.groupby(["site_id", "service"], as_index=False)[["capacity_per_week", "staff_fte"]].sum(
        min_count=1
    )
    m = d.merge(ss, on=["site_id", "service"], how="outer")
    unknown = sorted(set(m["service"]) - set(access_target_days))
    if unknown:
        raise InputError(
            f"services: no access_target_days for {', '.join(unknown)}; add the target (days) "
            "to the services layer"
        )
    lam_w = m["contacts_per_week"].fillna(0.0).to_numpy(dtype=np.float64)
    cap_w = m["capacity_per_week"].fillna(0.0).to_numpy(dtype=np.float64)
    staff = m["staff_fte"].fillna(0.0).to_numpy(dtype=np.float64)
    target = m["service"].map(access_target_days).to_numpy(dtype=np.float64)
    n = len(m)
    wait = np.full(n, np.nan)
    share = np.full(n, np.nan)
    steady = np.ones(n, dtype=bool)
    wait_method = np.full(n, "", dtype=object)
    status = np.full(n, "ok", dtype=object)
    slots = np.zeros(n, dtype=np.int64)
    # one BLAS thread: the banded solves are small, and OpenBLAS's threads made them several
    # times slower (in CPU, and more in wall time on a busy machine; bench_queueing.py)
    with threadpool_limits(limits=1, user_api="blas"):
        for i in range(n):
            lam, cap = float(lam_w[i]), float(cap_w[i])
            if cap > 0:
                slots[i] = slots_per_day(cap)
            if cap <= 0 and lam > 0:
                status[i], wait[i], share[i], steady[i] = "no_capacity", np.inf, 0.0, False
                log.warning(
                    "site %s, service %s: %.1f contacts a week and no capacity",
                    m["site_id"].iat[i],
                    m["service"].iat[i],
                    lam,
                )
                continue
            if lam <= 0:
                status[i] = "no_demand"
                continue
            if method == "simulation":
                res = simulate_wait(lam, cap, float(target[i]), seed=seed)
            else:
                res = analytic_wait(lam, cap, float(target[i]))
            wait[i], share[i], steady[i] = (
                res.expected_wait_days,
                res.share_within_target,
                res.steady_state,
            )
            wait_method[i] = res.method
    with np.errstate(divide="ignore", invalid="ignore"):
        util = np.where(cap_w > 0, lam_w / np.where(cap_w > 0, cap_w, 1.0), np.nan)
        util = np.where((cap_w <= 0) & (lam_w > 0), np.inf, util)
        per_fte = np.where(staff > 0, lam_w / np.where(staff > 0, staff, 1.0), np.nan)
    out = pd.DataFrame(
        {
            "site_id": m["site_id"].to_numpy(),
            "service": m["service"].to_numpy(),
            "contacts_per_week": lam_w,
            "capacity_per_week": cap_w,
            "staff_fte": staff,
            "utilisation": util,
            "contacts_per_fte_week": per_fte,
            "slots_per_day": slots,
            "access_target_days": target,
            "expected_wait_days": wait,
            "share_within_target": share,
            "contacts_within_target_per_week": lam_w * np.nan_to_num(share, nan=0.0),
            "backlog_growth_per_week": np.maximum(lam_w - cap_w, 0.0),
            "steady_state": steady,
            "wait_method": wait_method,
            "status": status,
        }
    )
    log.debug(
        "site load: %d rows, %d overloaded, %d without capacity",
        n,
        int((util >= 1).sum()),
        int((status == "no_capacity").sum()),
    )
    return out.sort_values(["site_id", "service"], ignore_index=True)


def share_within_target(capacity: pd.DataFrame, service: str) -> float:
    """Share of the service's contacts seen within the access target (NaN without demand)."""
    rows = capacity.loc[capacity["service"].astype(str) == service]
    demand = float(rows["contacts_per_week"].sum())
    if demand <= 0:
        return float("nan")
    return float(rows["contacts_within_target_per_week"].sum()) / demand
