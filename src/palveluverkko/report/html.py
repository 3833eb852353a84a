"""The report: one self-contained HTML file (and its PDF) from an evaluation and a comparison.

:func:`render_report` returns the HTML text; :func:`write_report` writes it; :func:`write_pdf`
prints it to PDF with WeasyPrint. Everything the page needs is inside the file: CSS inline, maps
and charts as inline SVG drawn from the region's own geometry (:mod:`.svgmap`), no scripts, no
fonts, tiles or anything else fetched, so it opens offline and can be mailed to a council.

The page, in order: the council summary (one printed page: headline figures, closed sites and
their substitutes by car and by bus, the one-site-per-municipality rule, costs), maps (travel time
by car and by public transport today, the change in the scenario), the share within 30 minutes by
municipality, per-service and per-municipality tables, equity, capacity, costs by year, notes,
method and data credits. The main service of maps and tables is ``vastaanotto`` (ordinary
outpatient care) when evaluated, else the first service.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from ..errors import InputError
from ..evaluation import Comparison, Evaluation
from ..i18n import number
from ..network.rules import WALK_SPEED_SOURCE
from ..region.model import CostParams, Region
from .localize import credits, note_text, region_name
from .summary import equity_rows, problems, shows
from .svgmap import bar_chart_svg, map_svg
from .template import TEMPLATE
from .texts import LANGS, TEXTS, text

log = logging.getLogger("palveluverkko.report")

__all__ = ["render_report", "write_pdf", "write_report"]

TIME_BREAKS = (10.0, 20.0, 30.0, 45.0, 60.0, math.inf)
TIME_COLOURS = ("#1a9850", "#91cf60", "#d9ef8b", "#fee08b", "#fc8d59", "#d73027")
CHANGE_BREAKS = (0.05, 5.0, 10.0, 20.0, math.inf)
CHANGE_COLOURS = ("#e8e8e8", "#fdd49e", "#fc8d59", "#d7301f", "#7f0000")
MAIN_SERVICE = "vastaanotto"
NBSP = "\u00a0"


def _service_names(region: Region, lang: str) -> dict[str, str]:
    column = f"name_{lang}"
    services = region.services
    if column not in services:
        return {str(s): str(s) for s in services["service"]}
    return {
        str(s): (str(n) if isinstance(n, str) and n else str(s))
        for s, n in zip(services["service"], services[column], strict=True)
    }


def _per_cell(ev: Evaluation, service: str, column: str) -> np.ndarray:
    """``column`` of ``ev.cells`` for ``service`` in the order of the region's population."""
    rows = ev.cells.loc[ev.cells["service"].astype(str) == service]
    series = pd.Series(
        rows[column].to_numpy(dtype=np.float64), index=rows["cell_id"].astype(str).to_numpy()
    )
    order = ev.base_region.population["cell_id"].astype(str)
    return series.reindex(order).to_numpy(dtype=np.float64)


def _site_points(region: Region, ids: list[str]) -> np.ndarray:
    sites = region.sites.set_index(region.sites["site_id"].astype(str))
    sel = sites.loc[[i for i in ids if i in sites.index]]
    return np.column_stack([sel.geometry.x.to_numpy(), sel.geometry.y.to_numpy()])


def _time_labels(lang: str) -> list[str]:
    labels, lo = [], 0.0
    for hi in TIME_BREAKS:
        if not math.isfinite(hi):
            labels.append(f"> {lo:.0f} {text('minutes', lang)}")
        elif lo == 0:
            labels.append(f"≤ {hi:.0f} {text('minutes', lang)}")
        else:
            labels.append(f"{lo:.0f}–{hi:.0f} {text('minutes', lang)}")
        lo = hi
    return labels


def _change_labels(lang: str) -> list[str]:
    return [
        text("no_change", lang),
        "+0–5 min",
        "+5–10 min",
        "+10–20 min",
        f"> +20 min ({text('legend_change', lang)})",
    ]


