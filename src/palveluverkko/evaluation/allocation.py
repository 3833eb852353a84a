"""Allocation of physical contacts to sites by each cell's mode mix.

Mode groups of a cell ``c`` for service ``s`` (shares of its physical contacts):

- ``car``: share ``car_share_c`` goes by car to the nearest open site offering ``s``
  (``argmin_j T^car_{cj}`` over sites ``j`` with ``offers[s, j]``);
- the rest, ``1 - car_share_c``, goes by public transport (``transit``) when a transit time to a
  site offering ``s`` exists and is shorter than the walking time (or the walk is longer than
  ``max_walk_minutes``, default 30, ASSUMPTION), else on foot (``walk``) when walking reaches one
  within ``max_walk_minutes``, else by ``taxi`` (the car matrix; Kela's taxi is the fallback of
  those without a car when no bus fits, DOMAIN.md).

Each group goes to its own nearest site by its own mode. Contacts whose group reaches no site
offering the service (car or taxi unreachable) are **unserved** (site index -1): they are kept and
counted, never dropped, so that for every cell and service

.. math:: \\sum_g \\text{share}_{g} = 1, \\qquad
          \\text{physical} = \\sum_{g, j} \\text{allocated}_{g,j} + \\text{unserved}.

Substitute rule (``substitute_rule=True``): a group whose nearest site *in the base network* is
closed goes to the closed site's named substitute (when that substitute offers the service and the
group's mode reaches it), as councils promise, instead of its new nearest site.

``car_share`` defaults by settlement when the population layer has none (ASSUMPTION, roughly the
share of Finnish households with a car by area type): city 0.6, town 0.7, village 0.8, rural
0.85, unknown 0.75 (:data:`DEFAULT_CAR_SHARE`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError

log = logging.getLogger("palveluverkko.evaluation")

__all__ = [
    "DEFAULT_CAR_SHARE",
    "MODE_GROUPS",
    "Allocation",
    "allocate",
    "car_shares",
    "nearest_by_offers",
    "nearest_site",
]

MODE_GROUPS: tuple[str, ...] = ("car", "transit", "walk", "taxi")


DEFAULT_CAR_SHARE: dict[str, float] = {
    "city": 0.6,
    "town": 0.7,
    "village": 0.8,
    "rural": 0.85,
}
UNKNOWN_CAR_SHARE = 0.75


def car_shares(population: pd.DataFrame) -> np.ndarray:
    """``(n_cells,)`` car share: the ``car_share`` column, else the settlement default."""
    n = len(population)
    out = np.full(n, np.nan)
    if "car_share" in population:
        out = pd.to_numeric(population["car_share"], errors="coerce").to_numpy(dtype=np.float64)
    if "settlement" in population:
        by_settlement = (
            population["settlement"]
            .map(DEFAULT_CAR_SHARE)
            .to_numpy(dtype=np.float64, na_value=np.nan)
        )
        out = np.where(np.isnan(out), by_settlement, out)
    out = np.where(np.isnan(out), UNKNOWN_CAR_SHARE, out)
    return np.clip(out, 0.0, 1.0)


def nearest_site(minutes: np.ndarray, offers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest site among ``offers`` (bool ``(n_sites,)``) for each row of ``minutes``.

    Returns ``(site index (n_cells,) int64, minutes float64)``; -1 and ``inf`` where no offering
    site is reachable. Ties go to the lowest site index.
    """
    site, best = nearest_by_offers(minutes, np.asarray(offers, dtype=bool)[None, :])
    return site[0], best[0]


