"""Stations and units: where ambulances wait and on which shifts they are staffed.

A :class:`Fleet` is a stations table (``station_id``, ``name``, ``x``, ``y`` in the region's CRS,
``must_keep``) with unit counts per shift (columns ``units_<shift>``, e.g. ``units_24h``,
``units_day``, ``units_weekday``). :meth:`Fleet.units` expands the counts into one row per unit.

Sources of stations: a county's CSV (:func:`read_stations`), the region's sites
(:func:`default_fleet`: an ASSUMED demo fleet at the 24-hour hospital and the health centres and
stations), and candidate points (:func:`candidate_stations`: the sites plus the routing points of
the busiest 1 km cells, spread out), for placement.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Problem, ValidationError
from ..region.model import Region
from .grid import RiskGrid
from .params import EmsParams

__all__ = [
    "DEFAULT_UNITS_BY_KIND",
    "Fleet",
    "candidate_stations",
    "default_fleet",
    "read_stations",
]

DEFAULT_UNITS_BY_KIND: Mapping[str, Mapping[str, int]] = {
    "sairaala_24h": {"24h": 2, "day": 1},
    "sote_keskus": {"24h": 1, "day": 1},
    "sote_asema": {"24h": 1},
}
"""ASSUMPTION (no county's fleet is public here): units per site kind in :func:`default_fleet`."""


@dataclass(frozen=True)
class Fleet:
    """Stations with unit counts per shift.

    Attributes
    ----------
    stations
        ``station_id`` (str, unique), ``name``, ``x``, ``y``, ``must_keep`` (bool) and one int
        column ``units_<shift>`` per shift name of the parameters.
    """

    stations: pd.DataFrame

    @property
    def shift_names(self) -> tuple[str, ...]:
        """Shift names with a count column, in column order."""
        return tuple(c[len("units_") :] for c in self.stations.columns if c.startswith("units_"))

    def counts(self) -> np.ndarray:
        """``(n_stations, n_shifts)`` int64 unit counts."""
        cols = [f"units_{s}" for s in self.shift_names]
        return self.stations[cols].to_numpy(dtype=np.int64)

    def xy(self) -> np.ndarray:
        """``(n_stations, 2)`` station points."""
        return self.stations[["x", "y"]].to_numpy(dtype=np.float64)

    def units(self) -> pd.DataFrame:
        """One row per unit: ``unit_id``, ``station`` (row index), ``station_id``, ``shift``."""
        counts = self.counts()
        rows = []
        for si, sid in enumerate(self.stations["station_id"].astype(str)):
            for k, shift in enumerate(self.shift_names):
                for n in range(int(counts[si, k])):
                    rows.append((f"{sid}/{shift}/{n + 1}", si, sid, shift))
        return pd.DataFrame(rows, columns=["unit_id", "station", "station_id", "shift"])

    def on_duty(self, params: EmsParams) -> np.ndarray:
        """``(n_units, 168)`` bool: each unit's hours on duty in the week."""
        units = self.units()
        masks = {name: s.on_duty() for name, s in params.shifts.items()}
        if len(units) == 0:
            return np.zeros((0, 168), dtype=bool)
        return np.vstack([masks[s] for s in units["shift"]])

    def unit_hours_per_year(self, params: EmsParams) -> float:
        """Staffed unit-hours a year."""
        return float(
            sum(
                int(c) * params.shifts[s].hours_per_year
                for s, c in zip(self.shift_names, self.counts().sum(axis=0), strict=True)
            )
        )

    def with_counts(self, counts: np.ndarray) -> Fleet:
        """The same stations with other unit counts (``(n_stations, n_shifts)``)."""
        st = self.stations.copy()
        for k, s in enumerate(self.shift_names):
            st[f"units_{s}"] = np.asarray(counts, dtype=np.int64)[:, k]
        return Fleet(st)

    def check(self, params: EmsParams) -> Fleet:
        """Validate against the parameters' shifts; returns self.

        Raises
        ------
        InputError
            A shift column without a shift of that name, duplicate station ids, negative counts
            or points that are not finite.
        """
        unknown = [s for s in self.shift_names if s not in params.shifts]
        if unknown:
            raise InputError(
                f"stations: column(s) {', '.join('units_' + s for s in unknown)} name no shift; "
                f"expected units_ + one of {', '.join(params.shifts)} (or add the shift to "
                "[shifts] of the ems parameter file)"
            )
        ids = self.stations["station_id"].astype(str)
        if ids.duplicated().any():
            raise InputError(
                f"stations: station_id {ids[ids.duplicated()].iloc[0]!r} appears twice; ids "
                "must be unique"
            )
        if (self.counts() < 0).any():
            raise InputError("stations: unit counts must be >= 0")
        if not np.isfinite(self.xy()).all():
            raise InputError("stations: x and y must be finite coordinates in the region's CRS")
        return self

    def summary(self) -> str:
        """Stations and units per shift."""
        per = ", ".join(
            f"{int(c)} {s}"
            for s, c in zip(self.shift_names, self.counts().sum(axis=0), strict=True)
        )
        return f"{len(self.stations)} stations, units: {per or 'none'}"


def _frame(
    ids: Sequence[str],
    names: Sequence[str],
    xy: np.ndarray,
    must_keep: np.ndarray,
    counts: Mapping[str, np.ndarray],
) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "station_id": list(ids),
            "name": list(names),
            "x": xy[:, 0],
            "y": xy[:, 1],
            "must_keep": must_keep.astype(bool),
        }
    )
    for s, c in counts.items():
        out[f"units_{s}"] = np.asarray(c, dtype=np.int64)
    return out


