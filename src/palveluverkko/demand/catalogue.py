"""The default service catalogue: contact rates per age band derived from national totals.

Every rate is a number of contacts per person-year in an age band. Where DOMAIN.md gives a
national total ``T`` for a service, the rates are an age *profile* ``w_b`` (an assumption: the
relative use by band) scaled so that, applied to Finland's population ``N_b`` by band
(:data:`FINLAND_POPULATION_2023`), they reproduce the total exactly:

.. math::

    r_b = w_b \\, \\frac{T}{\\sum_{b'} w_{b'} N_{b'}}, \\qquad \\sum_b r_b N_b = T.

Sources of the totals (DOMAIN.md): primary-care outpatient visits 29.8 M in 2023, of which 46 %
remote; dental care 4.7 M visits in 2022; regular home care clients 8 % of 75-84, 30 % of 85-94 and
57 % of 95+ year-olds (2022). Everything else (age profiles, neuvola, social work, mental health
and emergency contacts, home-care visits per client) is an assumption, a keyword parameter of
:func:`default_services` with its default documented there, and must be replaced by a county's own
statistics where it has them.

:func:`default_site_services` says which services each site kind offers and with what relative
weight of capacity; the demo generator and the importers use it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from ..errors import UnknownIdError
from ..region.schema import AGE_BANDS, POPULATION_COLUMNS, RATE_COLUMNS, SITE_KINDS

__all__ = [
    "CONTACTS_PER_FTE_WEEK",
    "FINLAND_POPULATION_2023",
    "NATIONAL_TOTALS",
    "SERVICE_CODES",
    "SITE_KIND_SERVICES",
    "default_services",
    "default_site_services",
    "national_contacts",
    "site_services_from_demand",
]

FINLAND_POPULATION_2023: dict[str, int] = {
    "0_6": 336_000,
    "7_17": 664_000,
    "18_64": 3_263_851,
    "65_74": 690_000,
    "75_84": 485_000,
    "85_plus": 165_000,
}
"""Finland's population by age band, 31 Dec 2023 (total 5,603,851).

