"""Capacity-aware allocation: overflow to the next-nearest site with free capacity.

Demand pieces ``p`` (a cell's mode group for one service, ``q_p`` contacts per year, travel times
``T_pj`` by the group's mode) and sites ``j`` with yearly capacity ``C_j``
(``capacity_per_week x 52``). Rounds of deferred acceptance by travel time:

1. every piece with contacts left proposes them to its nearest reachable site that still has free
   capacity and that it has not tried yet;
2. each site accepts proposals in ascending order of travel time (ties: piece order) until its free
   capacity is used, splitting the last accepted piece; the rest stays with the pieces;
3. repeat until nothing is left or no piece has a site left to try.

Contacts that no site with free capacity can take are put at the piece's nearest site and flagged
``over_capacity`` (never dropped), so ``sum of flows == sum q`` exactly. Pieces that reach no site
at all are the caller's unserved contacts and are not passed in. Each round is vectorised (one
sort of the proposals); there are at most ``n_sites`` rounds.
"""

from __future__ import annotations

import numpy as np

__all__ = ["overflow_allocation"]


def overflow_allocation(
    minutes: np.ndarray, demand: np.ndarray, capacity: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Allocate ``demand`` (n_pieces) to sites with ``capacity`` (n_sites) by ``minutes``.

    Parameters
    ----------
    minutes
        ``(n_pieces, n_sites)`` travel times, ``inf`` where a piece cannot reach a site.
    demand
        ``(n_pieces,)`` contacts per year of each piece.
    capacity
        ``(n_sites,)`` contacts per year each site can take.

    Returns
    -------
    (piece, site, contacts, over_capacity)
        Flows: piece index, site index, contacts per year, and whether the flow exceeds capacity
        (the remainder put at the piece's nearest site).
    """
    n_p, n_s = minutes.shape
    left = demand.astype(np.float64).copy()
    free = capacity.astype(np.float64).copy()
    tried = ~np.isfinite(minutes)
    pieces: list[np.ndarray] = []
    sites: list[np.ndarray] = []
    amounts: list[np.ndarray] = []
    rows = np.arange(n_p)
    for _ in range(n_s + 1):
        active = (left > 1e-12) & ~tried.all(axis=1)
        if not active.any():
            break
        masked = np.where(tried | (free[None, :] <= 1e-12), np.inf, minutes)
        choice = np.argmin(masked, axis=1)
        t_choice = masked[rows, choice]
        active &= np.isfinite(t_choice)
        if not active.any():
            break
        p = np.flatnonzero(active)
        j = choice[p]
        tried[p, j] = True
        order = np.lexsort((p, t_choice[p], j))
        p, j = p[order], j[order]
        q = left[p]
        cum = np.cumsum(q)
        start_of_site = np.r_[0, np.flatnonzero(np.diff(j)) + 1]
        site_offset = np.repeat(
            cum[start_of_site] - q[start_of_site], np.diff(np.r_[start_of_site, len(p)])
        )
        before = cum - q - site_offset  # contacts accepted at this site before this piece
        take = np.clip(free[j] - before, 0.0, q)
        ok = take > 0
        pieces.append(p[ok])
        sites.append(j[ok])
        amounts.append(take[ok])
        np.subtract.at(free, j, take)
        left[p] -= take
    over = np.zeros(0, bool)
    rest = np.flatnonzero(left > 1e-12)
    flows_p = np.concatenate(pieces) if pieces else np.zeros(0, np.int64)
    flows_s = np.concatenate(sites) if sites else np.zeros(0, np.int64)
    flows_q = np.concatenate(amounts) if amounts else np.zeros(0)
    over = np.zeros(len(flows_p), bool)
    if len(rest):
        nearest = np.argmin(minutes[rest], axis=1)
        reach = np.isfinite(minutes[rest, nearest])
        rest, nearest = rest[reach], nearest[reach]
        flows_p = np.concatenate([flows_p, rest])
        flows_s = np.concatenate([flows_s, nearest])
        flows_q = np.concatenate([flows_q, left[rest]])
        over = np.concatenate([over, np.ones(len(rest), bool)])
    return flows_p.astype(np.int64), flows_s.astype(np.int64), flows_q, over


def capacity_aware(
    site_index: np.ndarray,
    share: np.ndarray,
    groups: tuple[str, ...],
    matrices: dict[str, np.ndarray],
    offers: np.ndarray,
    capacity_per_year: np.ndarray,
    physical: np.ndarray,
    *,
    max_walk_minutes: float = 30.0,
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Overflow allocation of an :class:`~.allocation.Allocation`'s served mode groups.

    Each served group (``site_index >= 0``) is a piece with ``physical[c, s] * share`` contacts
    and its mode's times (car for ``car`` and ``taxi``; walks over ``max_walk_minutes`` count as
    unreachable) to the sites offering the service; :func:`overflow_allocation` places them.

    Returns
    -------
    (site_contacts, trip_minutes, flows)
        ``(n_services, n_sites)`` contacts per year, ``(n_services, n_cells)`` flow-weighted
        minutes (NaN where nothing is served), and flows as arrays ``service, cell, group, site,
        minutes, contacts_per_year, over_capacity``.
    """
    _n_g, n_s, n_c = site_index.shape
    n_sites = offers.shape[1]
    contacts = np.zeros((n_s, n_sites))
    num = np.zeros((n_s, n_c))
    den = np.zeros((n_s, n_c))
    out: dict[str, list[np.ndarray]] = {
        k: [] for k in ("service", "cell", "group", "site", "minutes", "contacts", "over")
    }
    mode_of = {"car": "car", "taxi": "car", "transit": "transit", "walk": "walk"}
    for s in range(n_s):
        cols = np.flatnonzero(offers[s])
        if not len(cols):
            continue
        piece_cell, piece_group, blocks = [], [], []
        for g, name in enumerate(groups):
            served = (site_index[g, s] >= 0) & (share[g, s] > 0)
            if not served.any():
                continue
            cells = np.flatnonzero(served)
            m = matrices[mode_of[name]][np.ix_(cells, cols)].astype(np.float64)
            if name == "walk":
                m = np.where(m <= max_walk_minutes, m, np.inf)
            piece_cell.append(cells)
            piece_group.append(np.full(len(cells), g))
            blocks.append(m)
        if not blocks:
            continue
        pc = np.concatenate(piece_cell)
        pg = np.concatenate(piece_group)
        mins = np.vstack(blocks)
        q = physical[pc, s] * share[pg, s, pc]
        fp, fs, fq, fo = overflow_allocation(mins, q, capacity_per_year[s, cols])
        t = mins[fp, fs]
        contacts[s] = np.bincount(cols[fs], weights=fq, minlength=n_sites)
        num[s] = np.bincount(pc[fp], weights=fq * t, minlength=n_c)
        den[s] = np.bincount(pc[fp], weights=fq, minlength=n_c)
        out["service"].append(np.full(len(fp), s))
        out["cell"].append(pc[fp])
        out["group"].append(pg[fp])
        out["site"].append(cols[fs])
        out["minutes"].append(t)
        out["contacts"].append(fq)
        out["over"].append(fo)
    with np.errstate(invalid="ignore", divide="ignore"):
        trip = np.where(den > 0, num / den, np.nan)
    flows = {k: (np.concatenate(v) if v else np.zeros(0)) for k, v in out.items()}
    return contacts, trip, flows