def default_fleet(
    region: Region,
    params: EmsParams,
    *,
    units_by_kind: Mapping[str, Mapping[str, int]] = DEFAULT_UNITS_BY_KIND,
) -> Fleet:
    """An ASSUMED fleet at the region's sites: units per site kind (:data:`DEFAULT_UNITS_BY_KIND`).

    For the demo county and for counties that have not given their stations yet; reports must
    call it an assumption.
    """
    sites = region.sites
    kind = sites["kind"].astype(str).to_numpy()
    rows = np.flatnonzero(np.isin(kind, list(units_by_kind)))
    counts = {
        s: np.array([units_by_kind[kind[r]].get(s, 0) for r in rows], dtype=np.int64)
        for s in params.shifts
    }
    fleet = Fleet(
        _frame(
            sites["site_id"].astype(str).to_numpy()[rows].tolist(),
            sites["name"].astype(str).to_numpy()[rows].tolist(),
            region.site_points()[rows],
            np.zeros(len(rows), dtype=bool),
            counts,
        )
    )
    return fleet.check(params)


def read_stations(source: str | Path | pd.DataFrame, params: EmsParams) -> Fleet:
    """Read stations from a CSV (or DataFrame): ``station_id, name, x, y`` and optionally
    ``must_keep`` (true/false/1/0) and ``units_<shift>`` counts (missing counts are 0).

    Raises
    ------
    ValidationError
        Naming each bad row (file line) and column.
    """
    name = "stations" if isinstance(source, pd.DataFrame) else str(source)
    if isinstance(source, pd.DataFrame):
        frame, first = source.copy(), 0
    else:
        text = Path(source).read_text(encoding="utf-8-sig")
        head = text.split("\n", 1)[0]
        sep = ";" if head.count(";") > head.count(",") else ","
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
        first = 2
    missing = [c for c in ("station_id", "x", "y") if c not in frame.columns]
    if missing:
        raise ValidationError(
            [
                Problem(
                    "error",
                    name,
                    ", ".join(missing),
                    "",
                    f"column(s) missing (found: {', '.join(map(str, frame.columns))})",
                    "give station_id, x, y and units_<shift> columns",
                )
            ],
            what=name,
        )
    problems = []
    values: dict[str, np.ndarray] = {}
    num_cols = ["x", "y"] + [c for c in frame.columns if str(c).startswith("units_")]
    for col in num_cols:
        v = pd.to_numeric(
            frame[col].replace("", "0" if col.startswith("units_") else ""), errors="coerce"
        ).to_numpy(dtype=np.float64)
        bad = ~np.isfinite(v)
        if col.startswith("units_"):
            bad |= (v < 0) | (v != np.round(v))
        for i in np.flatnonzero(bad).tolist():
            problems.append(
                Problem(
                    "error",
                    name,
                    str(col),
                    str(i + first) if first else str(i),
                    f"{frame[col].iloc[i]!r} is not "
                    + ("a count >= 0" if col.startswith("units_") else "a coordinate"),
                    "correct the value",
                )
            )
        values[str(col)] = v
    keep = np.zeros(len(frame), dtype=bool)
    if "must_keep" in frame.columns:
        text_keep = frame["must_keep"].astype(str).str.strip().str.lower()
        ok = text_keep.isin(["", "true", "false", "1", "0", "yes", "no"])
        for i in np.flatnonzero(~ok.to_numpy()).tolist():
            problems.append(
                Problem("error", name, "must_keep", str(i + first), "expected true or false", "")
            )
        keep = text_keep.isin(["true", "1", "yes"]).to_numpy()
    if problems:
        raise ValidationError(problems, what=name)
    counts = {
        s: values[f"units_{s}"].astype(np.int64)
        if f"units_{s}" in values
        else np.zeros(len(frame), np.int64)
        for s in params.shifts
    }
    extra = [c[6:] for c in values if c.startswith("units_") and c[6:] not in params.shifts]
    for s in extra:
        counts[s] = values[f"units_{s}"].astype(np.int64)
    ids = frame["station_id"].astype(str).tolist()
    names = frame["name"].astype(str).tolist() if "name" in frame.columns else ids
    xy = np.column_stack([values["x"], values["y"]])
    return Fleet(_frame(ids, names, xy, keep, counts)).check(params)


