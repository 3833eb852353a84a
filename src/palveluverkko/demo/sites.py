"""Sites of the demo county: kinds, services, weekly capacity, staff and premises.

Which sites exist (fixed by design, positions drawn with the seed):

- city: the 24-hour hospital, three sote-keskus and four sote-asema around the centre, three dental
  clinics, two neuvola and a perhekeskus;
- towns: a sote-keskus in the two biggest (the biggest also keeps an older sote-asema), a sote-asema
  in the others, a dental clinic and a neuvola in each;
- rural municipalities: a sote-asema where more than 5 000 live, else a sote-piste; a dental clinic
  in every second one; a neuvola in every third.

Capacity: :func:`palveluverkko.demand.catalogue.site_services_from_demand` shares each
municipality's weekly demand for a service among its sites offering it by the kind weights of
:data:`palveluverkko.demand.catalogue.SITE_KIND_SERVICES` and multiplies by a headroom drawn from
U(1.08, 1.35), except four appointment (``vastaanotto``) sites that get U(0.75, 0.9): today's
network is mostly adequate, a few sites are overloaded.

Premises (ASSUMPTIONS, documented defaults): staff from the catalogue's contacts per FTE;
floor area ``120 + 30 m^2 per FTE`` (hospital at least 20 000 m^2); annual premises cost
``PREMISES_EUR_PER_M2_YEAR = 260`` EUR/m^2 (about 21.7 EUR/m^2/month, internal rent with upkeep);
condition 2-5 at random except the three sites in the worst condition (1): two city sote-asema
and the biggest town's old sote-asema; investment need ``floor area x INVESTMENT_EUR_PER_M2``
by condition; 55 % leased with a lease end 2025-2035, the rest owned (empty lease end).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from ..demand.catalogue import site_services_from_demand
from ..errors import InternalError
from ..region.schema import DEFAULT_CRS
from .geography import Geography
from .roads import RoadResult

log = logging.getLogger("palveluverkko.demo")

PREMISES_EUR_PER_M2_YEAR = 260.0
INVESTMENT_EUR_PER_M2: dict[int, float] = {1: 1_800.0, 2: 900.0, 3: 350.0, 4: 100.0, 5: 0.0}
"""ASSUMPTION: renovation need by condition, EUR per m^2 of floor area."""

WEEKS_PER_YEAR = 52.0
_KIND_LABEL = {
    "sairaala_24h": "Keskussairaala",
    "sote_keskus": "Sote-keskus",
    "sote_asema": "Sote-asema",
    "sote_piste": "Sote-palvelupiste",
    "perhekeskus": "Perhekeskus",
    "hammashoitola": "Hammashoitola",
    "neuvola": "Neuvola",
}
_CITY_PARTS = ("Keskusta", "Pohjoinen", "Itä", "Etelä", "Länsi", "Koillinen", "Lounas", "Kaakko")


@dataclass(frozen=True)
class _Planned:
    municipality: int
    kind: str
    x: float
    y: float
    part: str
    worst: bool = False


def _plan(geo: Geography, rng: np.random.Generator) -> list[_Planned]:
    """Where each site goes (before snapping to a road)."""
    out: list[_Planned] = []
    c = geo.centres
    kinds = np.array(geo.kinds)

    def around(m: int, r_lo: float, r_hi: float) -> tuple[float, float]:
        r = rng.uniform(r_lo, r_hi)
        a = rng.uniform(0, 2 * np.pi)
        return float(c[m, 0] + r * np.cos(a)), float(c[m, 1] + r * np.sin(a))

    # city
    out.append(_Planned(0, "sairaala_24h", *around(0, 800, 1_500), "Keskusta"))
    angles = np.linspace(0, 2 * np.pi, 7, endpoint=False) + rng.uniform(0, 1)
    for k, kind in enumerate(["sote_keskus"] * 3 + ["sote_asema"] * 4):
        r = 300.0 if k == 0 else rng.uniform(2_500, 4_800)
        x, y = c[0] + r * np.array([np.cos(angles[k]), np.sin(angles[k])])
        out.append(_Planned(0, kind, float(x), float(y), _CITY_PARTS[k], worst=k in (4, 6)))
    for k in range(3):
        out.append(_Planned(0, "hammashoitola", *around(0, 300, 4_000), _CITY_PARTS[k + 1]))
    for k in range(2):
        out.append(_Planned(0, "neuvola", *around(0, 1_000, 4_000), _CITY_PARTS[k + 5]))
    out.append(_Planned(0, "perhekeskus", *around(0, 200, 800), "Keskusta"))
    # towns
    towns = np.flatnonzero(kinds == "town")
    by_pop = towns[np.argsort(-geo.populations[towns], kind="stable")]
    for rank, m in enumerate(by_pop):
        m = int(m)
        name = geo.names[m]
        main = "sote_keskus" if rank < 2 else "sote_asema"
        out.append(_Planned(m, main, *around(m, 0, 300), name))
        if rank == 0:
            out.append(_Planned(m, "sote_asema", *around(m, 1_200, 1_800), f"{name} Asema", True))
        out.append(_Planned(m, "hammashoitola", *around(m, 100, 600), name))
        out.append(_Planned(m, "neuvola", *around(m, 100, 600), name))
    # rural
    for k, m in enumerate(np.flatnonzero(kinds == "rural")):
        m = int(m)
        name = geo.names[m]
        main = "sote_asema" if geo.populations[m] > 5_000 else "sote_piste"
        out.append(_Planned(m, main, *around(m, 0, 250), name))
        if k % 2 == 0:
            out.append(_Planned(m, "hammashoitola", *around(m, 0, 400), name))
        if k % 3 == 0:
            out.append(_Planned(m, "neuvola", *around(m, 0, 400), name))
    return out


def build_sites(
    geo: Geography,
    roads: RoadResult,
    population: gpd.GeoDataFrame,
    services: pd.DataFrame,
    seed: int,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The ``sites`` layer and the ``site_services`` table of the demo county."""
    rng = np.random.default_rng([seed, 6])
    plan = _plan(geo, rng)
    # snap to the nearest road vertex on the right side of the water, inside the municipality
    tree = cKDTree(roads.vertex_xy)
    xy = np.empty((len(plan), 2))
    for k, p in enumerate(plan):
        _, near = tree.query([p.x, p.y], k=64)
        for v in near:
            vx, vy = roads.vertex_xy[v]
            if (
                roads.mainland[v]
                and roads.snappable[v]
                and shapely.contains_xy(geo.polygons[p.municipality], vx, vy)
            ):
                xy[k] = vx, vy
                break
        else:
            raise InternalError(f"demo sites: no road vertex near planned {p.kind} (generator bug)")
    n = len(plan)
    codes = np.array(geo.codes)
    site_ids = [f"S{k + 1:03d}" for k in range(n)]
    names = [f"{_KIND_LABEL[p.kind]} {p.part}" for p in plan]
    kinds = [p.kind for p in plan]
    muni = np.array([p.municipality for p in plan])

    overloaded = set(
        rng.choice(
            [
                site_ids[k]
                for k, p in enumerate(plan)
                if p.kind in ("sote_asema", "sote_keskus") and not p.worst
            ],
            size=4,
            replace=False,
        ).tolist()
    )

    def headroom(site_id: str, service: str) -> float:
        if service == "vastaanotto" and site_id in overloaded:
            return float(rng.uniform(0.75, 0.9))
        return float(rng.uniform(1.08, 1.35))

    located = gpd.GeoDataFrame(
        {"site_id": site_ids, "municipality": codes[muni], "kind": kinds},
        geometry=shapely.points(xy),
        crs=DEFAULT_CRS,
    )
    site_services = site_services_from_demand(
        located, population, services, headroom=headroom, weeks_per_year=WEEKS_PER_YEAR
    )
    k_of = {sid: k for k, sid in enumerate(site_ids)}
    links = site_services.assign(k=site_services["site_id"].map(k_of))
    staff = links.groupby("k")["staff_fte"].sum().reindex(range(n), fill_value=0.0).to_numpy()
    floor = np.round(120.0 + 30.0 * staff, -1)
    floor[np.array(kinds) == "sairaala_24h"] = np.maximum(
        floor[np.array(kinds) == "sairaala_24h"], 20_000.0
    )
    condition = rng.choice(np.array([2, 3, 3, 4, 4, 5]), size=n)
    worst = np.array([p.worst for p in plan])
    condition[worst] = 1
    investment = floor * np.array([INVESTMENT_EUR_PER_M2[int(c)] for c in condition])
    leased = rng.uniform(size=n) < 0.55
    lease_days = rng.integers(0, 3_650, size=n)
    end_dates = np.datetime64("2025-01-01", "ms") + lease_days.astype("timedelta64[D]")
    lease_end = pd.Series(end_dates).where(leased).astype("datetime64[ms]")
    sites = gpd.GeoDataFrame(
        {
            "site_id": site_ids,
            "name": names,
            "municipality": codes[muni],
            "kind": kinds,
            "floor_area_m2": floor,
            "condition": pd.array(condition, dtype="Int64"),
            "annual_cost_eur": np.round(floor * PREMISES_EUR_PER_M2_YEAR, -2),
            "lease_end": lease_end,
            "investment_need_eur": np.round(investment, -3),
            "condition_source": "synthetic (palveluverkko demo)",
        },
        geometry=shapely.points(xy),
        crs=DEFAULT_CRS,
    )
    log.info("demo sites: %d sites, %d site services", len(sites), len(site_services))
    return sites, site_services
