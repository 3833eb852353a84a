"""The stages after allocation: indicators, catchments, the tables of cells, sites, losers,
travel, channels, capacity and costs.

Each stage takes the named outputs of :mod:`.stages` and returns a named result or a tidy table
(columns documented in :class:`~.result.Evaluation`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..region.schema import AGE_BANDS
from .access import indicator_table, losers_table
from .fca import (
    DENSE_MAX_ENTRIES,
    catchment_pairs,
    gaussian_weights,
    stepped_weights,
    two_stage_fca,
    two_stage_fca_pairs,
)
from .result import WEEKS_PER_YEAR
from .stages import (
    AllocationStage,
    ChannelOutcome,
    DemandStage,
    Nearest,
    Setting,
    nearest_by_service,
)
from .tables import cells_table, equity_table, municipality_rule, travel_table

__all__ = [
    "Catchments",
    "Indicators",
    "capacity_stage",
    "catchment_stage",
    "cells_stage",
    "channels_stage",
    "costs_stage",
    "indicator_stage",
    "losers_stage",
    "sites_stage",
    "travel_columns",
    "travel_stage",
    "unserved_stage",
]


def _residents(demand: DemandStage) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Residents per cell and band, all bands, and 75+."""
    residents = demand.demand.residents
    old = residents[:, AGE_BANDS.index("75_84")] + residents[:, AGE_BANDS.index("85_plus")]
    return residents, residents.sum(axis=1), old


def _minutes(nearest: Nearest | None) -> np.ndarray | None:
    return None if nearest is None else nearest.minutes


_TRAVEL_FIGURE = re.compile(r"^(share_|unreachable_|(mean|median|p90|worst)_.*_minutes$)")


def travel_columns(frame: pd.DataFrame) -> list[str]:
    """The columns of residents' travel figures (shares within, unreachable, minutes)."""
    return [c for c in frame.columns if _TRAVEL_FIGURE.match(str(c))]


def _without_home_travel(
    frame: pd.DataFrame, demand: DemandStage, *, drop: bool = False
) -> pd.DataFrame:
    """``frame`` with no residents' travel figure for services delivered at home: their rows
    dropped (``drop``) or their travel columns NaN, and a ``travel_evaluated`` column."""
    travels = dict(zip(demand.services, demand.site_travel.tolist(), strict=True))
    ok = frame["service"].map(travels).fillna(True).astype(bool).to_numpy()
    if drop:
        return frame.loc[ok].reset_index(drop=True)
    out = frame.copy()
    columns = travel_columns(out)
    if (~ok).any() and columns:
        out[columns] = out[columns].astype(float)
        out.loc[~ok, columns] = np.nan
    out["travel_evaluated"] = ok
    return out


# --- indicators ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Indicators:
    """Accessibility and equity figures (tables documented in ``Evaluation``)."""

    summary: pd.DataFrame
    municipalities: pd.DataFrame
    bands: pd.DataFrame
    settlements: pd.DataFrame
    equity: pd.DataFrame


def indicator_stage(setting: Setting, demand: DemandStage, alloc: AllocationStage) -> Indicators:
    """Shares within 10/20/30 min, means, percentiles and worst trips per county, municipality,
    age band and settlement class; the one-site-per-municipality rule; equity indices."""
    services = demand.services
    residents, res_total, _ = _residents(demand)
    car = alloc.nearest["car"]
    ind = indicator_table(
        services,
        car.minutes,
        _minutes(alloc.nearest.get("transit")),
        alloc.trip_minutes,
        residents,
        {"municipality": setting.municipality, "settlement": setting.settlement},
        AGE_BANDS,
    )
    channel_totals = demand.split.channel_totals(services)
    unserved = alloc.unserved_per_year().sum(axis=1)
    summary = ind.loc[ind["level"] == "county"].drop(columns=["level", "group"])
    summary = summary.merge(channel_totals, on="service").assign(unserved_per_year=unserved)
    rule = municipality_rule(setting.base.municipalities, setting.region.sites)

    def level(name: str, column: str) -> pd.DataFrame:
        part = ind.loc[ind["level"] == name].drop(columns=["level"])
        return part.rename(columns={"group": column})

    munis = level("municipality", "municipality").merge(rule, on="municipality", how="left")
    return Indicators(
        summary=_without_home_travel(summary.reset_index(drop=True), demand),
        municipalities=_without_home_travel(munis.reset_index(drop=True), demand),
        bands=_without_home_travel(level("band", "band").reset_index(drop=True), demand),
        settlements=_without_home_travel(
            level("settlement", "settlement").reset_index(drop=True), demand
        ),
        equity=_without_home_travel(
            equity_table(services, car.minutes, alloc.trip_minutes, res_total, setting.settlement),
            demand,
            drop=True,
        ),
    )


