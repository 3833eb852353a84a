"""Staff commute: where a site's staff live, and how a scenario changes their trip to work.

A county knows where its staff live only as counts per site and postal code (personal data stays
in the HR system). :func:`read_staff_homes` reads such a table: ``site_id``, ``staff`` (persons
or FTE) and where they live, as ``postal_code`` or ``cell_id`` (a population cell of the region;
for regions whose cells are postal areas the two are the same) or ``x``, ``y`` in the region's
CRS (placed in the nearest cell). :func:`synthetic_staff_homes` makes such a table for the demo
county (SYNTHETIC, seeded).

:func:`staff_commute` routes the homes' cells to the sites by car (the study's cached matrix)
and says, per site of today, where its staff work in the scenario (the same site, or where the
evaluation moved the site's staff: the closure's substitute, or the sites that receive a dropped
service, in proportion to the staff moved) and the commute before and after.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import InputError, Problem, ValidationError

if TYPE_CHECKING:
    from ..evaluation import Evaluation
    from ..region.model import Region
    from .study import Study

log = logging.getLogger("palveluverkko.study")

__all__ = [
    "COMMUTE_COLUMNS",
    "COMMUTE_DECAY_KM",
    "read_staff_homes",
    "staff_commute",
    "synthetic_staff_homes",
]

COMMUTE_DECAY_KM = 15.0
"""Distance decay of the synthetic homes, ``exp(-d / 15 km)`` (ASSUMPTION: in Finland half of
commutes are under about 10 km, Statistics Finland's commuting statistics)."""

COMMUTE_COLUMNS: tuple[str, ...] = (
    "site_id",
    "name",
    "staff",
    "works_at",
    "commute_min_today",
    "commute_min_scenario",
    "change_min",
    "staff_longer_10_min",
    "unreachable_staff",
)
"""Columns of :func:`staff_commute`: per site of today, its staff, where they work in the
scenario (site ids with shares), the staff-weighted mean one-way car commute today and in the
scenario, the change, the staff whose commute grows by more than 10 minutes and the staff
whose home no car route reaches."""


def read_staff_homes(source: str | Path | pd.DataFrame, region: Region) -> pd.DataFrame:
    """Staff homes as ``site_id, cell_id, staff`` (module docstring for the input columns).

    Raises
    ------
    ValidationError
        Naming the file, column and row of each problem (unknown site, unknown postal code or
        cell, a count that is not a number >= 0) and the fix.
    """
    name = "staff_homes" if isinstance(source, pd.DataFrame) else str(source)
    if isinstance(source, pd.DataFrame):
        frame, first = source.copy(), 0
    else:
        try:
            frame = pd.read_csv(source, dtype=str, keep_default_na=False, sep=None, engine="python")
        except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
            raise InputError(f"{name}: cannot read the staff homes ({exc}); give a CSV") from None
        first = 2
    cols = set(frame.columns)
    where = "postal_code" if "postal_code" in cols else "cell_id" if "cell_id" in cols else None
    if where is None and not {"x", "y"} <= cols:
        where = ""
    missing = [c for c in ("site_id", "staff") if c not in cols]
    if missing or where == "":
        raise ValidationError(
            [
                Problem(
                    "error",
                    name,
                    ", ".join(missing) or "postal_code",
                    "",
                    f"column(s) missing (found: {', '.join(map(str, frame.columns))})",
                    "give site_id, staff and postal_code (or cell_id, or x and y)",
                )
            ],
            what=name,
        )
    problems: list[Problem] = []
    sites = set(region.sites["site_id"].astype(str))
    cell_ids = region.population["cell_id"].astype(str).to_numpy()
    known = set(cell_ids)
    staff = pd.to_numeric(frame["staff"], errors="coerce").to_numpy(dtype=np.float64)
    if where is not None:
        cells = frame[where].astype(str).str.strip().to_numpy(dtype=object)
    else:
        xy = np.column_stack(
            [
                pd.to_numeric(frame["x"], errors="coerce").to_numpy(dtype=np.float64),
                pd.to_numeric(frame["y"], errors="coerce").to_numpy(dtype=np.float64),
            ]
        )
        ok = np.isfinite(xy).all(axis=1)
        cells = np.full(len(frame), "", dtype=object)
        if ok.any():
            from scipy.spatial import cKDTree

            _, idx = cKDTree(region.cell_points()).query(xy[ok])
            cells[ok] = cell_ids[idx]
    for i in range(len(frame)):
        row = str(i + first) if first else str(i)
        sid = str(frame["site_id"].iloc[i]).strip()
        if sid not in sites:
            problems.append(
                Problem("error", name, "site_id", row, f"unknown site {sid!r}", "use a site_id")
            )
        if not np.isfinite(staff[i]) or staff[i] < 0:
            problems.append(
                Problem(
                    "error",
                    name,
                    "staff",
                    row,
                    f"{frame['staff'].iloc[i]!r} is not a count >= 0",
                    "give the number of staff (persons or FTE)",
                )
            )
        if str(cells[i]) not in known:
            column = where or "x, y"
            problems.append(
                Problem(
                    "error",
                    name,
                    column,
                    row,
                    f"{cells[i]!r} is not a population cell of the region"
                    if where
                    else "not a coordinate",
                    "postal codes work where the region's cells are postal areas; otherwise "
                    "give x and y in the region's CRS",
                )
            )
    if problems:
        raise ValidationError(problems, what=name)
    return pd.DataFrame(
        {
            "site_id": frame["site_id"].astype(str).str.strip().to_numpy(dtype=object),
            "cell_id": cells.astype(str),
            "staff": staff,
        }
    )


def synthetic_staff_homes(
    region: Region, *, seed: int = 0, decay_km: float = COMMUTE_DECAY_KM
) -> pd.DataFrame:
    """SYNTHETIC staff homes: each site's staff (its FTE rounded, at least 1) drawn from the
    cells by working-age residents x ``exp(-distance / decay_km)`` (seeded), counted per cell."""
    rng = np.random.default_rng(seed)
    fte = region.site_services.groupby(region.site_services["site_id"].astype(str))[
        "staff_fte"
    ].sum()
    pts = region.cell_points()
    workers = region.population["pop_18_64"].to_numpy(dtype=np.float64)
    site_xy = region.site_points()
    ids = region.sites["site_id"].astype(str).tolist()
    cell_ids = region.population["cell_id"].astype(str).to_numpy()
    rows = []
    for j, sid in enumerate(ids):
        n = max(1, round(float(fte.get(sid, 0.0))))
        d = np.hypot(pts[:, 0] - site_xy[j, 0], pts[:, 1] - site_xy[j, 1]) / 1000.0
        w = workers * np.exp(-d / decay_km)
        if w.sum() <= 0:
            continue
        draws = rng.choice(len(w), size=n, p=w / w.sum())
        cells, counts = np.unique(draws, return_counts=True)
        rows += [(sid, cell_ids[c], float(k)) for c, k in zip(cells, counts, strict=True)]
    return pd.DataFrame(rows, columns=["site_id", "cell_id", "staff"])


def _works_at(ev: Evaluation) -> dict[str, dict[str, float]]:
    """Site of today -> {site in the scenario: share of its staff}."""
    base = ev.base_region.site_services
    staff = base.groupby(base["site_id"].astype(str))["staff_fte"].sum()
    out: dict[str, dict[str, float]] = {}
    t = ev.transfers
    moved: dict[str, dict[str, float]] = {}
    if t is not None and not t.empty:
        for r in t.itertuples(index=False):
            to = str(r.to_site) if isinstance(r.to_site, str) and r.to_site else ""
            moved.setdefault(str(r.from_site), {})
            moved[str(r.from_site)][to] = moved[str(r.from_site)].get(to, 0.0) + float(r.staff_fte)
    for sid, total in staff.items():
        total = float(total)
        shares: dict[str, float] = {}
        gone = moved.get(str(sid), {})
        kept = max(total - sum(gone.values()), 0.0)
        if total <= 0:
            shares[str(sid)] = 1.0
        else:
            if kept > 1e-9:
                shares[str(sid)] = kept / total
            for to, fte in gone.items():
                shares[to] = shares.get(to, 0.0) + fte / total  # "" = a cut: no workplace
        out[str(sid)] = shares
    return out


def staff_commute(study: Study, homes: pd.DataFrame, scenario_eval: Evaluation) -> pd.DataFrame:
    """Per site of today: staff, where they work in the scenario, and the mean one-way car
    commute today and in the scenario (:data:`COMMUTE_COLUMNS`). Staff whose workplace is cut
    (``capacity = "drop"``) keep no commute and are left out of the scenario's mean."""
    region = study.region
    tt = study.travel_times(scenario_eval.scenario)["car"]
    col = {str(s): j for j, s in enumerate(tt.destination_ids)}
    row = {str(c): i for i, c in enumerate(tt.cell_ids)}
    minutes = tt.minutes
    works = _works_at(scenario_eval)
    names = region.sites.set_index(region.sites["site_id"].astype(str))["name"].astype(str)
    out = []
    for sid, group in homes.groupby("site_id", sort=False):
        sid = str(sid)
        rows = np.array([row[c] for c in group["cell_id"]], dtype=np.int64)
        w = group["staff"].to_numpy(dtype=np.float64)
        before = minutes[rows, col[sid]].astype(np.float64)
        shares = works.get(sid, {sid: 1.0})
        after = np.zeros(len(rows))
        weight_after = 0.0
        for to, share in shares.items():
            if not to:
                continue
            after += share * minutes[rows, col[to]].astype(np.float64)
            weight_after += share
        after = after / weight_after if weight_after > 0 else np.full(len(rows), np.nan)
        ok = np.isfinite(before) & np.isfinite(after)
        total = float(w.sum())
        mean_b = float((w[ok] * before[ok]).sum() / w[ok].sum()) if w[ok].sum() > 0 else np.nan
        mean_a = float((w[ok] * after[ok]).sum() / w[ok].sum()) if w[ok].sum() > 0 else np.nan
        out.append(
            {
                "site_id": sid,
                "name": names.get(sid, sid),
                "staff": total,
                "works_at": ", ".join(
                    f"{to or '-'} {100 * s:.0f} %" for to, s in sorted(shares.items())
                ),
                "commute_min_today": mean_b,
                "commute_min_scenario": mean_a,
                "change_min": mean_a - mean_b,
                "staff_longer_10_min": float(w[ok & (after - before > 10.0)].sum()),
                "unreachable_staff": float(w[~ok].sum()),
            }
        )
    return pd.DataFrame(out, columns=list(COMMUTE_COLUMNS))
