"""How a :class:`~.model.Scenario` changes a region: one function per kind of entry.

:func:`apply_scenario` runs the appliers of :data:`APPLIERS` in order on a working copy of the
layers a scenario may change (sites, site services, services, policy). Openings come first so
that conversions, capacity changes and substitutes may refer to new sites; conversions come
before closures so that a substitute may be given the services of the site it replaces. A new
kind of entry (e.g. a mobile unit) is one more applier in this table plus its TOML table in
:mod:`.toml_io`; the others are untouched.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import ScenarioError, UnknownIdError
from ..region.model import Policy, Region
from ..region.schema import AGE_BANDS, SITE_KINDS
from ..region.validation import check
from .model import KIND_LEVELS, Scenario

__all__ = ["APPLIERS", "apply_scenario"]


@dataclass
class Work:
    """The layers a scenario changes, while its entries are applied (a private working copy)."""

    region: Region
    sites: gpd.GeoDataFrame
    site_services: pd.DataFrame
    services: pd.DataFrame
    policy: Policy
    site_ids: set[str] = field(default_factory=set)
    new_ids: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, region: Region, scenario: Scenario) -> Work:
        return cls(
            region=region,
            sites=region.sites.copy(),
            site_services=region.site_services.copy(),
            services=region.services.copy(),
            policy=region.policy,
            site_ids=set(region.sites["site_id"].astype(str)),
            new_ids={o.site for o in scenario.openings},
        )

    # --- checks shared by the appliers ---------------------------------------------------------

    def need_site(self, entry: str, site: str, *, allow_new: bool = False) -> None:
        if site not in self.site_ids and not (allow_new and site in self.new_ids):
            known = sorted(self.site_ids)
            listed = ", ".join(known[:10]) + (", ..." if len(known) > 10 else "")
            raise UnknownIdError(
                f"scenario {entry}: site {site!r} is not in the region's sites layer "
                f"(known: {listed}); fix the site id"
            )

    def need_service(self, entry: str, service: str) -> None:
        known = set(self.services["service"].astype(str))
        if service not in known:
            raise UnknownIdError(
                f"scenario {entry}: service {service!r} is not in the region's services "
                f"layer (known: {', '.join(sorted(known))}); fix the service code"
            )

    def need_kind_offers(self, entry: str, site: str, kind: str, service: str) -> None:
        if kind not in SITE_KINDS:
            raise ScenarioError(
                f"scenario {entry}: kind {kind!r} of site {site!r} is unknown; expected one "
                f"of {', '.join(SITE_KINDS)}"
            )
        levels = dict(
            zip(self.services["service"].astype(str), self.services["level"], strict=True)
        )
        level = str(levels[service])
        if level not in KIND_LEVELS[kind]:
            raise ScenarioError(
                f"scenario {entry}: a {kind} cannot offer {service!r} (level {level!r}; a "
                f"{kind} carries {', '.join(sorted(KIND_LEVELS[kind]))}); choose another "
                "site or kind for this service"
            )

    def rows_of(self, site: str, service: str | None = None) -> pd.Series:
        """Boolean mask of the site-service rows of ``site`` (and ``service``)."""
        ss = self.site_services
        mask = ss["site_id"].astype(str) == site
        if service is not None:
            mask &= ss["service"].astype(str) == service
        return mask


def _nonneg(entry: str, key: str, value: float) -> None:
    if not (float(value) >= 0.0):
        raise ScenarioError(f"scenario {entry}: {key} is {value}; expected a number >= 0")


def _check_year(scenario: Scenario, region: Region) -> None:
    if scenario.year is None:
        return
    last = region.base_year
    if region.projection is not None and len(region.projection):
        last = int(region.projection["year"].max())
    if not region.base_year <= int(scenario.year) <= last:
        raise ScenarioError(
            f"scenario year: {scenario.year} is outside the region's years {region.base_year}.."
            f"{last} (base year .. last projection year); choose a year in that range"
            + ("" if region.projection is not None else " or add a projection layer")
        )


# --- one applier per kind of entry ------------------------------------------------------------


def apply_openings(scenario: Scenario, work: Work) -> None:
    """``[[open]]``: add new sites with their services (capacity and staff)."""
    munis = set(work.region.municipalities["code"].astype(str))
    for n, o in enumerate(scenario.openings):
        entry = f"open[{n}] ({o.site})"
        if o.site in work.site_ids:
            raise ScenarioError(
                f"scenario {entry}: site id {o.site!r} already exists in the region; give the "
                "new site an unused id"
            )
        if o.municipality not in munis:
            raise UnknownIdError(
                f"scenario {entry}: municipality {o.municipality!r} is not in the region; "
                "use a 3-digit municipality code of the region"
            )
        if not o.services:
            raise ScenarioError(f"scenario {entry}: a new site needs at least one service")
        for s, (cap, staff) in o.services.items():
            work.need_service(entry, s)
            work.need_kind_offers(entry, o.site, o.kind, s)
            _nonneg(entry, f"services.{s}.capacity_per_week", cap)
            _nonneg(entry, f"services.{s}.staff_fte", staff)
    if len(work.new_ids) != len(scenario.openings):
        raise ScenarioError("scenario open: two new sites share an id; make each id unique")
    if not scenario.openings:
        return
    sites = work.sites
    openings = scenario.openings
    new_rows = gpd.GeoDataFrame(
        {
            "site_id": [o.site for o in openings],
            "name": [o.name for o in openings],
            "municipality": [o.municipality for o in openings],
            "kind": [o.kind for o in openings],
            "floor_area_m2": [
                np.nan if o.floor_area_m2 is None else float(o.floor_area_m2) for o in openings
            ],
            "condition": pd.array([o.condition for o in openings], dtype="Int64"),
            "annual_cost_eur": [float(o.annual_cost_eur) for o in openings],
            "lease_end": pd.to_datetime([o.lease_end for o in openings]).astype(
                sites["lease_end"].dtype if "lease_end" in sites else "datetime64[ms]"
            ),
            "investment_need_eur": [float(o.investment_need_eur) for o in openings],
        },
        geometry=shapely.points([(o.x, o.y) for o in openings]),
        crs=sites.crs,
    )
    work.sites = gpd.GeoDataFrame(pd.concat([sites, new_rows], ignore_index=True), crs=sites.crs)
    added = pd.DataFrame(
        [
            {"site_id": o.site, "service": s, "capacity_per_week": float(c), "staff_fte": float(f)}
            for o in openings
            for s, (c, f) in o.services.items()
        ]
    )
    work.site_services = pd.concat([work.site_services, added], ignore_index=True)
    work.site_ids |= work.new_ids


def apply_conversions(scenario: Scenario, work: Work) -> None:
    """``[[convert]]``: change a site's kind and/or service set (new services need figures)."""
    for n, v in enumerate(scenario.conversions):
        entry = f"convert[{n}] ({v.site})"
        work.need_site(entry, v.site)
        sites = work.sites
        row = sites.index[sites["site_id"].astype(str) == v.site][0]
        kind = v.kind if v.kind is not None else str(sites.at[row, "kind"])
        if v.kind is not None:
            if v.kind not in SITE_KINDS:
                raise ScenarioError(
                    f"scenario {entry}: kind {v.kind!r} is unknown; expected one of "
                    f"{', '.join(SITE_KINDS)}"
                )
            sites.at[row, "kind"] = v.kind
        mine = work.rows_of(v.site)
        ss = work.site_services
        current = set(ss.loc[mine, "service"].astype(str))
        wanted = set(v.services) if v.services is not None else current
        if not wanted:
            raise ScenarioError(
                f"scenario {entry}: the site would offer no service; close it with [[close]] "
                "and a substitute instead"
            )
        figures = set(v.capacity_per_week) | set(v.staff_fte)
        for s in sorted(wanted | figures):
            work.need_service(entry, s)
            if s in wanted:
                work.need_kind_offers(entry, v.site, kind, s)
        for s in sorted(figures - wanted):
            raise ScenarioError(
                f"scenario {entry}: capacity or staff given for {s!r}, which the converted "
                "site does not offer; add it to services or remove the figure"
            )
        added = sorted(wanted - current)
        for s in added:
            if s not in v.capacity_per_week or s not in v.staff_fte:
                raise ScenarioError(
                    f"scenario {entry}: new service {s!r} needs capacity_per_week and "
                    f"staff_fte; add e.g. capacity_per_week = {{ {s} = 100 }} and "
                    f"staff_fte = {{ {s} = 3 }}"
                )
        ss = ss.loc[~(mine & ~ss["service"].astype(str).isin(wanted))].reset_index(drop=True)
        if added:
            extra = pd.DataFrame(
                {
                    "site_id": [v.site] * len(added),
                    "service": added,
                    "capacity_per_week": [float(v.capacity_per_week[s]) for s in added],
                    "staff_fte": [float(v.staff_fte[s]) for s in added],
                }
            )
            ss = pd.concat([ss, extra], ignore_index=True)
        work.site_services = ss
        for s in wanted - set(added):
            sel = work.rows_of(v.site, s)
            if s in v.capacity_per_week:
                _nonneg(entry, f"capacity_per_week.{s}", v.capacity_per_week[s])
                work.site_services.loc[sel, "capacity_per_week"] = float(v.capacity_per_week[s])
            if s in v.staff_fte:
                _nonneg(entry, f"staff_fte.{s}", v.staff_fte[s])
                work.site_services.loc[sel, "staff_fte"] = float(v.staff_fte[s])


