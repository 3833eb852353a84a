"""Parameters of emergency care: defaults, the TOML reader and its key-naming errors."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from palveluverkko.ems.params import CLASSES, default_params, read_params
from palveluverkko.errors import InputError


def test_defaults_hold_the_pirkanmaa_targets() -> None:
    """The default decision is DOMAIN.md's Pirkanmaa example, per class in order."""
    p = default_params()
    assert [t.label for t in p.targets] == ["A/B 8 min", "A/B 15 min", "C 30 min"]
    assert [p.targets[0].share[c] for c in CLASSES] == [0.85, 0.65, 0.45, 0.20]
    assert [p.targets[2].share[c] for c in CLASSES] == [0.95, 0.90, 0.85, 0.80]
    assert p.fte_per_24_7_unit == 9.3


def test_rhythm_and_age_factor_are_normalised() -> None:
    """The hour-of-week weights sum to 1; the age factor averages 1 on the national structure."""
    p = default_params()
    assert p.hour_of_week_weight().sum() == pytest.approx(1.0)
    share = np.array(list(p.national_age_share.values()))
    assert float((p.age_rate_factor() * share).sum()) == pytest.approx(1.0)


def test_shift_hours() -> None:
    """24 h, day (08-20) and weekday (08-16 Mon-Fri) shifts cover the right hours of the week."""
    s = default_params().shifts
    assert s["24h"].on_duty().sum() == 168
    assert s["day"].on_duty().sum() == 7 * 12
    weekday = s["weekday"].on_duty()
    assert weekday.sum() == 5 * 8
    assert weekday[8]
    assert not weekday[16]
    assert not weekday[5 * 24 + 10]


def test_file_overrides_only_its_keys(tmp_path: Path) -> None:
    """A county file changes the keys it names and keeps every other default."""
    f = tmp_path / "ems.toml"
    f.write_text("[response]\ndispatch_delay_min = 2.5\n[resources]\neur_per_unit_hour = 120\n")
    p = read_params(f)
    assert p.dispatch_delay_min == 2.5
    assert p.eur_per_unit_hour == 120.0
    assert p.targets == default_params().targets
    assert dataclasses.replace(p, dispatch_delay_min=1.0, eur_per_unit_hour=95.0) == (
        default_params()
    )


def test_targets_replace_the_example() -> None:
    """A county's [[targets]] replace the example decision entirely."""
    text = (
        '[[targets]]\nurgency = ["A"]\nminutes = 10\n'
        "share = { core_urban = 0.9, other_urban = 0.8, rural = 0.5, other = 0.3 }\n"
    )
    p = read_params(text=text)
    assert len(p.targets) == 1
    assert p.targets[0].urgencies == ("A",)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[response]\ndispatch_delay = 1\n", r"unknown key 'response\.dispatch_delay'"),
        (
            "[response]\ndispatch_delay_min = 'x'\n",
            r"response\.dispatch_delay_min must be a number",
        ),
        ("[response.speed_factor]\nA = 0\n", r"response\.speed_factor\.A must be a number in"),
        ("[missions]\nurgency_share = { A = 0.5, B = 0.5, C = 0.5, D = 0 }\n", "summing to 1"),
        ("[classes.settlement]\nkyla = 'village'\n", r"classes\.settlement must be values among"),
        ("[shifts.night]\nstart_hour = 20\nend_hour = 8\ndays = ['mon']\n", r"shifts\.night"),
        (
            '[[targets]]\nurgency = ["E"]\nminutes = 8\nshare = { core_urban = 1, other_urban = 1,'
            " rural = 1, other = 1 }\n",
            r"targets\[0\]\.urgency",
        ),
        ("[response\n", "cannot read it as TOML"),
    ],
)
def test_errors_name_the_key(text: str, match: str) -> None:
    """Each bad value raises an InputError that names its key."""
    with pytest.raises(InputError, match=match):
        read_params(text=text)
