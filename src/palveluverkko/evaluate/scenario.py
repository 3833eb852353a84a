"""Scenarios: a proposed change to a region's service network, as a TOML file or a Python object.

A :class:`Scenario` says which year is evaluated and what changes against the region as it is:

- ``[[close]]``: close a site; the council names a substitute (``korvaava toimipiste``) that must
  stay open and offer every service the closed site offered. With ``move_capacity = true`` (the
  default) the closed site's capacity and staff move to the substitute for those services.
- ``[[convert]]``: change a site's kind and/or its service set (services not listed are dropped;
  new ones need ``capacity_per_week`` and ``staff_fte``).
- ``[[open]]``: open a new site (location, kind, services with capacity and staff, costs).
- ``[[capacity]]``: change a site's capacity and/or staff for one service.
- ``[[channels]]``: change a service's digital share (for every band, or one band); the
  achievable share in a cell is still limited by its broadband
  (:mod:`palveluverkko.demand.channels`).
- ``[policy]``: access target in days, travel-time threshold in minutes.

Example (every key shown)::

    name = "Kolme suljettavaa"
    year = 2027
    description = "Close three sites in poor condition"

    [[close]]
    site = "s3"
    substitute = "s2"
    move_capacity = true

    [[convert]]
    site = "s2"
    kind = "sote_piste"
    services = ["vastaanotto"]
    capacity_per_week = { vastaanotto = 60 }
    staff_fte = { vastaanotto = 2 }

    [[open]]
    site = "n1"
    name = "Uusi sote-asema"
    municipality = "902"
    kind = "sote_asema"
    x = 445000.0
    y = 6905000.0
    annual_cost_eur = 150000.0
    floor_area_m2 = 600.0
    condition = 5
    services = { vastaanotto = { capacity_per_week = 100, staff_fte = 3 } }

    [[capacity]]
    site = "s1"
    service = "vastaanotto"
    capacity_per_week = 450
    staff_fte = 13

    [[channels]]
    service = "vastaanotto"
    digital_share = 0.55
    band = "75_84"        # optional: only this band

    [policy]
    access_target_days = 7
    travel_time_threshold_min = 30

Which services a site kind may offer (:data:`KIND_LEVELS`) is an ASSUMPTION from the kinds'
descriptions in DOMAIN.md: a service's ``level`` (``lahi``, ``alue``, ``keskitetty``) must be one
the kind carries; e.g. 24-hour emergency (``keskitetty``) only at a ``sairaala_24h``.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import ScenarioError, UnknownIdError
from ..region.model import Region
from ..region.schema import AGE_BANDS, SITE_KINDS
from ..region.validate import check

log = logging.getLogger("palveluverkko.evaluate")

__all__ = [
    "KIND_LEVELS",
    "CapacityChange",
    "ChannelChange",
    "Closure",
    "Conversion",
    "NewSite",
    "Scenario",
]

KIND_LEVELS: dict[str, frozenset[str]] = {
    "sairaala_24h": frozenset({"lahi", "alue", "keskitetty"}),
    "sote_keskus": frozenset({"lahi", "alue"}),
    "sote_asema": frozenset({"lahi", "alue"}),
    "sote_piste": frozenset({"lahi"}),
    "perhekeskus": frozenset({"lahi", "alue"}),
    "hammashoitola": frozenset({"lahi", "alue"}),
    "neuvola": frozenset({"lahi"}),
}
"""Service levels a site kind may carry (ASSUMPTION, see the module docstring)."""


@dataclass(frozen=True)
class Closure:
    """Close ``site`` from the scenario year on; its residents are promised ``substitute``."""

    site: str
    substitute: str
    move_capacity: bool = True


@dataclass(frozen=True)
class Conversion:
    """Change a site's ``kind`` and/or service set (``services``; None keeps the set).

    ``capacity_per_week`` and ``staff_fte`` give the figures of services the site did not offer
    before (and may override those it keeps).
    """

    site: str
    kind: str | None = None
    services: tuple[str, ...] | None = None
    capacity_per_week: Mapping[str, float] = field(default_factory=dict)
    staff_fte: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class NewSite:
    """A new site at ``(x, y)`` in the region's CRS; ``services`` maps service to
    ``(capacity_per_week, staff_fte)``."""

    site: str
    name: str
    municipality: str
    kind: str
    x: float
    y: float
    services: Mapping[str, tuple[float, float]]
    annual_cost_eur: float = 0.0
    floor_area_m2: float | None = None
    condition: int | None = 5
    investment_need_eur: float = 0.0
    lease_end: str | None = None


@dataclass(frozen=True)
class CapacityChange:
    """New capacity (contacts per week) and/or staff (FTE) of one service at one site."""

    site: str
    service: str
    capacity_per_week: float | None = None
    staff_fte: float | None = None


@dataclass(frozen=True)
class ChannelChange:
    """New digital share of a service: national-equivalent for all bands, or for one ``band``."""

    service: str
    digital_share: float
    band: str | None = None


@dataclass(frozen=True)
class Scenario:
    """A proposed change to the service network (see the module docstring for the TOML form).

    Attributes
    ----------
    name, description
        Shown in reports.
    year
        Evaluated year; None means the region's base year.
    closures, conversions, openings, capacity_changes, channel_changes
        The changes, applied in this order by :meth:`apply`.
    access_target_days, travel_time_threshold_min
        Policy overrides (None keeps the region's).
    """

    name: str = "Nykytila"
    year: int | None = None
    description: str = ""
    closures: tuple[Closure, ...] = ()
    conversions: tuple[Conversion, ...] = ()
    openings: tuple[NewSite, ...] = ()
    capacity_changes: tuple[CapacityChange, ...] = ()
    channel_changes: tuple[ChannelChange, ...] = ()
    access_target_days: float | None = None
    travel_time_threshold_min: float | None = None

    # ------------------------------------------------------------------------------- TOML

    @classmethod
    def from_toml(cls, source: str | Path) -> Scenario:
        """Read a scenario from a TOML file path or from TOML text.

        Raises
        ------
        ScenarioError
            When the TOML cannot be parsed or an entry has a missing, unknown or wrong-typed key;
            the message names the entry (e.g. ``close[2].substitute``).
        """
        from .scenario_toml import scenario_from_toml

        return scenario_from_toml(source)

    def to_toml(self) -> str:
        """Write the scenario as TOML text that :meth:`from_toml` reads back unchanged."""
        from .scenario_toml import scenario_to_toml

        return scenario_to_toml(self)

    # ----------------------------------------------------------------------------- apply

    @property
    def substitutes(self) -> dict[str, str]:
        """Closed site id -> substitute site id."""
        return {c.site: c.substitute for c in self.closures}

    def evaluated_year(self, region: Region) -> int:
        """The year evaluated: :attr:`year`, or the region's base year."""
        return region.base_year if self.year is None else int(self.year)

    def check(self, region: Region) -> None:
        """Check the scenario against ``region`` without building the changed region.

        Raises
        ------
        ScenarioError
            Naming the scenario entry, the bad id and the fix (see :meth:`apply`).
        """
        self.apply(region, validate=False)

    def apply(self, region: Region, *, validate: bool = True) -> Region:
        """Return the region as the scenario changes it (validated unless ``validate=False``).

        Validation covers every layer a scenario changes (sites, site services, services, policy
        rules such as one physical site per municipality); the population layer is not
        re-validated because no scenario changes it.

        Closed sites are removed from ``sites`` and ``site_services``; with ``move_capacity`` their
        capacity and staff are added to the substitute's. Channel changes for all bands replace
        ``services.digital_share``; band-specific ones are read by the channel split from the
        scenario itself. Policy overrides replace ``region.policy``.

        Raises
        ------
        ScenarioError
            For an unknown site or service id, a substitute that is closed or does not offer a
            service of the closed site, a service a site's kind cannot offer, a duplicate new site
            id, a share outside 0..1, an unknown age band, or a year outside base..projection.
        """
        _check_year(self, region)
        sites = region.sites.copy()
        ss = region.site_services.copy()
        services = region.services.copy()
        site_ids = set(sites["site_id"].astype(str))
        known_services = set(services["service"].astype(str))
        level_of = dict(zip(services["service"].astype(str), services["level"], strict=True))
        new_ids = {o.site for o in self.openings}

        def need_site(entry: str, site: str, *, allow_new: bool = False) -> None:
            if site not in site_ids and not (allow_new and site in new_ids):
                close = ", ".join(sorted(site_ids)[:10])
                raise UnknownIdError(
                    f"scenario {entry}: site {site!r} is not in the region's sites layer "
                    f"(known: {close}{', ...' if len(site_ids) > 10 else ''}); "
                    "fix the site id"
                )

        def need_service(entry: str, service: str) -> None:
            if service not in known_services:
                raise UnknownIdError(
                    f"scenario {entry}: service {service!r} is not in the region's services "
                    f"layer (known: {', '.join(sorted(known_services))}); fix the service code"
                )

        def need_kind_offers(entry: str, site: str, kind: str, service: str) -> None:
            if kind not in SITE_KINDS:
                raise ScenarioError(
                    f"scenario {entry}: kind {kind!r} of site {site!r} is unknown; expected one "
                    f"of {', '.join(SITE_KINDS)}"
                )
            level = str(level_of[service])
            if level not in KIND_LEVELS[kind]:
                raise ScenarioError(
                    f"scenario {entry}: a {kind} cannot offer {service!r} (level {level!r}; a "
                    f"{kind} carries {', '.join(sorted(KIND_LEVELS[kind]))}); choose another "
                    "site or kind for this service"
                )

        # --- openings first, so that conversions/capacity/substitutes may refer to them
        for n, o in enumerate(self.openings):
            entry = f"open[{n}] ({o.site})"
            if o.site in site_ids:
                raise ScenarioError(
                    f"scenario {entry}: site id {o.site!r} already exists in the region; give the "
                    "new site an unused id"
                )
            if o.municipality not in set(region.municipalities["code"].astype(str)):
                raise UnknownIdError(
                    f"scenario {entry}: municipality {o.municipality!r} is not in the region; "
                    "use a 3-digit municipality code of the region"
                )
            if not o.services:
                raise ScenarioError(f"scenario {entry}: a new site needs at least one service")
            for s, (cap, staff) in o.services.items():
                need_service(entry, s)
                need_kind_offers(entry, o.site, o.kind, s)
                _nonneg(entry, f"services.{s}.capacity_per_week", cap)
                _nonneg(entry, f"services.{s}.staff_fte", staff)
        if len(new_ids) != len(self.openings):
            raise ScenarioError("scenario open: two new sites share an id; make each id unique")
        if self.openings:
            new_rows = gpd.GeoDataFrame(
                {
                    "site_id": [o.site for o in self.openings],
                    "name": [o.name for o in self.openings],
                    "municipality": [o.municipality for o in self.openings],
                    "kind": [o.kind for o in self.openings],
                    "floor_area_m2": [
                        np.nan if o.floor_area_m2 is None else float(o.floor_area_m2)
                        for o in self.openings
                    ],
                    "condition": pd.array([o.condition for o in self.openings], dtype="Int64"),
                    "annual_cost_eur": [float(o.annual_cost_eur) for o in self.openings],
                    "lease_end": pd.to_datetime([o.lease_end for o in self.openings]).astype(
                        sites["lease_end"].dtype if "lease_end" in sites else "datetime64[ms]"
                    ),
                    "investment_need_eur": [float(o.investment_need_eur) for o in self.openings],
                },
                geometry=shapely.points([(o.x, o.y) for o in self.openings]),
                crs=sites.crs,
            )
            sites = gpd.GeoDataFrame(pd.concat([sites, new_rows], ignore_index=True), crs=sites.crs)
            ss = pd.concat(
                [
                    ss,
                    pd.DataFrame(
                        [
                            {
                                "site_id": o.site,
                                "service": s,
                                "capacity_per_week": float(c),
                                "staff_fte": float(f),
                            }
                            for o in self.openings
                            for s, (c, f) in o.services.items()
                        ]
                    ),
                ],
                ignore_index=True,
            )
            site_ids |= new_ids

        # --- conversions
        for n, v in enumerate(self.conversions):
            entry = f"convert[{n}] ({v.site})"
            need_site(entry, v.site)
            row = sites.index[sites["site_id"].astype(str) == v.site][0]
            kind = v.kind if v.kind is not None else str(sites.at[row, "kind"])
            if v.kind is not None:
                if v.kind not in SITE_KINDS:
                    raise ScenarioError(
                        f"scenario {entry}: kind {v.kind!r} is unknown; expected one of "
                        f"{', '.join(SITE_KINDS)}"
                    )
                sites.at[row, "kind"] = v.kind
            mine = ss["site_id"].astype(str) == v.site
            current = set(ss.loc[mine, "service"].astype(str))
            wanted = set(v.services) if v.services is not None else current
            if not wanted:
                raise ScenarioError(
                    f"scenario {entry}: the site would offer no service; close it with [[close]] "
                    "and a substitute instead"
                )
            for s in sorted(wanted | set(v.capacity_per_week) | set(v.staff_fte)):
                need_service(entry, s)
                if s in wanted:
                    need_kind_offers(entry, v.site, kind, s)
            for s in sorted(set(v.capacity_per_week) | set(v.staff_fte)):
                if s not in wanted:
                    raise ScenarioError(
                        f"scenario {entry}: capacity or staff given for {s!r}, which the converted "
                        "site does not offer; add it to services or remove the figure"
                    )
            added = wanted - current
            for s in sorted(added):
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
                        "service": sorted(added),
                        "capacity_per_week": [float(v.capacity_per_week[s]) for s in sorted(added)],
                        "staff_fte": [float(v.staff_fte[s]) for s in sorted(added)],
                    }
                )
                ss = pd.concat([ss, extra], ignore_index=True)
            for s in wanted - added:
                sel = (ss["site_id"].astype(str) == v.site) & (ss["service"].astype(str) == s)
                if s in v.capacity_per_week:
                    _nonneg(entry, f"capacity_per_week.{s}", v.capacity_per_week[s])
                    ss.loc[sel, "capacity_per_week"] = float(v.capacity_per_week[s])
                if s in v.staff_fte:
                    _nonneg(entry, f"staff_fte.{s}", v.staff_fte[s])
                    ss.loc[sel, "staff_fte"] = float(v.staff_fte[s])

        # --- capacity changes
        for n, k in enumerate(self.capacity_changes):
            entry = f"capacity[{n}] ({k.site}, {k.service})"
            need_site(entry, k.site)
            need_service(entry, k.service)
            sel = (ss["site_id"].astype(str) == k.site) & (ss["service"].astype(str) == k.service)
            if not sel.any():
                raise ScenarioError(
                    f"scenario {entry}: site {k.site!r} does not offer {k.service!r}; add the "
                    "service with [[convert]] first"
                )
            if k.capacity_per_week is not None:
                _nonneg(entry, "capacity_per_week", k.capacity_per_week)
                ss.loc[sel, "capacity_per_week"] = float(k.capacity_per_week)
            if k.staff_fte is not None:
                _nonneg(entry, "staff_fte", k.staff_fte)
                ss.loc[sel, "staff_fte"] = float(k.staff_fte)

        # --- closures (after conversions, so a substitute may be given new services)
        closed = {c.site for c in self.closures}
        if len(closed) != len(self.closures):
            raise ScenarioError("scenario close: a site is closed twice; list each site once")
        for n, c in enumerate(self.closures):
            entry = f"close[{n}] ({c.site})"
            need_site(entry, c.site)
            if c.site in new_ids:
                raise ScenarioError(
                    f"scenario {entry}: site {c.site!r} is opened by the same scenario; remove "
                    "one of the two entries"
                )
            if c.substitute == c.site:
                raise ScenarioError(
                    f"scenario {entry}: a site cannot be its own substitute; name another site"
                )
            need_site(f"{entry}.substitute", c.substitute, allow_new=True)
            if c.substitute in closed:
                raise ScenarioError(
                    f"scenario {entry}: substitute {c.substitute!r} is itself closed by this "
                    "scenario; name a substitute that stays open"
                )
            offered = set(ss.loc[ss["site_id"].astype(str) == c.site, "service"].astype(str))
            sub_offers = set(
                ss.loc[ss["site_id"].astype(str) == c.substitute, "service"].astype(str)
            )
            missing = sorted(offered - sub_offers)
            if missing:
                raise ScenarioError(
                    f"scenario {entry}: substitute {c.substitute!r} does not offer "
                    f"{', '.join(missing)}, which {c.site!r} offers; name a substitute that offers "
                    f"them, or add them to {c.substitute!r} with [[convert]]"
                )
        for c in self.closures:
            if not c.move_capacity:
                continue
            mine = ss["site_id"].astype(str) == c.site
            for _, r in ss.loc[mine].iterrows():
                sel = (ss["site_id"].astype(str) == c.substitute) & (
                    ss["service"].astype(str) == str(r["service"])
                )
                ss.loc[sel, "capacity_per_week"] += float(r["capacity_per_week"])
                ss.loc[sel, "staff_fte"] += float(r["staff_fte"])
        if closed:
            sites = sites.loc[~sites["site_id"].astype(str).isin(closed)].reset_index(drop=True)
            ss = ss.loc[~ss["site_id"].astype(str).isin(closed)].reset_index(drop=True)

        # --- channels
        for n, ch in enumerate(self.channel_changes):
            entry = f"channels[{n}] ({ch.service})"
            need_service(entry, ch.service)
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
                services.loc[services["service"].astype(str) == ch.service, "digital_share"] = (
                    float(ch.digital_share)
                )

        policy = region.policy
        if self.access_target_days is not None or self.travel_time_threshold_min is not None:
            policy = dataclasses.replace(
                policy,
                access_target_days=(
                    policy.access_target_days
                    if self.access_target_days is None
                    else float(self.access_target_days)
                ),
                travel_time_threshold_min=(
                    policy.travel_time_threshold_min
                    if self.travel_time_threshold_min is None
                    else float(self.travel_time_threshold_min)
                ),
            )
        out = region.replace(sites=sites, site_services=ss, services=services, policy=policy)
        if validate and self != Scenario(
            name=self.name, year=self.year, description=self.description
        ):
            # A scenario never changes the population layer (validated when the region was
            # read); checking the other layers against one population row keeps this fast.
            check(out.replace(population=out.population.iloc[:1]))
        return out


# ------------------------------------------------------------------------------- helpers


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


def baseline() -> Scenario:
    """The empty scenario: today's network in the base year."""
    return Scenario()