def apply_capacity_changes(scenario: Scenario, work: Work) -> None:
    """``[[capacity]]``: new capacity and/or staff of one service at one site."""
    for n, k in enumerate(scenario.capacity_changes):
        entry = f"capacity[{n}] ({k.site}, {k.service})"
        work.need_site(entry, k.site)
        work.need_service(entry, k.service)
        sel = work.rows_of(k.site, k.service)
        if not sel.any():
            raise ScenarioError(
                f"scenario {entry}: site {k.site!r} does not offer {k.service!r}; add the "
                "service with [[convert]] first"
            )
        if k.capacity_per_week is not None:
            _nonneg(entry, "capacity_per_week", k.capacity_per_week)
            work.site_services.loc[sel, "capacity_per_week"] = float(k.capacity_per_week)
        if k.staff_fte is not None:
            _nonneg(entry, "staff_fte", k.staff_fte)
            work.site_services.loc[sel, "staff_fte"] = float(k.staff_fte)


def apply_closures(scenario: Scenario, work: Work) -> None:
    """``[[close]]``: remove sites; with ``move_capacity`` their capacity and staff go to the
    named substitute, which must stay open and offer every service of the closed site."""
    closed = {c.site for c in scenario.closures}
    if len(closed) != len(scenario.closures):
        raise ScenarioError("scenario close: a site is closed twice; list each site once")
    ss = work.site_services
    for n, c in enumerate(scenario.closures):
        entry = f"close[{n}] ({c.site})"
        work.need_site(entry, c.site)
        if c.site in work.new_ids:
            raise ScenarioError(
                f"scenario {entry}: site {c.site!r} is opened by the same scenario; remove "
                "one of the two entries"
            )
        if c.substitute == c.site:
            raise ScenarioError(
                f"scenario {entry}: a site cannot be its own substitute; name another site"
            )
        work.need_site(f"{entry}.substitute", c.substitute, allow_new=True)
        if c.substitute in closed:
            raise ScenarioError(
                f"scenario {entry}: substitute {c.substitute!r} is itself closed by this "
                "scenario; name a substitute that stays open"
            )
        offered = set(ss.loc[work.rows_of(c.site), "service"].astype(str))
        sub_offers = set(ss.loc[work.rows_of(c.substitute), "service"].astype(str))
        missing = sorted(offered - sub_offers)
        if missing:
            raise ScenarioError(
                f"scenario {entry}: substitute {c.substitute!r} does not offer "
                f"{', '.join(missing)}, which {c.site!r} offers; name a substitute that offers "
                f"them, or add them to {c.substitute!r} with [[convert]]"
            )
    for c in scenario.closures:
        if not c.move_capacity:
            continue
        for _, r in ss.loc[work.rows_of(c.site)].iterrows():
            sel = work.rows_of(c.substitute, str(r["service"]))
            ss.loc[sel, "capacity_per_week"] += float(r["capacity_per_week"])
            ss.loc[sel, "staff_fte"] += float(r["staff_fte"])
    if closed:
        keep_sites = ~work.sites["site_id"].astype(str).isin(closed)
        work.sites = work.sites.loc[keep_sites].reset_index(drop=True)
        work.site_services = ss.loc[~ss["site_id"].astype(str).isin(closed)].reset_index(drop=True)


