"""Region adapter of home care: sampling a representative weekday, bases, what-ifs, placement.

Sampling (seeded, so figures are reproducible): the demand model's home-care visits per cell
and year (``kotihoito`` home contacts of :func:`palveluverkko.demand.channels.split_channels`)
divided by 365 give the expected visits of a day ``lambda_c`` (home care runs every day; an
ASSUMPTION); the day's visits are ``floor(lambda_c)`` plus one with probability equal to its
fraction (unbiased), each at a uniform point inside the cell (a square of ``cell_size_m``
around a point cell, the polygon itself for polygon cells such as postal areas) with a window
drawn by the windows' shares. The sampling error of a figure is stated by re-running with other
seeds (:func:`home_care_seed_spread`).

Regular clients per cell (for the "not reached" counts) come from the age-specific shares of
DOMAIN.md (THL 2022): 8 % of 75-84, 30 % of 85-94 and 57 % of 95+ (the 85+ band mixes the
last two with Finland's share of 95+ in 85+), 1.5 % of 65-74 and 0.2 % of 18-64 (ASSUMPTIONS,
as in the service catalogue).

Each visit belongs to the base nearest by drive time (staff drive from the base). Drive times:
:func:`.adapters.drive_matrix` on the car network.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..demand.catalogue import SHARE_95_PLUS_OF_85_PLUS
from ..demand.channels import split_channels
from ..demand.contacts import contacts
from ..errors import InputError, UnknownIdError
from ..locate import p_median, problem_from_matrix
from ..locate.params import SolveParams
from ..network import RoadNetwork
from ..region.model import Region
from ..region.schema import AGE_BANDS
from .adapters import drive_matrix, road_network
from .homecare import BaseDay, HomeCareParams, HomeCarePlan, plan_bases

__all__ = [
    "CLIENT_SHARE",
    "close_base",
    "compare_home_care",
    "home_care_bases",
    "home_care_seed_spread",
    "merge_bases",
    "move_base",
    "place_bases",
    "plan_home_care",
    "sample_visits",
]

CLIENT_SHARE: dict[str, float] = {
    "0_6": 0.0,
    "7_17": 0.0,
    "18_64": 0.002,
    "65_74": 0.015,
    "75_84": 0.08,
    "85_plus": 0.30 * (1 - SHARE_95_PLUS_OF_85_PLUS) + 0.57 * SHARE_95_PLUS_OF_85_PLUS,
}
"""Share of residents in regular home care by band (module docstring for the sources)."""

SERVICE = "kotihoito"


def home_care_bases(region: Region) -> pd.DataFrame:
    """Sites offering ``kotihoito``: ``base_id``, ``name``, ``municipality``, ``x``, ``y``,
    ``staff_fte`` (the table the what-ifs edit).

    Raises
    ------
    InputError
        When no site offers ``kotihoito``.
    """
    ss = region.site_services
    sel = ss.loc[ss["service"].astype(str) == SERVICE]
    if sel.empty:
        raise InputError(
            "site_services: no site offers kotihoito; add kotihoito rows (home-care offices) "
            "or pass bases= explicitly"
        )
    fte = sel.groupby(sel["site_id"].astype(str))["staff_fte"].sum()
    sites = region.sites.set_index(region.sites["site_id"].astype(str)).loc[fte.index]
    return pd.DataFrame(
        {
            "base_id": fte.index.to_numpy(dtype=object),
            "name": sites["name"].astype(str).to_numpy(dtype=object),
            "municipality": sites["municipality"].astype(str).to_numpy(dtype=object),
            "x": sites.geometry.x.to_numpy(),
            "y": sites.geometry.y.to_numpy(),
            "staff_fte": fte.to_numpy(dtype=np.float64),
        }
    )


def close_base(bases: pd.DataFrame, base_id: str, *, staff_to: str | None = None) -> pd.DataFrame:
    """Bases without ``base_id``; its staff move to ``staff_to`` when given (a merge)."""
    _require(bases, base_id)
    out = bases.loc[bases["base_id"] != base_id].reset_index(drop=True)
    if staff_to is not None:
        _require(out, staff_to)
        fte = float(bases.loc[bases["base_id"] == base_id, "staff_fte"].iloc[0])
        out.loc[out["base_id"] == staff_to, "staff_fte"] += fte
    return out


def merge_bases(bases: pd.DataFrame, base_id: str, into: str) -> pd.DataFrame:
    """Close ``base_id`` and move its staff to ``into``."""
    return close_base(bases, base_id, staff_to=into)


def move_base(bases: pd.DataFrame, base_id: str, x: float, y: float) -> pd.DataFrame:
    """Bases with ``base_id`` moved to ``(x, y)``."""
    _require(bases, base_id)
    out = bases.copy()
    out.loc[out["base_id"] == base_id, ["x", "y"]] = [x, y]
    return out


def _require(bases: pd.DataFrame, base_id: str) -> None:
    if base_id not in set(bases["base_id"]):
        raise UnknownIdError(
            f"base {base_id!r} is not among the bases ({', '.join(map(str, bases['base_id']))})"
        )


def _cell_arrays(region: Region, year: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Home-care visits per cell and year, and expected regular clients per cell."""
    codes = list(region.services["service"].astype(str))
    if SERVICE not in codes:
        raise UnknownIdError(f"services: {SERVICE!r} is not in the region's services")
    demand = contacts(region, year)
    bb = region.population.get("broadband_mbps")
    split = split_channels(
        demand, region.services, None if bb is None else bb.to_numpy(dtype=np.float64)
    )
    visits = split.home[:, codes.index(SERVICE), :].sum(axis=1)
    share = np.array([CLIENT_SHARE[b] for b in AGE_BANDS])
    clients = demand.residents @ share
    return visits, clients


