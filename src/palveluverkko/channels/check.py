"""Feasibility checker: re-reads the plans the channels write and checks them independently.

It trusts no solver: it reads the files (``MobilePlan.write``, ``HomeCarePlan.write``), and
recomputes from them and from the written travel times what must hold. Each function returns
the list of problems found (empty when the plan holds); :func:`assert_feasible` raises.

Mobile day tour: every day starts and ends at the depot within the operating hours; the
first stop is reachable from the depot by its arrival, each next stop from the previous
stop's closing, the depot from the last stop by the return; each stop visit lasts its setup
and open hours; each stop has exactly its planned visits per cycle, on distinct days, on
operating weekdays of the cycle. Rotation: stays do not overlap, lie within the rotation and
each stop has its weeks. Both: per cell and service ``served + not_served = eligible`` and
``served`` sums to the stops' figures.

Home care: every visit is either routed exactly once or listed as not served (none lost);
routes start and end at their base, within the shift and its length; visits start within
their window; each leg leaves enough time for the written travel.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..errors import InputError

__all__ = ["assert_feasible", "check_home_care_plan", "check_mobile_plan"]

TOL_MIN = 1.01
"""Tolerance in minutes: times are written rounded to the minute."""


def _hm(text: str) -> float:
    h, m = str(text).split(":")
    return int(h) * 60 + int(m)


def check_mobile_plan(folder: str | Path) -> list[str]:
    """Problems of the mobile plan written in ``folder`` (see the module docstring)."""
    folder = Path(folder)
    meta = json.loads((folder / "plan.json").read_text())
    unit = meta["unit"]
    stops = pd.read_csv(folder / "stops.csv", dtype={"stop_id": str})
    tt = pd.read_csv(folder / "timetable.csv", dtype={"stop_id": str})
    cells = pd.read_csv(folder / "cells.csv", dtype={"stop_id": str, "cell_id": str})
    problems: list[str] = []
    if unit["shape"] == "day_tour":
        problems += _check_day_tour(folder, unit, stops, tt)
    else:
        problems += _check_rotation(unit, stops, tt)
    gap = (cells["eligible"] - cells["served"] - cells["not_served"]).abs().max()
    if len(cells) and gap > 1e-6:
        problems.append(f"cells: served + not_served differs from eligible by up to {gap:.3g}")
    if (cells["served"] < -1e-9).any() or (cells["not_served"] < -1e-9).any():
        problems.append("cells: negative served or not_served contacts")
    by_stop = cells.groupby("stop_id")["served"].sum()
    for _, row in stops.iterrows():
        got = float(by_stop.get(row["stop_id"], 0.0))
        if abs(got - float(row["served_per_year"])) > 1e-6 * max(1.0, got):
            problems.append(
                f"stop {row['stop_id']}: cells' served contacts {got:.1f} differ from the "
                f"stop's {row['served_per_year']:.1f}"
            )
    return problems


def _check_day_tour(folder: Path, unit: dict, stops: pd.DataFrame, tt: pd.DataFrame) -> list[str]:
    problems: list[str] = []
    days = pd.read_csv(folder / "days.csv")
    travel = pd.read_csv(folder / "travel_minutes.csv", index_col=0)
    travel.index = travel.index.astype(str)
    travel.columns = travel.columns.astype(str)
    start, end = unit["day_start_min"], unit["day_end_min"]
    visit = unit["visit_minutes"]
    weekdays = set(unit["weekdays"])
    for _, d in days.iterrows():
        label = f"day {int(d['day'])} (week {int(d['week'])}, weekday {int(d['weekday'])})"
        if d["depart"] < start - TOL_MIN or d["return"] > end + TOL_MIN:
            problems.append(
                f"{label}: runs {d['depart']:.0f}-{d['return']:.0f} min, outside the hours "
                f"{start}-{end}"
            )
        if int(d["weekday"]) not in weekdays or not 1 <= int(d["week"]) <= unit["cycle_weeks"]:
            problems.append(f"{label}: not an operating day of the cycle")
        rows = tt.loc[tt["day"] == d["day"]].sort_values("arrive")
        here, t = "depot", float(d["depart"])
        for _, v in rows.iterrows():
            arrive, close = _hm(v["arrive"]), _hm(v["close"])
            need = float(travel.loc[here, v["stop_id"]])
            if t + need > arrive + TOL_MIN:
                problems.append(
                    f"{label}: {v['stop_id']} reached at {v['arrive']} but leaving {here} at "
                    f"{t:.0f} min and driving {need:.0f} min arrives later"
                )
            if close - arrive < visit - TOL_MIN:
                problems.append(
                    f"{label}: {v['stop_id']} stays {close - arrive:.0f} min, less than the "
                    f"visit of {visit:.0f} min"
                )
            here, t = v["stop_id"], close
        back = float(travel.loc[here, "depot"])
        if len(rows) and t + back > float(d["return"]) + TOL_MIN:
            problems.append(f"{label}: returns at {d['return']:.0f} min, before it can be back")
    used = set(days["day"].astype(int))
    orphan = sorted(set(tt["day"].astype(int)) - used)
    if orphan:
        problems.append(f"timetable: visits on days {orphan} that have no route in days.csv")
    count = tt.groupby("stop_id")["day"].agg(["count", "nunique"])
    for _, s in stops.iterrows():
        sid = s["stop_id"]
        n, distinct = count.loc[sid] if sid in count.index else (0, 0)
        if n != s["visits_per_cycle"]:
            problems.append(
                f"stop {sid}: {n} visits in the timetable, {s['visits_per_cycle']} planned"
            )
        if distinct != n:
            problems.append(f"stop {sid}: two visits on the same day")
    extra = sorted(set(tt["stop_id"]) - set(stops["stop_id"]))
    if extra:
        problems.append(f"timetable: stops {extra} are not in stops.csv")
    return problems


def _check_rotation(unit: dict, stops: pd.DataFrame, tt: pd.DataFrame) -> list[str]:
    problems: list[str] = []
    t = tt.sort_values("first_week")
    last = 0
    for _, r in t.iterrows():
        if r["first_week"] <= last:
            problems.append(
                f"rotation: {r['stop_id']} starts in week {r['first_week']} "
                f"before the previous stay ends (week {last})"
            )
        last = int(r["last_week"])
    if last > unit["rotation_weeks"]:
        problems.append(f"rotation: ends in week {last}, after {unit['rotation_weeks']} weeks")
    weeks = dict(zip(stops["stop_id"], stops["weeks"], strict=True))
    for _, r in t.iterrows():
        if r["last_week"] - r["first_week"] + 1 != weeks.get(r["stop_id"], -1):
            problems.append(
                f"rotation: {r['stop_id']} stays a different number of weeks than planned"
            )
    if set(t["stop_id"]) != set(stops["stop_id"]) or len(t) != len(stops):
        problems.append("rotation: timetable and stops.csv list different stops")
    return problems


def check_home_care_plan(folder: str | Path) -> list[str]:
    """Problems of the home-care route set written in ``folder`` (module docstring)."""
    folder = Path(folder)
    meta = json.loads((folder / "plan.json").read_text())
    visits = pd.read_csv(folder / "visits.csv", dtype={"visit_id": str, "base_id": str})
    routes = pd.read_csv(folder / "routes.csv", dtype={"base_id": str})
    problems: list[str] = []
    if visits["visit_id"].duplicated().any():
        problems.append("visits: a visit id appears twice")
    expected = int(meta["n_visits"])
    if len(visits) != expected:
        problems.append(f"visits: {len(visits)} listed, {expected} sampled; some are lost")
    status = set(visits["status"])
    if not status <= {"routed", "not_served"}:
        problems.append(f"visits: unknown status {sorted(status - {'routed', 'not_served'})}")
    routed = visits.loc[visits["status"] == "routed"]
    if routed["route"].isna().any():
        problems.append("visits: a routed visit has no route")
    shift = meta["shift"]
    s0, s1, length = shift["start_min"], shift["end_min"], shift["max_minutes"]
    for _, r in routes.iterrows():
        label = f"route {r['base_id']}/{int(r['route'])}"
        if r["depart"] < s0 - TOL_MIN or r["return"] > s1 + TOL_MIN:
            problems.append(f"{label}: {r['depart']:.0f}-{r['return']:.0f} min outside the shift")
        if r["return"] - r["depart"] > length + TOL_MIN:
            problems.append(f"{label}: lasts {r['return'] - r['depart']:.0f} min > {length}")
        mine = routed.loc[
            (routed["base_id"] == r["base_id"]) & (routed["route"] == r["route"])
        ].sort_values("position")
        t = float(r["depart"])
        for _, v in mine.iterrows():
            if t + v["travel_in_min"] > v["start_min"] + TOL_MIN:
                problems.append(f"{label}: visit {v['visit_id']} starts before it can be reached")
            if v["start_min"] < v["tw_early_min"] - TOL_MIN or (
                v["start_min"] > v["tw_late_min"] + TOL_MIN
            ):
                problems.append(f"{label}: visit {v['visit_id']} starts outside its window")
            t = v["start_min"] + v["service_min"]
        if len(mine) and t + float(r["travel_home_min"]) > float(r["return"]) + TOL_MIN:
            problems.append(f"{label}: returns to its base before it can")
        if len(mine) != int(r["n_visits"]):
            problems.append(f"{label}: {len(mine)} visits listed, {int(r['n_visits'])} counted")
    keys = set(zip(routes["base_id"], routes["route"], strict=True))
    lost = [
        v
        for v, b, r in zip(routed["visit_id"], routed["base_id"], routed["route"], strict=True)
        if (b, r) not in keys
    ]
    if lost:
        problems.append(f"visits: {len(lost)} routed visits on routes not in routes.csv")
    return problems


def assert_feasible(problems: list[str], what: str = "plan") -> None:
    """Raise :class:`InputError` listing ``problems`` (from a ``check_*`` function) if any."""
    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise InputError(f"{what}: {len(problems)} problem(s):\n  {shown}{more}")