# --- catchments ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Catchments:
    """Two-step floating catchments by car (supply = capacity per week at open sites).

    ``access_2sfca``, ``access_e2sfca``: ``(n_services, n_cells)``; ``ratio_2sfca``,
    ``ratio_e2sfca``: ``(n_services, n_sites)``.
    """

    access_2sfca: np.ndarray
    access_e2sfca: np.ndarray
    ratio_2sfca: np.ndarray
    ratio_e2sfca: np.ndarray


def catchment_stage(setting: Setting, demand: DemandStage, alloc: AllocationStage) -> Catchments:
    """2SFCA and E2SFCA within each service's ``threshold_min`` (:mod:`.fca`)."""
    services = demand.services
    _, res_total, _ = _residents(demand)
    svc = setting.region.services
    threshold = dict(
        zip(svc["service"].astype(str), svc["threshold_min"].astype(float), strict=True)
    )
    weight_fn = stepped_weights if setting.options.e2sfca_weights == "stepped" else gaussian_weights
    n_cells, n_sites = len(setting.cell_ids), len(setting.site_ids)
    acc2 = np.zeros((len(services), n_cells))
    acce = np.zeros_like(acc2)
    ratio2 = np.zeros((len(services), n_sites))
    ratioe = np.zeros_like(ratio2)
    cap = alloc.capacity_per_week
    for s, code in enumerate(services):
        cols = np.flatnonzero(alloc.offers[s])
        if not len(cols):
            continue
        d0 = threshold[code]
        car = setting.matrices["car"]
        if n_cells * len(cols) <= DENSE_MAX_ENTRIES:
            m = car[:, cols].astype(np.float64)
            acc2[s], ratio2[s, cols] = two_stage_fca(m, res_total, cap[s, cols], d0)
            acce[s], ratioe[s, cols] = two_stage_fca(
                m, res_total, cap[s, cols], d0, weights=weight_fn
            )
            continue
        # national size: only the pairs inside the catchment, never a dense float64 copy
        cell, col, w = catchment_pairs(car, cols, d0, weight_fn)
        acc2[s], ratio2[s, cols] = two_stage_fca_pairs(
            cell, col, np.ones(len(w)), res_total, cap[s, cols]
        )
        acce[s], ratioe[s, cols] = two_stage_fca_pairs(cell, col, w, res_total, cap[s, cols])
    return Catchments(acc2, acce, ratio2, ratioe)


# --- tables -------------------------------------------------------------------------------------


def cells_stage(
    setting: Setting, demand: DemandStage, alloc: AllocationStage, catch: Catchments
) -> pd.DataFrame:
    """One row per cell and service (``Evaluation.cells``)."""
    car = alloc.nearest["car"]
    cells = cells_table(
        setting.cell_ids,
        setting.municipality,
        setting.settlement,
        demand.services,
        setting.site_ids,
        demand.demand.residents,
        car.site,
        car.minutes,
        _minutes(alloc.nearest.get("transit")),
        _minutes(alloc.nearest.get("walk")),
        alloc.allocation,
        alloc.site_demand_bands,
        demand.split.total,
        catch.access_2sfca,
        catch.access_e2sfca,
        alloc.trip_minutes,
    )
    rough_cells = (
        set(setting.approximate.loc[setting.approximate["mode"] == "car", "cell_id"].astype(str))
        if len(setting.approximate)
        else set()
    )
    cells["approximate"] = cells["cell_id"].astype(str).isin(rough_cells) | cells["site_id"].isin(
        setting.approximate_sites
    )
    home = ~cells["service"].map(dict(zip(demand.services, demand.site_travel, strict=True)))
    if home.any():
        minutes = ["car_minutes", "transit_minutes", "walk_minutes", "trip_minutes"]
        shares = [c for c in cells.columns if c.startswith("share_")]
        cells.loc[home, minutes + shares] = np.nan
        cells["site_id"] = cells["site_id"].astype(object)
        cells.loc[home, "site_id"] = None
        cells.loc[home, "approximate"] = False
    return cells


