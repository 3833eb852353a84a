"""Allocation by mode mix: nearest sites, fallbacks, unserved, substitute rule, properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from palveluverkko.errors import InputError
from palveluverkko.evaluation.allocation import allocate, car_shares, nearest_site

INF = np.inf


def test_nearest_site_respects_offers() -> None:
    """The nearest site is searched only among sites offering the service; none -> -1, inf."""
    m = np.array([[5.0, 1.0, 3.0], [INF, INF, 2.0]])
    idx, t = nearest_site(m, np.array([True, False, True]))
    assert list(idx) == [2, 2]
    assert list(t) == [3.0, 2.0]
    idx, t = nearest_site(m, np.array([True, True, False]))
    assert list(idx) == [1, -1]
    assert t[1] == INF


def test_mode_groups_by_hand() -> None:
    """Car to the car-nearest, transit when faster than walking, walk, taxi, unserved."""
    car = np.array([[10.0, 20.0], [30.0, 5.0], [8.0, 9.0], [INF, INF]])
    transit = np.array([[50.0, 15.0], [INF, INF], [INF, INF], [INF, INF]])
    walk = np.array([[60.0, 90.0], [25.0, 100.0], [INF, INF], [INF, INF]])
    offers = np.array([[True, True]])
    a = allocate(
        {"car": car, "transit": transit, "walk": walk}, offers, np.array([0.7, 0.5, 0.9, 0.8])
    )
    g = {name: i for i, name in enumerate(a.groups)}
    assert list(a.site_index[g["car"], 0]) == [0, 1, 0, -1]
    # cell 0: transit 15 min to site 1 beats walking 60
    assert a.site_index[g["transit"], 0, 0] == 1
    assert a.share[g["transit"], 0, 0] == pytest.approx(0.3)
    # cell 1: no transit, walk 25 min to site 0
    assert a.site_index[g["walk"], 0, 1] == 0
    assert a.minutes[g["walk"], 0, 1] == 25.0
    # cell 2: neither -> taxi on the car matrix to site 0
    assert a.site_index[g["taxi"], 0, 2] == 0
    assert a.share[g["taxi"], 0, 2] == pytest.approx(0.1)
    # cell 3: nothing reaches: all unserved
    assert a.unserved_share()[0, 3] == pytest.approx(1.0)
    assert np.allclose(a.share.sum(axis=0), 1.0)
    # mode-mix minutes of cell 0: 0.7*10 + 0.3*15
    assert a.mean_minutes()[0, 0] == pytest.approx(0.7 * 10 + 0.3 * 15)


def test_long_walk_goes_by_taxi() -> None:
    """A walk longer than max_walk_minutes is replaced by a taxi trip."""
    a = allocate(
        {"car": np.array([[4.0]]), "walk": np.array([[45.0]])},
        np.array([[True]]),
        np.array([0.5]),
        max_walk_minutes=30.0,
    )
    assert a.share[3, 0, 0] == 0.5
    assert a.share[2, 0, 0] == 0.0


def test_substitute_rule() -> None:
    """With the rule, a cell whose nearest site closed goes to the named substitute."""
    car = np.array([[1.0, 5.0, 3.0]])
    base = np.array([[True, True, True]])
    offers = np.array([[False, True, True]])  # site 0 closed
    sub = np.array([1, -1, -1])  # its substitute is site 1
    plain = allocate({"car": car}, offers, np.array([1.0]))
    assert plain.site_index[0, 0, 0] == 2
    ruled = allocate(
        {"car": car},
        offers,
        np.array([1.0]),
        base_offers=base,
        substitute_index=sub,
        substitute_rule=True,
    )
    assert ruled.site_index[0, 0, 0] == 1
    assert ruled.minutes[0, 0, 0] == 5.0


def test_site_contacts_conserve() -> None:
    """Contacts at sites plus unserved equal the physical contacts."""
    rng = np.random.default_rng(1)
    car = rng.uniform(1, 50, (30, 4))
    car[rng.random(car.shape) < 0.3] = INF
    offers = rng.random((2, 4)) < 0.7
    a = allocate({"car": car, "walk": car * 8}, offers, rng.uniform(0, 1, 30))
    physical = rng.uniform(0, 100, (30, 2))
    at_sites = a.site_contacts(physical, 4).sum(axis=1)
    unserved = (a.unserved_share() * physical.T).sum(axis=1)
    assert np.allclose(at_sites + unserved, physical.sum(axis=0))


def test_car_share_defaults() -> None:
    """Missing car shares fall back to the settlement default, then to 0.75."""
    pop = pd.DataFrame({"car_share": [0.5, None, None], "settlement": ["city", "rural", None]})
    assert list(car_shares(pop)) == [0.5, 0.85, 0.75]


def test_car_matrix_required() -> None:
    """Allocation without a car matrix is an input error."""
    with pytest.raises(InputError, match="needs a car travel-time matrix"):
        allocate({"walk": np.ones((1, 1))}, np.ones((1, 1), bool), np.ones(1))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 100_000), close=st.integers(0, 5))
def test_closing_a_site_never_shortens_a_trip(seed: int, close: int) -> None:
    """Closing a site never makes any group's trip shorter, for any mode."""
    rng = np.random.default_rng(seed)
    n, k = 25, 6
    mats = {m: rng.uniform(1, 80, (n, k)) for m in ("car", "transit", "walk")}
    for m in mats.values():
        m[rng.random(m.shape) < 0.2] = INF
    offers = rng.random((3, k)) < 0.8
    share = rng.uniform(0, 1, n)
    before = allocate(mats, offers, share)
    after_offers = offers.copy()
    after_offers[:, close] = False
    after = allocate(mats, after_offers, share)
    for s in range(3):
        _nb, tb = nearest_site(mats["car"], offers[s])
        _na, ta = nearest_site(mats["car"], after_offers[s])
        assert (ta >= tb).all()
    # car group: never shorter
    assert (after.minutes[0] >= before.minutes[0]).all()
