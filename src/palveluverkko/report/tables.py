"""The report's tables as rows of display strings, in the report's language.

Each function takes evaluations (or a comparison) and returns ``list[list[str]]`` rows for the
template: the council's headline figures, closed sites and their substitutes, services that stop
at a site, services, municipalities, capacity and costs by year.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..evaluation import Comparison, Evaluation
from ..i18n import number
from ..region.model import CostParams, Region
from .texts import TEXTS, text

__all__ = [
    "NBSP",
    "affected_services",
    "capacity_rows",
    "cost_note",
    "cost_rows",
    "headline_rows",
    "municipality_rows",
    "service_drop_rows",
    "service_names",
    "service_rows",
    "substitute_rows",
]

NBSP = "\u00a0"


def service_names(region: Region, lang: str) -> dict[str, str]:
    column = f"name_{lang}"
    services = region.services
    if column not in services:
        return {str(s): str(s) for s in services["service"]}
    return {
        str(s): (str(n) if isinstance(n, str) and n else str(s))
        for s, n in zip(services["service"], services[column], strict=True)
    }


def municipality_rows(
    base: Evaluation, other: Evaluation | None, service: str, lang: str
) -> list[list[str]]:
    b = base.municipalities.loc[base.municipalities["service"].astype(str) == service]
    b = b.set_index(b["municipality"].astype(str))
    o = None
    if other is not None:
        o = other.municipalities.loc[other.municipalities["service"].astype(str) == service]
        o = o.set_index(o["municipality"].astype(str))
    rows = []
    for code, r in b.sort_values("residents", ascending=False).iterrows():

        def pair(
            column: str, pct: bool = False, digits: int = 0, r: Any = r, code: Any = code
        ) -> str:
            first = number(r[column], lang, digits, pct=pct)
            if o is None or code not in o.index:
                return first
            second = number(o.at[code, column], lang, digits, pct=pct)
            return first if second == first else f"{first} → {second}"

        keeps = (
            bool(r["keeps_physical_site"]) if o is None else bool(o.at[code, "keeps_physical_site"])
        )
        rows.append(
            [
                f"{r['name']} ({code})",
                number(r["residents"], lang),
                pair("share_within_30_car", pct=True, digits=1),
                pair("share_within_30_transit", pct=True, digits=1),
                pair("mean_car_minutes", digits=1),
                pair("worst_car_minutes", digits=0),
                text("yes" if keeps else "no", lang),
            ]
        )
    return rows


def affected_services(cmp: Comparison, service: str) -> list[str]:
    """``service`` and every other service some residents lose their nearest site of."""
    h = cmp.headline.set_index("figure")
    return [service] + [
        s
        for s in cmp.other.services
        if s != service
        and f"{s}:residents_losing_nearest" in h.index
        and float(h.at[f"{s}:residents_losing_nearest", "scenario"]) > 0
    ]


def headline_rows(
    cmp: Comparison, service: str, lang: str, *, affected: Sequence[str] | None = None
) -> list[list[str]]:
    """The council's figures: label, today, scenario, change. ``affected``: the services whose
    lost-nearest rows are shown (default :func:`affected_services`; several scenarios side by
    side pass the union, so that every column has the same rows)."""
    h = cmp.headline.set_index("figure")
    names = service_names(cmp.base.base_region, lang)
    rows: list[list[str]] = []

    def add(
        figure: str,
        label: str,
        digits: int = 0,
        unit: str = "",
        scale: float = 1.0,
        *,
        share: bool = False,
        money: bool = False,
    ) -> None:
        if figure not in h.index:
            return
        r = h.loc[figure]

        def shown(value: float, unit: str, sign: bool = False) -> str:
            figure = number(value / scale, lang, digits, sign=sign)
            return figure if figure in ("–", "∞") else figure + unit  # no unit on no value

        # a difference of two shares is in percentage points, not per cent
        change = shown(r["change"], NBSP + text("pp", lang) if share else unit, sign=True)
        if money and round(float(r["change"]) / scale, digits) != 0:
            change += f" ({text('saving' if r['change'] < 0 else 'extra_cost', lang)})"
        rows.append([label, shown(r["base"], unit), shown(r["scenario"], unit), change])

    million = text("million", lang)
    meur = f"{NBSP}{million}{NBSP}€"
    add("county_cost_eur_total", text("headline_cost_total", lang), 2, meur, 1e6, money=True)
    add("kela_eur_total", text("headline_kela", lang), 2, meur, 1e6, money=True)
    add("resident_km_total", text("headline_resident_km", lang), 1, f"{NBSP}{million}{NBSP}km", 1e6)
    add("resident_hours_total", text("headline_resident_hours", lang), 0, f"{NBSP}h")
    for s in affected if affected is not None else affected_services(cmp, service):
        sname = names.get(s, s)
        add(f"{s}:residents_losing_nearest", f"{sname}: {text('headline_losing', lang)}")
        add(f"{s}:residents_75_losing_nearest", f"{sname}: {text('headline_losing75', lang)}")
    sname = names.get(service, service)
    pct = f"{NBSP}%"
    add(
        f"{service}:share_within_30_car",
        f"{sname}: {text('headline_within30_car', lang)}",
        1,
        pct,
        share=True,
    )
    add(
        f"{service}:share_within_30_transit",
        f"{sname}: {text('headline_within30_bus', lang)}",
        1,
        pct,
        share=True,
    )
    add(
        f"{service}:mean_car_minutes",
        f"{sname}: {text('headline_mean_car', lang)}",
        1,
        f"{NBSP}min",
    )
    add(f"{service}:unreachable_car_residents", f"{sname}: {text('unreachable_car', lang)}")
    add(
        f"{service}:share_within_target",
        f"{sname}: {text('headline_within_target', lang)}",
        1,
        pct,
        share=True,
    )
    add("municipalities_without_physical_site", text("headline_without_site", lang))
    return rows


def substitute_rows(cmp: Comparison, lang: str) -> list[list[str]]:
    names = service_names(cmp.base.base_region, lang)
    rows = []
    for _, r in cmp.substitutes.iterrows():
        rows.append(
            [
                f"{r['name']} ({r['site_id']})",
                f"{r['substitute_name']} ({r['substitute_id']})",
                names.get(str(r["service"]), str(r["service"])),
                number(r["residents"], lang),
                number(r["residents_75_plus"], lang),
                number(r["base_car_minutes"], lang, 1),
                number(r["substitute_car_minutes"], lang, 1),
                number(r["substitute_transit_minutes"], lang, 1),
            ]
        )
    return rows


def service_drop_rows(cmp: Comparison, lang: str) -> list[list[str]]:
    """One row per service a site stops offering (a [[convert]]): residents whose nearest
    site it was, and where its capacity and staff go."""
    t = cmp.other.transfers
    if t.empty:
        return []
    drops = t.loc[~t["reason"].isin(["substitute", "closed_without_moving"])]
    if drops.empty:
        return []
    names = service_names(cmp.base.base_region, lang)
    sites = pd.concat([cmp.base.sites, cmp.other.sites]).drop_duplicates("site_id")
    label = dict(zip(sites["site_id"].astype(str), sites["name"].astype(str), strict=True))
    losers = cmp.other.losers
    rows = []
    for (site, svc), grp in drops.groupby(["from_site", "service"], sort=False):
        lost = losers.loc[
            (losers["service"] == svc)
            & (losers["base_site_id"].astype(str) == site)
            & losers["lost_nearest"].astype(bool)
        ]
        moved = grp.loc[grp["to_site"].notna()].sort_values("share", ascending=False)
        if moved.empty:
            where = text("capacity_cut", lang)
        else:
            where = ", ".join(
                f"{label.get(str(r['to_site']), r['to_site'])} "
                f"{number(r['share'], lang, 0, pct=True)}"
                for _, r in moved.head(3).iterrows()
            )
        rows.append(
            [
                f"{label.get(str(site), site)} ({site})",
                names.get(str(svc), str(svc)),
                number(float(lost["residents"].sum()), lang),
                number(float(lost["residents_75_plus"].sum()), lang),
                number(float(grp["capacity_per_week"].sum()), lang),
                where,
            ]
        )
    return rows


def capacity_rows(ev: Evaluation, service: str, lang: str) -> list[list[str]]:
    if ev.capacity is None or ev.capacity.empty:
        return []
    cap = ev.capacity.loc[
        (ev.capacity["service"].astype(str) == service)
        & ~ev.capacity["status"].isin(["no_demand", "home_not_evaluated"])
    ]
    names = ev.region.sites.set_index(ev.region.sites["site_id"].astype(str))["name"]
    cap = cap.sort_values("utilisation", ascending=False).head(15)
    rows = []
    for _, r in cap.iterrows():
        sid = str(r["site_id"])
        rows.append(
            [
                f"{names.get(sid, sid)} ({sid})",
                number(r["contacts_per_week"], lang),
                number(r["capacity_per_week"], lang) + (" *" if r.get("estimated") else ""),
                number(r["utilisation"], lang, 0, pct=True),
                number(r["expected_wait_days"], lang, 1),
                number(r["share_within_target"], lang, 0, pct=True),
            ]
        )
    return rows


_PAYERS = ("county", "kela", "residents")


def cost_rows(
    cmp: Comparison | None, ev: Evaluation, lang: str
) -> tuple[list[str], list[list[str]]]:
    """Rows per component grouped by payer with subtotals: the change against the baseline when
    there is a comparison, else the costs; then residents' km and hours."""
    if cmp is not None and cmp.costs is not None and not cmp.costs.empty:
        table, value, qty, sign = cmp.costs, "change_eur", "change_quantity", True
    elif ev.costs is not None and not ev.costs.empty:
        table, value, qty, sign = ev.costs, "cost_eur", "quantity", False
    else:
        return [], []
    years = sorted(int(y) for y in table["year"].unique())
    rows: list[list[str]] = []

    def values(frame: pd.DataFrame, column: str) -> list[float]:
        by_year = frame.groupby("year")[column].sum()
        return [float(by_year.get(y, float("nan"))) for y in years]

    for payer in _PAYERS:
        part = table.loc[table["payer"].astype(str) == payer]
        if part.empty:
            continue
        for comp, grp in part.groupby("component", sort=False):
            label = text(f"cost_{comp}", lang) if f"cost_{comp}" in TEXTS else str(comp)
            rows.append([label] + [number(v, lang, sign=sign) for v in values(grp, value)])
        total = [number(v, lang, sign=sign) for v in values(part, value)]
        rows.append([f"Σ {text(f'payer_{payer}', lang)}", *total])
    for comp, key in (("resident_travel", "qty_km"), ("resident_time", "qty_hours")):
        grp = table.loc[table["component"].astype(str) == comp]
        if not grp.empty:
            rows.append([text(key, lang)] + [number(v, lang, sign=sign) for v in values(grp, qty)])
    return [str(y) for y in years], rows