def _maps(
    base: Evaluation, other: Evaluation | None, service: str, lang: str
) -> list[dict[str, str]]:
    """Each map as ``{"svg", "title", "caption"}`` (the title shown above it, not only in the
    SVG's tooltip)."""
    region = base.base_region
    names = _service_names(region, lang)
    sname = names.get(service, service)
    sites = base.sites.loc[base.sites["service"].astype(str) == service]
    open_ids = sites.loc[sites["status"].isin(["open", "new"]), "site_id"].astype(str).tolist()
    common: dict[str, Any] = {
        "unreachable_label": text("unreachable", lang),
        "site_labels": (text("site_open", lang), text("site_closed", lang)),
        "km_label": text("scale_km", lang),
    }
    out = [
        {
            "svg": map_svg(
                region,
                _per_cell(base, service, "car_minutes"),
                breaks=TIME_BREAKS,
                colours=TIME_COLOURS,
                labels=_time_labels(lang),
                title=text("map_car", lang, service=sname),
                sites_open=_site_points(region, open_ids),
                **common,
            ),
            "title": text("map_car", lang, service=sname),
            "caption": text("map_car_caption", lang),
        }
    ]
    transit = _per_cell(base, service, "transit_minutes")
    if np.isfinite(transit).any():
        out.append(
            {
                "svg": map_svg(
                    region,
                    transit,
                    breaks=TIME_BREAKS,
                    colours=TIME_COLOURS,
                    labels=_time_labels(lang),
                    title=text("map_transit", lang, service=sname),
                    sites_open=_site_points(region, open_ids),
                    **common,
                ),
                "title": text("map_transit", lang, service=sname),
                "caption": text("map_transit_caption", lang),
            }
        )
    if other is not None:
        osites = other.sites.loc[other.sites["service"].astype(str) == service]
        still = osites.loc[osites["status"].isin(["open", "new"]), "site_id"].astype(str).tolist()
        closed = (
            osites.loc[osites["status"].isin(["closed", "service_dropped"]), "site_id"]
            .astype(str)
            .tolist()
        )
        with np.errstate(invalid="ignore"):  # unreachable before and after: inf - inf, no change
            change = _per_cell(other, service, "car_minutes") - _per_cell(
                base, service, "car_minutes"
            )
        change = np.where(np.abs(change) < 1e-9, 0.0, change)
        out.append(
            {
                "svg": map_svg(
                    region,
                    np.maximum(change, 0.0),
                    breaks=CHANGE_BREAKS,
                    colours=CHANGE_COLOURS,
                    labels=_change_labels(lang),
                    title=text("map_change", lang, service=sname),
                    sites_open=_site_points(other.region, still),
                    sites_closed=_site_points(region, closed),
                    **common,
                ),
                "title": text("map_change", lang, service=sname),
                "caption": text("map_change_caption", lang, name=other.scenario.name),
            }
        )
    return out


