"""Who the channels reach: digital reach by age and broadband, one-contact service packages,
and staff per site before and after.

Three stages of an evaluation (tables documented in :class:`~.result.Evaluation`):

- :func:`digital_stage`: per service, age band and broadband class (Traficom-style: at least
  100, 30-100, 10-30, under 10 Mbit/s, unknown) the contacts, the digital ones, and the
  contacts that age and broadband keep from the digital channel (they go to the sites instead:
  the split of :mod:`palveluverkko.demand.channels` counts them as physical); the remote staff
  the digital contacts need.
- :func:`package_stage`: for each resident, whether the nearest site (for the first service of
  the package) offers the whole one-contact package of a sote-keskus (itself, or with the sites
  within :data:`PACKAGE_RADIUS_M`: one roof), and the car time to the nearest site that does;
  shares within thresholds by county, municipality, age band and settlement (:data:`PACKAGE`).
- :func:`staff_stage`: per site, staff (FTE) today and in the scenario, and the change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..demand.catalogue import CONTACTS_PER_FTE_WEEK
from ..region.schema import AGE_BANDS
from .access import indicator_table
from .result import WEEKS_PER_YEAR
from .stages import AllocationStage, DemandStage, Setting, nearest_by_service, offers_matrix

__all__ = [
    "DIGITAL_CONTACTS_PER_FTE_WEEK_FACTOR",
    "PACKAGE",
    "PACKAGE_RADIUS_M",
    "digital_stage",
    "package_stage",
    "staff_stage",
]

PACKAGE: tuple[str, ...] = ("vastaanotto", "sosiaalityo", "mielenterveys", "hammashoito")
"""The one-contact package of a sote-keskus (DOMAIN.md: help with one contact, many professions
under one roof): GP and nurse, social work, mental-health and substance-abuse services, dental
care. Services the region's catalogue lacks are left out of the package."""

PACKAGE_RADIUS_M = 500.0
"""Sites this close to each other count as one roof for the package (ASSUMPTION: a dental
clinic or a family centre in the same health-centre block, a few minutes' walk apart, serves
the same visit; 500 m is about six minutes on foot). 0 asks for one site offering it all."""

DIGITAL_CONTACTS_PER_FTE_WEEK_FACTOR = 1.5
"""Remote contacts per FTE-week relative to the service's physical rate (ASSUMPTION: a remote
contact is shorter and needs no room turnover; no published Finnish figure)."""


def _broadband_class(mbps: np.ndarray) -> np.ndarray:
    """Traficom-style class of each cell's best connection."""
    out = np.full(mbps.shape, "unknown", dtype=object)
    known = np.isfinite(mbps)
    labels = ["<10", ">=10", ">=30", ">=100"]
    for label, lo in zip(labels, (0.0, 10.0, 30.0, 100.0), strict=True):
        out[known & (mbps >= lo)] = label
    return out


def digital_stage(setting: Setting, demand: DemandStage) -> pd.DataFrame:
    """Digital reach per service, age band and broadband class (module docstring)."""
    split = demand.split
    if split.digital_full is None or split.broadband is None:
        return pd.DataFrame()
    pop = setting.base.population
    mbps = (
        pd.to_numeric(pop["broadband_mbps"], errors="coerce").to_numpy(np.float64)
        if "broadband_mbps" in pop
        else np.full(len(pop), np.nan)
    )
    klass = _broadband_class(mbps)
    g = split.broadband[:, None, None]
    cap = split.digital_cap[None]  # type: ignore[index]
    total = split.total
    no_age = total * np.minimum(split.digital_unaged[None] * g, cap)  # type: ignore[index]
    no_limit = total * np.minimum(split.digital_unaged[None], cap)  # type: ignore[index]
    digital = split.digital
    lost_age = np.maximum(no_age - digital, 0.0)
    lost_broadband = np.maximum(no_limit - no_age, 0.0)
    rows = []
    per_fte = dict(CONTACTS_PER_FTE_WEEK)
    for label in ("<10", ">=10", ">=30", ">=100", "unknown"):
        mask = klass == label
        if not mask.any():
            continue
        sums = {
            name: arr[mask].sum(axis=0)  # (n_services, n_bands)
            for name, arr in (
                ("total", total),
                ("digital", digital),
                ("age", lost_age),
                ("broadband", lost_broadband),
            )
        }
        for s, code in enumerate(demand.services):
            for b, band in enumerate(AGE_BANDS):
                contacts = float(sums["total"][s, b])
                if contacts <= 0:
                    continue
                dig = float(sums["digital"][s, b])
                rate = per_fte.get(code, 20.0) * DIGITAL_CONTACTS_PER_FTE_WEEK_FACTOR
                rows.append(
                    {
                        "service": code,
                        "band": band,
                        "broadband_class": label,
                        "contacts_per_year": contacts,
                        "digital_per_year": dig,
                        "digital_share": dig / contacts,
                        "kept_by_age_per_year": float(sums["age"][s, b]),
                        "kept_by_broadband_per_year": float(sums["broadband"][s, b]),
                        "remote_staff_fte": dig / WEEKS_PER_YEAR / rate,
                    }
                )
    return pd.DataFrame(rows)


