"""The demo county's population projection to 2030: factors by municipality, year and age band.

Each band grows at a yearly rate interpolated between a city rate and a rural rate by the
municipality's rurality ``t`` (see :func:`palveluverkko.demo.population.rurality`):

.. math::

    f_{m,b}(y) = \\big(1 + (1 - t_m) g^{city}_b + t_m g^{rural}_b\\big)^{y - y_0}

with ``y_0 = 2024``. The rates (ASSUMPTIONS, shaped after Statistics Finland's 2024 projection:
fewer children everywhere, a shrinking working-age population in the countryside, 75-84 growing
fastest as the large post-war cohorts age) make every municipality older by 2030.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..region.schema import AGE_BANDS
from .geography import Geography

BASE_YEAR = 2024
YEARS = tuple(range(2025, 2031))
GROWTH_CITY = np.array([-0.005, 0.0, 0.005, 0.01, 0.05, 0.03])
GROWTH_RURAL = np.array([-0.03, -0.02, -0.015, -0.01, 0.035, 0.025])


def build_projection(geo: Geography, rurality: np.ndarray) -> pd.DataFrame:
    """The ``projection`` table: one factor per municipality, year 2025..2030 and band."""
    growth = (1 - rurality)[:, None] * GROWTH_CITY + rurality[:, None] * GROWTH_RURAL
    rows = []
    for m, code in enumerate(geo.codes):
        for year in YEARS:
            for b, band in enumerate(AGE_BANDS):
                factor = (1.0 + growth[m, b]) ** (year - BASE_YEAR)
                rows.append((code, year, band, round(float(factor), 4)))
    return pd.DataFrame(rows, columns=["municipality", "year", "band", "factor"])