def candidate_stations(
    region: Region,
    grid: RiskGrid,
    params: EmsParams,
    n: int,
    *,
    fleet: Fleet | None = None,
    min_spacing_m: float = 3000.0,
) -> Fleet:
    """``n`` candidate stations with no units: the fleet's stations (kept as they are, with
    their ``must_keep``), then the region's sites, then the routing points of the 1 km cells
    with the most missions, each at least ``min_spacing_m`` from every candidate taken before.

    Raises
    ------
    InputError
        If fewer than ``n`` candidates can be found.
    """
    ids: list[str] = []
    names: list[str] = []
    pts: list[np.ndarray] = []
    keep: list[bool] = []
    if fleet is not None:
        ids += fleet.stations["station_id"].astype(str).tolist()
        names += fleet.stations["name"].astype(str).tolist()
        pts += list(fleet.xy())
        keep += fleet.stations["must_keep"].astype(bool).tolist()
    order = np.argsort(-grid.cells["missions"].to_numpy(), kind="stable")
    cell_ids = grid.cells["cell_id"].astype(str).to_numpy()
    cell_xy = grid.xy()
    pool = [
        (sid, nm, xy)
        for sid, nm, xy in zip(
            region.sites["site_id"].astype(str),
            region.sites["name"].astype(str),
            region.site_points(),
            strict=True,
        )
    ]
    pool += [(f"cand_{cell_ids[i]}", f"Candidate {cell_ids[i]}", cell_xy[i]) for i in order]
    for sid, nm, xy in pool:
        if len(ids) >= n:
            break
        if sid in ids:
            continue
        if pts and np.min(np.hypot(*(np.asarray(pts) - xy).T)) < min_spacing_m:
            continue
        ids.append(sid)
        names.append(nm)
        pts.append(np.asarray(xy, dtype=np.float64))
        keep.append(False)
    if len(ids) < n:
        raise InputError(
            f"candidate stations: only {len(ids)} found {min_spacing_m:g} m apart, {n} asked; "
            "lower min_spacing_m or ask for fewer"
        )
    counts = {s: np.zeros(len(ids), np.int64) for s in params.shifts}
    return Fleet(_frame(ids, names, np.asarray(pts), np.asarray(keep), counts)).check(params)
