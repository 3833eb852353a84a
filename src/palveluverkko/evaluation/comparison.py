"""Compare two evaluations: the figures a council member reads on one page.

:func:`compare` takes the base evaluation (today's network) and a scenario's evaluation of the
same region and returns a :class:`Comparison` with tidy tables:

``access`` (service x indicator)
    ``service, indicator, base, scenario, change`` for the county's shares within 10/20/30 min by
    car and by public transport (all residents and 75+), and mean/median/p90/worst minutes.
``equity`` (service x measure x index)
    ``service, measure, index, base, scenario, change`` (Gini, Theil, Palma, worst-off 10 %,
    rural-urban gap).
``affected`` (one row per service)
    ``residents_losing_nearest, residents_75_losing_nearest, residents_longer_car_trip,
    mean_car_minutes_gained`` (among those who lost their nearest site), ``max_car_minutes_gained``,
    ``mean_transit_minutes_gained``.
``substitutes`` (one row per closed site x service it offered)
    ``site_id, name, substitute_id, substitute_name, service, residents, residents_75_plus``
    (whose nearest site by car it was), ``base_car_minutes`` (to the closed site),
    ``substitute_car_minutes``, ``substitute_transit_minutes`` (mean over those residents of the
    trip to the substitute; NaN without transit), ``share_substitute_within_30_transit``,
    ``residents_no_transit_to_substitute``.
``costs``
    :func:`.costs.compare_costs` (``year, component, payer, unit, base_eur, scenario_eur,
    change_eur`` and the quantities), or None when an evaluation has no cost table.
``municipality_rule``
    ``municipality, name, base_keeps, scenario_keeps, scenario_sites``.
``headline``
    ``figure, base, scenario, change, unit``: the one-page figures (savings per year and in
    total, Kela change, residents and 75+ affected, within 30 min by car and bus, the rule).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError
from .capacity import share_within_target
from .costs import compare_costs
from .result import Evaluation

log = logging.getLogger("palveluverkko.evaluation")

__all__ = ["Comparison", "compare"]

_ACCESS = (
    [f"share_within_{t}_{m}" for m in ("car", "transit") for t in (10, 20, 30)]
    + [f"share_75_within_{t}_{m}" for m in ("car", "transit") for t in (10, 20, 30)]
    + [
        f"{s}_{m}_minutes"
        for m in ("car", "transit", "trip")
        for s in ("mean", "median", "p90", "worst")
    ]
    + ["unreachable_car_residents", "unserved_per_year", "digital_share", "physical_per_year"]
)
_EQUITY = (
    "gini",
    "theil",
    "palma",
    "worst10_mean_minutes",
    "rural_urban_gap_minutes",
    "mean_minutes",
)


@dataclass(frozen=True, eq=False)
class Comparison:
    """Base vs scenario (tables documented in the module docstring)."""

    base: Evaluation
    other: Evaluation
    access: pd.DataFrame
    equity: pd.DataFrame
    affected: pd.DataFrame
    substitutes: pd.DataFrame
    municipality_rule: pd.DataFrame
    headline: pd.DataFrame
    costs: pd.DataFrame | None = None

    def summary(self) -> str:
        """The headline figures that change, as text (the rest are counted)."""
        lines = [f"{self.other.scenario.name} vs {self.base.scenario.name} ({self.other.year})"]
        h = self.headline
        changed = h["change"].abs().gt(1e-9) | h["figure"].isin(
            ["county_cost_eur_total", "municipalities_without_physical_site"]
        )
        unchanged = int((~changed).sum())
        for _, r in h.loc[changed].iterrows():
            lines.append(
                f"  {r['figure']}: {_fmt(r['base'])} -> {_fmt(r['scenario'])} "
                f"({_fmt(r['change'], sign=True)} {r['unit']})"
            )
        if unchanged:
            lines.append(f"  ({unchanged} figures unchanged; all in comparison_headline.csv)")
        return "\n".join(lines)


def _fmt(v: object, *, sign: bool = False) -> str:
    if isinstance(v, float | int | np.floating) and not isinstance(v, bool):
        if np.isnan(float(v)):
            return "-"
        return (
            f"{float(v):+,.1f}".replace(",", " ") if sign else f"{float(v):,.1f}".replace(",", " ")
        )
    return str(v)


def _long(frame: pd.DataFrame, keys: list[str], values: list[str], name: str) -> pd.DataFrame:
    cols = [c for c in values if c in frame.columns]
    return frame.melt(id_vars=keys, value_vars=cols, var_name=name, value_name="value")


def compare(base: Evaluation, other: Evaluation) -> Comparison:
    """Compare ``other`` (a scenario) with ``base`` (today's network) of the same region.

    Raises
    ------
    InputError
        When the two evaluations are of different regions or cells.
    """
    if (
        len(base.cells) != len(other.cells)
        or not (base.cells["cell_id"].to_numpy() == other.cells["cell_id"].to_numpy()).all()
    ):
        raise InputError(
            "compare: the evaluations have different cells; evaluate both on the same region"
        )
    travel = set(other.travel_services)
    b = _long(_travel_rows(base.summary_table, travel), ["service"], _ACCESS, "indicator")
    o = _long(_travel_rows(other.summary_table, travel), ["service"], _ACCESS, "indicator")
    access = b.merge(o, on=["service", "indicator"], suffixes=("_base", "_scenario"))
    access = access.rename(columns={"value_base": "base", "value_scenario": "scenario"})
    access["change"] = access["scenario"] - access["base"]

    be = _long(base.equity, ["service", "measure"], list(_EQUITY), "index")
    oe = _long(other.equity, ["service", "measure"], list(_EQUITY), "index")
    equity = be.merge(oe, on=["service", "measure", "index"], suffixes=("_base", "_scenario"))
    equity = equity.rename(columns={"value_base": "base", "value_scenario": "scenario"})
    equity["change"] = equity["scenario"] - equity["base"]

    affected = _affected(other)
    substitutes = _substitutes(base, other)
    rule_b = base.municipalities.drop_duplicates("municipality")[
        ["municipality", "name", "keeps_physical_site"]
    ].rename(columns={"keeps_physical_site": "base_keeps"})
    rule_o = other.municipalities.drop_duplicates("municipality")[
        ["municipality", "keeps_physical_site", "physical_sites"]
    ].rename(columns={"keeps_physical_site": "scenario_keeps", "physical_sites": "scenario_sites"})
    rule = rule_b.merge(rule_o, on="municipality")

    costs = None
    if base.costs is not None and other.costs is not None:
        costs = compare_costs(base.costs, other.costs)
    headline = _headline(base, other, affected, rule, costs)
    return Comparison(
        base=base,
        other=other,
        access=access,
        equity=equity,
        affected=affected,
        substitutes=substitutes,
        municipality_rule=rule,
        headline=headline,
        costs=costs,
    )


def _travel_rows(frame: pd.DataFrame, travel: set[str]) -> pd.DataFrame:
    """The rows of services residents travel to sites for (home-delivered ones left out)."""
    return frame.loc[frame["service"].astype(str).isin(travel)].reset_index(drop=True)


def _affected(other: Evaluation) -> pd.DataFrame:
    rows = []
    losers = other.losers
    for svc in other.travel_services:
        mine = losers.loc[losers["service"] == svc]
        lost = mine.loc[mine["lost_nearest"].astype(bool)]
        longer = mine.loc[mine["car_minutes_gained"] > 1e-9]
        w = lost["residents"].to_numpy(dtype=float)
        g = lost["car_minutes_gained"].to_numpy(dtype=float)
        ok = np.isfinite(g)
        gt = lost["transit_minutes_gained"].to_numpy(dtype=float)
        okt = np.isfinite(gt)
        rows.append(
            {
                "service": svc,
                "residents_losing_nearest": float(w.sum()),
                "residents_75_losing_nearest": float(lost["residents_75_plus"].sum()),
                "residents_longer_car_trip": float(longer["residents"].sum()),
                "residents_75_longer_car_trip": float(longer["residents_75_plus"].sum()),
                "mean_car_minutes_gained": float(w[ok] @ g[ok] / w[ok].sum())
                if w[ok].sum() > 0
                else 0.0,
                "max_car_minutes_gained": float(g[ok].max()) if ok.any() else 0.0,
                "mean_transit_minutes_gained": float(w[okt] @ gt[okt] / w[okt].sum())
                if w[okt].sum() > 0
                else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def _substitutes(base: Evaluation, other: Evaluation) -> pd.DataFrame:
    cols = [
        "site_id",
        "name",
        "substitute_id",
        "substitute_name",
        "service",
        "residents",
        "residents_75_plus",
        "base_car_minutes",
        "substitute_car_minutes",
        "substitute_transit_minutes",
        "share_substitute_within_30_transit",
        "residents_no_transit_to_substitute",
    ]
    closures = other.scenario.closures
    if not closures:
        return pd.DataFrame(columns=cols)
    col = {s: j for j, s in enumerate(other.site_ids)}
    names = base.sites.drop_duplicates("site_id").set_index("site_id")["name"]
    names = pd.concat([names, other.sites.drop_duplicates("site_id").set_index("site_id")["name"]])
    names = names[~names.index.duplicated()]
    car = other.matrices["car"]
    transit = other.matrices.get("transit")
    bc = base.cells
    rows = []
    travel = set(other.travel_services)
    for c in closures:
        offered = base.sites.loc[base.sites["site_id"] == c.site, "service"].unique()
        for svc in offered:
            if svc not in travel:
                continue
            mine = bc.loc[(bc["service"] == svc) & (bc["site_id"] == c.site)]
            idx = mine.index.to_numpy() - bc.index[bc["service"] == svc][0]
            w = mine["residents"].to_numpy(dtype=float)
            tot = w.sum()
            t_car = car[idx, col[c.substitute]].astype(np.float64)
            t_bus = None if transit is None else transit[idx, col[c.substitute]].astype(np.float64)

            def mean(t: np.ndarray, w: np.ndarray = w) -> float:
                ok = np.isfinite(t)
                return float(w[ok] @ t[ok] / w[ok].sum()) if w[ok].sum() > 0 else float("nan")

            rows.append(
                {
                    "site_id": c.site,
                    "name": names.get(c.site),
                    "substitute_id": c.substitute,
                    "substitute_name": names.get(c.substitute),
                    "service": svc,
                    "residents": tot,
                    "residents_75_plus": float(mine["residents_75_plus"].sum()),
                    "base_car_minutes": mean(mine["car_minutes"].to_numpy(dtype=float)),
                    "substitute_car_minutes": mean(t_car),
                    "substitute_transit_minutes": float("nan") if t_bus is None else mean(t_bus),
                    "share_substitute_within_30_transit": float("nan")
                    if t_bus is None or tot <= 0
                    else float(w[t_bus <= 30].sum() / tot),
                    "residents_no_transit_to_substitute": float("nan")
                    if t_bus is None
                    else float(w[~np.isfinite(t_bus)].sum()),
                }
            )
    return pd.DataFrame(rows, columns=cols)


def _headline(
    base: Evaluation,
    other: Evaluation,
    affected: pd.DataFrame,
    rule: pd.DataFrame,
    costs: pd.DataFrame | None,
) -> pd.DataFrame:
    rows: list[dict[str, object]] = []

    def add(figure: str, b: float, o: float, unit: str) -> None:
        rows.append({"figure": figure, "base": b, "scenario": o, "change": o - b, "unit": unit})

    if costs is not None and {"year", "component", "payer", "base_eur"} <= set(costs):
        county = costs.loc[costs["payer"].astype(str) == "county"]
        for year, grp in county.groupby("year"):
            add(
                f"county_cost_eur_{year}",
                float(grp["base_eur"].sum()),
                float(grp["scenario_eur"].sum()),
                "EUR",
            )
        add(
            "county_cost_eur_total",
            float(county["base_eur"].sum()),
            float(county["scenario_eur"].sum()),
            "EUR",
        )
        for comp, figure, column, unit in (
            ("kela", "kela_eur_total", "eur", "EUR"),
            ("resident_travel", "resident_km_total", "quantity", "km"),
            ("resident_time", "resident_hours_total", "quantity", "hours"),
        ):
            part = costs.loc[costs["component"].astype(str) == comp]
            add(
                figure,
                float(part[f"base_{column}"].sum()),
                float(part[f"scenario_{column}"].sum()),
                unit,
            )
    if base.capacity is not None and other.capacity is not None:
        for svc in other.travel_services:
            add(
                f"{svc}:share_within_target",
                100 * share_within_target(base.capacity, svc),
                100 * share_within_target(other.capacity, svc),
                "%",
            )
    sb = base.summary_table.set_index("service")
    so = other.summary_table.set_index("service")
    for svc in other.travel_services:
        add(
            f"{svc}:unreachable_car_residents",
            float(sb.at[svc, "unreachable_car_residents"]),
            float(so.at[svc, "unreachable_car_residents"]),
            "residents",
        )
        for key in (
            "share_within_30_car",
            "share_within_30_transit",
            "share_75_within_30_car",
            "share_75_within_30_transit",
        ):
            add(f"{svc}:{key}", 100 * float(sb.at[svc, key]), 100 * float(so.at[svc, key]), "%")
        add(
            f"{svc}:mean_car_minutes",
            float(sb.at[svc, "mean_car_minutes"]),
            float(so.at[svc, "mean_car_minutes"]),
            "min",
        )
    a = affected.set_index("service")
    for svc in other.travel_services:
        add(
            f"{svc}:residents_losing_nearest",
            0.0,
            float(a.at[svc, "residents_losing_nearest"]),
            "residents",
        )
        add(
            f"{svc}:residents_75_losing_nearest",
            0.0,
            float(a.at[svc, "residents_75_losing_nearest"]),
            "residents",
        )
    add(
        "municipalities_without_physical_site",
        float((~rule["base_keeps"]).sum()),
        float((~rule["scenario_keeps"]).sum()),
        "municipalities",
    )
    return pd.DataFrame(rows)
