"""``evaluate(region, scenario) -> Evaluation``: demand, channels, allocation, indicators, equity.

The pipeline (each step documented in its module):

1. :meth:`Scenario.apply` builds the scenario's region (closures, conversions, openings,
   capacity, channels, policy) and validates it.
2. :func:`palveluverkko.demand.contacts.contacts`: residents and contacts per cell, service and
   band in the year; :func:`palveluverkko.demand.channels.split_channels`: physical, digital, home,
   mobile.
3. :func:`.allocation.allocate`: physical contacts to sites by mode mix (car, transit, walk, taxi).
4. Indicators (:mod:`.access`), 2SFCA/E2SFCA (:mod:`.fca`), equity (:mod:`.equity`), the
   one-site-per-municipality rule, losers against the base network.
5. Capacity against the access target (:mod:`.capacity`, the queueing model of
   :mod:`.queueing`) and costs per year (:mod:`.costs`).

Travel-time matrices must cover the region's sites *and* the scenario's new sites (columns are
matched by ``site_id``); without them :func:`evaluate` computes car and walk (and transit when the
region has GTFS feeds) with :func:`palveluverkko.network.travel_times`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from ..demand.channels import ChannelSplit, split_channels
from ..demand.contacts import Demand, contacts
from ..region.model import Region
from ..region.schema import AGE_BANDS
from .access import indicator_table, losers_table
from .allocation import Allocation, allocate, car_shares, nearest_site
from .fca import gaussian_weights, stepped_weights, two_stage_fca
from .inputs import (
    capacity_table,
    cost_table_of,
    matrices,
    offers_matrix,
    routing_region,
    union_points,
    union_sites,
)
from .overflow import capacity_aware
from .scenario import Scenario
from .tables import cells_table, equity_table, municipality_rule, travel_table

if TYPE_CHECKING:
    from ..network import TravelTimes

log = logging.getLogger("palveluverkko.evaluate")

__all__ = ["EvaluateOptions", "Evaluation", "evaluate", "routing_region"]

WEEKS_PER_YEAR = 52.0
"""Weekly demand = annual contacts / 52 (no seasonal factor, although DOMAIN.md notes one)."""


@dataclass(frozen=True)
class EvaluateOptions:
    """Options of :func:`evaluate`.

    Attributes
    ----------
    substitute_rule
        Residents whose nearest site closed go to its named substitute (as councils promise)
        instead of their new nearest site.
    capacity_method
        ``"analytic"`` or ``"simulation"``, passed to ``capacity.site_load``.
    e2sfca_weights
        ``"stepped"`` (Luo and Qi 1, 0.68, 0.22) or ``"gaussian"`` (:mod:`.fca`).
    cost_years
        Years of the cost table.
    validate
        Validate the scenario's region (:func:`palveluverkko.region.check`).
    max_walk_minutes
        Longest walk counted as a way to a site (:func:`.allocation.allocate`); 30 (ASSUMPTION).
    capacity_aware
        Overflow contacts beyond a site's capacity to the next-nearest site with free capacity
        (:mod:`.overflow`); ``Evaluation.flows`` then lists every flow. Overflow starts from
        each group's nearest reachable site, so it does not keep ``substitute_rule``'s choice
        (known limitation).
    """

    substitute_rule: bool = False
    capacity_method: Literal["analytic", "simulation"] = "analytic"
    e2sfca_weights: Literal["stepped", "gaussian"] = "stepped"
    cost_years: range = field(default_factory=lambda: range(2025, 2031))
    validate: bool = True
    max_walk_minutes: float = 30.0
    capacity_aware: bool = False


@dataclass(frozen=True, eq=False)
class Evaluation:
    """The result of :func:`evaluate`: tidy tables (one row per thing, units in column names).

    ``cells`` (one row per cell x service)
        ``cell_id, municipality, settlement, service, residents, residents_75_plus`` (projected,
        fractional), ``site_id`` (nearest open site offering the service by car), ``car_minutes,
        transit_minutes, walk_minutes`` (to the nearest such site by that mode; ``inf``
        unreachable, NaN no matrix), ``trip_minutes`` (mode-mix mean of the allocation),
        ``contacts_per_year`` (all channels), ``physical_per_year``, ``unserved_per_year``
        (physical contacts that reach no site), ``access_2sfca, access_e2sfca`` (capacity per
        week per resident within the catchment), ``share_car, share_transit, share_walk,
        share_taxi`` (mode groups of the physical contacts).
    ``sites`` (one row per site x service, the base network's and the scenario's)
        ``site_id, name, municipality, kind, status`` (``open``, ``closed``, ``new``),
        ``substitute_id`` (for closed sites), ``service, contacts_per_year, contacts_per_week,
        capacity_per_week, staff_fte, utilisation`` (contacts/capacity), ``ratio_2sfca,
        ratio_e2sfca`` (capacity per resident of the catchment).
    ``municipalities`` (one row per municipality x service)
        ``municipality, name, service``, the indicator columns (see ``summary``),
        ``keeps_physical_site, physical_sites, physical_site_names``.
    ``bands`` (one row per age band x service)
        ``band, service`` and the indicator columns weighted by that band's residents.
    ``summary`` (one row per service, the county)
        ``service, residents, residents_75_plus, share_within_{10,20,30}_{car,transit},
        share_75_within_{10,20,30}_{car,transit}, mean|median|p90|worst_{car,transit,trip}_minutes,
        unreachable_{car,transit,trip}_residents, total_per_year, physical_per_year,
        digital_per_year, home_per_year, mobile_per_year, digital_share, unserved_per_year``.
    ``settlements``
        The indicator columns per ``settlement`` class and service.
    ``equity`` (one row per service x measure ``car``/``trip``)
        ``mean_minutes, gini, theil, palma, worst10_mean_minutes, rural_mean_minutes,
        urban_mean_minutes, urban_class, rural_urban_gap_minutes, unreachable_residents``.
    ``travel`` (one row per cell x age band x service; input of the cost model)
        ``cell_id, municipality, band, service, residents, physical_visits_per_year, minutes``
        (mode-mix to the allocated sites), ``car_minutes`` (car group to its allocated site),
        ``km`` (road km estimate to the car-allocated site), ``nearest_km`` (to the nearest open
        site offering the service by car: Kela pays to the nearest), ``site_id`` (car-allocated).
        km = straight line x :data:`.tables.ROAD_CIRCUITY` (an estimate, see there).
        ``cell_id, municipality, band, service, site_id`` are categoricals (memory and speed);
        ``site_id`` is NaN where the car group reaches no site (unserved).
    ``capacity``
        :func:`.capacity.site_load` per open site x service: demand, capacity, staff,
        utilisation, expected wait and share within the access target.
    ``costs``
        :func:`.costs.cost_table` (``year, component, payer, cost_eur, quantity, unit,
        in_effect``).
    ``losers`` (one row per cell x service whose nearest site changed or trip got longer)
        ``cell_id, municipality, service, residents, residents_75_plus, base_site_id, site_id,
        lost_nearest, base_car_minutes, car_minutes, car_minutes_gained, base_transit_minutes,
        transit_minutes, transit_minutes_gained``; empty for the base network.
    ``unserved`` (one row per cell x service with physical contacts that reach no site)
        ``cell_id, municipality, service, residents, residents_75_plus, unserved_per_year``.
    ``flows`` (capacity-aware option only; one row per flow)
        ``cell_id, service, group`` (mode group), ``site_id, minutes, contacts_per_year,
        over_capacity`` (put at the nearest site because every reachable site was full).
        Site contacts and ``trip_minutes`` then come from the flows; ``travel.site_id``,
        ``car_minutes`` and ``km`` stay those of the nearest site.
    ``region``, ``base_region``, ``scenario``, ``year``
        The scenario's region (geometry for maps), the region as given, the scenario, the year.
    ``matrices``, ``site_ids``
        The travel-time matrices used (``(n_cells, n_sites)`` float64 per mode), their columns
        being ``site_ids`` (the base network's sites, then the scenario's new ones).
    """

    region: Region
    base_region: Region
    scenario: Scenario
    year: int
    cells: pd.DataFrame
    sites: pd.DataFrame
    municipalities: pd.DataFrame
    bands: pd.DataFrame
    settlements: pd.DataFrame
    summary_table: pd.DataFrame
    equity: pd.DataFrame
    travel: pd.DataFrame
    losers: pd.DataFrame
    capacity: pd.DataFrame | None = None
    costs: pd.DataFrame | None = None
    modes: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    flows: pd.DataFrame | None = None
    unserved: pd.DataFrame = field(default_factory=pd.DataFrame)
    matrices: Mapping[str, np.ndarray] = field(default_factory=dict, repr=False)
    site_ids: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object), repr=False)

    @property
    def services(self) -> tuple[str, ...]:
        """Service codes evaluated."""
        return tuple(self.summary_table["service"])

    def summary(self) -> str:
        """A short text: scenario, year, and per service the county's key figures."""
        lines = [
            f"{self.region.name} — {self.scenario.name}, {self.year} ({', '.join(self.modes)})"
        ]
        for _, r in self.summary_table.iterrows():
            lines.append(
                f"  {r['service']}: {r['residents']:.0f} residents, within 30 min by car "
                f"{100 * r['share_within_30_car']:.1f} %, "
                f"mean car {r['mean_car_minutes']:.1f} min, "
                f"worst {r['worst_car_minutes']:.1f} min, "
                f"digital {100 * r['digital_share']:.1f} %, "
                f"unserved {r['unserved_per_year']:.0f} contacts/year"
            )
        rule = self.municipalities.drop_duplicates("municipality")
        broken = rule.loc[~rule["keeps_physical_site"], "name"].tolist()
        lines.append(
            "  every municipality keeps a physical site"
            if not broken
            else f"  municipalities without a physical site: {', '.join(map(str, broken))}"
        )
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


