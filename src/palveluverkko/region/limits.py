"""Plausibility bounds of the values a region package or a scenario brings in.

Each :class:`Bound` documents why its limits are where they are (``source``); those marked
ASSUMPTION are ours, chosen far outside anything a Finnish county holds so that a real package
never trips them. The checks that apply them are in :mod:`.checks`; the user-facing list is
``docs/region-format.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .schema import RATE_COLUMNS

__all__ = [
    "COLUMN_BOUNDS",
    "COST_BOUND",
    "COST_BOUNDS",
    "MINIMUM_HERE",
    "MIN_CAPACITY_PER_WEEK",
    "POLICY_BOUNDS",
    "POPULATION_LIMITS",
    "SCENARIO_BOUNDS",
    "YEARS_DUE_BOUND",
    "Bound",
    "PopulationLimits",
    "fmt",
]


@dataclass(frozen=True)
class Bound:
    """The plausible range of one kind of value.

    Attributes
    ----------
    unit
        What the value counts, shown in messages (``"contacts per week"``).
    minimum, maximum
        Outside this range the value is an error (``nan`` and ``inf`` always are).
    min_exclusive
        Whether ``minimum`` itself is an error too (a target of 0 days).
    warn_above
        Above this (and up to ``maximum``) the value is a warning; None for no warning.
    source
        Why the limits are where they are (shown in the docs, not in messages).
    """

    unit: str
    minimum: float = 0.0
    maximum: float = math.inf
    min_exclusive: bool = False
    warn_above: float | None = None
    source: str = ""

    def describe(self) -> str:
        """The accepted range in words, e.g. ``'> 0 and at most 730 days'``."""
        low = f"{'> ' if self.min_exclusive else '>= '}{fmt(self.minimum)}"
        if math.isinf(self.maximum):
            return f"{low} {self.unit}"
        return f"{low} and at most {fmt(self.maximum)} {self.unit}"

    def severity(self, value: float) -> str | None:
        """``"error"``, ``"warning"`` or None for ``value``."""
        if not math.isfinite(value) or value > self.maximum:
            return "error"
        if value < self.minimum or (self.min_exclusive and value == self.minimum):
            return "error"
        if self.warn_above is not None and value > self.warn_above:
            return "warning"
        return None


def fmt(value: float) -> str:
    """A number as messages show it: whole numbers with spaces between thousands."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", " ")
    return f"{value:g}"


_RATE = Bound(
    "contacts per person-year",
    maximum=1_000.0,
    warn_above=200.0,
    source="ASSUMPTION: 1,000 a year is about three contacts every day; the highest default rate "
    "is home care for 85+ at 117 a year (demand/catalogue.py)",
)
_MONEY = Bound(
    "euros",
    maximum=1e10,
    warn_above=5e8,
    source="ASSUMPTION: 10 billion euros exceeds the yearly budget of any wellbeing services "
    "county (the largest, HUS, about 3 billion); half a billion for one site is suspicious",
)

COLUMN_BOUNDS: dict[tuple[str, str], Bound] = {
    **{("services", c): _RATE for c in RATE_COLUMNS},
    ("services", "threshold_min"): Bound(
        "minutes",
        min_exclusive=True,
        maximum=1_440.0,
        warn_above=240.0,
        source="a travel-time threshold above a day (1,440 min) means nothing; above 4 hours is "
        "suspicious (ASSUMPTION)",
    ),
    ("services", "access_target_days"): Bound(
        "days",
        min_exclusive=True,
        maximum=730.0,
        warn_above=366.0,
        source="the law allows at most three months for adults (DOMAIN.md); two years is the "
        "error limit, more than a year a warning (ASSUMPTION)",
    ),
    ("site_services", "capacity_per_week"): Bound(
        "contacts per week",
        maximum=1_000_000.0,
        warn_above=20_000.0,
        source="ASSUMPTION: all of Finland's primary care is about half a million visits a week; "
        "the demo county's largest site-service has 4,600",
    ),
    ("site_services", "staff_fte"): Bound(
        "FTE",
        maximum=50_000.0,
        warn_above=2_000.0,
        source="ASSUMPTION: HUS, the largest employer in Finnish health care, has about 27,000 "
        "staff in all",
    ),
    ("sites", "floor_area_m2"): Bound(
        "m²",
        maximum=1_000_000.0,
        warn_above=200_000.0,
        source="ASSUMPTION: Finland's largest hospital campuses are some 100,000-200,000 m²",
    ),
    ("sites", "annual_cost_eur"): _MONEY,
    ("sites", "investment_need_eur"): _MONEY,
    ("roads", "speed_kph"): Bound(
        "km/h",
        min_exclusive=True,
        maximum=300.0,
        warn_above=130.0,
        source="Finland's highest speed limit is 120 km/h (Traficom); above 300 km/h is no road",
    ),
    ("roads", "ferry_wait_min"): Bound(
        "minutes",
        maximum=1_440.0,
        warn_above=240.0,
        source="a ferry that runs less than once a day is no road link (ASSUMPTION)",
    ),
    ("population", "broadband_mbps"): Bound(
        "Mbit/s",
        maximum=100_000.0,
        source="100 Gbit/s exceeds any connection offered to homes (ASSUMPTION)",
    ),
    ("projection", "factor"): Bound(
        "times the base year's population",
        maximum=100.0,
        warn_above=3.0,
        source="ASSUMPTION: no Finnish municipality has tripled within a projection's horizon "
        "(Statistics Finland's projections move by a few per cent a year)",
    ),
}
"""Bounds of layer columns by (layer, column). Lower limits of 0 (negative residents, rates,
costs) are reported by :mod:`.validate` in its own words; here are the upper limits, the warning
limits and the exclusive lower limits."""
MINIMUM_HERE = {("roads", "ferry_wait_min")}
"""Columns whose lower limit is checked here (validate.py checks the others in its own words)."""
MIN_CAPACITY_PER_WEEK = 1.0
"""A capacity between 0 and 1 contact a week is an error: the booking queue has at least one slot
a working day (evaluate/queueing.py), so such a figure is a typo for 0 or for a larger number."""


