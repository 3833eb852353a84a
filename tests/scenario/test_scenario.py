"""Scenario: TOML round trip, apply, and clear errors."""

from __future__ import annotations

import pandas as pd
import pytest

from palveluverkko import ChannelChange, Closure, Conversion, NewSite, Scenario
from palveluverkko.errors import ScenarioError, UnknownIdError
from palveluverkko.region.model import Region

FULL = """
name = "Testi"
year = 2024
description = "all keys"

[[close]]
site = "s3"
substitute = "s2"

[[convert]]
site = "s2"
kind = "sote_keskus"
services = ["vastaanotto", "hammashoito"]
capacity_per_week = { hammashoito = 50.0 }
staff_fte = { hammashoito = 2.0 }

[[open]]
site = "n1"
name = "Uusi"
municipality = "901"
kind = "sote_asema"
x = 431000.0
y = 6901000.0
annual_cost_eur = 100000.0
services = { vastaanotto = { capacity_per_week = 80.0, staff_fte = 2.5 } }

[[capacity]]
site = "s1"
service = "vastaanotto"
capacity_per_week = 450.0

[[channels]]
service = "vastaanotto"
digital_share = 0.55

[[channels]]
service = "vastaanotto"
digital_share = 0.3
band = "85_plus"

[policy]
access_target_days = 14
"""


def test_toml_round_trip() -> None:
    """A scenario written by to_toml reads back equal, for every kind of entry."""
    sc = Scenario.from_toml(FULL)
    assert sc.closures == (Closure("s3", "s2"),)
    assert sc.openings[0].services == {"vastaanotto": (80.0, 2.5)}
    assert sc.channel_changes[1] == ChannelChange("vastaanotto", 0.3, "85_plus")
    assert sc.access_target_days == 14.0
    assert Scenario.from_toml(sc.to_toml()) == sc


def test_multiline_text_round_trips() -> None:
    """Line breaks, tabs, quotes and backslashes in a name or description survive TOML."""
    sc = Scenario(name='Nimi "A"\\B', description="rivi 1\nrivi 2\tsarake\r\x01 äö €")
    assert Scenario.from_toml(sc.to_toml()) == sc


def test_from_toml_reads_a_file(tmp_path: pytest.TempPathFactory) -> None:
    """A path to a .toml file is read from disk."""
    path = tmp_path / "sc.toml"  # type: ignore[operator]
    path.write_text('name = "A"\nyear = 2024\n', encoding="utf-8")
    assert Scenario.from_toml(path) == Scenario(name="A", year=2024)


def test_apply_full_scenario(tiny: Region) -> None:
    """apply closes, converts, opens, changes capacity, channels and policy as written."""
    out = Scenario.from_toml(FULL).apply(tiny)
    assert list(out.sites["site_id"]) == ["s1", "s2", "n1"]
    ss = out.site_services.set_index(["site_id", "service"])
    # s3's 40/week and 1 FTE move to its substitute s2 (150 + 40)
    assert ss.loc[("s2", "vastaanotto"), "capacity_per_week"] == 190.0
    assert ss.loc[("s2", "vastaanotto"), "staff_fte"] == 6.0
    assert ss.loc[("s2", "hammashoito"), "capacity_per_week"] == 50.0
    assert ss.loc[("s1", "vastaanotto"), "capacity_per_week"] == 450.0
    assert ss.loc[("n1", "vastaanotto"), "staff_fte"] == 2.5
    assert out.sites.set_index("site_id").at["s2", "kind"] == "sote_keskus"
    assert out.services.set_index("service").at["vastaanotto", "digital_share"] == 0.55
    assert out.policy.access_target_days == 14.0
    assert tiny.site_services.equals(tiny_copy_site_services(tiny))  # input untouched


def tiny_copy_site_services(tiny: Region) -> pd.DataFrame:
    from palveluverkko.region.examples import tiny_region

    return tiny_region().site_services


def test_closure_without_moving_capacity(tiny: Region) -> None:
    """move_capacity = false leaves the substitute's capacity as it was."""
    out = Scenario(closures=(Closure("s3", "s2", move_capacity=False),)).apply(tiny)
    ss = out.site_services.set_index(["site_id", "service"])
    assert ss.loc[("s2", "vastaanotto"), "capacity_per_week"] == 150.0