def _municipality_rows(
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


def _headline(cmp: Comparison, service: str, lang: str) -> list[list[str]]:
    """The council's figures: label, today, scenario, change."""
    h = cmp.headline.set_index("figure")
    names = _service_names(cmp.base.base_region, lang)
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
        change = number(r["change"] / scale, lang, digits, sign=True)
        if share:  # a difference of two shares is in percentage points, not per cent
            change += NBSP + text("pp", lang)
        else:
            change += unit
        if money and round(float(r["change"]) / scale, digits) != 0:
            change += f" ({text('saving' if r['change'] < 0 else 'extra_cost', lang)})"
        rows.append(
            [
                label,
                number(r["base"] / scale, lang, digits) + unit,
                number(r["scenario"] / scale, lang, digits) + unit,
                change,
            ]
        )

    million = text("million", lang)
    meur = f"{NBSP}{million}{NBSP}€"
    add("county_cost_eur_total", text("headline_cost_total", lang), 2, meur, 1e6, money=True)
    add("kela_eur_total", text("headline_kela", lang), 2, meur, 1e6, money=True)
    add("resident_km_total", text("headline_resident_km", lang), 1, f"{NBSP}{million}{NBSP}km", 1e6)
    add("resident_hours_total", text("headline_resident_hours", lang), 0, f"{NBSP}h")
    affected = [service] + [
        s
        for s in cmp.other.services
        if s != service
        and f"{s}:residents_losing_nearest" in h.index
        and float(h.at[f"{s}:residents_losing_nearest", "scenario"]) > 0
    ]
    for s in affected:
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


def _substitute_rows(cmp: Comparison, lang: str) -> list[list[str]]:
    names = _service_names(cmp.base.base_region, lang)
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


def _service_drop_rows(cmp: Comparison, lang: str) -> list[list[str]]:
    """One row per service a site stops offering (a [[convert]]): residents whose nearest
    site it was, and where its capacity and staff go."""
    t = cmp.other.transfers
    if t.empty:
        return []
    drops = t.loc[~t["reason"].isin(["substitute", "closed_without_moving"])]
    if drops.empty:
        return []
    names = _service_names(cmp.base.base_region, lang)
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


def _unreachable_note(ev: Evaluation, service: str, lang: str) -> str:
    """A sentence naming the municipalities whose residents mostly cannot reach the roads,
    with the likely cause and the fix; empty when there are none."""
    m = ev.municipalities.loc[ev.municipalities["service"].astype(str) == service]
    if m.empty or "unreachable_car_residents" not in m:
        return ""
    share = m["unreachable_car_residents"] / m["residents"].where(m["residents"] > 0)
    bad = m.loc[share.fillna(0) > 0.5]
    if bad.empty:
        return ""
    cells = ev.unreachable
    reason = "no_road_within_limit"
    if not cells.empty:
        mine = cells.loc[
            (cells["mode"] == "car") & cells["municipality"].astype(str).isin(bad["municipality"])
        ]
        if not mine.empty:
            reason = str(mine.groupby("reason")["residents"].sum().idxmax())
    key = f"cause_{reason}"
    cause = text(key, lang) if key in TEXTS else reason
    names = ", ".join(
        f"{r['name']} ({number(r['unreachable_car_residents'], lang)})" for _, r in bad.iterrows()
    )
    return text("unreachable_municipalities", lang, names=names, cause=cause)


def _approximate_note(ev: Evaluation, region: Region, lang: str) -> str:
    """The first page's line when car times are straight-line estimates (empty when none)."""
    cells = ev.cells
    if "approximate" not in cells or not cells["approximate"].any():
        return ""
    rough = cells.loc[cells["approximate"].astype(bool)].drop_duplicates("cell_id")
    residents = float(rough["residents"].sum())
    total = float(cells.drop_duplicates("cell_id")["residents"].sum())
    return text(
        "approximate",
        lang,
        residents=number(residents, lang),
        share=number(residents / total if total else 0.0, lang, 1, pct=True),
    )


def _estimate_notes(ev: Evaluation, lang: str) -> list[str]:
    """Notes on the results that rest on estimates and on the services delivered at home."""
    notes = []
    sites = ev.sites.loc[ev.sites["status"] != "closed"]
    if "estimated" in sites and sites["estimated"].astype(bool).any():
        costs = sites.drop_duplicates("site_id")["missing_figures"].astype(str)
        notes.append(
            text(
                "estimated_summary",
                lang,
                n=number(int(sites["estimated"].astype(bool).sum()), lang),
                total=number(len(sites), lang),
                costs=number(int(costs.str.contains("annual_cost_eur").sum()), lang),
            )
        )
    home = [s for s in ev.services if s not in set(ev.travel_services)]
    if home:
        names = _service_names(ev.base_region, lang)
        notes.append(
            text("home_services_note", lang, names=", ".join(names.get(s, s) for s in home))
        )
    return notes


def _capacity_rows(ev: Evaluation, service: str, lang: str) -> list[list[str]]:
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


def _cost_rows(
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


def _cost_note(comparison: Comparison | None, lang: str, p: CostParams) -> str:
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


def _service_rows(base: Evaluation, other: Evaluation | None, lang: str) -> list[list[str]]:
    names = _service_names(base.base_region, lang)
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


def _no_break(cell: object) -> str:
    """A table cell whose units never wrap away from their number (``57,4 %``, ``1,2 milj. €``)."""
    return re.sub(r"(?<=\d) (?=%|€|min\b|km\b|h\b|milj\.|M\b)", NBSP, str(cell))


def render_report(
    base: Evaluation,
    comparison: Comparison | None = None,
    region: Region | None = None,
    *,
    lang: str = "fi",
    service: str | None = None,
) -> str:
    """The report as one self-contained HTML text (module docstring)."""
    if lang not in LANGS:
        raise InputError(
            f"report language {lang!r} is not one of {', '.join(LANGS)}; use --lang fi"
        )
    region = region if region is not None else base.base_region
    other = comparison.other if comparison is not None else None
    if service is None:
        service = MAIN_SERVICE if MAIN_SERVICE in base.services else base.services[0]
    elif service not in base.services:
        raise InputError(
            f"report: service {service!r} was not evaluated; "
            f"choose one of {', '.join(base.services)}"
        )
    names = _service_names(region, lang)
    sname = names.get(service, service)

    b = base.municipalities.loc[base.municipalities["service"].astype(str) == service]
    b = b.sort_values("residents", ascending=False)
    series = [(text("baseline", lang), "#4575b4", b["share_within_30_car"].to_numpy() * 100)]
    if other is not None:
        o = other.municipalities.loc[other.municipalities["service"].astype(str) == service]
        o = o.set_index(o["municipality"].astype(str)).reindex(b["municipality"].astype(str))
        series.append(
            (text("scenario", lang), "#d73027", o["share_within_30_car"].to_numpy() * 100)
        )
    chart = bar_chart_svg(
        [str(n) for n in b["name"]],
        series,
        title=text("chart_within30", lang, service=sname),
        axis_label=text("chart_axis", lang),
    )
    rule_broken: list[str] = []
    if comparison is not None:
        mr = comparison.municipality_rule
        rule_broken = [str(n) for n in mr.loc[~mr["scenario_keeps"].astype(bool), "name"]]
    else:
        mr = base.municipalities.drop_duplicates("municipality")
        rule_broken = [str(n) for n in mr.loc[~mr["keeps_physical_site"].astype(bool), "name"]]
    cost_years, cost_rows = _cost_rows(comparison, base, lang)
    shown = other if other is not None else base
    translated = [
        note_text(n, lang) for n in (*base.notes, *(other.notes if other is not None else ()))
    ]
    notes = list(
        dict.fromkeys(
            [
                *_estimate_notes(shown, lang),
                WALK_SPEED_SOURCE[lang],
                *(n for n in translated if n),
            ]
        )
    )
    evaluations = [base] if other is None else [base, other]
    context: Mapping[str, Any] = {
        "lang": lang,
        "t": lambda key, **f: text(key, lang, **f),
        "region": region,
        "synthetic": bool(region.meta.synthetic),
        "base": base,
        "other": other,
        "comparison": comparison,
        "service_name": sname,
        "headline": _headline(comparison, service, lang) if comparison is not None else [],
        "substitutes": _substitute_rows(comparison, lang) if comparison is not None else [],
        "service_drops": _service_drop_rows(comparison, lang) if comparison is not None else [],
        "unreachable_note": _unreachable_note(shown, service, lang),
        "approximate": _approximate_note(shown, region, lang),
        "capacity_estimated": bool(
            shown.capacity is not None
            and "estimated" in shown.capacity
            and shown.capacity["estimated"].astype(bool).any()
        ),
        "rule_broken": rule_broken,
        "maps": _maps(base, other, service, lang),
        "chart": chart,
        "service_rows": _service_rows(base, other, lang),
        "municipality_rows": _municipality_rows(base, other, service, lang),
        "equity_rows": equity_rows(evaluations, service, lang),
        "problems": problems(evaluations, service, lang, names),
        "shows": {
            w: shows(base, other, lang, which=w) for w in ("baseline", "scenario", "both", "change")
        },
        "chart_title": text("chart_within30", lang, service=sname),
        "region_name": region_name(region, lang),
        "capacity_rows": _capacity_rows(other if other is not None else base, service, lang),
        "capacity_available": (other if other is not None else base).capacity is not None,
        "cost_years": cost_years,
        "cost_rows": cost_rows,
        "cost_note": _cost_note(comparison, lang, region.costs),
        "notes": notes,
        "credits": credits(region, lang),
        "residents": number(region.total_population, lang),
    }
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["safe_svg"] = lambda s: jinja2.utils.markupsafe.Markup(s)
    env.filters["nb"] = _no_break
    return env.from_string(TEMPLATE).render(**context)


def write_report(
    base: Evaluation,
    comparison: Comparison | None,
    region: Region | None,
    path: str | Path,
    *,
    lang: str = "fi",
    service: str | None = None,
    pdf: bool = False,
) -> Path:
    """Write :func:`render_report` to ``path`` (and, with ``pdf``, the PDF beside it)."""
    from ..atomic import output_file

    path = Path(path)
    html = render_report(base, comparison, region, lang=lang, service=service)
    with output_file(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    log.info("wrote %s (%.1f MB)", path, path.stat().st_size / 1e6)
    if pdf:
        write_pdf(html, path.with_suffix(".pdf"))
    return path


def write_pdf(html: str, path: str | Path) -> Path:
    """Print the report's HTML to a PDF file with WeasyPrint (A4, print styles of the page)."""
    import weasyprint

    from ..atomic import output_file

    path = Path(path)
    with output_file(path) as tmp:
        weasyprint.HTML(string=html).write_pdf(tmp)
    log.info("wrote %s", path)
    return path
