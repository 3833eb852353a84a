"""Scenarios: a proposed change to a region's service network, as a TOML file or a Python object.

A :class:`Scenario` says which year is evaluated and what changes against the region as it is:

- ``[[close]]``: close a site; the council names a substitute (``korvaava toimipiste``) that must
  stay open and offer every service the closed site offered. With ``move_capacity = true`` (the
  default) the closed site's capacity and staff move to the substitute for those services.
- ``[[convert]]``: change a site's kind and/or its service set (services not listed are dropped;
  new ones need ``capacity_per_week`` and ``staff_fte``). The capacity and staff of a dropped
  service follow its demand to the sites that receive it (``capacity = "follow"``, the default)
  or are cut (``capacity = "drop"``); the evaluation lists every move in ``Evaluation.transfers``.
- ``[[open]]``: open a new site (location, kind, services with capacity and staff, costs).
- ``[[capacity]]``: change a site's capacity and/or staff for one service.
- ``[[channels]]``: change a service's digital share (for every band, or one band); the
  achievable share in a cell is still limited by its broadband
  (:mod:`palveluverkko.demand.channels`).
- ``[[mobile_unit]]``: run a mobile unit (``[mobile_unit.unit]`` and ``[mobile_unit.stops]`` as in
  a unit file, see ``docs/channels.md``); the evaluation plans its stops and timetable and the
  contacts its stops serve leave the sites.
- ``[[ems_station]]``: set an ambulance station's units per shift (``units = { 24h = 2, day = 0
  }``; 0 removes them), or open a station with ``x``, ``y`` (and ``name``); scored by
  ``palveluverkko ems evaluate --scenario`` against the service-level decision.
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
    capacity = "follow"       # or "drop": what happens to the capacity of dropped services

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

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..errors import ScenarioError

if TYPE_CHECKING:
    from ..region.model import Region

log = logging.getLogger("palveluverkko.scenario")

CAPACITY_RULES: tuple[str, ...] = ("follow", "drop")
"""What a conversion does with the capacity of a service the site stops offering."""

__all__ = [
    "KIND_LEVELS",
    "CapacityChange",
    "ChannelChange",
    "Closure",
    "Conversion",
    "EmsStationChange",
    "MobileUnitEntry",
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
    before (and may override those it keeps). ``capacity`` says what happens to the capacity and
    staff of a service the site stops offering: ``"follow"`` (the default) moves them to the
    sites that receive its demand, in proportion to what each receives; ``"drop"`` cuts them
    (reported as a cut).
    """

    site: str
    kind: str | None = None
    services: tuple[str, ...] | None = None
    capacity_per_week: Mapping[str, float] = field(default_factory=dict)
    staff_fte: Mapping[str, float] = field(default_factory=dict)
    capacity: Literal["follow", "drop"] = "follow"

    def __post_init__(self) -> None:
        if self.capacity not in CAPACITY_RULES:
            raise ScenarioError(
                f"scenario convert ({self.site}): capacity = {self.capacity!r}; expected "
                f"{' or '.join(repr(r) for r in CAPACITY_RULES)}"
            )


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
class MobileUnitEntry:
    """A mobile unit the scenario runs (``[[mobile_unit]]``): its ``unit`` and ``stops``
    tables are those of a unit file (:mod:`palveluverkko.channels.unit`); the evaluator plans
    its stops and timetable (seeded) and serves the contacts its stops reach, which then leave
    the sites' demand."""

    unit: Mapping[str, Any]
    stops: Mapping[str, Any] = field(default_factory=dict)
    seed: int = 0
    time_limit_s: float = 3.0

    @property
    def name(self) -> str:
        """The unit's name (``unit.name``)."""
        return str(self.unit.get("name", "mobile unit"))


@dataclass(frozen=True)
class EmsStationChange:
    """An ambulance station's units per shift in the scenario (``[[ems_station]]``).

    ``station`` names a station of today's fleet (the county's stations file, or the ASSUMED
    fleet at the sites) whose counts of the shifts in ``units`` are replaced (0 removes them;
    shifts not named keep their count), or a new station when ``x`` and ``y`` are given."""

    station: str
    units: Mapping[str, int]
    name: str | None = None
    x: float | None = None
    y: float | None = None

    @property
    def is_new(self) -> bool:
        """True when the entry opens a station at ``x``, ``y``."""
        return self.x is not None


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
    mobile_units
        Mobile units the scenario runs (planned and scored by the evaluation's mobile channel).
    ems_stations
        Ambulance stations and units (scored by the emergency-care evaluation, not by
        :meth:`apply`, which only checks them).
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
    mobile_units: tuple[MobileUnitEntry, ...] = ()
    ems_stations: tuple[EmsStationChange, ...] = ()
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
        from .toml_io import scenario_from_toml

        return scenario_from_toml(source)

    def to_toml(self) -> str:
        """Write the scenario as TOML text that :meth:`from_toml` reads back unchanged."""
        from .toml_io import scenario_to_toml

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

        Each kind of entry is applied by its own function of :mod:`.apply`, in the order of
        :data:`.apply.APPLIERS` (openings, conversions, capacity, closures, channels, policy).
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
        from .apply import apply_scenario

        return apply_scenario(self, region, validate=validate)

    def new_sites(self) -> tuple[NewSite, ...]:
        """The sites this scenario opens (destinations that travel times must reach)."""
        return self.openings

    def is_empty(self) -> bool:
        """True when the scenario changes nothing but its name, year and description."""
        return self == Scenario(name=self.name, year=self.year, description=self.description)


# ------------------------------------------------------------------------------- helpers


def baseline() -> Scenario:
    """The empty scenario: today's network in the base year."""
    return Scenario()