# --------------------------------------------------------------------------------- evaluate


def evaluate(
    region: Region,
    scenario: Scenario | None = None,
    *,
    travel_times: Mapping[str, TravelTimes] | None = None,
    year: int | None = None,
    options: EvaluateOptions | None = None,
) -> Evaluation:
    """Evaluate ``scenario`` (default: today's network) on ``region``.

    Parameters
    ----------
    region
        The region as it is (the baseline).
    scenario
        The proposed change; None = the base network.
    travel_times
        ``{"car": TravelTimes, "transit": ..., "walk": ...}`` covering the region's sites and the
        scenario's new sites; None = computed (car, walk, and transit with GTFS).
    year
        Overrides ``scenario.year``; default the base year.
    options
        :class:`EvaluateOptions`.

    Returns
    -------
    Evaluation

    Raises
    ------
    ScenarioError
        When the scenario does not fit the region (see :meth:`Scenario.apply`).
    InputError
        When the matrices do not match the region, or the projection lacks the year.
    """
    opts = options or EvaluateOptions()
    scenario = scenario or Scenario()
    if year is not None:
        from dataclasses import replace

        scenario = replace(scenario, year=int(year))
    scen = scenario.apply(region, validate=opts.validate)
    the_year = scenario.evaluated_year(region)
    union = union_sites(region, scen)
    site_ids = union["site_id"].astype(str).to_numpy(dtype=object)
    mats = matrices(region, union, travel_times)
    cell_ids = region.population["cell_id"].astype(str).to_numpy(dtype=object)
    municipality = region.population["municipality"].astype(str).to_numpy(dtype=object)
    settlement = (
        region.population["settlement"].astype(object).to_numpy()
        if "settlement" in region.population
        else np.full(len(cell_ids), None, dtype=object)
    )

    demand: Demand = contacts(scen, the_year)
    services = demand.services
    bb = (
        pd.to_numeric(region.population["broadband_mbps"], errors="coerce").to_numpy(np.float64)
        if "broadband_mbps" in region.population
        else None
    )
    band_digital = {
        (c.service, c.band): c.digital_share for c in scenario.channel_changes if c.band is not None
    }
    split: ChannelSplit = split_channels(demand, scen.services, bb, band_digital_share=band_digital)

    offers = offers_matrix(scen.site_services, services, site_ids)
    base_offers = offers_matrix(region.site_services, services, site_ids)
    col = {s: j for j, s in enumerate(site_ids)}
    sub_index = np.full(len(site_ids), -1, np.int64)
    for closed_id, sub_id in scenario.substitutes.items():
        sub_index[col[closed_id]] = col[sub_id]
    alloc: Allocation = allocate(
        mats,
        offers,
        car_shares(region.population),
        base_offers=base_offers,
        substitute_index=sub_index,
        substitute_rule=opts.substitute_rule,
        max_walk_minutes=opts.max_walk_minutes,
    )

    def nearest_all(m: np.ndarray | None, off: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        if m is None:
            return None
        pairs = [nearest_site(m, off[s]) for s in range(len(services))]
        return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])

    car_near = nearest_all(mats["car"], offers)
    assert car_near is not None
    transit_near = nearest_all(mats.get("transit"), offers)
    walk_near = nearest_all(mats.get("walk"), offers)
    cap = np.zeros((len(services), len(site_ids)))
    srow = {s: i for i, s in enumerate(services)}
    for sid, s, c in zip(
        scen.site_services["site_id"].astype(str),
        scen.site_services["service"].astype(str),
        scen.site_services["capacity_per_week"].astype(float),
        strict=True,
    ):
        cap[srow[s], col[sid]] = c
    physical_cs = split.physical.sum(axis=2)  # (n_cells, n_services)
    flows: pd.DataFrame | None = None
    if opts.capacity_aware:
        site_contacts, trip, fl = capacity_aware(
            alloc.site_index,
            alloc.share,
            alloc.groups,
            mats,
            offers,
            cap * WEEKS_PER_YEAR,
            physical_cs,
            max_walk_minutes=opts.max_walk_minutes,
        )
        flows = pd.DataFrame(
            {
                "cell_id": cell_ids[fl["cell"].astype(np.int64)],
                "service": np.asarray(services, dtype=object)[fl["service"].astype(np.int64)],
                "group": np.asarray(alloc.groups, dtype=object)[fl["group"].astype(np.int64)],
                "site_id": site_ids[fl["site"].astype(np.int64)],
                "minutes": fl["minutes"],
                "contacts_per_year": fl["contacts"],
                "over_capacity": fl["over"].astype(bool),
            }
        )
    else:
        site_contacts = alloc.site_contacts(physical_cs, len(site_ids))
        trip = alloc.mean_minutes()
    residents = demand.residents
    res_total = residents.sum(axis=1)
    res_old = residents[:, AGE_BANDS.index("75_84")] + residents[:, AGE_BANDS.index("85_plus")]

    # --- indicators
    ind = indicator_table(
        services,
        car_near[1],
        None if transit_near is None else transit_near[1],
        trip,
        residents,
        {"municipality": municipality, "settlement": settlement},
        AGE_BANDS,
    )
    channel_totals = split.channel_totals(services)
    unserved = (alloc.unserved_share() * physical_cs.T).sum(axis=1)
    summary = ind.loc[ind["level"] == "county"].drop(columns=["level", "group"])
    summary = summary.merge(channel_totals, on="service").assign(unserved_per_year=unserved)
    rule = municipality_rule(region.municipalities, scen.sites)
    munis = (
        ind.loc[ind["level"] == "municipality"]
        .drop(columns=["level"])
        .rename(columns={"group": "municipality"})
        .merge(rule, on="municipality", how="left")
    )
    bands = (
        ind.loc[ind["level"] == "band"].drop(columns=["level"]).rename(columns={"group": "band"})
    )
    settlements = (
        ind.loc[ind["level"] == "settlement"]
        .drop(columns=["level"])
        .rename(columns={"group": "settlement"})
    )

    # --- floating catchments (car, supply = capacity per week at open sites)
    svc = scen.services.set_index(scen.services["service"].astype(str))
    weight_fn = stepped_weights if opts.e2sfca_weights == "stepped" else gaussian_weights
    acc2 = np.zeros((len(services), len(cell_ids)))
    acce = np.zeros_like(acc2)
    ratio2 = np.zeros((len(services), len(site_ids)))
    ratioe = np.zeros_like(ratio2)
    for s, code in enumerate(services):
        cols = np.flatnonzero(offers[s])
        if not len(cols):
            continue
        d0 = float(svc.at[code, "threshold_min"])
        m = mats["car"][:, cols]
        acc2[s], ratio2[s, cols] = two_stage_fca(m, res_total, cap[s, cols], d0)
        acce[s], ratioe[s, cols] = two_stage_fca(m, res_total, cap[s, cols], d0, weights=weight_fn)

    cells = cells_table(
        cell_ids,
        municipality,
        settlement,
        services,
        site_ids,
        residents,
        car_near[0],
        car_near[1],
        None if transit_near is None else transit_near[1],
        None if walk_near is None else walk_near[1],
        alloc,
        split.physical,
        split.total,
        acc2,
        acce,
        trip,
    )

    # --- sites
    closed = set(scenario.substitutes)
    new_ids = {o.site for o in scenario.openings}
    rows = []
    for ss_frame in (scen.site_services, region.site_services):
        for sid, s in zip(
            ss_frame["site_id"].astype(str), ss_frame["service"].astype(str), strict=True
        ):
            rows.append((sid, s))
    pairs = list(dict.fromkeys(rows))
    info = union.set_index(union["site_id"].astype(str))
    scen_ss = scen.site_services.set_index(
        [scen.site_services["site_id"].astype(str), scen.site_services["service"].astype(str)]
    )
    base_ss = region.site_services.set_index(
        [region.site_services["site_id"].astype(str), region.site_services["service"].astype(str)]
    )
    site_rows = []
    for sid, s in pairs:
        j, i = col[sid], srow[s]
        status = "closed" if sid in closed else "new" if sid in new_ids else "open"
        src = base_ss if status == "closed" or (sid, s) not in scen_ss.index else scen_ss
        capacity = float(src.loc[(sid, s), "capacity_per_week"]) if status != "closed" else 0.0
        staff = float(src.loc[(sid, s), "staff_fte"]) if status != "closed" else 0.0
        dropped = status != "closed" and (sid, s) not in scen_ss.index
        per_year = float(site_contacts[i, j])
        site_rows.append(
            {
                "site_id": sid,
                "name": info.at[sid, "name"],
                "municipality": str(info.at[sid, "municipality"]),
                "kind": str(scen.sites.set_index("site_id").at[sid, "kind"])
                if sid in set(scen.sites["site_id"].astype(str))
                else str(info.at[sid, "kind"]),
                "status": "service_dropped" if dropped else status,
                "substitute_id": scenario.substitutes.get(sid),
                "service": s,
                "contacts_per_year": per_year,
                "contacts_per_week": per_year / WEEKS_PER_YEAR,
                "capacity_per_week": 0.0 if dropped else capacity,
                "staff_fte": 0.0 if dropped else staff,
                "utilisation": per_year / WEEKS_PER_YEAR / capacity
                if capacity > 0 and not dropped
                else float("nan"),
                "ratio_2sfca": float(ratio2[i, j]),
                "ratio_e2sfca": float(ratioe[i, j]),
            }
        )
    sites = pd.DataFrame(site_rows)

    # --- losers against the base network
    if scenario.closures or scenario.conversions or scenario.openings:
        b_car = nearest_all(mats["car"], base_offers)
        b_tr = nearest_all(mats.get("transit"), base_offers)
        assert b_car is not None
        losers = losers_table(
            cell_ids,
            municipality,
            services,
            site_ids,
            b_car[0],
            b_car[1],
            car_near[0],
            car_near[1],
            None if b_tr is None else b_tr[1],
            None if transit_near is None else transit_near[1],
            res_total,
            res_old,
        )
    else:
        losers = losers_table(
            cell_ids[:0],
            municipality[:0],
            (),
            site_ids,
            np.zeros((0, 0), np.int64),
            np.zeros((0, 0)),
            np.zeros((0, 0), np.int64),
            np.zeros((0, 0)),
            None,
            None,
            np.zeros(0),
            np.zeros(0),
        )

    travel = travel_table(
        cell_ids,
        municipality,
        services,
        site_ids,
        residents,
        split.physical,
        alloc,
        region.cell_points(),
        union_points(union),
        mats["car"],
        offers,
        trip,
    )
    notes: list[str] = []
    if "transit" not in mats:
        notes.append("no public-transport matrix: transit indicators are empty (NaN)")
    load = capacity_table(sites, scen, opts.capacity_method)
    costs = cost_table_of(region, scen, travel, the_year, opts.cost_years, cells)
    notes.extend(costs.attrs.get("notes", []))
    return Evaluation(
        region=scen,
        base_region=region,
        scenario=scenario,
        year=the_year,
        cells=cells,
        sites=sites,
        municipalities=munis.reset_index(drop=True),
        bands=bands.reset_index(drop=True),
        settlements=settlements.reset_index(drop=True),
        summary_table=summary.reset_index(drop=True),
        equity=equity_table(services, car_near[1], trip, res_total, settlement),
        travel=travel,
        losers=losers,
        capacity=load,
        costs=costs,
        modes=tuple(mats),
        notes=tuple(notes),
        flows=flows,
        unserved=cells.loc[
            cells["unserved_per_year"] > 0,
            [
                "cell_id",
                "municipality",
                "service",
                "residents",
                "residents_75_plus",
                "unserved_per_year",
            ],
        ].reset_index(drop=True),
        matrices=mats,
        site_ids=site_ids,
    )