def sites_stage(
    setting: Setting, demand: DemandStage, alloc: AllocationStage, catch: Catchments
) -> pd.DataFrame:
    """One row per site and service, today's network's and the scenario's (``Evaluation.sites``)."""
    scen, base, scenario = setting.region, setting.base, setting.scenario
    col = setting.column
    srow = {s: i for i, s in enumerate(demand.services)}
    closed = set(scenario.substitutes)
    new_ids = {o.site for o in scenario.openings}

    def figures(frame: pd.DataFrame) -> dict[tuple[str, str], tuple[float, float]]:
        return {
            (str(sid), str(s)): (float(c), float(f))
            for sid, s, c, f in zip(
                frame["site_id"],
                frame["service"],
                frame["capacity_per_week"],
                frame["staff_fte"],
                strict=True,
            )
        }

    scen_figures, base_figures = figures(scen.site_services), figures(base.site_services)
    estimated = _estimated_pairs(scen.site_services) | _estimated_pairs(base.site_services)
    missing = _missing_figures(setting.sites)
    pairs = list(dict.fromkeys([*scen_figures, *base_figures]))
    info = setting.sites.set_index(setting.sites["site_id"].astype(str))
    names, munis = info["name"].to_dict(), info["municipality"].astype(str).to_dict()
    kinds = info["kind"].astype(str).to_dict()
    kinds.update(
        dict(zip(scen.sites["site_id"].astype(str), scen.sites["kind"].astype(str), strict=True))
    )
    rows = []
    for sid, s in pairs:
        j, i = col[sid], srow[s]
        status = "closed" if sid in closed else "new" if sid in new_ids else "open"
        dropped = status != "closed" and (sid, s) not in scen_figures
        if status == "closed" or dropped:
            capacity, staff = 0.0, 0.0
        else:
            capacity, staff = scen_figures[(sid, s)]
        per_year = float(alloc.site_contacts[i, j])
        rows.append(
            {
                "site_id": sid,
                "name": names[sid],
                "municipality": munis[sid],
                "kind": kinds[sid],
                "status": "service_dropped" if dropped else status,
                "substitute_id": scenario.substitutes.get(sid),
                "service": s,
                "contacts_per_year": per_year,
                "contacts_per_week": per_year / WEEKS_PER_YEAR,
                "capacity_per_week": capacity,
                "staff_fte": staff,
                "utilisation": per_year / WEEKS_PER_YEAR / capacity
                if capacity > 0
                else float("nan"),
                "ratio_2sfca": float(catch.ratio_2sfca[i, j]),
                "ratio_e2sfca": float(catch.ratio_e2sfca[i, j]),
                "estimated": (sid, s) in estimated,
                "missing_figures": missing.get(sid, ""),
            }
        )
    return pd.DataFrame(rows)


def _estimated_pairs(site_services: pd.DataFrame) -> set[tuple[str, str]]:
    """(site, service) pairs whose capacity and staff are estimates (``estimated`` column)."""
    if "estimated" not in site_services:
        return set()
    flag = site_services["estimated"].astype("boolean").fillna(False).astype(bool)
    rows = site_services.loc[flag.to_numpy()]
    return set(zip(rows["site_id"].astype(str), rows["service"].astype(str), strict=True))


SITE_FIGURES: tuple[str, ...] = ("annual_cost_eur", "condition", "investment_need_eur")
"""Building figures of a site that the cost model counts as 0 (or never due) when missing."""


def _missing_figures(sites: pd.DataFrame) -> dict[str, str]:
    """Site id -> the building figures it lacks, joined with ``;`` (empty when none)."""
    out: dict[str, str] = {}
    ids = sites["site_id"].astype(str).to_numpy()
    lacking = [
        (column, pd.to_numeric(sites[column], errors="coerce").isna().to_numpy())
        if column in sites
        else (column, np.ones(len(sites), dtype=bool))
        for column in SITE_FIGURES
    ]
    for k, sid in enumerate(ids):
        out[sid] = ";".join(column for column, miss in lacking if miss[k])
    return out


def losers_stage(setting: Setting, demand: DemandStage, alloc: AllocationStage) -> pd.DataFrame:
    """Cells whose nearest site by car changes or whose trip gets longer against today's
    network, per service (``Evaluation.losers``; empty when no site changes)."""
    _, res_total, res_old = _residents(demand)
    scenario = setting.scenario
    services = demand.services
    if scenario.closures or scenario.conversions or scenario.openings:
        mats = setting.matrices
        before = nearest_by_service(mats["car"], alloc.base_offers)
        before_transit = (
            nearest_by_service(mats["transit"], alloc.base_offers) if "transit" in mats else None
        )
        car = alloc.nearest["car"]
        losers = losers_table(
            setting.cell_ids,
            setting.municipality,
            services,
            setting.site_ids,
            before.site,
            before.minutes,
            car.site,
            car.minutes,
            _minutes(before_transit),
            _minutes(alloc.nearest.get("transit")),
            res_total,
            res_old,
        )
        return _without_home_travel(losers, demand, drop=True)
    return losers_table(
        setting.cell_ids[:0],
        setting.municipality[:0],
        (),
        setting.site_ids,
        np.zeros((0, 0), np.int64),
        np.zeros((0, 0)),
        np.zeros((0, 0), np.int64),
        np.zeros((0, 0)),
        None,
        None,
        np.zeros(0),
        np.zeros(0),
    )