@dataclass(frozen=True)
class PopulationLimits:
    """Limits of residents per cell and in all (sources in the field docs)."""

    cell_error: float = 1_000_000.0
    """A cell holding more residents than any Finnish municipality but Helsinki (about 680,000)
    is an error (ASSUMPTION; it also keeps the evaluation's memory bounded)."""
    point_cell_warning: float = 5_000.0
    """A point cell (a 250 m grid cell) with more than 5,000 residents is suspicious: Finland's
    densest 250 m cells, in inner Helsinki, hold about 2,500 (ASSUMPTION)."""
    polygon_density_warning_per_km2: float = 80_000.0
    """A polygon cell denser than 80,000 residents per km² (5,000 per 250 m cell) is suspicious."""
    total_error: float = 6_000_000.0
    """A region with more residents than Finland (5.6 million, Statistics Finland 2024) is an
    error."""


POPULATION_LIMITS = PopulationLimits()

POLICY_BOUNDS: dict[str, Bound] = {
    "access_target_days": COLUMN_BOUNDS[("services", "access_target_days")],
    "travel_time_threshold_min": COLUMN_BOUNDS[("services", "threshold_min")],
    "base_year": Bound(
        "(a year)", minimum=1900.0, maximum=2100.0, source="population data from 1900 to 2100"
    ),
}
"""Bounds of ``region.toml`` values (``[policy]`` and ``base_year``)."""

COST_BOUND = Bound(
    "euros (or a rate)",
    maximum=1e7,
    source="ASSUMPTION: no unit cost of [costs] (per FTE-year, per km, per trip) reaches "
    "ten million euros",
)
COST_BOUNDS: dict[str, Bound] = {
    "interest_rate": Bound("(a yearly rate, 0.03 = 3 %)", maximum=1.0, source="100 % a year"),
    "investment_years": Bound("years", minimum=1.0, maximum=200.0, source="ASSUMPTION"),
}
"""Bounds of ``[costs]`` keys other than :data:`COST_BOUND`, which covers the rest."""

YEARS_DUE_BOUND = Bound("years", maximum=100.0, source="ASSUMPTION")

SCENARIO_BOUNDS: dict[str, Bound] = {
    "year": POLICY_BOUNDS["base_year"],
    "x": Bound("metres", minimum=-1e8, maximum=1e8, source="coordinates of a projected CRS"),
    "y": Bound("metres", minimum=-1e8, maximum=1e8, source="coordinates of a projected CRS"),
    "capacity_per_week": COLUMN_BOUNDS[("site_services", "capacity_per_week")],
    "staff_fte": COLUMN_BOUNDS[("site_services", "staff_fte")],
    "digital_share": Bound("(a share)", maximum=1.0, source="a share lies in 0..1"),
    "annual_cost_eur": _MONEY,
    "investment_need_eur": _MONEY,
    "floor_area_m2": COLUMN_BOUNDS[("sites", "floor_area_m2")],
    "condition": Bound("(1 poor .. 5 good)", minimum=1.0, maximum=5.0, source="the format"),
    **POLICY_BOUNDS,
}
"""Bounds of the numbers of a scenario document, by key (wherever the key appears)."""
