"""Mission histories: a county's mission file, and the demo county's synthetic history.

A mission file is a CSV (or a DataFrame) with one row per mission and the columns

* ``x``, ``y`` (EPSG:3067 metres) **or** ``cell_id`` (a population cell id of the region, or a
  1 km risk-area cell id ``1km_<floor(x/1000)>_<floor(y/1000)>``);
* ``urgency``: ``A``, ``B``, ``C`` or ``D``;
* ``time``: the alarm's date and time (ISO 8601, e.g. ``2024-03-01T14:05``).

Other columns are kept. :func:`read_missions` checks every row and raises one
:class:`~palveluverkko.errors.ValidationError` naming each bad row (its line in the file) and
column; nothing is dropped silently.

:func:`synthetic_missions` draws a year of missions for any region from the estimated rates of
:mod:`.grid` (Poisson counts per 1 km cell and urgency, a point near a populated cell of the 1 km
cell, alarm times from the daily and weekly rhythm of the parameters). It is how the SYNTHETIC
demo county gets a history.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from ..errors import Problem, ValidationError
from ..region.model import Region
from .params import URGENCIES, EmsParams, default_params

__all__ = ["history_years", "read_missions", "synthetic_missions"]

KM_PREFIX = "1km_"


def read_missions(source: str | Path | pd.DataFrame, *, what: str | None = None) -> pd.DataFrame:
    """Read and check a mission history.

    Parameters
    ----------
    source
        A CSV path (UTF-8, comma or semicolon separated) or a DataFrame.
    what
        Name used in messages (default: the path).

    Returns
    -------
    pandas.DataFrame
        ``urgency`` (str), ``time`` (datetime64), ``x`` and ``y`` (float, NaN where the row
        gives a ``cell_id``), ``cell_id`` (str, ``""`` where it gives coordinates), plus the
        file's other columns.

    Raises
    ------
    ValidationError
        Listing every bad row with its line number and column.
    """
    name = what or (str(source) if not isinstance(source, pd.DataFrame) else "missions")
    if isinstance(source, pd.DataFrame):
        frame = source.copy()
        first_line = 0
    else:
        text = Path(source).read_text(encoding="utf-8-sig")
        sep = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
        first_line = 2  # line 1 is the header
    problems: list[Problem] = []
    cols = set(frame.columns)
    has_xy = {"x", "y"} <= cols
    missing = [c for c in ("urgency", "time") if c not in cols]
    if not has_xy and "cell_id" not in cols:
        missing.append("x and y, or cell_id")
    if missing:
        problems.append(
            Problem(
                "error",
                name,
                ", ".join(missing),
                "",
                f"column(s) missing (found: {', '.join(map(str, frame.columns)) or 'none'})",
                "give urgency, time and either x, y (EPSG:3067) or cell_id",
            )
        )
        raise ValidationError(problems, what=name)

    def line(i: int) -> str:
        return str(i + first_line) if first_line else str(i)

    n = len(frame)
    urgency = frame["urgency"].astype(str).str.strip().str.upper()
    for i in np.flatnonzero(~urgency.isin(URGENCIES).to_numpy()).tolist():
        problems.append(
            Problem(
                "error",
                name,
                "urgency",
                line(int(i)),
                f"urgency {frame['urgency'].iloc[i]!r} is not one of A, B, C, D",
                "correct the value",
            )
        )
    time = pd.to_datetime(frame["time"].astype(str).str.strip(), errors="coerce", format="ISO8601")
    for i in np.flatnonzero(time.isna().to_numpy()).tolist():
        problems.append(
            Problem(
                "error",
                name,
                "time",
                line(int(i)),
                f"time {frame['time'].iloc[i]!r} is not a date and time such as 2024-03-01T14:05",
                "write ISO 8601 times",
            )
        )
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    cell = np.full(n, "", dtype=object)
    if "cell_id" in cols:
        cell = frame["cell_id"].astype(str).str.strip().to_numpy(dtype=object)
    if has_xy:
        x = pd.to_numeric(frame["x"], errors="coerce").to_numpy(dtype=np.float64).copy()
        y = pd.to_numeric(frame["y"], errors="coerce").to_numpy(dtype=np.float64).copy()
    for i in range(n):  # rows are few enough for a plain loop; each bad one is named
        if cell[i] != "" and not (has_xy and np.isfinite(x[i]) and np.isfinite(y[i])):
            x[i] = y[i] = np.nan
            continue
        if not has_xy:
            problems.append(
                Problem("error", name, "cell_id", line(i), "empty cell_id", "give a cell id")
            )
            continue
        for col, v in (("x", x[i]), ("y", y[i])):
            if not np.isfinite(v):
                problems.append(
                    Problem(
                        "error",
                        name,
                        col,
                        line(i),
                        f"{col} {frame[col].iloc[i]!r} is not a coordinate (EPSG:3067 metres)",
                        "give x and y, or a cell_id",
                    )
                )
        cell[i] = ""
    if problems:
        raise ValidationError(problems, what=name)
    out = frame.drop(columns=[c for c in ("urgency", "time", "x", "y", "cell_id") if c in cols])
    out.insert(0, "cell_id", pd.Series(cell, index=frame.index, dtype=object).astype(str))
    out.insert(0, "y", y)
    out.insert(0, "x", x)
    out.insert(0, "time", time.to_numpy())
    out.insert(0, "urgency", urgency.to_numpy())
    return out.reset_index(drop=True)


def history_years(missions: pd.DataFrame) -> float:
    """Years a history spans: whole days from the first to the last alarm's day, over 365."""
    if len(missions) == 0:
        return 1.0
    t = pd.to_datetime(missions["time"])
    days = (t.max().normalize() - t.min().normalize()).days + 1
    return max(days, 1) / 365.0


