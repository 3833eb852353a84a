"""Channel split: conservation, the national 46 % remote share, broadband and age limits."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from palveluverkko.demand.catalogue import FINLAND_POPULATION_2023, default_services
from palveluverkko.demand.channels import (
    broadband_multiplier,
    calibrate_digital,
    national_digital_share,
    split_channels,
)
from palveluverkko.demand.contacts import Demand, contacts
from palveluverkko.region.examples import tiny_region
from palveluverkko.region.schema import AGE_BANDS, RATE_COLUMNS


def test_national_remote_share_is_46_percent() -> None:
    """On Finland's population and broadband mix the defaults give 46 % remote outpatient care."""
    services = default_services()
    row = services.set_index("service").loc["vastaanotto"]
    rates = row[list(RATE_COLUMNS)].to_numpy(dtype=float)
    cap = np.ones(6)
    k = calibrate_digital(0.46, rates, cap)
    assert national_digital_share(k, rates, cap) == pytest.approx(0.46, abs=1e-9)
    # recompute independently: national cells, one per band and broadband class
    classes = [(150.0, 0.71), (50.0, 0.15), (20.0, 0.09), (5.0, 0.05)]
    residents = np.array(
        [[FINLAND_POPULATION_2023[b] * share for b in AGE_BANDS] for _, share in classes]
    )
    d = Demand(
        2023,
        np.array(["a", "b", "c", "d"], dtype=object),
        tuple(services["service"]),
        AGE_BANDS,
        residents,
        residents[:, None, :] * services[list(RATE_COLUMNS)].to_numpy(float)[None],
    )
    split = split_channels(d, services, np.array([m for m, _ in classes]))
    s = list(services["service"]).index("vastaanotto")
    assert split.digital[:, s].sum() / split.total[:, s].sum() == pytest.approx(0.46, abs=1e-9)
    # home care is all at home
    h = list(services["service"]).index("kotihoito")
    assert split.home[:, h].sum() == pytest.approx(split.total[:, h].sum())


def test_broadband_limits_digital_share() -> None:
    """Slower lines give a lower digital share, and unknown speed the national mean."""
    g = broadband_multiplier(np.array([300.0, 50.0, 15.0, 2.0, np.nan]))
    assert list(g[:4]) == [1.0, 0.85, 0.65, 0.35]
    assert g[4] == pytest.approx(0.71 * 1 + 0.15 * 0.85 + 0.09 * 0.65 + 0.05 * 0.35)
    region = tiny_region()
    d = contacts(region)
    split = split_channels(d, region.services, region.population["broadband_mbps"].to_numpy())
    share = split.digital[:, 0, 2] / split.total[:, 0, 2]  # vastaanotto, 18-64
    # c1 (300 Mbit/s) > c3 (30 Mbit/s) > c4 (10 Mbit/s)
    assert share[1] > share[3] > share[4]
    # the old use less digital than the working age in the same cell
    assert split.digital[1, 0, 5] / split.total[1, 0, 5] < share[1]


def test_band_override_limited_by_broadband() -> None:
    """A band-specific digital share applies at full broadband and is cut by a slow line."""
    region = tiny_region()
    d = contacts(region)
    split = split_channels(
        d,
        region.services,
        region.population["broadband_mbps"].to_numpy(),
        band_digital_share={("vastaanotto", "85_plus"): 0.5},
    )
    assert split.digital[1, 0, 5] / split.total[1, 0, 5] == pytest.approx(0.5)  # 300 Mbit/s
    assert split.digital[4, 0, 5] / split.total[4, 0, 5] == pytest.approx(0.5 * 0.65)  # 10


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    digital=st.floats(0.0, 0.6),
    home=st.floats(0.0, 0.3),
    mobile=st.floats(0.0, 0.1),
)
def test_channels_conserve_contacts(seed: int, digital: float, home: float, mobile: float) -> None:
    """physical + digital + home + mobile equals the total in every cell, service and band."""
    rng = np.random.default_rng(seed)
    services = default_services()
    services["digital_share"] = digital
    services["home_share"] = home
    services["mobile_share"] = mobile
    n = 20
    residents = rng.integers(0, 500, size=(n, 6)).astype(float)
    rates = services[list(RATE_COLUMNS)].to_numpy(float)
    d = Demand(
        2024,
        np.arange(n).astype(str).astype(object),
        tuple(services["service"]),
        AGE_BANDS,
        residents,
        residents[:, None, :] * rates[None],
    )
    mbps = np.where(rng.random(n) < 0.2, np.nan, rng.uniform(1, 1000, n))
    split = split_channels(d, services, mbps)
    parts = split.physical + split.digital + split.home + split.mobile
    assert np.allclose(parts, split.total, rtol=1e-12, atol=1e-9)
    assert (split.physical >= 0).all()
    assert (split.digital >= 0).all()
