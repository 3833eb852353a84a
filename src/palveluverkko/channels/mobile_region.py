"""Region adapter of the mobile units: :func:`plan_mobile` builds the arrays and calls the core.

Demand: the unit's services' contacts per cell in the physical and mobile channels
(:func:`palveluverkko.demand.channels.split_channels` of the year's contacts). Candidate stops:
given points, closed sites, or population centres (the most populated places by residents
within 1 km, at least ``min_spacing_km`` apart). Drive times: :func:`.adapters.drive_matrix`.
"""

from __future__ import annotations

import logging

import numpy as np
from scipy.spatial import cKDTree

from ..demand.channels import split_channels
from ..demand.contacts import contacts
from ..errors import InputError, UnknownIdError
from ..network import RoadNetwork
from ..region.model import Region
from ..region.schema import POPULATION_COLUMNS
from .adapters import drive_matrix, road_network
from .mobile import MobileInputs, MobileParams, MobilePlan, plan_mobile_arrays
from .unit import MobileUnit

__all__ = ["candidate_stops", "mobile_inputs", "plan_mobile"]

log = logging.getLogger("palveluverkko.channels")


def _muni_names(region: Region) -> dict[str, str]:
    m = region.municipalities
    return dict(zip(m["code"].astype(str), m["name"].astype(str), strict=True))


