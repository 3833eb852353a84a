"""The first stages of an evaluation: the setting, demand, the channels, and allocation.

Each stage is a function whose inputs and output have names (frozen dataclasses), so that it
can be run and tested alone; :func:`~.pipeline.evaluate` chains them, and :mod:`.figures` holds
the stages that turn an allocation into tables.

1. :func:`prepare` -> :class:`Setting`: the scenario applied to the region, the evaluated year,
   the sites (today's, then the scenario's new ones) and the travel-time matrices aligned to
   them.
2. :func:`demand_stage` -> :class:`DemandStage`: contacts per cell, service and age band in the
   year, split into channels (site, digital, home, mobile).
3. The channel stages (:data:`CHANNEL_STAGES`), each -> :class:`ChannelOutcome`: what a
   non-site channel serves, and the contacts it hands back to the sites.
3b. :func:`capacity_transfer_stage`: the capacity and staff of a service a site stops offering
   follow its demand to the sites that receive it (or are cut, when the scenario says so).
4. :func:`allocation_stage` -> :class:`AllocationStage`: the site contacts (physical plus handed
   back) allocated to sites by mode mix, nearest sites per mode, capacity, contacts per site.

A new channel (a mobile unit, routed home care) is one more :class:`ChannelStage` in
:data:`CHANNEL_STAGES` plus its scenario entry (:mod:`palveluverkko.scenario.apply`); the
other stages do not change.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from ..demand.channels import ChannelSplit, split_channels
from ..demand.contacts import Demand, contacts
from ..errors import InputError
from ..network.types import Destinations, TravelTimes
from ..region.model import Region
from ..scenario import Scenario
from .allocation import Allocation, allocate, car_shares, nearest_by_offers
from .channels import ChannelOutcome, ChannelStage, ShareChannel
from .mobile import MobileChannel
from .overflow import capacity_aware
from .result import WEEKS_PER_YEAR, EvaluateOptions

if TYPE_CHECKING:
    from ..network.routing import ModeProgress

log = logging.getLogger("palveluverkko.evaluation")

__all__ = [
    "CHANNEL_STAGES",
    "TRANSFER_COLUMNS",
    "AllocationStage",
    "ChannelOutcome",
    "ChannelStage",
    "DemandStage",
    "Nearest",
    "Setting",
    "allocation_stage",
    "capacity_transfer_stage",
    "channel_stages",
    "demand_stage",
    "offers_matrix",
    "prepare",
    "scenario_destinations",
    "site_travel",
]

MODES_USED: tuple[str, ...] = ("car", "transit", "walk")
"""Modes the evaluation reads; ``car`` is required."""


# --- 1. setting ---------------------------------------------------------------------------------


def scenario_destinations(region: Region, *scenarios: Scenario | None) -> Destinations:
    """The destinations an evaluation of ``scenarios`` needs: the region's sites, then the new
    sites each scenario opens (in scenario order)."""
    dest = Destinations.of_sites(region)
    for sc in scenarios:
        if sc is None or not sc.openings:
            continue
        dest = dest.union(
            Destinations.from_points(
                [o.site for o in sc.openings],
                [(o.x, o.y) for o in sc.openings],
                kind="site",
                municipality=[o.municipality for o in sc.openings],
            )
        )
    return dest


def _union_sites(base: Region, scen: Region) -> gpd.GeoDataFrame:
    """Base sites then the scenario's new ones (columns shared by both)."""
    new = scen.sites.loc[~scen.sites["site_id"].astype(str).isin(base.sites["site_id"].astype(str))]
    if not len(new):
        return base.sites
    return gpd.GeoDataFrame(pd.concat([base.sites, new], ignore_index=True), crs=base.sites.crs)


