"""Speed, maxspeed and access rules."""

from __future__ import annotations

import math

import numpy as np
import pytest

from palveluverkko.errors import InputError
from palveluverkko.network import rules
from palveluverkko.region.schema import ROAD_CLASSES


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("50", 50.0),
        ("80 km/h", 80.0),
        ("30 mph", 30 * 1.609344),
        ("FI:urban", 50.0),
        ("FI:rural", 80.0),
        ("fi:Rural", 80.0),
        ("60;80", 60.0),
        ("100|80", 80.0),
        ("walk", 6.0),
        (40, 40.0),
    ],
)
def test_maxspeed_values(value: object, expected: float) -> None:
    """maxspeed strings of each documented form give the documented km/h."""
    assert rules.parse_maxspeed(value) == pytest.approx(expected)


@pytest.mark.parametrize("value", ["none", "signals", "variable", "", None, math.nan, "0", "fast"])
def test_maxspeed_without_number_is_nan(value: object) -> None:
    """Values that give no speed are nan, so that the class default applies."""
    assert math.isnan(rules.parse_maxspeed(value))


def test_parse_maxspeeds_vectorised() -> None:
    """The vectorised parser agrees with the scalar one, including repeats and None."""
    got = rules.parse_maxspeeds(["50", None, "50", "FI:rural"])
    np.testing.assert_array_equal(got, [50.0, np.nan, 50.0, 80.0])


def test_every_class_has_a_default_car_speed() -> None:
    """Every road class of the format has a documented default speed > 0."""
    assert set(rules.DEFAULT_CAR_SPEED_KPH) == set(ROAD_CLASSES)
    assert min(rules.DEFAULT_CAR_SPEED_KPH.values()) > 0


def test_class_codes_unknown_is_minus_one() -> None:
    """Known classes map to their index in ROAD_CLASSES, unknown ones to -1."""
    codes = rules.class_codes(np.array(["motorway", "ferry", "bogus"]))
    assert codes.tolist() == [0, ROAD_CLASSES.index("ferry"), -1]


def test_car_speed_uses_road_speed_then_default() -> None:
    """Car speed: the road's speed when > 0, else the class default (overridable)."""
    codes = rules.class_codes(np.array(["residential", "residential", "primary"]))
    got = rules.mode_speed_kph("car", np.array([30.0, np.nan, 0.0]), codes)
    np.testing.assert_array_equal(got, [30.0, 40.0, 80.0])
    got = rules.mode_speed_kph(
        "car", np.array([np.nan]), codes[:1], speed_overrides_kph={"residential": 25}
    )
    np.testing.assert_array_equal(got, [25.0])


def test_unknown_override_class_rejected() -> None:
    """An override for a class that does not exist is an error naming it."""
    with pytest.raises(InputError, match=r"unknown road class\(es\) \['autobahn'\]"):
        rules.mode_speed_kph(
            "car", np.array([1.0]), np.array([0], np.int8), speed_overrides_kph={"autobahn": 1}
        )


def test_walk_and_bike_speeds_except_ferries() -> None:
    """Walkers and cyclists move at their own speed except on ferries (ferry speed)."""
    codes = rules.class_codes(np.array(["primary", "ferry", "ferry"]))
    speed = np.array([80.0, np.nan, 12.0])
    np.testing.assert_array_equal(rules.mode_speed_kph("walk", speed, codes), [4.2, 10.0, 12.0])
    np.testing.assert_array_equal(rules.mode_speed_kph("bike", speed, codes), [15.0, 10.0, 12.0])


def test_minutes_from_length_and_speed() -> None:
    """1 km at 60 km/h is one minute; 4.8 km/h covers 80 m per minute."""
    np.testing.assert_allclose(rules.minutes_from(np.array([1000.0, 80.0]), np.array([60, 4.8])), 1)


def test_access_classes() -> None:
    """No walking or cycling on motorways, no cars on footways, no bikes on steps."""
    assert "motorway" not in rules.WALK_CLASSES
    assert "motorway" not in rules.BIKE_CLASSES
    assert "footway" not in rules.CAR_CLASSES
    assert "steps" not in rules.BIKE_CLASSES
    assert "footway" in rules.WALK_CLASSES
    assert "ferry" in rules.CAR_CLASSES & rules.WALK_CLASSES & rules.BIKE_CLASSES


def test_check_mode_rejects_transit() -> None:
    """transit is not a road mode; the error points to travel_times."""
    with pytest.raises(InputError, match="not a road mode"):
        rules.check_mode("transit")


def test_walking_speed_default_and_its_source() -> None:
    """The default walking speed is 4.2 km/h (70 m/min, the Helsinki Region Travel Time Matrix),
    stated with its source in fi, sv and en; 75+ may walk at 3 km/h as an option."""
    from palveluverkko.network import RoadParams

    assert rules.WALK_SPEED_KPH == 4.2
    assert rules.WALK_SPEED_75_PLUS_KPH == 3.0
    assert set(rules.WALK_SPEED_SOURCE) == {"fi", "sv", "en"}
    assert all("4,2 km/h" in t or "4.2 km/h" in t for t in rules.WALK_SPEED_SOURCE.values())
    params = RoadParams()
    assert params.walk_speed_kph == 4.2
    assert params.walk_speed_75_plus_kph is None
    assert params.for_band("85_plus") is params  # no slower speed unless asked for
    slow = RoadParams(walk_speed_75_plus_kph=rules.WALK_SPEED_75_PLUS_KPH)
    assert slow.for_band("75_84").walk_speed_kph == 3.0
    assert slow.for_band("85_plus").walk_speed_kph == 3.0
    assert slow.for_band("18_64").walk_speed_kph == 4.2
    assert slow.for_band("75_84").snap_options("walk")["access_speed_kph"] == 3.0
    with pytest.raises(InputError, match="band '90_plus' unknown"):
        slow.for_band("90_plus")
