"""Contacts per cell, service and age band in a year, from the age-band rates and the projection.

.. math::

    R_{c,b}(y) = P_{c,b} \\; f_{m(c),b}(y), \\qquad
    C_{c,s,b}(y) = R_{c,b}(y) \\; r_{s,b},

with ``P`` the base-year residents of cell ``c`` in band ``b``, ``f`` the projection factor of
the cell's municipality ``m(c)`` (1 in the base year), ``r`` the service's rate (contacts per
person-year, ``services.rate_<band>``). Projected residents are fractional; they are not rounded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError
from ..region.model import Region
from ..region.schema import AGE_BANDS, POPULATION_COLUMNS, RATE_COLUMNS

log = logging.getLogger("palveluverkko.demand")

__all__ = ["Demand", "contacts", "contacts_kernel", "projection_factors"]


@dataclass(frozen=True, eq=False)
class Demand:
    """Residents and annual contacts of one year, as arrays.

    Attributes
    ----------
    year
        The year.
    cell_ids, services, bands
        Axis labels (cells in ``region.population`` order; services in ``region.services``
        order; bands = ``AGE_BANDS``).
    residents
        ``(n_cells, n_bands)`` float64, projected residents.
    contacts
        ``(n_cells, n_services, n_bands)`` float64, contacts per year (all channels).
    """

    year: int
    cell_ids: np.ndarray
    services: tuple[str, ...]
    bands: tuple[str, ...]
    residents: np.ndarray
    contacts: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """Long table ``cell_id, service, band, residents, contacts_per_year``."""
        n_c, n_s, n_b = self.contacts.shape
        return pd.DataFrame(
            {
                "cell_id": np.repeat(self.cell_ids, n_s * n_b),
                "service": np.tile(np.repeat(np.array(self.services, dtype=object), n_b), n_c),
                "band": np.tile(np.array(self.bands, dtype=object), n_c * n_s),
                "residents": np.repeat(self.residents[:, None, :], n_s, axis=1).ravel(),
                "contacts_per_year": self.contacts.ravel(),
            }
        )


def contacts_kernel(residents: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """``C[c, s, b] = residents[c, b] * rates[s, b]`` for residents (cells x bands) and rates
    (services x bands)."""
    return residents[:, None, :] * rates[None, :, :]


def projection_factors(region: Region, year: int) -> np.ndarray:
    """``(n_cells, n_bands)`` factor of each cell's municipality and band in ``year``.

    Raises
    ------
    InputError
        When ``year`` is not the base year and the projection lacks it, or lacks a municipality
        or band for it.
    """
    n = len(region.population)
    if year == region.base_year:
        return np.ones((n, len(AGE_BANDS)))
    proj = region.projection
    if proj is None or not (proj["year"].astype(int) == year).any():
        raise InputError(
            f"projection: no factors for year {year} (base year {region.base_year}); add the "
            "year to the projection layer or evaluate the base year"
        )
    sel = proj.loc[proj["year"].astype(int) == year]
    table = sel.pivot_table(index="municipality", columns="band", values="factor", aggfunc="first")
    munis = region.population["municipality"].astype(str).to_numpy()
    table.index = table.index.astype(str)
    missing_m = sorted(set(munis) - set(table.index))
    missing_b = [b for b in AGE_BANDS if b not in table.columns]
    if missing_m or missing_b:
        raise InputError(
            f"projection: year {year} lacks municipality(ies) {', '.join(missing_m) or '-'} and "
            f"band(s) {', '.join(missing_b) or '-'}; give a factor for every municipality and "
            "band of that year"
        )
    values = table.loc[:, list(AGE_BANDS)]
    if values.isna().to_numpy().any():
        raise InputError(
            f"projection: year {year} has empty factors; give every municipality and band a factor"
        )
    return values.reindex(munis).to_numpy(dtype=np.float64)


def contacts(region: Region, year: int | None = None) -> Demand:
    """Residents and contacts per cell, service and band in ``year`` (default: base year).

    Raises
    ------
    InputError
        When the projection lacks ``year`` (see :func:`projection_factors`).
    """
    year = region.base_year if year is None else int(year)
    base = region.population[list(POPULATION_COLUMNS)].to_numpy(dtype=np.float64)
    residents = base * projection_factors(region, year)
    rates = region.services[list(RATE_COLUMNS)].to_numpy(dtype=np.float64)
    return Demand(
        year=year,
        cell_ids=region.population["cell_id"].astype(str).to_numpy(dtype=object),
        services=tuple(region.services["service"].astype(str)),
        bands=AGE_BANDS,
        residents=residents,
        contacts=contacts_kernel(residents, rates),
    )