def sample_visits(
    region: Region,
    params: HomeCareParams | None = None,
    *,
    seed: int = 0,
    year: int | None = None,
) -> pd.DataFrame:
    """The visits of a representative weekday (module docstring), one row each."""
    params = params or HomeCareParams()
    per_year, _ = _cell_arrays(region, year)
    lam = per_year / 365.0
    rng = np.random.default_rng(seed)
    n = np.floor(lam).astype(np.int64) + (rng.random(len(lam)) < lam - np.floor(lam))
    cell = np.repeat(np.arange(len(lam)), n)
    xy = region.cell_points()[cell] + rng.uniform(-0.5, 0.5, (len(cell), 2)) * params.cell_size_m
    geom = region.population.geometry
    areas = np.flatnonzero((geom.geom_type != "Point").to_numpy() & (n > 0))
    if areas.size:  # polygons (e.g. postal areas): uniform points inside the polygon itself
        start = np.r_[0, np.cumsum(n)[:-1]]
        for c in areas:
            xy[start[c] : start[c] + n[c]] = _points_in(geom.iloc[c], int(n[c]), rng)
    shares = np.array([w.share for w in params.windows])
    win = rng.choice(len(params.windows), size=len(cell), p=shares / shares.sum())
    pop = region.population
    first = np.r_[0, np.cumsum(n)[:-1]]
    k = np.arange(len(cell)) - np.repeat(first, n)
    cell_ids = pop["cell_id"].astype(str).to_numpy(dtype=object)[cell]
    return pd.DataFrame(
        {
            "visit_id": [f"v{i:05d}" for i in range(len(cell))],
            "client_id": [f"{c}-{j + 1}" for c, j in zip(cell_ids, k, strict=True)],
            "cell_id": cell_ids,
            "municipality": pop["municipality"].astype(str).to_numpy(dtype=object)[cell],
            "x": xy[:, 0],
            "y": xy[:, 1],
            "window": [params.windows[w].name for w in win],
            "tw_early_min": [params.windows[w].start_min for w in win],
            "tw_late_min": [params.windows[w].end_min for w in win],
            "service_min": params.visit_minutes,
        }
    )


def _points_in(polygon: Any, k: int, rng: np.random.Generator) -> np.ndarray:
    """``k`` uniform points inside ``polygon`` (rejection in its bounds; the representative
    point fills in after 50 rounds, which only a degenerate polygon needs)."""
    import shapely

    x0, y0, x1, y1 = polygon.bounds
    out = np.empty((0, 2))
    for _ in range(50):
        cand = rng.uniform((x0, y0), (x1, y1), (4 * k + 8, 2))
        out = np.vstack([out, cand[shapely.contains_xy(polygon, cand[:, 0], cand[:, 1])]])
        if len(out) >= k:
            return out[:k]
    rep = polygon.representative_point()
    return np.vstack([out, np.tile([rep.x, rep.y], (k - len(out), 1))])[:k]


