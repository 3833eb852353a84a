"""Channel split of contacts: physical (at a site), digital, home and mobile.

Model, per cell ``c``, service ``s`` and age band ``b``:

.. math::

    h_{s,b} = \\text{home share}, \\quad m_{s} = \\text{mobile share}, \\quad
    \\text{cap}_{s,b} = 1 - h_{s,b} - m_s,

    d_{c,s,b} = \\min\\big(k_s \\; a_b \\; g(\\text{mbps}_c),\\; \\text{cap}_{s,b}\\big),

    \\text{physical} = C - \\text{digital} - \\text{home} - \\text{mobile},

with ``a_b`` the age multiplier of digital use (:data:`AGE_DIGITAL_MULTIPLIER`), ``g`` the
broadband multiplier (:func:`broadband_multiplier`), and ``k_s`` calibrated (bisection) so that
the national mix reproduces the service's ``digital_share`` ``D_s``:

.. math::

    \\sum_b w_{s,b} \\sum_q \\pi_q \\min(k_s a_b g_q, \\text{cap}_{s,b}) = D_s, \\qquad
    w_{s,b} = \\frac{r_{s,b} N_b}{\\sum_{b'} r_{s,b'} N_{b'}},

``N_b`` Finland's population by band, ``\\pi_q`` the national share of households in broadband
class ``q`` (:data:`NATIONAL_BROADBAND_MIX`). So ``vastaanotto``'s default 0.46 gives 46 % remote
contacts nationally (DOMAIN.md), and a region with more old people or slower lines gets less.
A band-specific scenario value ``D_{s,b}`` replaces ``k_s a_b`` for that band:
``d = min(D_{s,b} g(mbps), cap)`` ("limited by broadband").

Defaults (ASSUMPTIONS, replace with a county's own figures):

- :data:`AGE_DIGITAL_MULTIPLIER`: 0-64 = 1 (children's contacts are handled by parents),
  65-74 = 0.85, 75-84 = 0.6, 85+ = 0.35 (digital use falls with age; DOMAIN.md states the
  direction, not the numbers).
- :func:`broadband_multiplier`: >= 100 Mbit/s -> 1.0, 30-100 -> 0.85, 10-30 -> 0.65, < 10 ->
  0.35, unknown -> the national mean of these.
- :data:`NATIONAL_BROADBAND_MIX`: 71 % of households could get 100 Mbit/s at the end of 2021
  (DOMAIN.md); the split of the remaining 29 % (15 % / 9 % / 5 %) is an assumption.
- Home share: the service's ``home_share`` for every band (``kotihoito`` = 1); optional
  band overrides ``home_share_by_band``. Mobile share: the service's ``mobile_share``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError
from ..region.schema import AGE_BANDS, RATE_COLUMNS
from .catalogue import FINLAND_POPULATION_2023
from .contacts import Demand

log = logging.getLogger("palveluverkko.demand")

__all__ = [
    "AGE_DIGITAL_MULTIPLIER",
    "BROADBAND_CLASSES",
    "CHANNELS",
    "NATIONAL_BROADBAND_MIX",
    "ChannelSplit",
    "broadband_multiplier",
    "calibrate_digital",
    "national_digital_share",
    "split_channels",
]

CHANNELS: tuple[str, ...] = ("physical", "digital", "home", "mobile")

AGE_DIGITAL_MULTIPLIER: dict[str, float] = {
    "0_6": 1.0,
    "7_17": 1.0,
    "18_64": 1.0,
    "65_74": 0.85,
    "75_84": 0.6,
    "85_plus": 0.35,
}
"""Relative digital use by age band (ASSUMPTION, see the module docstring)."""

BROADBAND_CLASSES: tuple[tuple[float, float], ...] = (
    (100.0, 1.0),
    (30.0, 0.85),
    (10.0, 0.65),
    (0.0, 0.35),
)
"""(lower limit in Mbit/s, multiplier), fastest first (ASSUMPTION)."""

NATIONAL_BROADBAND_MIX: tuple[float, ...] = (0.71, 0.15, 0.09, 0.05)
"""Share of households per class of :data:`BROADBAND_CLASSES` (71 %: DOMAIN.md; rest assumed)."""


def _unknown_multiplier() -> float:
    return float(
        sum(p * g for p, (_, g) in zip(NATIONAL_BROADBAND_MIX, BROADBAND_CLASSES, strict=True))
    )


def broadband_multiplier(mbps: np.ndarray) -> np.ndarray:
    """Digital-use multiplier of a connection speed (NaN -> national mean multiplier)."""
    mbps = np.asarray(mbps, dtype=np.float64)
    out = np.full(mbps.shape, _unknown_multiplier())
    known = np.isfinite(mbps)
    for limit, mult in reversed(BROADBAND_CLASSES):
        out[known & (mbps >= limit)] = mult
    return out


def _band_weights(rates: np.ndarray, population: Mapping[str, int]) -> np.ndarray:
    n = np.array([population[b] for b in AGE_BANDS], dtype=np.float64)
    w = rates * n
    total = w.sum()
    return w / total if total > 0 else np.full(len(AGE_BANDS), 1.0 / len(AGE_BANDS))


def national_digital_share(
    k: float,
    rates: np.ndarray,
    cap: np.ndarray,
    *,
    population: Mapping[str, int] = FINLAND_POPULATION_2023,
) -> float:
    """National remote share of a service with calibration constant ``k`` (the model above)."""
    w = _band_weights(rates, population)
    a = np.array([AGE_DIGITAL_MULTIPLIER[b] for b in AGE_BANDS])
    g = np.array([m for _, m in BROADBAND_CLASSES])
    pi = np.array(NATIONAL_BROADBAND_MIX)
    d = np.minimum(k * a[:, None] * g[None, :], cap[:, None])  # (band, class)
    return float(w @ (d @ pi))


def calibrate_digital(
    target: float,
    rates: np.ndarray,
    cap: np.ndarray,
    *,
    population: Mapping[str, int] = FINLAND_POPULATION_2023,
) -> float:
    """``k`` with :func:`national_digital_share` ``(k) = target`` (bisection, 1e-12).

    Raises
    ------
    InputError
        When ``target`` exceeds what the caps (1 - home - mobile) allow.
    """
    if target <= 0:
        return 0.0
    most = float(_band_weights(rates, population) @ cap)
    if target > most + 1e-12:
        raise InputError(
            f"services.digital_share {target} cannot be reached: home and mobile shares leave at "
            f"most {most:.3f}; lower digital_share or home_share/mobile_share"
        )
    lo, hi = 0.0, 1.0
    while national_digital_share(hi, rates, cap, population=population) < target:
        hi *= 2.0
        if hi > 1e6:
            break
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if national_digital_share(mid, rates, cap, population=population) < target:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-13:
            break
    return hi


@dataclass(frozen=True, eq=False)
class ChannelSplit:
    """Contacts per year by channel; each array ``(n_cells, n_services, n_bands)``.

    ``physical + digital + home + mobile == total`` to float rounding (physical is formed as the
    remainder). ``digital_k`` holds each service's calibration constant. The parts of the
    digital share: ``digital_full`` ``(n_services, n_bands)`` the share at full broadband
    (``k_s a_b`` or a band override), ``digital_unaged`` the same without the age multiplier
    (``k_s``; the override where one is given), ``digital_cap`` the share left by home and
    mobile, ``broadband`` ``(n_cells,)`` each cell's broadband multiplier ``g``.
    """

    total: np.ndarray
    physical: np.ndarray
    digital: np.ndarray
    home: np.ndarray
    mobile: np.ndarray
    digital_k: np.ndarray
    digital_full: np.ndarray | None = None
    digital_unaged: np.ndarray | None = None
    digital_cap: np.ndarray | None = None
    broadband: np.ndarray | None = None

    def channel_totals(self, services: tuple[str, ...]) -> pd.DataFrame:
        """Per service: contacts per year by channel and the digital share."""
        frame = pd.DataFrame(
            {
                "service": list(services),
                "total_per_year": self.total.sum(axis=(0, 2)),
                "physical_per_year": self.physical.sum(axis=(0, 2)),
                "digital_per_year": self.digital.sum(axis=(0, 2)),
                "home_per_year": self.home.sum(axis=(0, 2)),
                "mobile_per_year": self.mobile.sum(axis=(0, 2)),
            }
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            frame["digital_share"] = frame["digital_per_year"] / frame["total_per_year"]
        return frame


def split_channels(
    demand: Demand,
    services: pd.DataFrame,
    broadband_mbps: np.ndarray | None = None,
    *,
    band_digital_share: Mapping[tuple[str, str], float] | None = None,
    home_share_by_band: Mapping[tuple[str, str], float] | None = None,
) -> ChannelSplit:
    """Split ``demand.contacts`` into channels (model in the module docstring).

    Parameters
    ----------
    demand
        Contacts per cell, service and band.
    services
        The ``services`` layer (same order as ``demand.services``): ``digital_share``, optional
        ``home_share``, ``mobile_share``, and the rates.
    broadband_mbps
        ``(n_cells,)`` best available connection; None or NaN = unknown (national mean).
    band_digital_share
        ``{(service, band): share}`` overrides at full broadband (scenario ``[[channels]]`` with
        ``band``).
    home_share_by_band
        ``{(service, band): share}`` overrides of the home share.

    Raises
    ------
    InputError
        When home + mobile share exceeds 1, or a digital share cannot be reached.
    """
    codes = list(demand.services)
    svc = services.set_index(services["service"].astype(str)).loc[codes]
    n_c, n_s, n_b = demand.contacts.shape
    home = np.zeros((n_s, n_b))
    mobile = np.zeros((n_s, n_b))
    if "home_share" in svc:
        home[:] = svc["home_share"].fillna(0.0).to_numpy(dtype=np.float64)[:, None]
    if "mobile_share" in svc:
        mobile[:] = svc["mobile_share"].fillna(0.0).to_numpy(dtype=np.float64)[:, None]
    for (s, b), v in (home_share_by_band or {}).items():
        home[codes.index(s), AGE_BANDS.index(b)] = float(v)
    cap = 1.0 - home - mobile
    if (cap < -1e-12).any():
        s, b = np.argwhere(cap < -1e-12)[0]
        raise InputError(
            f"services: home_share + mobile_share of {codes[s]!r} (band {AGE_BANDS[b]}) is "
            f"{1 - cap[s, b]:.3f} > 1; lower one of them"
        )
    cap = np.clip(cap, 0.0, 1.0)
    rates = svc[list(RATE_COLUMNS)].to_numpy(dtype=np.float64)
    target = svc["digital_share"].fillna(0.0).to_numpy(dtype=np.float64)
    a = np.array([AGE_DIGITAL_MULTIPLIER[b] for b in AGE_BANDS])
    ks = np.array([calibrate_digital(float(target[s]), rates[s], cap[s]) for s in range(n_s)])
    base = ks[:, None] * a[None, :]  # (service, band): digital share at full broadband
    unaged = np.repeat(ks[:, None], n_b, axis=1)
    for (s, b), v in (band_digital_share or {}).items():
        base[codes.index(s), AGE_BANDS.index(b)] = float(v)
        unaged[codes.index(s), AGE_BANDS.index(b)] = float(v)
    g = (
        np.full(n_c, _unknown_multiplier())
        if broadband_mbps is None
        else broadband_multiplier(np.asarray(broadband_mbps, dtype=np.float64))
    )
    dshare = np.minimum(base[None, :, :] * g[:, None, None], cap[None, :, :])
    total = demand.contacts
    digital = total * dshare
    home_c = total * home[None, :, :]
    mobile_c = total * mobile[None, :, :]
    physical = total - digital - home_c - mobile_c
    physical = np.maximum(physical, 0.0)  # only rounding can make it negative
    return ChannelSplit(
        total=total,
        physical=physical,
        digital=digital,
        home=home_c,
        mobile=mobile_c,
        digital_k=ks,
        digital_full=base,
        digital_unaged=unaged,
        digital_cap=cap,
        broadband=g,
    )