@dataclass(frozen=True, eq=False)
class Setting:
    """What every stage reads: the regions, the scenario, the year and the aligned matrices.

    Attributes
    ----------
    base, region
        The region as given (today) and as the scenario changes it.
    scenario, year, options
        The scenario, the evaluated year, the evaluation options.
    sites
        Today's sites, then the scenario's new ones (name, municipality, kind, geometry).
    site_ids
        Their ids: the columns of every matrix and site-indexed array.
    matrices
        ``{mode: (n_cells, n_sites) float64}`` for the modes present among car, transit, walk.
    cell_ids, municipality, settlement
        Per population cell (object arrays; settlement None where the layer has none).
    unreachable
        Cells that cannot start a trip, per mode: ``mode, cell_id, municipality, residents,
        reason`` (from the travel times; their residents count as not within any threshold).
    approximate
        Cells whose times are straight-line estimates, per mode (same columns), and
        ``approximate_sites``: the site ids whose times are estimates.
    """

    base: Region
    region: Region
    scenario: Scenario
    year: int
    options: EvaluateOptions
    sites: gpd.GeoDataFrame
    site_ids: np.ndarray
    matrices: Mapping[str, np.ndarray]
    cell_ids: np.ndarray
    municipality: np.ndarray
    settlement: np.ndarray
    unreachable: pd.DataFrame
    approximate: pd.DataFrame = field(default_factory=pd.DataFrame)
    approximate_sites: frozenset[str] = frozenset()

    @property
    def column(self) -> dict[str, int]:
        """Site id -> column."""
        return {s: j for j, s in enumerate(self.site_ids)}


def _aligned(
    travel_times: Mapping[str, TravelTimes], cell_ids: np.ndarray, site_ids: np.ndarray
) -> dict[str, np.ndarray]:
    if "car" not in travel_times:
        raise InputError(
            "evaluate: travel_times needs a 'car' matrix; add travel_times(region, 'car')"
        )
    out: dict[str, np.ndarray] = {}
    for mode, tt in travel_times.items():
        if mode not in MODES_USED:
            continue
        tc = np.asarray(tt.cell_ids, dtype=object).astype(str)
        if len(tc) != len(cell_ids) or not (tc == cell_ids.astype(str)).all():
            raise InputError(
                f"travel times ({mode}): cells do not match the region's population layer "
                f"({len(tc)} vs {len(cell_ids)} cells, or another order); recompute the matrix "
                "for this region"
            )
        have = set(tt.to.ids.tolist())
        missing = [s for s in site_ids if s not in have]
        if missing:
            raise InputError(
                f"travel times ({mode}): no column for site(s) {', '.join(missing[:10])}; route "
                "travel times to the scenario's sites too, e.g. route(region, "
                "scenario_destinations(region, scenario)), or let evaluate() compute them"
            )
        cols = tt.to.index_of(site_ids)
        out[mode] = _columns(tt.minutes, cols)
    return out


