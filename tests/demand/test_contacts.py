"""Contacts per cell, service and band from rates and projection."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from palveluverkko.demand.contacts import contacts, projection_factors
from palveluverkko.errors import InputError
from palveluverkko.region.examples import tiny_region
from palveluverkko.region.schema import AGE_BANDS


def test_base_year_contacts_by_hand() -> None:
    """Cell c0's outpatient contacts equal sum of residents x rate worked by hand."""
    d = contacts(tiny_region())
    # c0: 10, 20, 100, 20, 10, 5 residents; rates 4, 2.5, 4.5, 7, 9, 11
    expected = 10 * 4 + 20 * 2.5 + 100 * 4.5 + 20 * 7 + 10 * 9 + 5 * 11
    assert d.contacts[0, 0].sum() == pytest.approx(expected)
    assert d.residents.sum() == tiny_region().total_population
    assert d.services == ("vastaanotto", "hammashoito")


def _with_projection() -> pd.DataFrame:
    rows = []
    for m in ("901", "902"):
        for b in AGE_BANDS:
            rows.append(
                {
                    "municipality": m,
                    "year": 2027,
                    "band": b,
                    "factor": 1.1 if b == "85_plus" and m == "902" else 1.0,
                }
            )
    return pd.DataFrame(rows)


def test_projection_scales_residents_and_contacts() -> None:
    """A 10 % growth of 85+ in 902 raises exactly those residents and contacts by 10 %."""
    region = tiny_region().replace(projection=_with_projection())
    base = contacts(region)
    later = contacts(region, 2027)
    ratio = later.residents / np.where(base.residents > 0, base.residents, 1)
    munis = region.population["municipality"].to_numpy()
    assert np.allclose(ratio[munis == "902", 5][base.residents[munis == "902", 5] > 0], 1.1)
    assert np.allclose(later.residents[munis == "901"], base.residents[munis == "901"])
    assert later.contacts[:, :, 5].sum() > base.contacts[:, :, 5].sum()


def test_missing_projection_year() -> None:
    """A year the projection lacks is an error that names the year."""
    region = tiny_region().replace(projection=_with_projection())
    with pytest.raises(InputError, match="no factors for year 2026"):
        projection_factors(region, 2026)


def test_to_frame_is_long_and_sums() -> None:
    """The long frame has one row per cell x service x band and keeps the total."""
    d = contacts(tiny_region())
    frame = d.to_frame()
    assert len(frame) == 6 * 2 * 6
    assert frame["contacts_per_year"].sum() == pytest.approx(d.contacts.sum())
    c0 = frame[(frame.cell_id == "c0") & (frame.service == "hammashoito") & (frame.band == "18_64")]
    assert c0["contacts_per_year"].item() == pytest.approx(100 * 0.8)