Source: Statistics Finland, population structure 2023 (CC BY 4.0). The total is the published
figure; the split into our six bands is OUR ESTIMATE (rounded to thousands from the cohort sizes,
the 18-64 band takes the remainder; no exact table was at hand offline), good to a few per cent
per band. Replace it with StatFin table 11rd (population by one-year age) when it is at hand; the
rates are rescaled automatically (``default_services(population=...)``).
"""

SHARE_95_PLUS_OF_85_PLUS = 0.075
"""Share of the 85+ band aged 95 or more (about 12,400 of 165,000 in 2023; Statistics Finland)."""

NATIONAL_TOTALS: dict[str, float] = {
    "vastaanotto": 29_800_000.0,  # primary-care outpatient visits 2023 (THL), all channels
    "hammashoito": 4_700_000.0,  # dental visits 2022 (THL)
}
"""National annual contacts that the rates of these services reproduce (DOMAIN.md)."""

SERVICE_CODES: tuple[str, ...] = (
    "vastaanotto",
    "hammashoito",
    "neuvola",
    "sosiaalityo",
    "mielenterveys",
    "kotihoito",
    "paivystys",
)

# Age profiles (relative use per person, band order AGE_BANDS). ASSUMPTIONS: shaped after the
# usual pattern of Finnish primary-care statistics (small children and the old use most), not
# published rates; only their ratios matter because they are scaled to the national totals.
_VASTAANOTTO_PROFILE = (4.0, 2.2, 4.2, 6.5, 9.0, 11.0)
_HAMMASHOITO_PROFILE = (0.9, 1.4, 0.75, 0.95, 0.8, 0.5)

_NAMES: dict[str, tuple[str, str, str, str]] = {
    # code: (name_fi, name_sv, name_en, level)
    "vastaanotto": (
        "Avosairaanhoidon lääkärin ja hoitajan vastaanotto",
        "Läkar- och skötarmottagning inom öppenvården",
        "Doctor and nurse appointments (outpatient care)",
        "lahi",
    ),
    "hammashoito": ("Suun terveydenhuolto", "Munhälsovård", "Dental care", "lahi"),
    "neuvola": (
        "Äitiys- ja lastenneuvola",
        "Mödra- och barnrådgivning",
        "Maternity and child health clinic",
        "lahi",
    ),
    "sosiaalityo": (
        "Sosiaalityö ja -ohjaus",
        "Socialt arbete och handledning",
        "Social work and counselling",
        "lahi",
    ),
    "mielenterveys": (
        "Mielenterveys- ja päihdepalvelut (avohoito)",
        "Mentalvårds- och missbrukartjänster (öppenvård)",
        "Mental health and substance abuse outpatient services",
        "alue",
    ),
    "kotihoito": ("Kotihoito", "Hemvård", "Home care", "lahi"),
    "paivystys": (
        "Ympärivuorokautinen päivystys",
        "Jour dygnet runt",
        "24-hour emergency care",
        "keskitetty",
    ),
}


def _scaled(profile: tuple[float, ...], total: float, population: Mapping[str, int]) -> np.ndarray:
    """Rates ``w_b * T / sum(w * N)`` that reproduce ``total`` on ``population``."""
    w = np.asarray(profile, dtype=np.float64)
    n = np.array([population[b] for b in AGE_BANDS], dtype=np.float64)
    return w * (total / float(w @ n))


def default_services(
    *,
    population: Mapping[str, int] | None = None,
    vastaanotto_digital_share: float = 0.46,
    kotihoito_visits_per_client_year: float = 365.0,
    kotihoito_client_share_65_74: float = 0.015,
    kotihoito_client_share_18_64: float = 0.002,
    births_per_year: float = 43_400.0,
    maternity_visits_per_birth: float = 12.0,
    child_health_visits_0_6: float = 2.5,
    access_target_days: float = 7.0,
) -> pd.DataFrame:
    """Return the default ``services`` layer (schema: ``region.schema.SERVICES``).

    Parameters
    ----------
    population
        National population by age band the totals are reproduced on; default
        :data:`FINLAND_POPULATION_2023`.
    vastaanotto_digital_share
        Share of outpatient contacts done remotely: 0.46 (DOMAIN.md, 2023).
    kotihoito_visits_per_client_year
        ASSUMPTION, default 365: one home-care visit a day per regular client on average
        (clients range from a few visits a week to several a day).
    kotihoito_client_share_65_74, kotihoito_client_share_18_64
        ASSUMPTION: share of regular home-care clients below 75 (DOMAIN.md gives none);
        defaults 1.5 % and 0.2 %. Children: none.
    births_per_year
        Live births in Finland in 2023 (43,383, Statistics Finland), for maternity visits.
    maternity_visits_per_birth
        ASSUMPTION, default 12: maternity-clinic visits per pregnancy (THL's recommended
        schedule has 11-15); charged to the 18-64 band.
    child_health_visits_0_6
        ASSUMPTION, default 2.5 child-health-clinic visits per child-year (about 15-17
        recommended visits from birth to school age).
    access_target_days
        The county's access target for primary care, days (policy, default 7).

    Returns
    -------
    pandas.DataFrame
        One row per service of :data:`SERVICE_CODES` with the columns of the ``services`` layer.

    Notes
    -----
    Derivations (``N_b`` national population by band, ``r_b`` the rate):

    - ``vastaanotto``: age profile scaled so that ``sum r_b N_b = 29.8 M`` (all channels);
      ``digital_share = 0.46``.
    - ``hammashoito``: profile scaled to 4.7 M visits; ``digital_share = 0.02`` (ASSUMPTION:
      dental care is almost wholly physical). Access target 180 days (the law's six months).
    - ``neuvola``: ``r_0_6 = child_health_visits_0_6``; ``r_18_64 = births *
      maternity_visits_per_birth / N_18_64``.
    - ``kotihoito``: ``r_b = client share_b * visits per client``; the 85+ client share merges
      85-94 (30 %) and 95+ (57 %) with the 95+ share of the band
      (:data:`SHARE_95_PLUS_OF_85_PLUS`). ``home_share = 1``: every visit is at home.
    - ``sosiaalityo``, ``mielenterveys``, ``paivystys``: ASSUMED rates (no national figure in
      DOMAIN.md): social work 0.2-0.8, mental health up to 0.8 (working age), 24-hour emergency
      0.15-0.6 visits per person-year rising with age.
    """
    pop = dict(population) if population is not None else dict(FINLAND_POPULATION_2023)
    rates: dict[str, np.ndarray] = {
        "vastaanotto": _scaled(_VASTAANOTTO_PROFILE, NATIONAL_TOTALS["vastaanotto"], pop),
        "hammashoito": _scaled(_HAMMASHOITO_PROFILE, NATIONAL_TOTALS["hammashoito"], pop),
        "neuvola": np.array(
            [
                child_health_visits_0_6,
                0.0,
                births_per_year * maternity_visits_per_birth / pop["18_64"],
                0.0,
                0.0,
                0.0,
            ]
        ),
        "sosiaalityo": np.array([0.2, 0.4, 0.5, 0.3, 0.5, 0.8]),
        "mielenterveys": np.array([0.05, 0.4, 0.8, 0.3, 0.2, 0.2]),
        "kotihoito": kotihoito_visits_per_client_year
        * np.array(
            [
                0.0,
                0.0,
                kotihoito_client_share_18_64,
                kotihoito_client_share_65_74,
                0.08,
                0.30 * (1 - SHARE_95_PLUS_OF_85_PLUS) + 0.57 * SHARE_95_PLUS_OF_85_PLUS,
            ]
        ),
        "paivystys": np.array([0.3, 0.15, 0.2, 0.3, 0.45, 0.6]),
    }
    # code: (digital_share, home_share, mobile_share, threshold_min, access_target_days)
    channels: dict[str, tuple[float, float, float, float, float]] = {
        "vastaanotto": (vastaanotto_digital_share, 0.0, 0.0, 30.0, access_target_days),
        "hammashoito": (0.02, 0.0, 0.0, 45.0, 180.0),
        "neuvola": (0.1, 0.0, 0.0, 30.0, 14.0),
        "sosiaalityo": (0.3, 0.0, 0.0, 30.0, 7.0),
        "mielenterveys": (0.35, 0.0, 0.0, 45.0, 14.0),
        "kotihoito": (0.0, 1.0, 0.0, 30.0, 1.0),
        "paivystys": (0.0, 0.0, 0.0, 60.0, 0.5),
    }
    rows = []
    for code in SERVICE_CODES:
        name_fi, name_sv, name_en, level = _NAMES[code]
        digital, home, mobile, threshold, target = channels[code]
        row: dict[str, object] = {
            "service": code,
            "name_fi": name_fi,
            "name_sv": name_sv,
            "name_en": name_en,
            "level": level,
        }
        row.update({c: float(v) for c, v in zip(RATE_COLUMNS, rates[code], strict=True)})
        row.update(
            digital_share=digital,
            home_share=home,
            mobile_share=mobile,
            threshold_min=threshold,
            access_target_days=target,
        )
        rows.append(row)
    return pd.DataFrame(rows)


def national_contacts(services: pd.DataFrame, population: Mapping[str, int]) -> pd.Series:
    """Contacts per year per service: ``sum_b rate_b * N_b`` (indexed by service code)."""
    n = np.array([population[b] for b in AGE_BANDS], dtype=np.float64)
    values = services[list(RATE_COLUMNS)].to_numpy(dtype=np.float64) @ n
    return pd.Series(values, index=services["service"].to_numpy(), name="contacts_per_year")


SITE_KIND_SERVICES: dict[str, tuple[tuple[str, float], ...]] = {
    "sairaala_24h": (("paivystys", 1.0), ("mielenterveys", 2.0)),
    "sote_keskus": (
        ("vastaanotto", 3.0),
        ("sosiaalityo", 3.0),
        ("mielenterveys", 3.0),
        ("kotihoito", 3.0),
        ("neuvola", 1.0),
    ),
    "sote_asema": (("vastaanotto", 1.5), ("sosiaalityo", 1.0), ("kotihoito", 1.0)),
    "sote_piste": (("vastaanotto", 0.5), ("sosiaalityo", 0.5)),
    "perhekeskus": (("neuvola", 2.0), ("sosiaalityo", 1.0), ("mielenterveys", 1.0)),
    "hammashoitola": (("hammashoito", 1.0),),
    "neuvola": (("neuvola", 1.0),),
}
"""Services by site kind with a relative capacity weight.

Within a municipality, a service's demand is shared among the sites offering it in proportion
to these weights (a sote-keskus takes twice a sote-asema's share of appointments, a light
sote-piste a third). ASSUMPTION, from the kinds' descriptions in DOMAIN.md.
"""


def default_site_services(kind: str) -> list[tuple[str, float]]:
    """Services a site of ``kind`` offers, each with its relative capacity weight.

    Raises
    ------
    KeyError
        When ``kind`` is not one of ``region.schema.SITE_KINDS``.
    """
    if kind not in SITE_KINDS:
        raise UnknownIdError(
            f"site kind {kind!r} is unknown; expected one of {', '.join(SITE_KINDS)}"
        )
    return list(SITE_KIND_SERVICES[kind])


CONTACTS_PER_FTE_WEEK: dict[str, float] = {
    "vastaanotto": 35.0,
    "hammashoito": 25.0,
    "neuvola": 30.0,
    "sosiaalityo": 15.0,
    "mielenterveys": 15.0,
    "kotihoito": 28.0,
    "paivystys": 12.0,
}
"""ASSUMPTION: contacts a full-time equivalent (support staff included) handles in a week."""


def _points(frame: gpd.GeoDataFrame) -> np.ndarray:
    geom = frame.geometry.to_numpy()
    if len(geom) and not (shapely.get_type_id(geom) == 0).all():
        geom = shapely.centroid(geom)
    return np.asarray(shapely.get_coordinates(geom), dtype=np.float64).reshape(-1, 2)


def site_services_from_demand(
    sites: gpd.GeoDataFrame,
    population: gpd.GeoDataFrame,
    services: pd.DataFrame,
    *,
    headroom: float | Callable[[str, str], float] = 1.2,
    weeks_per_year: float = 52.0,
    contacts_per_fte_week: Mapping[str, float] | None = None,
    method: Literal["municipality", "nearest"] = "municipality",
) -> pd.DataFrame:
    """Give sites their services by kind, with capacity sized to today's demand.

    With ``method="nearest"`` (what the importers use) each population cell's demand goes to
    the nearest site offering the service (straight line: no road network is needed at import),
    so that a site is sized by the demand it would take at today's network; with
    ``"municipality"`` (the demo generator's rule, below) a municipality's demand is shared
    among its own sites by kind weights.

    For want of a capacity table (the open data have none), each site offers the services of its
    kind (:data:`SITE_KIND_SERVICES`) with a weekly capacity sized to demand:

    .. math::

        D_{m,s} = \\frac{1}{52} \\sum_b N_{m,b} \\, r_{s,b} \\,
                  (1 - \\text{digital}_s - \\text{mobile}_s), \\qquad
        \\text{capacity}_{i,s} = h_{i,s} \\, D_{m(i),s} \\,
                  \\frac{w_{k(i),s}}{\\sum_{j \\in S_{m,s}} w_{k(j),s}}

    where ``N_{m,b}`` are municipality ``m``'s residents in band ``b``, ``S_{m,s}`` the sites of
    ``m`` offering ``s``, ``w`` the kind weights and ``h`` the headroom. Home visits count (their
    staff work from the site); a municipality with no site offering ``s`` sends its demand to the
    offering site nearest to its population-weighted centre. Staff: capacity over
    :data:`CONTACTS_PER_FTE_WEEK` (at least 0.2 FTE).

    Parameters
    ----------
    sites, population, services
        Layers as in ``region.schema`` (sites need ``site_id``, ``municipality``, ``kind``).
    headroom
        Capacity over demand: a number, or ``f(site_id, service)`` called once per row in order.
    weeks_per_year
        Weeks the yearly contacts are spread over.
    contacts_per_fte_week
        Overrides of :data:`CONTACTS_PER_FTE_WEEK`.

    method
        ``"municipality"`` or ``"nearest"`` (see above).

    Returns
    -------
    pandas.DataFrame
        The ``site_services`` table: ``site_id``, ``service``, ``capacity_per_week``,
        ``staff_fte``, in the order of ``sites`` and then of ``services``; with
        ``method="nearest"`` also ``estimated`` (True: capacity and staff are estimates).

    Raises
    ------
    KeyError
        When a site's kind is not one of ``region.schema.SITE_KINDS``.
    """
    per_fte = dict(CONTACTS_PER_FTE_WEEK)
    per_fte.update(contacts_per_fte_week or {})
    pop_cols = list(POPULATION_COLUMNS)
    residents = population[pop_cols].to_numpy(dtype=np.float64)
    codes = sorted(set(population["municipality"].astype(str)))
    muni_of_cell = population["municipality"].astype(str).to_numpy()
    cell_xy = _points(population)
    total = residents.sum(axis=1)
    by_muni = np.zeros((len(codes), len(pop_cols)))
    centre = np.zeros((len(codes), 2))
    for m, code in enumerate(codes):
        mine = muni_of_cell == code
        by_muni[m] = residents[mine].sum(axis=0)
        w = total[mine]
        centre[m] = (cell_xy[mine] * w[:, None]).sum(axis=0) / max(w.sum(), 1e-9)
    site_ids = sites["site_id"].astype(str).to_numpy()
    site_muni = sites["municipality"].astype(str).to_numpy()
    site_xy = _points(sites)
    offers = [dict(default_site_services(str(kind))) for kind in sites["kind"]]
    capacity: dict[tuple[int, str], float] = {}
    for _, row in services.iterrows():
        service = str(row["service"])
        physical = 1.0 - float(row["digital_share"]) - float(row.get("mobile_share", 0.0) or 0.0)
        rates = row[list(RATE_COLUMNS)].to_numpy(dtype=np.float64)
        weekly = by_muni @ rates * physical / weeks_per_year
        off = np.array([i for i, o in enumerate(offers) if service in o], dtype=np.int64)
        if len(off) == 0:
            continue
        if method == "nearest":
            per_cell = residents @ rates * physical / weeks_per_year
            _, nearest = cKDTree(site_xy[off]).query(cell_xy)
            taken = np.bincount(nearest, weights=per_cell, minlength=len(off))
            for i, need in zip(off.tolist(), taken.tolist(), strict=True):
                capacity[(i, service)] = need
            continue
        weight = np.array([offers[i][service] for i in off])
        share = np.zeros(len(off))
        for m, code in enumerate(codes):
            own = site_muni[off] == code
            if not own.any():
                d = np.hypot(*(site_xy[off] - centre[m]).T)
                own = d == d.min()
            share[own] += weekly[m] * weight[own] / weight[own].sum()
        for i, need in zip(off.tolist(), share.tolist(), strict=True):
            capacity[(i, service)] = need
    rows = []
    order = {str(s): k for k, s in enumerate(services["service"])}
    for (i, service), value in sorted(capacity.items(), key=lambda kv: (kv[0][0], order[kv[0][1]])):
        h = headroom(site_ids[i], service) if callable(headroom) else float(headroom)
        cap = round(value * h, 1)
        rows.append(
            (site_ids[i], service, cap, max(0.2, round(cap / per_fte.get(service, 20.0), 1)))
        )
    out = pd.DataFrame(rows, columns=["site_id", "service", "capacity_per_week", "staff_fte"])
    if method == "nearest":
        out["estimated"] = True
    return out