def _columns(minutes: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``minutes[:, cols]`` in its own dtype (float32 from routing): a read-only view, without a
    copy, when the columns are already in order (at national size a float64 copy is 2.4 GB).
    Every reader takes minima, compares or gathers entries and widens them to float64 itself."""
    if len(cols) == minutes.shape[1] and np.array_equal(cols, np.arange(len(cols))):
        view = minutes.view()
    else:
        view = minutes[:, cols]
    view.flags.writeable = False
    return view


def prepare(
    region: Region,
    scenario: Scenario | None,
    *,
    travel_times: Mapping[str, TravelTimes] | None = None,
    year: int | None = None,
    options: EvaluateOptions | None = None,
    progress: ModeProgress | None = None,
) -> Setting:
    """Stage 1: apply the scenario and align the travel times to its sites.

    Without ``travel_times`` the available modes are routed to
    :func:`scenario_destinations` (:func:`palveluverkko.network.route`).

    Raises
    ------
    ScenarioError
        When the scenario does not fit the region.
    InputError
        When the matrices lack car, other cells, or a site's column.
    """
    opts = options or EvaluateOptions()
    scenario = scenario or Scenario()
    if year is not None:
        scenario = dataclasses.replace(scenario, year=int(year))
    scen = scenario.apply(region, validate=opts.validate)
    sites = _union_sites(region, scen)
    site_ids = sites["site_id"].astype(str).to_numpy(dtype=object)
    if travel_times is None:
        from ..network.routing import route

        log.info("computing travel times for the available modes")
        travel_times = route(region, scenario_destinations(region, scenario), progress=progress)
    cell_ids = region.population["cell_id"].astype(str).to_numpy(dtype=object)
    pop = region.population
    return Setting(
        base=region,
        region=scen,
        scenario=scenario,
        year=scenario.evaluated_year(region),
        options=opts,
        sites=sites,
        site_ids=site_ids,
        matrices=_aligned(travel_times, cell_ids, site_ids),
        cell_ids=cell_ids,
        municipality=pop["municipality"].astype(str).to_numpy(dtype=object),
        settlement=pop["settlement"].astype(object).to_numpy()
        if "settlement" in pop
        else np.full(len(cell_ids), None, dtype=object),
        unreachable=_unreachable(travel_times),
        approximate=_unreachable(travel_times, "approximate"),
        approximate_sites=frozenset(
            str(d)
            for mode, tt in travel_times.items()
            if mode in MODES_USED
            for d in getattr(tt, "approximate_destinations", pd.DataFrame()).get(
                "destination_id", []
            )
        ),
    )


def _unreachable(
    travel_times: Mapping[str, TravelTimes], attribute: str = "unreachable"
) -> pd.DataFrame:
    """Cells that cannot start a trip (or whose times are estimates), per mode used."""
    frames = [
        getattr(tt, attribute).assign(mode=mode)
        for mode, tt in travel_times.items()
        if mode in MODES_USED and len(getattr(tt, attribute))
    ]
    columns = ["mode", "cell_id", "municipality", "residents", "reason"]
    if not frames:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    return pd.concat(frames, ignore_index=True)[columns]


# --- 2. demand ----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class DemandStage:
    """Contacts in the year (:class:`~palveluverkko.demand.contacts.Demand`: residents and
    contacts per cell, service and band) and their channel split.

    ``site_travel`` (per service): residents travel to sites for it, i.e. the catalogue sends
    some of its contacts to sites (``home_share + mobile_share < 1``). A service delivered at
    home (home care) is not: its accessibility is staff travel from a base, and no figure of
    residents' travel is given for it ("not evaluated" until home-care routing exists).
    """

    demand: Demand
    split: ChannelSplit
    site_travel: np.ndarray

    @property
    def services(self) -> tuple[str, ...]:
        """Service codes (axis 1 of the contact arrays)."""
        return self.demand.services


def demand_stage(setting: Setting) -> DemandStage:
    """Stage 2: contacts of the scenario's region in the year, split into channels."""
    demand = contacts(setting.region, setting.year)
    pop = setting.base.population
    bb = (
        pd.to_numeric(pop["broadband_mbps"], errors="coerce").to_numpy(np.float64)
        if "broadband_mbps" in pop
        else None
    )
    band_digital = {
        (c.service, c.band): c.digital_share
        for c in setting.scenario.channel_changes
        if c.band is not None
    }
    split = split_channels(demand, setting.region.services, bb, band_digital_share=band_digital)
    return DemandStage(
        demand=demand,
        split=split,
        site_travel=site_travel(setting.region.services, demand.services),
    )


def site_travel(services: pd.DataFrame, codes: tuple[str, ...]) -> np.ndarray:
    """Per service of ``codes``: whether residents travel to sites for it (the catalogue sends
    some contacts to sites: ``home_share + mobile_share < 1``)."""
    svc = services.set_index(services["service"].astype(str))
    out = np.ones(len(codes), dtype=bool)
    for i, code in enumerate(codes):
        away = 0.0
        for column in ("home_share", "mobile_share"):
            if column in svc.columns:
                value = pd.to_numeric(svc.at[code, column], errors="coerce")
                away += 0.0 if pd.isna(value) else float(value)
        out[i] = away < 1.0 - 1e-9
    return out


# --- 3. channels --------------------------------------------------------------------------------


CHANNEL_STAGES: tuple[ChannelStage, ...] = (
    ShareChannel("digital", evaluated=True),
    ShareChannel("home", evaluated=False),
    MobileChannel(),
)
"""The non-site channels, in the order they run (before allocation): digital (its share, limited
by broadband and age), home (counted; routed by ``palveluverkko homecare plan``, not yet by the
evaluation), mobile (the scenario's mobile units, :mod:`.mobile`)."""


def channel_stages(setting: Setting, demand: DemandStage) -> tuple[ChannelOutcome, ...]:
    """Stage 3: run every channel of :data:`CHANNEL_STAGES`."""
    return tuple(stage.run(setting, demand) for stage in CHANNEL_STAGES)


# --- 4. capacity follows the service -----------------------------------------------------------


TRANSFER_COLUMNS: tuple[str, ...] = (
    "from_site",
    "service",
    "to_site",
    "share",
    "capacity_per_week",
    "staff_fte",
    "reason",
)
"""Columns of ``Evaluation.transfers``."""


def _site_demand_bands(demand: DemandStage, channels: tuple[ChannelOutcome, ...]) -> np.ndarray:
    bands = demand.split.physical
    for outcome in channels:
        bands = bands + outcome.to_sites
    return bands


def _plain_allocation(setting: Setting, offers: np.ndarray, *, scenario: bool) -> Allocation:
    """Nearest-site allocation by mode mix (no capacity), of today's network or the scenario's."""
    opts = setting.options
    col = setting.column
    sub_index = np.full(len(setting.site_ids), -1, np.int64)
    if scenario:
        for closed_id, sub_id in setting.scenario.substitutes.items():
            sub_index[col[closed_id]] = col[sub_id]
    base_offers = offers_matrix(setting.base.site_services, _services(setting), setting.site_ids)
    return allocate(
        setting.matrices,
        offers,
        car_shares(setting.base.population),
        base_offers=base_offers,
        substitute_index=sub_index,
        substitute_rule=opts.substitute_rule and scenario,
        max_walk_minutes=opts.max_walk_minutes,
    )


def _services(setting: Setting) -> tuple[str, ...]:
    return tuple(setting.region.services["service"].astype(str))


def capacity_transfer_stage(
    setting: Setting, demand: DemandStage, channels: tuple[ChannelOutcome, ...] = ()
) -> tuple[Setting, pd.DataFrame]:
    """Stage 3b: the capacity and staff of a service a site stops offering follow its demand.

    For each service a ``[[convert]]`` drops at a site (``capacity = "follow"``), today's
    contacts at that site (nearest-site allocation by mode mix on today's network) are followed
    to where the scenario's network sends them; each receiving site gets the capacity and staff
    in proportion to the contacts it receives. ``capacity = "drop"``, a closure without
    ``move_capacity`` and a dropped service nobody used today are cuts. Closures with
    ``move_capacity`` (applied by the scenario) are listed with reason ``substitute``.

    Returns the setting with the scenario's region carrying the moved capacity, and the
    transfers table (:data:`TRANSFER_COLUMNS`; ``to_site`` empty for a cut).
    """
    services = demand.services
    base_ss = setting.base.site_services
    scen_ss = setting.region.site_services
    scen_pairs = set(
        zip(scen_ss["site_id"].astype(str), scen_ss["service"].astype(str), strict=True)
    )
    closed = setting.scenario.substitutes
    rule = {c.site: c.capacity for c in setting.scenario.conversions}
    rows: list[dict[str, object]] = []
    follow: list[tuple[str, str, float, float]] = []
    for sid, svc, cap, staff in zip(
        base_ss["site_id"].astype(str),
        base_ss["service"].astype(str),
        base_ss["capacity_per_week"].astype(float),
        base_ss["staff_fte"].astype(float),
        strict=True,
    ):
        if sid in closed:
            moved = next(c.move_capacity for c in setting.scenario.closures if c.site == sid)
            rows.append(
                {
                    "from_site": sid,
                    "service": svc,
                    "to_site": closed[sid] if moved else None,
                    "share": 1.0 if moved else 0.0,
                    "capacity_per_week": cap,
                    "staff_fte": staff,
                    "reason": "substitute" if moved else "closed_without_moving",
                }
            )
        elif (sid, svc) not in scen_pairs:
            if rule.get(sid, "follow") == "drop":
                rows.append(
                    {
                        "from_site": sid,
                        "service": svc,
                        "to_site": None,
                        "share": 0.0,
                        "capacity_per_week": cap,
                        "staff_fte": staff,
                        "reason": "dropped_by_scenario",
                    }
                )
            else:
                follow.append((sid, svc, cap, staff))
    region = setting.region
    if follow:
        col = setting.column
        srow = {s: i for i, s in enumerate(services)}
        offers = offers_matrix(scen_ss, services, setting.site_ids)
        base_offers = offers_matrix(base_ss, services, setting.site_ids)
        today = _plain_allocation(setting, base_offers, scenario=False)
        after = _plain_allocation(setting, offers, scenario=True)
        site_demand = _site_demand_bands(demand, channels).sum(axis=2)  # (n_cells, n_services)
        added: dict[tuple[str, str], tuple[float, float]] = {}
        for sid, svc, cap, staff in follow:
            j, s = col[sid], srow[svc]
            here = today.site_index[:, s, :] == j  # (n_groups, n_cells)
            weight = np.where(here, today.share[:, s, :] * site_demand[None, :, s], 0.0)
            dest = after.site_index[:, s, :]
            ok = (dest >= 0) & (weight > 0)
            received = np.bincount(dest[ok], weights=weight[ok], minlength=len(setting.site_ids))
            total = float(received.sum())
            if total <= 0:
                rows.append(
                    {
                        "from_site": sid,
                        "service": svc,
                        "to_site": None,
                        "share": 0.0,
                        "capacity_per_week": cap,
                        "staff_fte": staff,
                        "reason": "no_demand_to_follow",
                    }
                )
                continue
            for k in np.flatnonzero(received > 0):
                share = float(received[k] / total)
                to = str(setting.site_ids[k])
                old = added.get((to, svc), (0.0, 0.0))
                added[(to, svc)] = (old[0] + share * cap, old[1] + share * staff)
                rows.append(
                    {
                        "from_site": sid,
                        "service": svc,
                        "to_site": to,
                        "share": share,
                        "capacity_per_week": share * cap,
                        "staff_fte": share * staff,
                        "reason": "follows_demand",
                    }
                )
        if added:
            ss = scen_ss.copy()
            keys = list(zip(ss["site_id"].astype(str), ss["service"].astype(str), strict=True))
            extra_cap = np.array([added.get(k, (0.0, 0.0))[0] for k in keys])
            extra_staff = np.array([added.get(k, (0.0, 0.0))[1] for k in keys])
            ss["capacity_per_week"] = ss["capacity_per_week"].astype(float) + extra_cap
            ss["staff_fte"] = ss["staff_fte"].astype(float) + extra_staff
            region = region.replace(site_services=ss)
    table = pd.DataFrame(rows, columns=list(TRANSFER_COLUMNS))
    return dataclasses.replace(setting, region=region), table


# --- 5. allocation ------------------------------------------------------------------------------


def offers_matrix(
    site_services: pd.DataFrame, services: tuple[str, ...], site_ids: np.ndarray
) -> np.ndarray:
    """``(n_services, n_sites)`` bool: which site offers which service."""
    col = {s: j for j, s in enumerate(site_ids)}
    out = np.zeros((len(services), len(site_ids)), bool)
    srow = {s: i for i, s in enumerate(services)}
    for sid, svc in zip(
        site_services["site_id"].astype(str), site_services["service"].astype(str), strict=True
    ):
        if sid in col and svc in srow:
            out[srow[svc], col[sid]] = True
    return out


@dataclass(frozen=True, eq=False)
class Nearest:
    """The nearest site offering each service by one mode: ``site`` column (-1 none) and
    ``minutes`` (``inf`` none), both ``(n_services, n_cells)``."""

    site: np.ndarray
    minutes: np.ndarray


def nearest_by_service(minutes: np.ndarray, offers: np.ndarray) -> Nearest:
    """:class:`Nearest` for every service row of ``offers``."""
    site, best = nearest_by_offers(minutes, offers)
    return Nearest(site, best)


@dataclass(frozen=True, eq=False)
class AllocationStage:
    """Where the site contacts go.

    Attributes
    ----------
    offers, base_offers
        ``(n_services, n_sites)`` bool for the scenario's network and today's.
    allocation
        The mode-group allocation (:class:`~.allocation.Allocation`).
    nearest
        ``{mode: Nearest}`` for the scenario's network (car always; transit, walk if routed).
    capacity_per_week
        ``(n_services, n_sites)`` at the scenario's sites (0 where a site does not offer it).
    site_demand_bands
        ``(n_cells, n_services, n_bands)`` contacts per year that go to sites (physical plus
        what the channels hand back).
    site_contacts
        ``(n_services, n_sites)`` contacts per year at each site.
    trip_minutes
        ``(n_services, n_cells)`` mode-mix minutes of the served contacts (NaN: none).
    flows
        Capacity-aware option only: one row per flow (see ``Evaluation.flows``).
    """

    offers: np.ndarray
    base_offers: np.ndarray
    allocation: Allocation
    nearest: Mapping[str, Nearest]
    capacity_per_week: np.ndarray
    site_demand_bands: np.ndarray
    site_contacts: np.ndarray
    trip_minutes: np.ndarray
    flows: pd.DataFrame | None = None

    @property
    def site_demand(self) -> np.ndarray:
        """``(n_cells, n_services)`` contacts per year that go to sites."""
        return self.site_demand_bands.sum(axis=2)

    def unserved_per_year(self) -> np.ndarray:
        """``(n_services, n_cells)`` site contacts that reach no site."""
        return self.allocation.unserved_share() * self.site_demand.T


def _capacity_matrix(setting: Setting, services: tuple[str, ...]) -> np.ndarray:
    col = setting.column
    srow = {s: i for i, s in enumerate(services)}
    ss = setting.region.site_services
    cap = np.zeros((len(services), len(setting.site_ids)))
    for sid, s, c in zip(
        ss["site_id"].astype(str),
        ss["service"].astype(str),
        ss["capacity_per_week"].astype(float),
        strict=True,
    ):
        cap[srow[s], col[sid]] = c
    return cap


def allocation_stage(
    setting: Setting, demand: DemandStage, channels: tuple[ChannelOutcome, ...] = ()
) -> AllocationStage:
    """Stage 4: allocate the site contacts to sites (:func:`.allocation.allocate`, or the
    capacity-aware overflow of :mod:`.overflow` when the options ask for it)."""
    opts = setting.options
    services = demand.services
    site_ids = setting.site_ids
    mats = setting.matrices
    offers = offers_matrix(setting.region.site_services, services, site_ids)
    base_offers = offers_matrix(setting.base.site_services, services, site_ids)
    col = setting.column
    sub_index = np.full(len(site_ids), -1, np.int64)
    for closed_id, sub_id in setting.scenario.substitutes.items():
        sub_index[col[closed_id]] = col[sub_id]
    alloc = allocate(
        mats,
        offers,
        car_shares(setting.base.population),
        base_offers=base_offers,
        substitute_index=sub_index,
        substitute_rule=opts.substitute_rule,
        max_walk_minutes=opts.max_walk_minutes,
    )
    nearest = {m: nearest_by_service(mats[m], offers) for m in MODES_USED if m in mats}
    cap = _capacity_matrix(setting, services)
    bands = _site_demand_bands(demand, channels)
    site_demand = bands.sum(axis=2)  # (n_cells, n_services)
    flows: pd.DataFrame | None = None
    if opts.capacity_aware:
        site_contacts, trip, fl = capacity_aware(
            alloc.site_index,
            alloc.share,
            alloc.groups,
            dict(mats),
            offers,
            cap * WEEKS_PER_YEAR,
            site_demand,
            max_walk_minutes=opts.max_walk_minutes,
        )
        flows = pd.DataFrame(
            {
                "cell_id": setting.cell_ids[fl["cell"].astype(np.int64)],
                "service": np.asarray(services, dtype=object)[fl["service"].astype(np.int64)],
                "group": np.asarray(alloc.groups, dtype=object)[fl["group"].astype(np.int64)],
                "site_id": site_ids[fl["site"].astype(np.int64)],
                "minutes": fl["minutes"],
                "contacts_per_year": fl["contacts"],
                "over_capacity": fl["over"].astype(bool),
            }
        )
    else:
        site_contacts = alloc.site_contacts(site_demand, len(site_ids))
        trip = alloc.mean_minutes()
    return AllocationStage(
        offers=offers,
        base_offers=base_offers,
        allocation=alloc,
        nearest=nearest,
        capacity_per_week=cap,
        site_demand_bands=bands,
        site_contacts=site_contacts,
        trip_minutes=trip,
        flows=flows,
    )