def package_stage(setting: Setting, demand: DemandStage, alloc: AllocationStage) -> pd.DataFrame:
    """One-contact packages (module docstring): ``level, group`` and the shares within 10/20/30
    min by car of the nearest full-package site, its mean and worst minutes, the residents it
    does not reach (columns as in the summary, ``_car``), ``share_nearest_full`` (the nearest
    site for the package's first service offers all of it) and the package's services."""
    services = list(demand.services)
    package = [s for s in PACKAGE if s in services]
    if not package:
        return pd.DataFrame()
    offers = offers_matrix(setting.region.site_services, tuple(services), setting.site_ids)
    full = _full_package(
        np.asarray(offers[[services.index(s) for s in package]], dtype=bool),
        _site_points(setting),
    )
    car = setting.matrices["car"]
    near_full = nearest_by_service(car, full[None, :])
    first = alloc.nearest["car"].site[services.index(package[0])]
    nearest_full = (first >= 0) & full[np.maximum(first, 0)]
    residents = demand.demand.residents
    table = indicator_table(
        ("package",),
        near_full.minutes,
        None,
        near_full.minutes,
        residents,
        {"municipality": setting.municipality, "settlement": setting.settlement},
        AGE_BANDS,
    )
    keep = ["level", "group", "residents", "residents_75_plus"] + [
        c
        for c in table.columns
        if c.endswith("_car") or (c.endswith("_car_minutes") or c == "unreachable_car_residents")
    ]
    table = table[list(dict.fromkeys(keep))].copy()
    total = residents.sum(axis=1)
    shares = []
    for level, group in zip(table["level"], table["group"], strict=True):
        if level == "county":
            mask = np.ones(len(total), dtype=bool)
            w = total
        elif level == "band":
            mask = np.ones(len(total), dtype=bool)
            w = residents[:, AGE_BANDS.index(str(group))]
        else:
            labels = setting.municipality if level == "municipality" else setting.settlement
            mask = np.asarray(labels, dtype=object) == group
            w = total
        ww = w[mask]
        shares.append(float(ww[nearest_full[mask]].sum() / ww.sum()) if ww.sum() > 0 else np.nan)
    table["share_nearest_full"] = shares
    table["package"] = "+".join(package)
    table["full_package_sites"] = int(full.sum())
    return table.reset_index(drop=True)


def _site_points(setting: Setting) -> np.ndarray:
    """``(n_sites, 2)`` points of the setting's sites in ``site_ids`` order."""
    sites = setting.sites.set_index(setting.sites["site_id"].astype(str))
    geom = sites.geometry.reindex([str(s) for s in setting.site_ids])
    return np.column_stack([geom.x.to_numpy(), geom.y.to_numpy()]).astype(np.float64)


def _full_package(offers: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """``(n_sites,)`` bool: the site, with the sites within :data:`PACKAGE_RADIUS_M` of it,
    offers every service of the package (``offers``: package services x sites)."""
    if offers.shape[1] == 0:
        return np.zeros(0, dtype=bool)
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    near = d <= PACKAGE_RADIUS_M  # (sites, sites), the diagonal included
    # a service is under the roof of site j when any site near j offers it
    covered = (offers.astype(np.int64) @ near.astype(np.int64)) > 0
    return np.asarray(covered.all(axis=0))


def staff_stage(sites: pd.DataFrame, setting: Setting) -> pd.DataFrame:
    """Staff (FTE) per site today and in the scenario, and the change (capacity transfers
    included: staff that follow a dropped service appear at the receiving sites)."""
    base = setting.base.site_services.groupby(setting.base.site_services["site_id"].astype(str))[
        "staff_fte"
    ].sum()
    after = (
        sites.loc[sites["status"] != "closed"].groupby("site_id")["staff_fte"].sum()
        if not sites.empty
        else pd.Series(dtype=float)
    )
    info = setting.sites.set_index(setting.sites["site_id"].astype(str))
    ids = list(dict.fromkeys([*base.index, *after.index]))
    closed = set(setting.scenario.substitutes)
    rows = []
    for sid in ids:
        before = float(base.get(sid, 0.0))
        now = 0.0 if sid in closed else float(after.get(sid, 0.0))
        rows.append(
            {
                "site_id": sid,
                "name": info.at[sid, "name"] if sid in info.index else "",
                "municipality": str(info.at[sid, "municipality"]) if sid in info.index else "",
                "staff_fte_today": before,
                "staff_fte_scenario": now,
                "staff_fte_change": now - before,
            }
        )
    return pd.DataFrame(rows)
