"""The risk-area grid of the service-level decision: 1 km cells, risk class, residents, missions.

Aggregation
    A population cell (250 m cell or postal area; its point in EPSG:3067) belongs to the 1 km
    cell ``(floor(x / 1000), floor(y / 1000))``, id ``1km_<ix>_<iy>``. Residents per age band
    are summed (conserved exactly). The cell's routing point is the residents-weighted mean of
    its population points (the plain mean where it has no residents).

Class (Decree 585/2017)
    With a ``settlement`` value on every population cell of a 1 km cell, each value maps to a
    class (``params.settlement_classes``) and the 1 km cell takes the most urban class among
    its population cells that have residents (a cell with none counts as ``other``). Otherwise
    the density rule: residents of the 1 km cell >= ``core_urban_min_residents`` (ASSUMPTION
    1,500) core urban, >= ``other_urban_min_residents`` (200, the SYKE/YKR urban settlement
    threshold) other urban, >= 1 inhabited rural, else other. A county's own risk-area file
    (:func:`read_risk_areas`) overrides both for the cells it names. ``class_source`` says which.

Missions (yearly, per urgency)
    From a mission history when given (count per cell and urgency divided by the years the
    history spans; missions outside every populated 1 km cell open an ``other`` cell with no
    residents), else estimated:

    .. math::

        m_{c,u} = s_u \\cdot \\frac{r_{k(c)}}{1000} \\sum_b P_{c,b} \\, a_b,
        \\qquad a_b = \\frac{w_b}{\\sum_{b'} n_{b'} w_{b'}}

    with ``r_k`` the class rate (Pappinen et al. 2018), ``s_u`` the urgency share, ``w_b`` the
    age weight and ``n_b`` the national age structure (so a nationally typical population gets
    the class rate). These are ESTIMATES and the grid says so (``missions_estimated``).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Problem, ValidationError
from ..region.model import Region
from ..region.schema import AGE_BANDS, POPULATION_COLUMNS
from .missions import KM_PREFIX, history_years
from .params import CLASSES, HOURS_PER_WEEK, URGENCIES, EmsParams

__all__ = [
    "RiskGrid",
    "classify_by_density",
    "estimate_missions",
    "km_keys",
    "read_risk_areas",
    "risk_grid",
]

log = logging.getLogger("palveluverkko.ems")

CELL_M = 1000.0
MISSION_COLUMNS = tuple(f"missions_{u}" for u in URGENCIES)


def km_keys(xy: np.ndarray, size_m: float = CELL_M) -> np.ndarray:
    """``(n, 2)`` int64 ``(floor(x / size), floor(y / size))`` of points."""
    return np.floor(np.asarray(xy, dtype=np.float64) / size_m).astype(np.int64)


def km_id(keys: np.ndarray) -> np.ndarray:
    """Cell ids ``1km_<ix>_<iy>`` of ``(n, 2)`` keys (object array)."""
    return np.array([f"{KM_PREFIX}{a}_{b}" for a, b in keys.tolist()], dtype=object)


def classify_by_density(residents: np.ndarray, params: EmsParams) -> np.ndarray:
    """Class index (into :data:`CLASSES`) of 1 km cells from their residents (density rule)."""
    r = np.asarray(residents, dtype=np.float64)
    out = np.full(r.shape, CLASSES.index("other"), dtype=np.int64)
    out[r >= 1] = CLASSES.index("rural")
    out[r >= params.other_urban_min_residents] = CLASSES.index("other_urban")
    out[r >= params.core_urban_min_residents] = CLASSES.index("core_urban")
    return out


def estimate_missions(
    residents_by_band: np.ndarray, class_index: np.ndarray, params: EmsParams
) -> np.ndarray:
    """``(n, 4)`` estimated yearly missions per urgency (module docstring's formula)."""
    pop = np.asarray(residents_by_band, dtype=np.float64)
    rate = np.array([params.missions_per_1000[c] for c in CLASSES])[class_index] / 1000.0
    weighted = pop @ params.age_rate_factor()
    share = np.array([params.urgency_share[u] for u in URGENCIES])
    return (rate * weighted)[:, None] * share[None, :]


_CLASS_ALIASES = {
    "ydintaajama": "core_urban",
    "muu taajama": "other_urban",
    "muu_taajama": "other_urban",
    "asuttu maaseutu": "rural",
    "asuttu_maaseutu": "rural",
    "muu alue": "other",
    "muu_alue": "other",
    "1": "core_urban",
    "2": "other_urban",
    "3": "rural",
    "4": "other",
}


def read_risk_areas(source: str | Path | pd.DataFrame) -> pd.DataFrame:
    """A county's risk-area classes: CSV (or DataFrame) with ``cell_id`` (``1km_<ix>_<iy>``) or
    ``x``, ``y`` (a point in the cell, EPSG:3067), and ``risk_class``: a class code of
    :data:`CLASSES`, its Finnish name (``ydintaajama``, ``muu taajama``, ``asuttu maaseutu``,
    ``muu alue``) or the class number 1-4.

    Returns
    -------
    pandas.DataFrame
        ``cell_id, risk_class`` (class codes).

    Raises
    ------
    ValidationError
        Naming every bad row (its line in the file) and column.
    """
    name = "risk areas" if isinstance(source, pd.DataFrame) else str(source)
    if isinstance(source, pd.DataFrame):
        frame, first = source.copy(), 0
    else:
        text = Path(source).read_text(encoding="utf-8-sig")
        head = text.split("\n", 1)[0]
        sep = ";" if head.count(";") > head.count(",") else ","
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
        first = 2
    cols = set(frame.columns)
    if "risk_class" not in cols or not ("cell_id" in cols or {"x", "y"} <= cols):
        raise ValidationError(
            [
                Problem(
                    "error",
                    name,
                    "risk_class, cell_id or x and y",
                    "",
                    f"column(s) missing (found: {', '.join(map(str, frame.columns))})",
                    "give risk_class and cell_id (1km_<ix>_<iy>) or x, y",
                )
            ],
            what=name,
        )
    problems = []
    raw = frame["risk_class"].astype(str).str.strip()
    code = raw.str.lower().map(lambda v: v if v in CLASSES else _CLASS_ALIASES.get(v, ""))
    for i in np.flatnonzero((code == "").to_numpy()).tolist():
        problems.append(
            Problem(
                "error",
                name,
                "risk_class",
                str(i + first),
                f"{raw.iloc[i]!r} is not a risk class",
                f"use one of {', '.join(CLASSES)}, the Finnish name or 1-4",
            )
        )
    if "cell_id" in cols:
        ids = frame["cell_id"].astype(str).str.strip().to_numpy(dtype=object)
    else:
        ids = np.full(len(frame), "", dtype=object)
    if {"x", "y"} <= cols:
        xy = np.column_stack(
            [pd.to_numeric(frame[c], errors="coerce").to_numpy(np.float64) for c in ("x", "y")]
        )
        need = ids == ""
        bad = need & ~np.isfinite(xy).all(axis=1)
        for i in np.flatnonzero(bad).tolist():
            problems.append(
                Problem("error", name, "x, y", str(i + first), "not a coordinate", "fix x, y")
            )
        ok = need & ~bad
        ids[ok] = km_id(km_keys(xy[ok]))
    for i in np.flatnonzero(ids == "").tolist():
        if not any(pr.row == str(i + first) for pr in problems):
            problems.append(Problem("error", name, "cell_id", str(i + first), "empty", ""))
    if problems:
        raise ValidationError(problems, what=name)
    return pd.DataFrame({"cell_id": ids.astype(str), "risk_class": code.to_numpy()})


@dataclass(frozen=True)
class RiskGrid:
    """The 1 km risk-area grid of a region.

    Attributes
    ----------
    cells
        One row per 1 km cell: ``cell_id``, ``ix``, ``iy``, ``x``, ``y`` (routing point),
        ``risk_class``, ``class_source`` (``settlement``, ``density`` or ``missions`` for cells
        opened by missions alone), ``residents``, ``pop_<band>``, ``missions_A`` .. ``missions_D``
        (per year) and ``missions`` (their sum).
    missions_source
        ``"history"`` or ``"estimated"``.
    years
        Years the history spans (1 for estimates).
    hour_of_week
        ``(168,)`` share of alarms in each hour of the week (from the history, else the
        parameters' rhythm).
    cell_of_population
        ``(n_population,)`` the 1 km cell of each population row.
    population_residents
        ``(n_population,)`` residents of each population row.
    history
        The mission history with its ``cell`` (row of ``cells``) and ``hour_of_week``, or None.
    """

    cells: pd.DataFrame
    missions_source: str
    years: float
    hour_of_week: np.ndarray
    cell_of_population: np.ndarray
    population_residents: np.ndarray
    history: pd.DataFrame | None = None

    @property
    def missions_estimated(self) -> bool:
        """Whether the missions are estimates from rates (not a county's history)."""
        return self.missions_source == "estimated"

    def missions(self) -> np.ndarray:
        """``(n_cells, 4)`` yearly missions per urgency A-D."""
        return self.cells[list(MISSION_COLUMNS)].to_numpy(dtype=np.float64)

    def class_index(self) -> np.ndarray:
        """``(n_cells,)`` index into :data:`CLASSES`."""
        return np.asarray(
            pd.Categorical(self.cells["risk_class"], categories=list(CLASSES)).codes, np.int64
        )

    def xy(self) -> np.ndarray:
        """``(n_cells, 2)`` routing points."""
        return self.cells[["x", "y"]].to_numpy(dtype=np.float64)

    def by_class(self) -> pd.DataFrame:
        """Cells, residents and yearly missions per class and urgency."""
        cols = ["residents", *MISSION_COLUMNS, "missions"]
        out = self.cells.groupby("risk_class", observed=False)[cols].sum()
        out.insert(0, "cells", self.cells.groupby("risk_class", observed=False).size())
        return out.reindex(list(CLASSES)).fillna(0).reset_index()

    def summary(self) -> str:
        """Cells per class, residents, missions a year and where they come from."""
        t = self.by_class()
        parts = [
            f"{r.risk_class} {int(r.cells)} cells, {int(r.residents)} residents, "
            f"{r.missions:.0f} missions/yr"
            for r in t.itertuples()
        ]
        src = (
            "ESTIMATED from rates (Pappinen et al. 2018)"
            if self.missions_estimated
            else f"from a history of {self.years:.2f} years"
        )
        return f"risk-area grid: {len(self.cells)} 1 km cells; " + "; ".join(parts) + f"; {src}"


def _settlement_class(region: Region, params: EmsParams) -> np.ndarray | None:
    """Class index per population row from ``settlement`` (-1 where empty), or None."""
    pop = region.population
    if "settlement" not in pop:
        return None
    raw = pop["settlement"]
    empty = raw.isna().to_numpy() | (raw.astype(str).str.strip() == "").to_numpy()
    values = raw.astype(str).str.strip().to_numpy(dtype=object)
    known = {k: CLASSES.index(v) for k, v in params.settlement_classes.items()}
    unknown = sorted({v for v, e in zip(values, empty, strict=True) if not e and v not in known})
    if unknown:
        raise InputError(
            f"population.settlement: value(s) {', '.join(map(repr, unknown[:10]))} have no risk "
            f"class; expected one of {', '.join(sorted(known))}; map them in [classes.settlement] "
            "of the ems parameter file"
        )
    return np.array([-1 if e else known[v] for v, e in zip(values, empty, strict=True)], np.int64)


def _weighted_points(xy: np.ndarray, weight: np.ndarray, inverse: np.ndarray, n: int) -> np.ndarray:
    w = weight.astype(np.float64)
    sw = np.bincount(inverse, weights=w, minlength=n)
    cnt = np.bincount(inverse, minlength=n).astype(np.float64)
    out = np.empty((n, 2))
    for k in range(2):
        wx = np.bincount(inverse, weights=w * xy[:, k], minlength=n)
        mx = np.bincount(inverse, weights=xy[:, k], minlength=n)
        out[:, k] = np.where(sw > 0, wx / np.where(sw > 0, sw, 1), mx / np.maximum(cnt, 1))
    return out


def _locate_history(history: pd.DataFrame, region: Region) -> tuple[np.ndarray, np.ndarray]:
    """1 km keys of each mission, and their points (cell-id rows get the cell's point)."""
    xy = history[["x", "y"]].to_numpy(dtype=np.float64).copy()
    by_id = history["cell_id"].astype(str).to_numpy(dtype=object)
    rows = np.flatnonzero(by_id != "")
    if rows.size:
        pop_ids = region.population["cell_id"].astype(str).to_numpy(dtype=object)
        pop_pos = {c: i for i, c in enumerate(pop_ids)}
        pts = region.cell_points()
        bad = []
        for r in rows:
            cid = by_id[r]
            if cid in pop_pos:
                xy[r] = pts[pop_pos[cid]]
            elif cid.startswith(KM_PREFIX):
                try:
                    a, b = (int(v) for v in cid[len(KM_PREFIX) :].split("_"))
                except ValueError:
                    bad.append(cid)
                    continue
                xy[r] = ((a + 0.5) * CELL_M, (b + 0.5) * CELL_M)
            else:
                bad.append(cid)
        if bad:
            raise InputError(
                f"missions: {len(bad)} row(s) name a cell_id the region does not know "
                f"(first: {', '.join(map(repr, bad[:5]))}); expected a population cell_id or "
                f"{KM_PREFIX}<ix>_<iy>; fix the ids or give x, y"
            )
    return km_keys(xy), xy


def risk_grid(
    region: Region,
    params: EmsParams,
    *,
    missions: pd.DataFrame | None = None,
    years: float | None = None,
    risk_areas: pd.DataFrame | None = None,
) -> RiskGrid:
    """Build the 1 km risk-area grid of ``region`` (rules in the module docstring).

    Parameters
    ----------
    region
        The region; its population layer is aggregated.
    params
        Class rules and mission rates.
    missions
        A mission history as :func:`~.missions.read_missions` returns, or None to estimate.
    years
        Years the history covers (default: its span in days over 365).
    risk_areas
        A county's own classes (:func:`read_risk_areas`): they override the settlement and
        density rules for the cells they name (``class_source = "file"``); cells of the file
        that the grid does not hold are counted in the log.

    Raises
    ------
    InputError
        A ``settlement`` value has no class, or a mission names an unknown cell.
    """
    pop = region.population
    pop_xy = region.cell_points()
    bands = pop[list(POPULATION_COLUMNS)].to_numpy(dtype=np.int64)
    residents_row = bands.sum(axis=1)
    keys = km_keys(pop_xy)
    hist_keys = hist_xy = None
    if missions is not None and len(missions):
        hist_keys, hist_xy = _locate_history(missions, region)
        all_keys = np.unique(np.vstack([keys, hist_keys]), axis=0)
    else:
        all_keys = np.unique(keys, axis=0) if len(keys) else np.empty((0, 2), np.int64)
    n = len(all_keys)
    lookup = {(int(a), int(b)): i for i, (a, b) in enumerate(all_keys.tolist())}
    inverse = np.array([lookup[(int(a), int(b))] for a, b in keys.tolist()], dtype=np.int64)
    cell_bands = np.zeros((n, len(AGE_BANDS)), dtype=np.int64)
    np.add.at(cell_bands, inverse, bands)
    residents = cell_bands.sum(axis=1)
    xy = _weighted_points(pop_xy, residents_row, inverse, n)
    has_pop_row = np.bincount(inverse, minlength=n) > 0
    centre = (all_keys.astype(np.float64) + 0.5) * CELL_M
    xy[~has_pop_row] = centre[~has_pop_row]

    # class
    density = classify_by_density(residents, params)
    cls = density.copy()
    source = np.where(has_pop_row, "density", "missions").astype(object)
    settle = _settlement_class(region, params)
    if settle is not None:
        # a row without residents counts as `other`; a row without a value marks the cell
        row_cls = np.where(residents_row > 0, settle, CLASSES.index("other"))
        row_cls[settle < 0] = -1
        best = np.full(n, len(CLASSES), dtype=np.int64)
        np.minimum.at(best, inverse, np.where(row_cls < 0, len(CLASSES), row_cls))
        incomplete = np.zeros(n, dtype=bool)
        np.logical_or.at(incomplete, inverse, row_cls < 0)
        use = has_pop_row & ~incomplete
        cls[use] = best[use]
        source[use] = "settlement"
        if incomplete.any():
            log.info(
                "risk grid: %d of %d 1 km cells have population cells without a settlement "
                "value; classed by the density rule",
                int(incomplete.sum()),
                n,
            )

    if risk_areas is not None and len(risk_areas):
        given = dict(
            zip(
                risk_areas["cell_id"].astype(str), risk_areas["risk_class"].astype(str), strict=True
            )
        )
        ids = km_id(all_keys)
        hit = np.array([c in given for c in ids], dtype=bool)
        cls[hit] = [CLASSES.index(given[c]) for c in ids[hit]]
        source[hit] = "file"
        log.info(
            "risk grid: %d cells classed by the risk-area file; %d of its %d cells are not in "
            "the grid (no residents and no missions)",
            int(hit.sum()),
            len(given) - int(hit.sum()),
            len(given),
        )

    # missions
    hour_of_week = np.asarray([])
    history = None
    if hist_keys is not None and missions is not None:
        assert hist_xy is not None
        span = history_years(missions) if years is None else float(years)
        if not span > 0:
            raise InputError(f"missions: years must be > 0; found {span}")
        m_cell = np.array([lookup[(int(a), int(b))] for a, b in hist_keys.tolist()], np.int64)
        m_urg = pd.Categorical(missions["urgency"], categories=list(URGENCIES)).codes
        counts = np.zeros((n, len(URGENCIES)))
        np.add.at(counts, (m_cell, m_urg), 1.0)
        yearly = counts / span
        t = pd.to_datetime(missions["time"])
        how = (t.dt.day_of_week.to_numpy() * 24 + t.dt.hour.to_numpy()).astype(np.int64)
        hour_of_week = np.bincount(how, minlength=HOURS_PER_WEEK).astype(np.float64)
        hour_of_week /= max(hour_of_week.sum(), 1.0)
        history = missions.copy()
        history["x"], history["y"] = hist_xy[:, 0], hist_xy[:, 1]
        history["cell"] = m_cell
        history["hour_of_week"] = how
        source_name = "history"
    else:
        span = 1.0
        yearly = estimate_missions(cell_bands, cls, params)
        hour_of_week = params.hour_of_week_weight()
        source_name = "estimated"

    cells = pd.DataFrame(
        {
            "cell_id": km_id(all_keys),
            "ix": all_keys[:, 0] if n else np.empty(0, np.int64),
            "iy": all_keys[:, 1] if n else np.empty(0, np.int64),
            "x": xy[:, 0],
            "y": xy[:, 1],
            "risk_class": pd.Categorical(
                np.asarray(CLASSES, dtype=object)[cls], categories=list(CLASSES)
            ),
            "class_source": source,
            "residents": residents,
        }
    )
    for j, col in enumerate(POPULATION_COLUMNS):
        cells[col] = cell_bands[:, j]
    for j, col in enumerate(MISSION_COLUMNS):
        cells[col] = yearly[:, j]
    cells["missions"] = yearly.sum(axis=1)
    grid = RiskGrid(
        cells=cells,
        missions_source=source_name,
        years=span,
        hour_of_week=hour_of_week,
        cell_of_population=inverse,
        population_residents=residents_row,
        history=history,
    )
    log.info("%s", grid.summary())
    return grid