def apply_channel_changes(scenario: Scenario, work: Work) -> None:
    """``[[channels]]``: a service's digital share for every band (band-specific shares are
    read by the channel split from the scenario itself)."""
    for n, ch in enumerate(scenario.channel_changes):
        entry = f"channels[{n}] ({ch.service})"
        work.need_service(entry, ch.service)
        if not 0.0 <= ch.digital_share <= 1.0:
            raise ScenarioError(
                f"scenario {entry}: digital_share {ch.digital_share} is outside 0..1; give a "
                "share such as 0.55"
            )
        if ch.band is not None and ch.band not in AGE_BANDS:
            raise ScenarioError(
                f"scenario {entry}: band {ch.band!r} is unknown; expected one of "
                f"{', '.join(AGE_BANDS)}"
            )
        if ch.band is None:
            sel = work.services["service"].astype(str) == ch.service
            work.services.loc[sel, "digital_share"] = float(ch.digital_share)


def apply_policy(scenario: Scenario, work: Work) -> None:
    """``[policy]``: access target in days and travel-time threshold in minutes."""
    if scenario.access_target_days is None and scenario.travel_time_threshold_min is None:
        return
    policy = work.policy
    work.policy = dataclasses.replace(
        policy,
        access_target_days=(
            policy.access_target_days
            if scenario.access_target_days is None
            else float(scenario.access_target_days)
        ),
        travel_time_threshold_min=(
            policy.travel_time_threshold_min
            if scenario.travel_time_threshold_min is None
            else float(scenario.travel_time_threshold_min)
        ),
    )


