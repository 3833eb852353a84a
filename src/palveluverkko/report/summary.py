"""Sentences of the report that read figures for a resident: equity, the largest problems, and
which network each table shows.

:func:`equity_rows` gives each inequality figure a label and one sentence of what it means;
:func:`problems` names the most loaded site and the worst-reached municipality of today and of
the scenario (the decision summary's "largest problems"); :func:`shows` says which network a
table shows.
"""

from __future__ import annotations

import math

import pandas as pd

from ..evaluation import Evaluation
from ..i18n import number
from .texts import text

__all__ = ["equity_rows", "problems", "shows", "shows_all"]


def _equity_of(ev: Evaluation, service: str) -> pd.Series | None:
    e = ev.equity
    sel = e.loc[(e["service"].astype(str) == service) & (e["measure"] == "car")]
    return None if sel.empty else sel.iloc[0]


def _p90(ev: Evaluation, service: str) -> float:
    s = ev.summary_table
    row = s.loc[s["service"].astype(str) == service]
    if row.empty or "p90_car_minutes" not in row:
        return float("nan")
    return float(row["p90_car_minutes"].iloc[0])


def _sentence(key: str, value: float, lang: str, digits: int, threshold: float, mean: float) -> str:
    if not math.isfinite(value):  # no figure (e.g. no rural cells): nothing to explain
        return ""
    shown = number(value, lang, digits)
    if key == "gini":  # Gini = mean absolute difference / (2 * mean)
        return text("eqs_gini", lang, diff=number(2.0 * value * mean, lang, 1))
    if key == "worst10_mean_minutes":
        return text("eqs_worst10", lang, value=shown, threshold=number(threshold, lang, 0))
    short = {"theil": "eqs_theil", "palma": "eqs_palma"}
    short |= {"rural_urban_gap_minutes": "eqs_gap", "mean_minutes": "eqs_mean"}
    return text(short[key], lang, value=shown)


EQUITY_FIGURES = (
    ("gini", "eq_gini", 3),
    ("theil", "eq_theil", 3),
    ("palma", "eq_palma", 2),
    ("worst10_mean_minutes", "eq_worst10", 1),
    ("rural_urban_gap_minutes", "eq_gap", 1),
    ("mean_minutes", "eq_mean", 1),
)


def equity_rows(
    evaluations: list[Evaluation], service: str, lang: str, *, change: bool = True
) -> list[list[str]]:
    """Per figure: label, the value of each evaluation (today first), the change of the last
    against the first (with ``change`` and two or more), and one sentence on the last."""
    picked = [_equity_of(ev, service) for ev in evaluations]
    if picked[0] is None:
        return []
    last_ev = evaluations[-1]
    rows = []
    for key, label, digits in EQUITY_FIGURES:
        values = [float(p[key]) if p is not None else float("nan") for p in picked]
        row = [text(label, lang), *(number(v, lang, digits) for v in values)]
        if change and len(values) > 1:
            row.append(number(values[-1] - values[0], lang, digits, sign=True))
        mean = float(picked[-1]["mean_minutes"]) if picked[-1] is not None else float("nan")
        row.append(_sentence(key, values[-1], lang, digits, _p90(last_ev, service), mean))
        rows.append(row)
    return rows


def _capacity_problem(
    ev: Evaluation, when: str, lang: str, names: dict[str, str], service: str | None = None
) -> str:
    """The most loaded site (of ``service``, or of any service) as a sentence."""
    cap = ev.capacity
    if cap is None or cap.empty or "utilisation" not in cap:
        return ""
    if service is not None:
        cap = cap.loc[cap["service"].astype(str) == service]
    cap = cap.loc[~cap["status"].isin(["no_demand", "home_not_evaluated"])]
    cap = cap.loc[pd.to_numeric(cap["utilisation"], errors="coerce").notna()]
    if cap.empty:
        return ""
    r = cap.sort_values("utilisation", ascending=False).iloc[0]
    if float(r["utilisation"]) < 1.0:
        every = text("all_services", lang) if service is None else names.get(service, service)
        return text("problem_none", lang, when=when, service=every)
    sites = ev.region.sites.set_index(ev.region.sites["site_id"].astype(str))["name"]
    sid = str(r["site_id"])
    return text(
        "problem_capacity",
        lang,
        when=when,
        site=f"{sites.get(sid, sid)}",
        service=names.get(str(r["service"]), str(r["service"])),
        util=number(r["utilisation"], lang, 0, pct=True),
        wait=number(r["expected_wait_days"], lang, 1),
        within=number(r["share_within_target"], lang, 0, pct=True),
    )


def _access_problem(
    ev: Evaluation, service: str, when: str, lang: str, names: dict[str, str]
) -> str:
    m = ev.municipalities.loc[ev.municipalities["service"].astype(str) == service]
    m = m.loc[m["residents"] > 0]
    if m.empty:
        return ""
    r = m.sort_values(["share_within_30_car", "mean_car_minutes"], ascending=[True, False]).iloc[0]
    return text(
        "problem_access",
        lang,
        when=when,
        municipality=str(r["name"]),
        service=names.get(service, service),
        share=number(r["share_within_30_car"], lang, 1, pct=True),
        mean=number(r["mean_car_minutes"], lang, 1),
    )


def problems(
    evaluations: list[Evaluation], service: str, lang: str, names: dict[str, str]
) -> list[str]:
    """The largest capacity problem (over all services, and of ``service`` when another), and
    the worst access to ``service``, of today and of each scenario; one sentence each."""
    out = []
    for i, ev in enumerate(evaluations):
        if i == 0:
            when = text("today", lang)
        elif len(evaluations) == 2:
            when = text("in_scenario", lang)
        else:
            when = f"{text('scenario', lang)} ”{ev.scenario.name}”"
        overall = _capacity_problem(ev, when, lang, names)
        main = _capacity_problem(ev, when, lang, names, service)
        out += [
            overall,
            main if main != overall else "",
            _access_problem(ev, service, when, lang, names),
        ]
    return [s for s in out if s]


def shows(base: Evaluation, other: Evaluation | None, lang: str, *, which: str) -> str:
    """The line under a table saying which network it shows: ``which`` is ``baseline``,
    ``scenario`` (the scenario alone, or today without one), ``both`` or ``change``."""
    year = (other or base).year
    if other is None or which == "baseline":
        return text("shows_baseline", lang, year=base.year)
    name = other.scenario.name
    key = {"scenario": "shows_scenario", "both": "shows_both", "change": "shows_change"}[which]
    return text(key, lang, name=name, year=year)


def shows_all(base: Evaluation, others: list[Evaluation], lang: str) -> str:
    """The line under a table or figure of today and every scenario."""
    if not others:
        return text("shows_baseline", lang, year=base.year)
    if len(others) == 1:
        return shows(base, others[0], lang, which="both")
    names = ", ".join(f"”{ev.scenario.name}”" for ev in others)
    return text("shows_many", lang, names=names, year=others[0].year)