def test_unknown_site_id(tiny: Region) -> None:
    """Closing a site the region lacks names the entry and the id."""
    with pytest.raises(UnknownIdError, match=r"close\[0\] \(s9\): site 's9' is not in"):
        Scenario(closures=(Closure("s9", "s1"),)).apply(tiny)


def test_substitute_itself_closed(tiny: Region) -> None:
    """A substitute that the same scenario closes is refused."""
    sc = Scenario(closures=(Closure("s3", "s2"), Closure("s2", "s1")))
    with pytest.raises(ScenarioError, match=r"substitute 's2' is itself closed"):
        sc.apply(tiny)


def test_substitute_lacking_a_service(tiny: Region) -> None:
    """A substitute that does not offer a service of the closed site is refused."""
    with pytest.raises(ScenarioError, match=r"'s2' does not offer hammashoito"):
        Scenario(closures=(Closure("s1", "s2"),)).apply(tiny)


def test_service_the_kind_cannot_offer(tiny: Region) -> None:
    """A sote_piste cannot take a regional-level service."""
    services = tiny.services.copy()
    services.loc[services["service"] == "hammashoito", "level"] = "alue"
    region = tiny.replace(services=services)
    sc = Scenario(
        conversions=(
            Conversion(
                "s3",
                services=("vastaanotto", "hammashoito"),
                capacity_per_week={"hammashoito": 10.0},
                staff_fte={"hammashoito": 1.0},
            ),
        )
    )
    with pytest.raises(ScenarioError, match=r"a sote_piste cannot offer 'hammashoito'"):
        sc.apply(region)


def test_unknown_service(tiny: Region) -> None:
    """A channel change of an unknown service names the known ones."""
    with pytest.raises(UnknownIdError, match=r"service 'hammas' is not in .*hammashoito"):
        Scenario(channel_changes=(ChannelChange("hammas", 0.2),)).apply(tiny)


def test_year_outside_range(tiny: Region) -> None:
    """A year beyond base..projection is refused with the range."""
    with pytest.raises(ScenarioError, match=r"2030 is outside the region's years 2024..2024"):
        Scenario(year=2030).apply(tiny)


def test_new_service_needs_capacity(tiny: Region) -> None:
    """Adding a service by conversion without capacity says what to add."""
    sc = Scenario(conversions=(Conversion("s2", services=("vastaanotto", "hammashoito")),))
    with pytest.raises(ScenarioError, match=r"needs capacity_per_week and staff_fte"):
        sc.apply(tiny)


def test_open_with_existing_id(tiny: Region) -> None:
    """A new site may not reuse an existing id."""
    sc = Scenario(
        openings=(NewSite("s1", "x", "901", "sote_asema", 0.0, 0.0, {"vastaanotto": (1.0, 1.0)}),)
    )
    with pytest.raises(ScenarioError, match=r"site id 's1' already exists"):
        sc.apply(tiny)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nme = 'x'", r"unknown key\(s\) nme \(did you mean name\?\)"),
        (
            "[[close]]\nsite = 's1'\nsubstitue = 's2'",
            r"close\[0\]: unknown key\(s\) substitue \(did you mean substitute\?\)",
        ),
        ("[[open]]\nxyzzy = 1", r"open\[0\]: unknown key\(s\) xyzzy; expected"),
        ("[[close]]\nsite = 's1'", r"close\[0\]: key\(s\) substitute missing"),
        (
            "[[channels]]\nservice = 'a'\ndigital_share = 'x'",
            r"channels\[0\].digital_share: expected a number",
        ),
        ("year = 'x'", r"year must be an integer"),
        ("name = ", r"not valid TOML"),
    ],
)
def test_toml_errors(text: str, message: str) -> None:
    """Malformed TOML entries are named with their key."""
    with pytest.raises(ScenarioError, match=message):
        Scenario.from_toml(text)


def test_digital_share_out_of_range(tiny: Region) -> None:
    """A digital share above 1 is refused."""
    with pytest.raises(ScenarioError, match=r"outside 0..1"):
        Scenario(channel_changes=(ChannelChange("vastaanotto", 1.5),)).apply(tiny)