def candidate_stops(
    region: Region, unit: MobileUnit
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Candidate stops of ``unit``: ``(ids, names, municipality codes, xy)``.

    Raises
    ------
    UnknownIdError
        A closed site id that the region does not know.
    """
    rules = unit.stops
    names_by_code = _muni_names(region)
    if rules.candidates == "given":
        xy = np.array([[x, y] for _, x, y in rules.points], dtype=np.float64)
        names = np.array([n for n, _, _ in rules.points], dtype=object)
        ids = np.array([f"P{k + 1:02d}" for k in range(len(xy))], dtype=object)
        muni = _municipality_of(region, xy)
        return ids, names, muni, xy
    if rules.candidates == "closed_sites":
        sites = region.sites.set_index(region.sites["site_id"].astype(str))
        missing = [s for s in rules.closed_sites if s not in sites.index]
        if missing:
            raise UnknownIdError(
                f"[stops] closed_sites: site(s) {', '.join(missing)} not in the region's sites; "
                "use site_id values of the sites layer"
            )
        sel = sites.loc[list(rules.closed_sites)]
        xy = np.column_stack([sel.geometry.x, sel.geometry.y]).astype(np.float64)
        return (
            np.array([f"C-{s}" for s in sel.index], dtype=object),
            sel["name"].astype(str).to_numpy(dtype=object),
            sel["municipality"].astype(str).to_numpy(dtype=object),
            xy,
        )
    pop = region.population
    xy = region.cell_points()
    residents = pop[list(POPULATION_COLUMNS)].to_numpy(dtype=np.float64).sum(axis=1)
    tree = cKDTree(xy)
    around = np.array([residents[n].sum() for n in tree.query_ball_point(xy, 1000.0)])
    picked: list[int] = []
    spacing = rules.min_spacing_km * 1000.0
    for i in np.argsort(-around, kind="stable"):
        if around[i] <= 0 or len(picked) >= rules.n_candidates:
            break
        if picked and np.min(np.hypot(*(xy[picked] - xy[i]).T)) < spacing:
            continue
        picked.append(int(i))
    idx = np.array(picked, dtype=np.int64)
    muni = pop["municipality"].astype(str).to_numpy()[idx]
    count: dict[str, int] = {}
    labels: list[str] = []
    for m in muni:
        count[m] = count.get(m, 0) + 1
        labels.append(f"{names_by_code.get(m, m)} {count[m]}")
    ids = np.array([f"M{k + 1:02d}" for k in range(len(idx))], dtype=object)
    return ids, np.array(labels, dtype=object), muni.astype(object), xy[idx]


def _municipality_of(region: Region, xy: np.ndarray) -> np.ndarray:
    """Municipality code of the nearest populated cell of each point."""
    cells = region.cell_points()
    _, nearest = cKDTree(cells).query(xy)
    return region.population["municipality"].astype(str).to_numpy(dtype=object)[nearest]


def _depot_xy(region: Region, unit: MobileUnit) -> np.ndarray:
    if unit.depot_xy is not None:
        return np.array([unit.depot_xy], dtype=np.float64)
    sites = region.sites
    hit = sites["site_id"].astype(str) == str(unit.depot_site)
    if not hit.any():
        raise UnknownIdError(
            f"[unit] depot_site {unit.depot_site!r} is not a site of the region; use a site_id "
            "of the sites layer or give depot_x and depot_y"
        )
    g = sites.loc[hit].geometry.iloc[0]
    return np.array([[g.x, g.y]], dtype=np.float64)


def mobile_inputs(
    region: Region,
    unit: MobileUnit,
    *,
    year: int | None = None,
    network: RoadNetwork | None = None,
) -> MobileInputs:
    """The arrays of :func:`~.mobile.plan_mobile_arrays` for ``unit`` in ``region``.

    Raises
    ------
    UnknownIdError
        A service, the depot site or a closed site the region does not know.
    """
    codes = list(region.services["service"].astype(str))
    missing = [s for s in unit.services if s not in codes]
    if missing:
        raise UnknownIdError(
            f"[unit] services: {', '.join(missing)} not in the region's services "
            f"({', '.join(codes)})"
        )
    net = network if network is not None else road_network(region, "car")
    demand = contacts(region, year)
    bb = region.population.get("broadband_mbps", None)
    split = split_channels(
        demand, region.services, None if bb is None else bb.to_numpy(dtype=np.float64)
    )
    sidx = [codes.index(s) for s in unit.services]
    cell_contacts = (split.physical + split.mobile)[:, sidx, :].sum(axis=2)
    cell_xy = region.cell_points()
    mask = np.ones(len(cell_xy), dtype=bool)
    if unit.stops.beyond_site_min > 0:
        ss = region.site_services
        offering = set(ss.loc[ss["service"].astype(str).isin(unit.services), "site_id"].astype(str))
        sel = region.sites["site_id"].astype(str).isin(offering).to_numpy()
        site_xy = region.site_points()[sel]
        near = drive_matrix(
            region, cell_xy, site_xy, cutoff_minutes=unit.stops.beyond_site_min, network=net
        )
        mask = np.asarray(~(near.minutes <= unit.stops.beyond_site_min).any(axis=1))
    ids, names, muni, cand_xy = candidate_stops(region, unit)
    cells_to = drive_matrix(
        region, cell_xy, cand_xy, cutoff_minutes=unit.stops.threshold_min, network=net
    )
    points = np.vstack([_depot_xy(region, unit), cand_xy])
    between = drive_matrix(region, points, points, with_km=True, network=net)
    if not np.isfinite(between.minutes[0]).any():
        raise InputError(f"unit {unit.name!r}: the depot cannot be linked to the road network")
    residents = region.population[list(POPULATION_COLUMNS)].to_numpy(dtype=np.float64).sum(axis=1)
    return MobileInputs(
        cell_ids=region.population["cell_id"].astype(str).to_numpy(dtype=object),
        cell_municipality=region.population["municipality"].astype(str).to_numpy(dtype=object),
        cell_residents=residents,
        services=tuple(unit.services),
        cell_contacts=cell_contacts,
        cell_weight_mask=mask,
        cand_ids=ids,
        cand_names=names,
        cand_municipality=muni,
        cell_minutes=cells_to.minutes,
        travel_minutes=between.minutes,
        travel_km=between.km,  # type: ignore[arg-type]
        cand_xy=cand_xy,
    )


def plan_mobile(
    region: Region,
    unit: MobileUnit,
    *,
    year: int | None = None,
    params: MobileParams | None = None,
    seed: int = 0,
    network: RoadNetwork | None = None,
) -> MobilePlan:
    """Choose the stops of ``unit`` in ``region`` and build its timetable (see :mod:`.mobile`).

    Parameters
    ----------
    region
        The region.
    unit
        The mobile unit (:func:`~.unit.read_unit`).
    year
        Demand year (default: the base year).
    params
        Solver time limits.
    seed
        Seed of the stop choice and of PyVRP (same seed, same plan on the same machine load;
        PyVRP's time limit makes runs on slower machines differ).
    network
        A car network of the region to reuse.
    """
    inp = mobile_inputs(region, unit, year=year, network=network)
    unreachable = int((~np.isfinite(inp.travel_minutes[0, 1:])).sum())
    if unreachable:
        log.warning("mobile: %d candidate stop(s) cannot be reached from the depot", unreachable)
    ok = np.isfinite(inp.travel_minutes[0]) & np.isfinite(inp.travel_minutes[:, 0])
    if not ok.all():  # keep only candidates linked both ways with the depot and each other
        keep = np.flatnonzero(ok[1:])
        order = np.concatenate([[0], keep + 1])
        inp = MobileInputs(
            **{
                **inp.__dict__,
                "cand_ids": inp.cand_ids[keep],
                "cand_names": inp.cand_names[keep],
                "cand_municipality": inp.cand_municipality[keep],
                "cell_minutes": inp.cell_minutes[:, keep],
                "travel_minutes": inp.travel_minutes[np.ix_(order, order)],
                "travel_km": inp.travel_km[np.ix_(order, order)],
                "cand_xy": None if inp.cand_xy is None else inp.cand_xy[keep],
            }
        )
    return plan_mobile_arrays(unit, inp, params, seed=seed)
