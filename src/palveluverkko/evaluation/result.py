"""What :func:`~.pipeline.evaluate` returns (:class:`Evaluation`) and its options
(:class:`EvaluateOptions`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..region.model import Region
    from ..scenario import Scenario

__all__ = ["WEEKS_PER_YEAR", "EvaluateOptions", "Evaluation"]

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
    home_care_routes
        Route home care from its bases (PyVRP, a sampled weekday, seeded by
        ``home_care_seed``; about 40 s on the demo county): ``Evaluation.home_care``.
    """

    substitute_rule: bool = False
    capacity_method: Literal["analytic", "simulation"] = "analytic"
    e2sfca_weights: Literal["stepped", "gaussian"] = "stepped"
    cost_years: range = field(default_factory=lambda: range(2025, 2031))
    validate: bool = True
    max_walk_minutes: float = 30.0
    capacity_aware: bool = False
    home_care_routes: bool = False
    home_care_seed: int = 0


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
        share_taxi`` (mode groups of the physical contacts), ``approximate`` (the car time is a
        straight-line estimate).
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
        utilisation, expected wait and share within the access target; ``estimated`` as in
        ``sites``.
    ``costs``
        :func:`.costs.cost_table` (``year, component, payer, cost_eur, quantity, unit,
        in_effect``).
    ``losers`` (one row per cell x service whose nearest site changed or trip got longer)
        ``cell_id, municipality, service, residents, residents_75_plus, base_site_id, site_id,
        lost_nearest, base_car_minutes, car_minutes, car_minutes_gained, base_transit_minutes,
        transit_minutes, transit_minutes_gained``; empty for the base network.
    ``unserved`` (one row per cell x service with physical contacts that reach no site)
        ``cell_id, municipality, service, residents, residents_75_plus, unserved_per_year``.
    ``channels`` (one row per municipality x service x channel)
        ``municipality, service, channel`` (``site``, ``digital``, ``home``, ``mobile``, or
        ``unserved``: physical contacts that reach no site), ``contacts_per_year``,
        ``evaluated`` (False where the channel's own model has not scored these contacts yet,
        e.g. home visits before home-care routing: counted, not located). Per service the rows
        sum to ``contacts_per_year`` of ``cells``: every contact is in exactly one channel.
    ``approximate`` (one row per mode x cell whose times are straight-line estimates)
        ``mode, cell_id, municipality, residents, reason``; ``cells.approximate`` marks each
        cell x service whose car time is an estimate (the cell's, or its nearest site's).
    ``unreachable`` (one row per mode x cell that cannot start a trip)
        ``mode, cell_id, municipality, residents, reason`` (e.g. ``no_road_within_limit``:
        outside the road extract). Their residents count as not within every threshold.
    ``mobile_stops`` (one row per stop of every mobile unit of the scenario)
        ``unit, stop_id, name, municipality, residents_within, served_per_year`` and the unit's
        ``unit_km_per_year, unit_hours_per_year, unit_cost_eur_per_year``; empty without units.
    ``mobile_timetable`` (one row per visit of a day tour, or per stay of a rotation)
        ``unit, shape, stop_id, stop_name, week, last_week, weekday`` (0 = Monday; -1 for a
        rotation's every working day), ``open, close`` (HH:MM), ``services``.
    ``home_care`` (one row per home-care base; only with ``home_care_routes``)
        ``base_id, name, municipality``, the sampled weekday's ``visits_per_day,
        routed_per_day, not_served_staff_per_day, not_reached_per_day``, staff
        ``travel_min_per_visit, travel_hours_per_year, travel_fte, road_share``, ``fte_needed``
        (visits and travel) against ``fte_given``, ``seed`` (:mod:`.homecare`; ESTIMATES).
    ``digital`` (one row per service x age band x broadband class)
        ``service, band, broadband_class`` (``>=100``, ``>=30``, ``>=10``, ``<10`` Mbit/s,
        ``unknown``), ``contacts_per_year, digital_per_year, digital_share``,
        ``kept_by_age_per_year`` and ``kept_by_broadband_per_year`` (contacts that age and slow
        connections keep from the digital channel: they go to the sites),
        ``remote_staff_fte`` (digital contacts / an ASSUMED remote rate).
    ``packages`` (one row per county / municipality / age band / settlement)
        The one-contact package (:data:`.reach.PACKAGE`): ``level, group, residents,
        residents_75_plus``, the car figures to the nearest site offering the whole package
        (``share_within_{10,20,30}_car``, ``mean|median|p90|worst_car_minutes``,
        ``unreachable_car_residents``), ``share_nearest_full`` (the nearest site offers all of it)
        and ``package``.
    ``staff`` (one row per site)
        ``site_id, name, municipality, staff_fte_today, staff_fte_scenario, staff_fte_change``.
    ``transfers`` (one row per move of capacity)
        ``from_site, service, to_site, share, capacity_per_week, staff_fte, reason``: where the
        capacity and staff of a service a site stops offering went: ``substitute`` (a closure
        with ``move_capacity``), ``follows_demand`` (a ``[[convert]]`` that drops a service: to
        the sites that receive its demand, ``share`` of it each), or a cut with ``to_site``
        empty: ``dropped_by_scenario`` (``capacity = "drop"``), ``closed_without_moving``,
        ``no_demand_to_follow`` (nobody used it today).
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
    channels: pd.DataFrame = field(default_factory=pd.DataFrame)
    transfers: pd.DataFrame = field(default_factory=pd.DataFrame)
    unreachable: pd.DataFrame = field(default_factory=pd.DataFrame)
    approximate: pd.DataFrame = field(default_factory=pd.DataFrame)
    mobile_stops: pd.DataFrame = field(default_factory=pd.DataFrame)
    mobile_timetable: pd.DataFrame = field(default_factory=pd.DataFrame)
    home_care: pd.DataFrame = field(default_factory=pd.DataFrame)
    digital: pd.DataFrame = field(default_factory=pd.DataFrame)
    packages: pd.DataFrame = field(default_factory=pd.DataFrame)
    staff: pd.DataFrame = field(default_factory=pd.DataFrame)
    matrices: Mapping[str, np.ndarray] = field(default_factory=dict, repr=False)
    site_ids: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object), repr=False)

    @property
    def services(self) -> tuple[str, ...]:
        """Service codes evaluated."""
        return tuple(self.summary_table["service"])

    @property
    def travel_services(self) -> tuple[str, ...]:
        """Services residents travel to sites for (home-delivered ones have no residents'
        travel figures: ``travel_evaluated`` is False in the summary)."""
        table = self.summary_table
        if "travel_evaluated" not in table:
            return self.services
        return tuple(table.loc[table["travel_evaluated"].astype(bool), "service"])

    def summary(self) -> str:
        """A short text: scenario, year, and per service the county's key figures."""
        lines = [
            f"{self.region.name} — {self.scenario.name}, {self.year} ({', '.join(self.modes)})"
        ]
        for _, r in self.summary_table.iterrows():
            if not r.get("travel_evaluated", True):
                lines.append(
                    f"  {r['service']}: {r['residents']:.0f} residents, delivered at home: "
                    f"{r['home_per_year']:.0f} home contacts/year (staff travel not evaluated)"
                )
                continue
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