def travel_stage(setting: Setting, demand: DemandStage, alloc: AllocationStage) -> pd.DataFrame:
    """One row per cell, age band and service: the cost model's travel (``Evaluation.travel``)."""
    g = setting.sites.geometry
    site_xy = np.column_stack([g.x.to_numpy(), g.y.to_numpy()]).astype(np.float64)
    return travel_table(
        setting.cell_ids,
        setting.municipality,
        demand.services,
        setting.site_ids,
        demand.demand.residents,
        alloc.site_demand_bands,
        alloc.allocation,
        setting.base.cell_points(),
        site_xy,
        setting.matrices["car"],
        alloc.offers,
        alloc.trip_minutes,
        nearest_car_site=alloc.nearest["car"].site,  # the same search, done once
    )


def unserved_stage(cells: pd.DataFrame) -> pd.DataFrame:
    """Cells with site contacts that reach no site (``Evaluation.unserved``)."""
    columns = [
        "cell_id",
        "municipality",
        "service",
        "residents",
        "residents_75_plus",
        "unserved_per_year",
    ]
    return cells.loc[cells["unserved_per_year"] > 0, columns].reset_index(drop=True)


def channels_stage(
    setting: Setting,
    demand: DemandStage,
    alloc: AllocationStage,
    outcomes: tuple[ChannelOutcome, ...],
) -> pd.DataFrame:
    """Contacts per municipality, service and channel (``Evaluation.channels``): every contact
    in exactly one of the sites, a non-site channel, or ``unserved``."""
    services = demand.services
    munis = pd.Index(setting.municipality).unique()
    code = pd.Categorical(setting.municipality, categories=munis).codes
    unserved = alloc.unserved_per_year().T  # (n_cells, n_services)
    parts: list[tuple[str, np.ndarray, bool]] = [
        ("site", alloc.site_demand - unserved, True),
        ("unserved", unserved, True),
    ]
    parts += [(o.channel, o.served.sum(axis=2), o.evaluated) for o in outcomes]
    frames = []
    for channel, per_cell, evaluated in parts:
        sums = np.zeros((len(munis), len(services)))
        np.add.at(sums, code, per_cell)
        frames.append(
            pd.DataFrame(
                {
                    "municipality": np.repeat(np.asarray(munis, dtype=object), len(services)),
                    "service": np.tile(np.asarray(services, dtype=object), len(munis)),
                    "channel": channel,
                    "contacts_per_year": sums.ravel(),
                    "evaluated": evaluated,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def capacity_stage(setting: Setting, demand: DemandStage, sites: pd.DataFrame) -> pd.DataFrame:
    """Capacity against the access target per open site and service (:mod:`.capacity`); rows of
    services delivered at home say ``home_not_evaluated``."""
    from .capacity import site_load

    services, site_travel_of = demand.services, demand.site_travel
    scen = setting.region
    open_rows = sites.loc[sites["status"].isin(["open", "new"])]
    demand = open_rows[["site_id", "service", "contacts_per_week"]].reset_index(drop=True)
    ss = scen.site_services[["site_id", "service", "capacity_per_week", "staff_fte"]]
    targets = dict(
        zip(
            scen.services["service"].astype(str),
            scen.services["access_target_days"].astype(float),
            strict=True,
        )
    )
    load = site_load(demand, ss, targets, method=setting.options.capacity_method)
    flags = sites.drop_duplicates(["site_id", "service"]).set_index(["site_id", "service"])
    keys = list(zip(load["site_id"].astype(str), load["service"].astype(str), strict=True))
    load["estimated"] = [bool(flags["estimated"].get(k, False)) for k in keys]
    home = set(np.asarray(services)[~site_travel_of])
    rows = load["service"].astype(str).isin(home)
    if rows.any():
        load.loc[rows, "status"] = "home_not_evaluated"
    return load


def costs_stage(
    setting: Setting,
    travel: pd.DataFrame,
    cells: pd.DataFrame,
    mobile_stops: pd.DataFrame | None = None,
    digital_staff_fte: float = 0.0,
) -> pd.DataFrame:
    """Costs per year of the scenario network, taking effect in the evaluated year
    (:func:`.costs.cost_table`), the scenario's mobile units and the remote staff of the digital
    channel included."""
    from .costs import cost_table

    units = (0.0, 0.0)
    if mobile_stops is not None and not mobile_stops.empty:
        per_unit = mobile_stops.drop_duplicates("unit")
        units = (
            float(per_unit["unit_cost_eur_per_year"].sum()),
            float(per_unit["unit_km_per_year"].sum()),
        )

    shares = cells[["cell_id", "service", "share_car", "share_transit", "share_walk", "share_taxi"]]
    return cost_table(
        setting.base,
        setting.region,
        travel,
        years=setting.options.cost_years,
        eval_year=setting.year,
        effective_year=setting.year,
        mode_shares=shares,
        mobile_units=units,
        digital_staff_fte=digital_staff_fte,
    )
