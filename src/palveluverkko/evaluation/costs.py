"""Costs per year (2025-2030 by default): premises, investment, staff, residents' travel, Kela.

One row per year and component, with the payer, the cost in EUR and a physical quantity:

==================  ==========  =============================================================
component           payer       cost_eur (quantity, unit)
==================  ==========  =============================================================
``premises``        county      ``annual_cost_eur`` of the sites in use, and of closed leased
                                sites until their ``lease_end`` (m² of floor area)
``investment``      county      annuity of the condition-driven ``investment_need_eur`` from the
                                year it falls due (EUR falling due that year)
``staff``           county      ``staff_fte x staff_eur_per_fte_year`` (FTE)
``mobile_units``    county      the scenario's mobile units: days x EUR/day + km x EUR/km of
                                their plans (km driven a year)
``digital_staff``   county      remote staff of the digital channel x ``staff_eur_per_fte_year``
                                (FTE; the evaluated year's digital contacts, ASSUMED rate)
``kela``            kela        Kela travel reimbursement (one-way trips reimbursed)
``resident_travel`` residents   residents' vehicle cost of their trips (km)
``resident_time``   residents   residents' time on the way (hours)
==================  ==========  =============================================================

Rules and ASSUMPTIONS (defaults in :class:`~palveluverkko.region.CostParams`; all are
parameters, set per region under ``[costs]`` in ``region.toml``)

- Premises: a site pays its ``annual_cost_eur`` each year it is in the network. A site closed by
  the scenario stops paying from the closure year if it is owned (empty ``lease_end``); a leased
  one pays until its lease ends (the share of the year before ``lease_end``): leases are not
  broken. Leases of open sites are assumed renewed at the same cost. Mothballing and sale of
  owned buildings are not modelled.
- Investment: the need falls due ``investment_due_after_years[condition]`` years after the base
  year (condition 1: 1 year, 2: 3 years, 3: 6 years; 4 and 5: not within the horizon) and is
  paid as an annuity (``interest_rate`` 3 %, ``investment_years`` 25) from that year on, as
  counties finance renovation. A site closed before its need falls due never pays it; a new
  site's ``investment_need_eur`` (its construction) falls due in its opening year.
- Staff: the scenario's ``staff_fte`` per site-service; closures move staff to the substitute
  unless the scenario says otherwise, so staff costs change only where the scenario changes them.
- Residents' travel: every physical visit is a round trip (2 one-way trips) of the row's road km
  (to the car-allocated site; the straight line x 1.3) at ``car_eur_per_km``, and of the row's
  mode-mix minutes at ``value_of_time_eur_per_hour``.
- Kela (DOMAIN.md): per one-way trip the patient pays at most ``kela_deductible_eur`` (25) and at
  most ``kela_yearly_cap_eur`` (300) a year; Kela pays the rest of the cost of the cheapest
  suitable mode *to the nearest place of care* (``nearest_km``), whichever site the resident
  uses. Cost of a trip by mode group: car ``kela_car_eur_per_km x km``; public transport
  ``bus_fare_eur``; walking 0; taxi (no car, no bus, too far to walk) ``taxi_start_eur +
  taxi_eur_per_km x km``. Only health services count (``kela_services``). The yearly cap is
  applied per cell and age band to the mean number of trips per resident (a resident's trips
  to all services together): trips concentrate on fewer people in reality, so the cap's effect
  is underestimated. Not calibrated to Kela's national EUR 308 M (most of it is specialised
  care, which this model does not cover).
- Years: the travel of the evaluated year is carried to each year with the projection's
  factor of its municipality and age band (the projection's last year is kept beyond it). A
  scenario takes effect in its year (``in_effect``); :func:`compare_costs` takes the base
  network's figures for the years before it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..demand.contacts import projection_factors
from ..errors import InputError
from ..region.model import CostParams, Region
from ..region.schema import AGE_BANDS

log = logging.getLogger("palveluverkko.evaluation")

__all__ = ["COMPONENTS", "CostParams", "compare_costs", "cost_table"]

COMPONENTS: dict[str, tuple[str, str]] = {
    "premises": ("county", "m2"),
    "investment": ("county", "EUR"),
    "staff": ("county", "FTE"),
    "mobile_units": ("county", "km"),
    "digital_staff": ("county", "FTE"),
    "kela": ("kela", "trips"),
    "resident_travel": ("residents", "km"),
    "resident_time": ("residents", "hours"),
}
"""Component -> (payer, unit of ``quantity``), in the order of the table."""

MODE_SHARES = ("share_car", "share_transit", "share_walk", "share_taxi")


def _year_factors(region: Region, eval_year: int, years: Sequence[int]) -> pd.DataFrame:
    """``(municipality, band) x year`` factor of residents relative to ``eval_year``.

    The factors are :func:`~palveluverkko.demand.contacts.projection_factors` (the same as the
    demand model's, with its checks); a year past the projection keeps its last year's.
    """
    proj = region.projection
    available = sorted({region.base_year, *(proj["year"].astype(int) if proj is not None else ())})
    municipality = region.population["municipality"].astype(str).to_numpy()

    def at(y: int) -> pd.Series:
        known = [a for a in available if a <= y] or available[:1]
        per_cell = pd.DataFrame(projection_factors(region, known[-1]), columns=list(AGE_BANDS))
        per_muni = per_cell.groupby(municipality).first()  # the same in every cell of one
        return per_muni.stack().rename_axis(["municipality", "band"])

    beyond = [y for y in years if y > available[-1]]
    out = pd.DataFrame({y: at(y) / at(eval_year) for y in years})
    if beyond:
        note = (
            f"costs: the population projection ends in {available[-1]}; years "
            f"{beyond[0]}-{beyond[-1]} keep its population"
        )
        log.info(note)  # the evaluation's notes carry it to the reader
        out.attrs["note"] = note
    return out


_COST_BLOCK = 1 << 20
"""Rows of the travel table costed at once by :func:`_travel_by_group`."""


def _travel_by_group(
    travel: pd.DataFrame, mode_shares: pd.DataFrame | None, params: CostParams
) -> pd.DataFrame:
    """Per municipality x band: km, hours, Kela EUR and reimbursed trips of the evaluated year."""
    v = travel["physical_visits_per_year"].to_numpy(dtype=np.float64)
    trips = 2.0 * v
    km = travel["km"].to_numpy(dtype=np.float64)
    near = travel["nearest_km"].to_numpy(dtype=np.float64)
    minutes = travel["minutes"].to_numpy(dtype=np.float64)
    served = np.isfinite(km) & np.isfinite(minutes)
    unserved = float(v[~served].sum())
    if unserved > 0:
        log.info("costs: %.0f physical visits reach no site and carry no travel cost", unserved)
    km_total = np.where(served, trips * np.nan_to_num(km), 0.0)
    hours = np.where(served, trips * np.nan_to_num(minutes) / 60.0, 0.0)

    # mode shares per row (cell x service, the same for every band)
    grid: np.ndarray | None = None
    cell_row = travel["cell_id"].cat.codes.to_numpy()
    service_codes = travel["service"].cat.codes.to_numpy()
    if mode_shares is not None and len(mode_shares):
        cells = travel["cell_id"].cat.categories.astype(str)
        services = travel["service"].cat.categories.astype(str)
        ci = pd.Index(cells).get_indexer(mode_shares["cell_id"].astype(str))
        si = pd.Index(services).get_indexer(mode_shares["service"].astype(str))
        ok = (ci >= 0) & (si >= 0)
        grid = np.zeros((len(cells), len(services), 4))
        grid[:, :, 0] = 1.0
        grid[ci[ok], si[ok]] = np.nan_to_num(
            mode_shares.loc[ok, list(MODE_SHARES)].to_numpy(dtype=np.float64)
        )
    near_km = np.nan_to_num(near)
    is_health = np.asarray(
        [str(c) in params.kela_services for c in travel["service"].cat.categories], dtype=bool
    )
    eligible = served & is_health[service_codes] & np.isfinite(near)
    gross = np.empty(len(travel))
    patient = np.empty(len(travel))
    reimbursed_trips = np.empty(len(travel))
    # by blocks of rows (each row's sums are the same): a national travel table has ~12 M rows,
    # and each (rows, 4) temporary would be 400 MB
    for start in range(0, len(travel), _COST_BLOCK):
        rows = slice(start, min(start + _COST_BLOCK, len(travel)))
        if grid is None:
            shares = np.zeros((rows.stop - rows.start, 4))
            shares[:, 0] = 1.0  # without shares every trip is by car
        else:
            shares = grid[cell_row[rows], service_codes[rows]]
        nk = near_km[rows]
        cost = np.stack(
            [
                params.kela_car_eur_per_km * nk,
                np.full(len(nk), params.bus_fare_eur),
                np.zeros(len(nk)),
                params.taxi_start_eur + params.taxi_eur_per_km * nk,
            ],
            axis=1,
        )
        group_trips = np.where(eligible[rows, None], trips[rows, None] * shares, 0.0)
        deductible = np.minimum(cost, params.kela_deductible_eur)
        gross[rows] = (group_trips * cost).sum(axis=1)
        patient[rows] = (group_trips * deductible).sum(axis=1)
        reimbursed_trips[rows] = (group_trips * (cost > params.kela_deductible_eur)).sum(axis=1)

    # per cell x band (a resident's trips to all services): the yearly cap per resident, above
    # which Kela pays the patient's part too
    bands = travel["band"].cat.categories.astype(str)
    band_codes = travel["band"].cat.codes.to_numpy().astype(np.int64)
    cell_codes = travel["cell_id"].cat.codes.to_numpy().astype(np.int64)
    key = cell_codes * len(bands) + band_codes
    n_keys = len(travel["cell_id"].cat.categories) * len(bands)

    def per_key(values: np.ndarray) -> np.ndarray:
        return np.bincount(key, weights=values, minlength=n_keys)

    residents = np.zeros(n_keys)
    residents[key] = travel["residents"].to_numpy(dtype=np.float64)  # the same in every service
    kela = per_key(gross) - np.minimum(per_key(patient), params.kela_yearly_cap_eur * residents)
    # per municipality x band
    muni_of_cell = np.zeros(len(travel["cell_id"].cat.categories), dtype=np.int64)
    muni_codes = travel["municipality"].cat.codes.to_numpy().astype(np.int64)
    muni_of_cell[cell_codes] = muni_codes
    munis = travel["municipality"].cat.categories.astype(str)
    group = muni_of_cell[np.arange(n_keys) // len(bands)] * len(bands) + np.arange(n_keys) % len(
        bands
    )
    n_groups = len(munis) * len(bands)

    def per_group(values: np.ndarray) -> np.ndarray:
        return np.bincount(group, weights=values, minlength=n_groups)

    index = pd.MultiIndex.from_product([munis, bands], names=["municipality", "band"])
    return pd.DataFrame(
        {
            "km": per_group(per_key(km_total)),
            "hours": per_group(per_key(hours)),
            "kela": per_group(kela),
            "trips": per_group(per_key(reimbursed_trips)),
        },
        index=index,
    )


def _site_frame(region: Region) -> pd.DataFrame:
    """Per site: cost, area, condition, investment need, lease end and staff (all services)."""
    s = region.sites
    lease = pd.to_datetime(s["lease_end"], errors="coerce") if "lease_end" in s else None
    out = pd.DataFrame(
        {
            "site_id": s["site_id"].astype(str).to_numpy(),
            "annual_cost_eur": pd.to_numeric(s.get("annual_cost_eur"), errors="coerce")
            .fillna(0.0)
            .to_numpy(dtype=np.float64),
            "floor_area_m2": pd.to_numeric(s.get("floor_area_m2"), errors="coerce")
            .fillna(0.0)
            .to_numpy(dtype=np.float64),
            "condition": pd.to_numeric(s.get("condition"), errors="coerce").to_numpy(),
            "investment_need_eur": pd.to_numeric(s.get("investment_need_eur"), errors="coerce")
            .fillna(0.0)
            .to_numpy(dtype=np.float64),
            "lease_end": lease.to_numpy() if lease is not None else pd.NaT,
        }
    )
    ss = region.site_services
    staff = ss.assign(site_id=ss["site_id"].astype(str)).groupby("site_id")["staff_fte"].sum()
    out["staff_fte"] = out["site_id"].map(staff).fillna(0.0).to_numpy(dtype=np.float64)
    return out


def _lease_share(lease_end: np.ndarray, year: int) -> np.ndarray:
    """Share of ``year`` still under lease (0 for owned sites, NaT)."""
    ends = pd.to_datetime(pd.Series(lease_end))
    start = pd.Timestamp(year=year, month=1, day=1)
    days = (ends - start).dt.days.to_numpy(dtype=np.float64) + 1.0  # the end day is paid
    return np.where(np.isnan(days), 0.0, np.clip(days / 365.0, 0.0, 1.0))


def _due_years(
    sites: pd.DataFrame, base_year: int, new_year: int, new: np.ndarray, params: CostParams
) -> np.ndarray:
    """Year each site's investment need falls due: by condition, new sites when they open."""
    due = sites["condition"].map(
        lambda c: np.nan if pd.isna(c) else params.investment_due_after_years.get(int(c), np.nan)
    )
    out = base_year + due.to_numpy(dtype=np.float64)
    return np.where(new, float(new_year), out)


def _site_costs(
    sites: pd.DataFrame, closed: pd.DataFrame, year: int, params: CostParams
) -> dict[str, tuple[float, float]]:
    """``component -> (cost_eur, quantity)`` of the sites in use and the closed ones in ``year``."""
    due_year = sites["due_year"].to_numpy(dtype=np.float64)
    paying = np.nan_to_num(due_year, nan=np.inf) <= year
    lease = _lease_share(closed["lease_end"].to_numpy(), year) if len(closed) else np.zeros(0)
    premises = float(sites["annual_cost_eur"].sum()) + float(
        (closed["annual_cost_eur"].to_numpy() * lease).sum()
    )
    area = float(sites["floor_area_m2"].sum()) + float(
        (closed["floor_area_m2"].to_numpy() * lease).sum()
    )
    need = sites["investment_need_eur"].to_numpy()
    return {
        "premises": (premises, area),
        "investment": (
            float((need * paying).sum()) * params.annuity_factor(),
            float(need[due_year == year].sum()),
        ),
        "staff": (
            float(sites["staff_fte"].sum()) * params.staff_eur_per_fte_year,
            float(sites["staff_fte"].sum()),
        ),
    }


def cost_table(
    base: Region,
    scen: Region,
    travel: pd.DataFrame,
    *,
    years: range | Sequence[int] = range(2025, 2031),
    eval_year: int | None = None,
    effective_year: int | None = None,
    mode_shares: pd.DataFrame | None = None,
    mobile_units: tuple[float, float] = (0.0, 0.0),
    digital_staff_fte: float = 0.0,
    params: CostParams | None = None,
) -> pd.DataFrame:
    """Costs per year and component of the scenario network ``scen`` (rules in the module doc).

    Parameters
    ----------
    base, scen
        The region as given and the scenario's region (``scenario.apply(base)``; the same for
        the base network). Sites of ``base`` missing from ``scen`` are the closed ones.
    travel
        ``Evaluation.travel`` of ``scen`` in ``eval_year``.
    years
        Years of the table.
    eval_year
        The year ``travel`` describes (default ``base.base_year``).
    effective_year
        First year of the scenario's network (default ``eval_year``); before it the base
        network's site costs are used and ``in_effect`` is False.
    mode_shares
        ``cell_id, service, share_car, share_transit, share_walk, share_taxi``
        (``Evaluation.cells``); without them every trip counts as a car trip for Kela.
    mobile_units
        ``(EUR a year, km a year)`` of the scenario's mobile units, counted from the year the
        scenario takes effect.
    digital_staff_fte
        Remote staff of the digital channel (the evaluated year's digital contacts).
    params
        Unit costs and rules (default ``base.costs``, the region's ``[costs]``).

    Returns
    -------
    DataFrame
        ``year, component, payer, cost_eur, quantity, unit, in_effect``; components in the
        order of :data:`COMPONENTS`. ``attrs["notes"]``: caveats for the reader (e.g. a
        projection that ends before the last year).
    """
    params = params or base.costs
    missing = [
        c
        for c in ("municipality", "band", "cell_id", "service", "residents", "km", "nearest_km")
        + ("physical_visits_per_year", "minutes")
        if c not in travel.columns
    ]
    if missing:
        raise InputError(f"travel: missing column(s) {', '.join(missing)}; pass Evaluation.travel")
    eval_year = base.base_year if eval_year is None else int(eval_year)
    effective_year = eval_year if effective_year is None else int(effective_year)
    years = [int(y) for y in years]
    factors = _year_factors(base, eval_year, years)
    groups = _travel_by_group(travel, mode_shares, params)
    f = factors.reindex(groups.index).fillna(1.0)

    base_sites = _site_frame(base)
    scen_sites = _site_frame(scen)
    closed = base_sites.loc[~base_sites["site_id"].isin(scen_sites["site_id"])]
    no_new = np.zeros(len(base_sites), dtype=bool)
    base_sites["due_year"] = _due_years(base_sites, base.base_year, 0, no_new, params)
    new = ~scen_sites["site_id"].isin(base_sites["site_id"]).to_numpy()
    scen_sites["due_year"] = _due_years(scen_sites, base.base_year, effective_year, new, params)
    rows = []
    for y in years:
        in_effect = y >= effective_year
        site = (
            _site_costs(scen_sites, closed, y, params)
            if in_effect
            else _site_costs(base_sites, closed.iloc[:0], y, params)
        )
        fy = f[y].to_numpy()
        km = float((groups["km"].to_numpy() * fy).sum())
        hours = float((groups["hours"].to_numpy() * fy).sum())
        travel_costs = {
            "kela": (
                float((groups["kela"].to_numpy() * fy).sum()),
                float((groups["trips"].to_numpy() * fy).sum()),
            ),
            "resident_travel": (km * params.car_eur_per_km, km),
            "resident_time": (hours * params.value_of_time_eur_per_hour, hours),
            "mobile_units": mobile_units if in_effect else (0.0, 0.0),
            "digital_staff": (digital_staff_fte * params.staff_eur_per_fte_year, digital_staff_fte),
        }
        for comp, (payer, unit) in COMPONENTS.items():
            cost, qty = site[comp] if comp in site else travel_costs[comp]
            rows.append((y, comp, payer, cost, qty, unit, in_effect))
    out = pd.DataFrame(
        rows,
        columns=["year", "component", "payer", "cost_eur", "quantity", "unit", "in_effect"],
    )
    notes = [factors.attrs["note"]] if "note" in factors.attrs else []
    for column, effect in (
        ("annual_cost_eur", "their premises cost counts as 0"),
        ("investment_need_eur", "their investment need counts as 0"),
        ("condition", "their investment need never falls due (it falls due by condition)"),
    ):
        values = scen.sites[column] if column in scen.sites else pd.Series(np.nan, scen.sites.index)
        n_missing = int(pd.to_numeric(values, errors="coerce").isna().sum())
        if n_missing:
            notes.append(
                f"costs: {n_missing} of {len(scen.sites)} sites have no {column}; {effect}. "
                "Add it to the sites layer"
            )
    for n in notes:
        log.info(n)
    out.attrs["notes"] = notes
    return out


def compare_costs(base: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """Per year and component: base, scenario and change (EUR and quantity).

    Years in which the scenario is not yet in effect take the base network's figures, so
    their change is 0.

    Returns
    -------
    DataFrame
        ``year, component, payer, unit, base_eur, scenario_eur, change_eur, base_quantity,
        scenario_quantity, change_quantity``.
    """
    keys = ["year", "component"]
    m = base.merge(other, on=keys, how="outer", suffixes=("_b", "_s"), indicator=True)
    if (m["_merge"] != "both").any():
        odd = m.loc[m["_merge"] != "both", keys].head(5).to_dict("records")
        raise InputError(
            f"costs: the base and scenario tables cover different years/components, e.g. {odd}; "
            "evaluate both with the same cost_years"
        )
    effect = m["in_effect_s"].astype(bool).to_numpy()
    scen_eur = np.where(effect, m["cost_eur_s"], m["cost_eur_b"])
    scen_qty = np.where(effect, m["quantity_s"], m["quantity_b"])
    out = pd.DataFrame(
        {
            "year": m["year"].astype(int),
            "component": m["component"],
            "payer": m["payer_b"],
            "unit": m["unit_b"],
            "base_eur": m["cost_eur_b"].astype(float),
            "scenario_eur": scen_eur.astype(float),
            "base_quantity": m["quantity_b"].astype(float),
            "scenario_quantity": scen_qty.astype(float),
        }
    )
    out["change_eur"] = out["scenario_eur"] - out["base_eur"]
    out["change_quantity"] = out["scenario_quantity"] - out["base_quantity"]
    order = {c: i for i, c in enumerate(COMPONENTS)}
    out = out.sort_values(
        ["year", "component"], key=lambda s: s.map(order) if s.name == "component" else s
    )
    return out[
        [
            "year",
            "component",
            "payer",
            "unit",
            "base_eur",
            "scenario_eur",
            "change_eur",
            "base_quantity",
            "scenario_quantity",
            "change_quantity",
        ]
    ].reset_index(drop=True)