def nearest_by_offers(minutes: np.ndarray, offers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`nearest_site` for every row of ``offers`` (``(n_services, n_sites)``) at once:
    ``(n_services, n_cells)`` site index and float64 minutes, in one pass over ``minutes`` (a
    numba kernel; no copy of the matrix, whatever its dtype)."""
    from ._nearest_kernels import nearest_columns

    offers = np.asarray(offers, dtype=bool)
    col_ptr = np.zeros(offers.shape[0] + 1, dtype=np.int64)
    np.cumsum(offers.sum(axis=1), out=col_ptr[1:])
    cols = np.nonzero(offers)[1].astype(np.int64)  # row-major: each service's columns, increasing
    site, best = nearest_columns(minutes, col_ptr, cols)
    return site, best


@dataclass(frozen=True, eq=False)
class Allocation:
    """Where each mode group of each cell goes, per service.

    Attributes
    ----------
    groups
        :data:`MODE_GROUPS`.
    site_index
        ``(n_groups, n_services, n_cells)`` int64 site column, -1 = unserved (or share 0).
    minutes
        Same shape, travel minutes to that site by the group's mode (``inf`` when unserved).
    share
        Same shape, share of the cell's physical contacts in the group; sums to 1 over groups.
    """

    groups: tuple[str, ...]
    site_index: np.ndarray
    minutes: np.ndarray
    share: np.ndarray

    def unserved_share(self) -> np.ndarray:
        """``(n_services, n_cells)`` share of physical contacts that reach no site."""
        return np.where(self.site_index < 0, self.share, 0.0).sum(axis=0)

    def mean_minutes(self) -> np.ndarray:
        """``(n_services, n_cells)`` mode-mix mean minutes of the served contacts (NaN: none)."""
        served = (self.site_index >= 0) & (self.share > 0)
        w = np.where(served, self.share, 0.0)
        t = np.where(served, self.minutes, 0.0)
        tot = w.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(tot > 0, (w * t).sum(axis=0) / tot, np.nan)

    def site_contacts(self, physical: np.ndarray, n_sites: int) -> np.ndarray:
        """``(n_services, n_sites)`` contacts per year at each site from ``physical``
        ``(n_cells, n_services)``."""
        _n_g, n_s, _n_c = self.site_index.shape
        out = np.zeros((n_s, n_sites))
        for s in range(n_s):
            idx = self.site_index[:, s, :].ravel()
            w = (self.share[:, s, :] * physical[None, :, s]).ravel()
            ok = idx >= 0
            out[s] = np.bincount(idx[ok], weights=w[ok], minlength=n_sites)
        return out


def allocate(
    minutes: Mapping[str, np.ndarray],
    offers: np.ndarray,
    car_share: np.ndarray,
    *,
    base_offers: np.ndarray | None = None,
    substitute_index: np.ndarray | None = None,
    substitute_rule: bool = False,
    max_walk_minutes: float = 30.0,
) -> Allocation:
    """Allocate each cell's mode groups to sites (model in the module docstring).

    Parameters
    ----------
    minutes
        ``{"car": (n_cells, n_sites), "transit": ..., "walk": ...}``; ``car`` is required,
        ``transit`` and ``walk`` are optional (missing: that mode is not available).
    offers
        ``(n_services, n_sites)`` bool, open sites offering each service.
    car_share
        ``(n_cells,)`` share of contacts travelling by car.
    base_offers, substitute_index, substitute_rule
        For the substitute rule: the base network's offers, and for each site column the column
        of its substitute (-1 when it has none / is not closed).
    max_walk_minutes
        Longest walk that counts as a way to get there; longer walks go by taxi.

    Raises
    ------
    InputError
        When ``car`` is missing or shapes disagree.
    """
    if "car" not in minutes:
        raise InputError("allocation needs a car travel-time matrix (minutes['car'])")
    car = minutes["car"]
    n_cells, n_sites = car.shape
    for mode, m in minutes.items():
        if m.shape != car.shape:
            raise InputError(
                f"travel times for {mode} have shape {m.shape}; expected {car.shape} like car"
            )
    n_s = offers.shape[0]
    if offers.shape != (n_s, n_sites):
        raise InputError(f"offers has shape {offers.shape}; expected ({n_s}, {n_sites})")
    use_sub = substitute_rule and base_offers is not None and substitute_index is not None
    ng = len(MODE_GROUPS)
    site = np.full((ng, n_s, n_cells), -1, np.int64)
    mins = np.full((ng, n_s, n_cells), np.inf)
    share = np.zeros((ng, n_s, n_cells))
    rest = 1.0 - car_share
    rows = np.arange(n_cells)

    # every service's nearest site by each mode, in one pass over each matrix
    near = {mode: nearest_by_offers(m, offers) for mode, m in minutes.items()}
    base_near = (
        {mode: nearest_by_offers(m, base_offers)[0] for mode, m in minutes.items()}
        if use_sub and base_offers is not None
        else {}
    )

    def choose(mode: str, s: int) -> tuple[np.ndarray, np.ndarray]:
        m = minutes[mode]
        idx, t = near[mode][0][s], near[mode][1][s]
        if use_sub:
            assert base_offers is not None
            assert substitute_index is not None
            b_idx = base_near[mode][s]
            closed = (b_idx >= 0) & ~offers[s][np.maximum(b_idx, 0)]
            sub = np.where(closed, substitute_index[np.maximum(b_idx, 0)], -1)
            ok = sub >= 0
            ok[ok] = offers[s][sub[ok]]
            t_sub = np.where(ok, m[rows, np.maximum(sub, 0)], np.inf)
            ok &= np.isfinite(t_sub)
            idx = np.where(ok, sub, idx)
            t = np.where(ok, t_sub, t)
        return idx, t

    for s in range(n_s):
        c_idx, c_t = choose("car", s)
        site[0, s], mins[0, s], share[0, s] = c_idx, c_t, car_share
        t_idx, t_t = (
            choose("transit", s)
            if "transit" in minutes
            else (np.full(n_cells, -1, np.int64), np.full(n_cells, np.inf))
        )
        w_idx, w_t = (
            choose("walk", s)
            if "walk" in minutes
            else (np.full(n_cells, -1, np.int64), np.full(n_cells, np.inf))
        )
        by_transit = np.isfinite(t_t) & ((t_t < w_t) | (w_t > max_walk_minutes))
        by_walk = ~by_transit & (w_t <= max_walk_minutes)
        by_taxi = ~by_transit & ~by_walk
        site[1, s] = np.where(by_transit, t_idx, -1)
        mins[1, s] = np.where(by_transit, t_t, np.inf)
        share[1, s] = np.where(by_transit, rest, 0.0)
        site[2, s] = np.where(by_walk, w_idx, -1)
        mins[2, s] = np.where(by_walk, w_t, np.inf)
        share[2, s] = np.where(by_walk, rest, 0.0)
        site[3, s] = np.where(by_taxi, c_idx, -1)
        mins[3, s] = np.where(by_taxi, c_t, np.inf)
        share[3, s] = np.where(by_taxi, rest, 0.0)
    return Allocation(groups=MODE_GROUPS, site_index=site, minutes=mins, share=share)