def apply_mobile_units(scenario: Scenario, work: Work) -> None:
    """``[[mobile_unit]]``: check each unit's tables (the evaluation plans it; no layer changes)."""
    from ..channels.unit import unit_from_dict
    from ..errors import InputError

    for n, entry in enumerate(scenario.mobile_units):
        label = f"scenario mobile_unit[{n}]"
        try:
            unit = unit_from_dict(
                {"unit": dict(entry.unit), "stops": dict(entry.stops)}, source=label
            )
        except InputError as exc:
            raise ScenarioError(str(exc)) from exc
        for s in unit.services:
            work.need_service(f"mobile_unit[{n}]", s)
        if unit.depot_site is not None:
            work.need_site(f"mobile_unit[{n}].unit.depot_site", unit.depot_site, allow_new=True)


Applier = Callable[[Scenario, Work], None]


def apply_ems_stations(scenario: Scenario, work: Work) -> None:
    """``[[ems_station]]``: each station named once, new ones inside the region's extent (the
    emergency-care evaluation changes the fleet; no layer changes)."""
    seen: set[str] = set()
    xmin, ymin, xmax, ymax = work.region.municipalities.total_bounds
    for n, entry in enumerate(scenario.ems_stations):
        label = f"scenario ems_station[{n}]"
        if entry.station in seen:
            raise ScenarioError(
                f"{label}.station: {entry.station!r} is named twice; give one entry per station"
            )
        seen.add(entry.station)
        if entry.x is not None and entry.y is not None:
            inside = xmin <= entry.x <= xmax and ymin <= entry.y <= ymax
            if not inside:
                raise ScenarioError(
                    f"{label}: the point ({entry.x:.0f}, {entry.y:.0f}) lies outside the region "
                    f"({xmin:.0f}..{xmax:.0f}, {ymin:.0f}..{ymax:.0f}); give x and y in the "
                    "region's CRS (EPSG:3067)"
                )


APPLIERS: tuple[tuple[str, Applier], ...] = (
    ("open", apply_openings),
    ("convert", apply_conversions),
    ("capacity", apply_capacity_changes),
    ("close", apply_closures),
    ("channels", apply_channel_changes),
    ("mobile_unit", apply_mobile_units),
    ("ems_station", apply_ems_stations),
    ("policy", apply_policy),
)
"""The appliers in the order they run, by their TOML table name."""


def apply_scenario(scenario: Scenario, region: Region, *, validate: bool = True) -> Region:
    """The region as ``scenario`` changes it (see :meth:`.model.Scenario.apply`)."""
    _check_year(scenario, region)
    work = Work.of(region, scenario)
    for _, applier in APPLIERS:
        applier(scenario, work)
    out = region.replace(
        sites=work.sites,
        site_services=work.site_services,
        services=work.services,
        policy=work.policy,
    )
    if validate and not scenario.is_empty():
        # A scenario never changes the population layer (validated when the region was read);
        # checking the other layers against one population row keeps this fast.
        check(out.replace(population=out.population.iloc[:1]))
    return out