def _nurses(fte: float, params: HomeCareParams) -> np.ndarray:
    on_duty = fte * params.on_duty_per_fte
    return np.floor(np.asarray(params.shift_shares) * on_duty + 1e-9).astype(np.int64)


def plan_home_care(
    region: Region,
    *,
    bases: pd.DataFrame | None = None,
    nurses: dict[str, Sequence[int]] | None = None,
    params: HomeCareParams | None = None,
    seed: int = 0,
    year: int | None = None,
    network: RoadNetwork | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> HomeCarePlan:
    """Route the home-care visits of a representative weekday from every base.

    Parameters
    ----------
    region
        The region.
    bases
        ``base_id``, ``name``, ``x``, ``y``, ``staff_fte`` (default :func:`home_care_bases`;
        edit it with :func:`close_base`, :func:`merge_bases`, :func:`move_base` for what-ifs).
    nurses
        Nurses per shift by base id; default ``staff_fte * on_duty_per_fte * shift share``.
    params
        Visit, window, shift and solver parameters.
    seed
        Seed of the sampling and of PyVRP.
    year
        Demand year (default the base year).
    network
        A car network of the region to reuse.
    progress
        Called with ``(bases done, bases)``.
    """
    params = params or HomeCareParams()
    bases = home_care_bases(region) if bases is None else bases.reset_index(drop=True)
    if bases.empty:
        raise InputError("bases: no home-care base given; keep at least one")
    net = network if network is not None else road_network(region, "car")
    visits = sample_visits(region, params, seed=seed, year=year)
    base_xy = bases[["x", "y"]].to_numpy(dtype=np.float64)
    out = drive_matrix(region, base_xy, visits[["x", "y"]].to_numpy(), network=net)
    back = drive_matrix(region, visits[["x", "y"]].to_numpy(), base_xy, network=net)
    best = np.argmin(out.minutes, axis=0)
    t = out.minutes[best, np.arange(len(visits))]
    ok = np.isfinite(t) & (2 * t + params.visit_minutes <= params.longest_shift_min)
    visits["base_id"] = bases["base_id"].to_numpy(dtype=object)[best]
    visits["status"] = np.where(ok, "routed", "not_served")
    visits["reason"] = np.where(ok, "", np.where(out.to_ok, "unreachable", "no_road"))
    days = []
    for b, row in bases.iterrows():
        rows = np.flatnonzero(best == b)
        pts = np.vstack([[row["x"], row["y"]], visits.loc[rows, ["x", "y"]].to_numpy()])
        legs = drive_matrix(region, pts, pts, network=net, cutoff_minutes=params.leg_cutoff_min)
        m = _through_base(legs.minutes, out.minutes[b, rows], back.minutes[rows, b])
        k = np.asarray(
            nurses[row["base_id"]]
            if nurses and row["base_id"] in nurses
            else _nurses(float(row["staff_fte"]), params)
        )
        days.append(BaseDay(str(row["base_id"]), str(row["name"]), k, rows, m))
    visits, routes, table = plan_bases(visits, days, params, seed=seed, progress=progress)
    unreachable = _unreachable(region, visits, base_xy, params, year, net)
    cells = _cells(region, visits, table, year)
    figures = _figures(visits, routes, table, params, seed)
    return HomeCarePlan(visits, routes, table, unreachable, cells, params, figures)


def _through_base(m: np.ndarray, out: np.ndarray, back: np.ndarray) -> np.ndarray:
    """Fill the base's row and column from the full searches; a leg between visits beyond the
    search cutoff (or unreachable) is driven through the base, a real path and so an upper
    bound of the leg (``params.leg_cutoff_min``); legs no path serves are 24 h (never usable)."""
    m = m.copy()
    m[0, 1:], m[1:, 0] = out, back
    via = back[:, None] + out[None, :]
    m[1:, 1:] = np.minimum(m[1:, 1:], via)
    np.fill_diagonal(m, 0.0)
    return np.where(np.isfinite(m), m, 24 * 60.0)


def _unreachable(
    region: Region,
    visits: pd.DataFrame,
    base_xy: np.ndarray,
    params: HomeCareParams,
    year: int | None,
    net: RoadNetwork,
) -> pd.DataFrame:
    """Per municipality: regular clients and daily visits no base reaches within a shift
    (``clients``, ``visits``) and those outside the road data (``clients_no_road``,
    ``visits_no_road``). A cell's share is that of its sampled visits; cells without a sampled
    visit are judged by their centre point."""
    per_year, clients = _cell_arrays(region, year)
    ids = region.population["cell_id"].astype(str).to_numpy(dtype=object)
    share = (
        visits.assign(
            far=(visits["reason"] == "unreachable").astype(float),
            off=(visits["reason"] == "no_road").astype(float),
        )
        .groupby("cell_id")[["far", "off"]]
        .mean()
    )
    far = share["far"].reindex(ids).to_numpy(dtype=np.float64, copy=True)
    off = share["off"].reindex(ids).to_numpy(dtype=np.float64, copy=True)
    todo = np.flatnonzero(np.isnan(far) & (per_year > 0))
    if todo.size:
        dm = drive_matrix(region, base_xy, region.cell_points()[todo], network=net)
        m = dm.minutes.min(axis=0)
        reach = np.isfinite(m) & (2 * m + params.visit_minutes <= params.longest_shift_min)
        off[todo] = (~dm.to_ok).astype(float)
        far[todo] = (dm.to_ok & ~reach).astype(float)
    far, off = np.nan_to_num(far), np.nan_to_num(off)
    names = dict(
        zip(region.municipalities["code"].astype(str), region.municipalities["name"], strict=True)
    )
    frame = pd.DataFrame(
        {
            "municipality": region.population["municipality"].astype(str).to_numpy(),
            "clients": clients * far,
            "visits": per_year / 365.0 * far,
            "clients_no_road": clients * off,
            "visits_no_road": per_year / 365.0 * off,
        }
    )
    out = frame.groupby("municipality", as_index=False).sum()
    out = out.loc[(out[["clients", "clients_no_road"]] > 0).any(axis=1)].reset_index(drop=True)
    out.insert(1, "name", out["municipality"].map(names))
    return out


def _cells(
    region: Region, visits: pd.DataFrame, bases: pd.DataFrame, year: int | None
) -> pd.DataFrame:
    per_year, _ = _cell_arrays(region, year)
    ids = region.population["cell_id"].astype(str).to_numpy(dtype=object)
    staff_share = (bases["not_served_staff"] / bases["visits"].clip(lower=1)).to_numpy()
    share_by_base = dict(zip(bases["base_id"], staff_share, strict=True))
    v = visits.assign(
        unreach=visits["reason"].isin(["unreachable", "no_road"]).astype(float),
        staff=visits["base_id"].map(share_by_base).astype(float),
    )
    per_cell = v.groupby("cell_id")[["unreach", "staff"]].mean()
    lost = (per_cell["unreach"] + (1 - per_cell["unreach"]) * per_cell["staff"]).reindex(ids)
    fallback = float(np.average(staff_share, weights=bases["visits"].clip(lower=1)))
    lost = lost.fillna(fallback).to_numpy()
    return pd.DataFrame(
        {
            "cell_id": ids,
            "service": SERVICE,
            "visits_per_year": per_year,
            "served_per_year": per_year * (1 - lost),
            "not_served_per_year": per_year * lost,
        }
    )


def _figures(
    visits: pd.DataFrame,
    routes: pd.DataFrame,
    bases: pd.DataFrame,
    params: HomeCareParams,
    seed: int,
) -> dict[str, Any]:
    routed = int((visits["status"] == "routed").sum())
    travel = float(routes["travel_min"].sum()) if len(routes) else 0.0
    return {
        "seed": seed,
        "visits": len(visits),
        "routed": routed,
        "not_served_staff": int((visits["reason"] == "staff").sum()),
        "unreachable": int((visits["reason"] == "unreachable").sum()),
        "no_road": int((visits["reason"] == "no_road").sum()),
        "travel_hours_per_day": travel / 60.0,
        "travel_min_per_visit": travel / routed if routed else float("nan"),
        "fte_needed": float(bases["fte_needed"].sum()),
        "method": (
            "One sampled weekday (seeded); routes by PyVRP per base (a heuristic: feasible, "
            f"not proven shortest; {params.seconds_per_100_visits:g} s per 100 visits of a base)."
        ),
    }


def home_care_seed_spread(
    region: Region, seeds: Sequence[int] = (0, 1, 2), **kwargs: Any
) -> pd.DataFrame:
    """Per base and seed: travel minutes per visit and per day, FTE needed; with a last row
    per base of the mean and standard deviation over the seeds (the sampling error)."""
    frames = []
    for s in seeds:
        plan = plan_home_care(region, seed=s, **kwargs)
        frames.append(plan.bases.assign(seed=s))
    allb = pd.concat(frames, ignore_index=True)
    cols = ["travel_min_per_visit", "travel_min_per_day", "fte_needed"]
    stats = allb.groupby("base_id")[cols].agg(["mean", "std"])
    stats.columns = [f"{a}_{b}" for a, b in stats.columns]
    return stats.reset_index()


def compare_home_care(before: HomeCarePlan, after: HomeCarePlan) -> pd.DataFrame:
    """The day's totals before and after a what-if, and the change."""
    keys = [
        "visits",
        "routed",
        "not_served_staff",
        "unreachable",
        "no_road",
        "travel_hours_per_day",
        "travel_min_per_visit",
        "fte_needed",
    ]
    a = [float(before.figures[k]) for k in keys]
    b = [float(after.figures[k]) for k in keys]
    return pd.DataFrame({"figure": keys, "before": a, "after": b, "change": np.subtract(b, a)})


def place_bases(
    region: Region,
    p: int,
    *,
    candidates: pd.DataFrame | None = None,
    year: int | None = None,
    network: RoadNetwork | None = None,
    time_limit_s: float = 20.0,
) -> pd.DataFrame:
    """Choose ``p`` bases minimising client-weighted staff drive time (p-median).

    The cost of serving cell ``i`` from base ``j`` is ``w_i t_ji``: the cell's home-care visits
    a year times the drive from the base (a star approximation of the routes' travel: routes
    chain visits, so real travel per visit is lower, but it moves with it). Candidates default
    to every site of the region. Returns the chosen rows of ``candidates`` (``base_id``,
    ``name``, ``x``, ``y``, ``staff_fte``) with the staff of the current bases shared by the
    visits each chosen base serves, and the p-median's objective, bound and gap in ``attrs``.
    """
    net = network if network is not None else road_network(region, "car")
    if candidates is None:
        s = region.sites
        candidates = pd.DataFrame(
            {
                "base_id": s["site_id"].astype(str).to_numpy(dtype=object),
                "name": s["name"].astype(str).to_numpy(dtype=object),
                "municipality": s["municipality"].astype(str).to_numpy(dtype=object),
                "x": s.geometry.x.to_numpy(),
                "y": s.geometry.y.to_numpy(),
            }
        )
    per_year, _ = _cell_arrays(region, year)
    has = np.flatnonzero(per_year > 0)
    m = drive_matrix(
        region,
        candidates[["x", "y"]].to_numpy(dtype=np.float64),
        region.cell_points()[has],
        network=net,
    ).minutes.T
    problem = problem_from_matrix(
        np.where(np.isfinite(m), m, np.inf),
        per_year[has],
        site_ids=candidates["base_id"].to_numpy(dtype=object),
    )
    res = p_median(problem, p, params=SolveParams(time_limit_s=time_limit_s))
    chosen = candidates.iloc[res.open_index].reset_index(drop=True)
    slot = np.full(problem.n_sites, -1, dtype=np.int64)
    slot[res.open_index] = np.arange(len(res.open_index))
    served = res.assignment >= 0
    load = np.bincount(slot[res.assignment[served]], per_year[has][served], len(res.open_index))
    total_fte = float(home_care_bases(region)["staff_fte"].sum())
    chosen["staff_fte"] = total_fte * load / max(load.sum(), 1e-12)
    chosen.attrs.update(objective=res.objective, bound=res.bound, gap=res.gap, method=res.method)
    return chosen