def synthetic_missions(
    region: Region,
    seed: int = 0,
    *,
    params: EmsParams | None = None,
    year: int | None = None,
    on_road_share: float = 0.02,
) -> pd.DataFrame:
    """A SYNTHETIC year of missions for ``region`` (columns as :func:`read_missions` returns).

    Counts per 1 km cell and urgency are Poisson with the estimated yearly means of
    :func:`.grid.estimate_missions`; each mission lies at a populated cell of its 1 km cell
    (drawn by residents) plus a uniform offset within 125 m; its alarm hour of the week follows
    ``params.hour_of_week_weight()`` and its minute is uniform. A share ``on_road_share``
    (ASSUMPTION 2 %: traffic accidents and other alarms away from homes) is moved to a random
    point of the road network (roads drawn by length, ferries left out), which may open
    ``other`` cells.
    Deterministic for a seed.

    Parameters
    ----------
    region
        The region (any; the demo county's history comes from here).
    seed
        Seed of every draw.
    params
        Rates and rhythm (default :func:`~.params.default_params`).
    year
        Calendar year of the history (default the region's base year).
    """
    from .grid import risk_grid  # the grid needs no history to estimate rates

    p = params or default_params()
    year = region.base_year if year is None else year
    rng = np.random.default_rng([seed, 18])
    grid = risk_grid(region, p)
    rates = grid.cells[[f"missions_{u}" for u in URGENCIES]].to_numpy(dtype=np.float64)
    counts = rng.poisson(rates)  # (cells, urgencies)
    cell_idx, urg_idx = np.nonzero(counts)
    reps = counts[cell_idx, urg_idx]
    cell_of = np.repeat(cell_idx, reps)
    urg_of = np.repeat(urg_idx, reps)
    # a populated sub-cell of the 1 km cell, by residents
    pop_xy = region.cell_points()
    residents = grid.population_residents
    km = grid.cell_of_population
    order = np.argsort(km, kind="stable")
    starts = np.searchsorted(km[order], np.arange(len(grid.cells)))
    ends = np.searchsorted(km[order], np.arange(len(grid.cells)), side="right")
    cum = np.cumsum(residents[order].astype(np.float64))
    base = np.where(starts > 0, cum[np.maximum(starts - 1, 0)], 0.0)
    total = cum[np.maximum(ends - 1, 0)] - base
    u = rng.uniform(size=len(cell_of))
    pick = np.searchsorted(cum, base[cell_of] + u * total[cell_of], side="right")
    pick = np.clip(pick, starts[cell_of], ends[cell_of] - 1)
    xy = pop_xy[order[pick]] + rng.uniform(-125.0, 125.0, size=(len(cell_of), 2))
    if region.roads is not None and len(region.roads) and on_road_share > 0:
        roads = region.roads
        if "road_class" in roads:
            roads = roads[roads["road_class"].astype(str) != "ferry"]
        lines = roads.geometry.to_numpy()
        length = shapely.length(lines)
        moved = np.flatnonzero(rng.uniform(size=len(cell_of)) < on_road_share)
        seg = rng.choice(len(lines), size=moved.size, p=length / length.sum())
        pts = shapely.line_interpolate_point(
            lines[seg], rng.uniform(size=moved.size), normalized=True
        )
        xy[moved] = shapely.get_coordinates(pts)
    # alarm times: a day of the year, then an hour of that weekday by the rhythm
    start = pd.Timestamp(year=year, month=1, day=1)
    n_days = (pd.Timestamp(year=year + 1, month=1, day=1) - start).days
    day_w = np.asarray(p.day_weight, dtype=np.float64)
    weekday0 = start.weekday()
    w_day = day_w[(weekday0 + np.arange(n_days)) % 7]
    day = rng.choice(n_days, size=len(cell_of), p=w_day / w_day.sum())
    hour_w = np.asarray(p.hour_weight, dtype=np.float64)
    hour = rng.choice(24, size=len(cell_of), p=hour_w / hour_w.sum())
    seconds = rng.uniform(0, 3600, size=len(cell_of))
    time = (
        start
        + pd.to_timedelta(day, unit="D")
        + pd.to_timedelta(hour, unit="h")
        + pd.to_timedelta(seconds, unit="s")
    ).floor("s")
    out = pd.DataFrame(
        {
            "urgency": np.asarray(URGENCIES, dtype=object)[urg_of],
            "time": time,
            "x": xy[:, 0],
            "y": xy[:, 1],
            "cell_id": "",
        }
    )
    out = out.sort_values("time", kind="stable").reset_index(drop=True)
    out.insert(0, "mission_id", [f"S{i + 1:06d}" for i in range(len(out))])
    return out