def cost_note(comparison: Comparison | None, lang: str, p: CostParams) -> str:
    change = text("costs_change", lang) if comparison is not None else ""
    return text(
        "costs_note",
        lang,
        change=change,
        staff=number(p.staff_eur_per_fte_year, lang),
        deductible=number(p.kela_deductible_eur, lang),
        cap=number(p.kela_yearly_cap_eur, lang),
        car=number(p.car_eur_per_km, lang, 2),
        time=number(p.value_of_time_eur_per_hour, lang),
        due=", ".join(
            f"{cond} → {years}" for cond, years in sorted(p.investment_due_after_years.items())
        ),
        years=p.investment_years,
        rate=number(p.interest_rate, lang, 1, pct=True),
    )


def service_rows(base: Evaluation, other: Evaluation | None, lang: str) -> list[list[str]]:
    names = service_names(base.base_region, lang)
    b = base.summary_table.set_index("service")
    o = other.summary_table.set_index("service") if other is not None else None
    travel = set(base.travel_services)
    rows = []
    for s in base.services:
        if s not in travel:
            home = text("home_not_evaluated", lang)
            digital = number(b.at[s, "digital_share"], lang, 1, pct=True)
            rows.append([names.get(s, s), home, home, "–", "–", "–", digital])
            continue

        def pair(column: str, pct: bool = False, digits: int = 0, s: str = s) -> str:
            first = number(b.at[s, column], lang, digits, pct=pct)
            if o is None or s not in o.index:
                return first
            second = number(o.at[s, column], lang, digits, pct=pct)
            return first if second == first else f"{first} → {second}"

        rows.append(
            [
                names.get(s, s),
                pair("share_within_30_car", pct=True, digits=1),
                pair("share_within_30_transit", pct=True, digits=1),
                pair("mean_car_minutes", digits=1),
                pair("worst_car_minutes"),
                pair("unreachable_car_residents"),
                pair("digital_share", pct=True, digits=1),
            ]
        )
    return rows
