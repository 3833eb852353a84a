"""evaluate() on the tiny region: indicator values by hand, conservation, losers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from palveluverkko import (
    CapacityChange,
    ChannelChange,
    Closure,
    EvaluateOptions,
    NewSite,
    Scenario,
    evaluate,
)
from palveluverkko.errors import InputError
from palveluverkko.network import TravelTimes
from palveluverkko.region.model import Region

from .conftest import make_tt, manhattan_minutes

# Residents of the tiny region per cell (c0..c5) and 75+ per cell.
RESIDENTS = np.array([165.0, 450.0, 730.0, 130.0, 35.0, 45.0])
OLD = np.array([15.0, 30.0, 40.0, 35.0, 15.0, 10.0])


def test_county_indicators_by_hand(tiny: Region, tiny_tt: dict[str, TravelTimes]) -> None:
    """Shares within 10 min, mean and worst car time of dental care match hand-worked values."""
    ev = evaluate(tiny, travel_times=tiny_tt)
    row = ev.summary_table.set_index("service").loc["hammashoito"]
    # dental only at s1: car minutes 6, 2, 2, 8, 16, 18
    t = np.array([6.0, 2.0, 2.0, 8.0, 16.0, 18.0])
    assert row["share_within_10_car"] == pytest.approx(RESIDENTS[t <= 10].sum() / RESIDENTS.sum())
    assert row["share_75_within_10_car"] == pytest.approx(OLD[t <= 10].sum() / OLD.sum())
    assert row["mean_car_minutes"] == pytest.approx((RESIDENTS * t).sum() / RESIDENTS.sum())
    assert row["worst_car_minutes"] == 18.0
    assert row["median_car_minutes"] == 2.0
    assert row["p90_car_minutes"] == 8.0  # cumulative share reaches 0.9 at c3 (8 min)
    assert np.isnan(row["share_within_30_transit"])  # no transit matrix


def test_municipality_and_band_rows(tiny: Region, tiny_tt: dict[str, TravelTimes]) -> None:
    """Municipality 902's dental share within 10 min counts only c3; bands are weighted by band."""
    ev = evaluate(tiny, travel_times=tiny_tt)
    m = ev.municipalities.set_index(["municipality", "service"]).loc[("902", "hammashoito")]
    assert m["share_within_10_car"] == pytest.approx(130 / 210)
    assert bool(m["keeps_physical_site"])
    assert m["physical_sites"] == "s2, s3"
    b = ev.bands.set_index(["band", "service"]).loc[("85_plus", "hammashoito")]
    band85 = np.array([5.0, 10, 10, 10, 5, 2])
    assert b["share_within_10_car"] == pytest.approx(band85[:4].sum() / band85.sum())
    assert b["residents_75_plus"] == pytest.approx(band85.sum())


def test_contacts_conserved(tiny: Region, tiny_tt: dict[str, TravelTimes]) -> None:
    """Every contact is at a site, in another channel, or unserved; residents are conserved."""
    ev = evaluate(tiny, travel_times=tiny_tt)
    s = ev.summary_table.set_index("service")
    at_sites = ev.sites.groupby("service")["contacts_per_year"].sum()
    for svc in ("vastaanotto", "hammashoito"):
        other = (
            s.at[svc, "digital_per_year"]
            + s.at[svc, "home_per_year"]
            + s.at[svc, "mobile_per_year"]
        )
        assert at_sites[svc] + s.at[svc, "unserved_per_year"] + other == pytest.approx(
            s.at[svc, "total_per_year"]
        )
    assert ev.travel.groupby("service")["residents"].sum().tolist() == [tiny.total_population] * 2
    tr = ev.travel.groupby("service")["physical_visits_per_year"].sum()
    assert tr["hammashoito"] == pytest.approx(s.at["hammashoito", "physical_per_year"])


def test_closure_losers_and_substitute(tiny: Region, tiny_tt: dict[str, TravelTimes]) -> None:
    """Closing s3 sends c5 to s2 (12 min instead of 2) and lists it as a loser."""
    sc = Scenario(name="close s3", closures=(Closure("s3", "s2"),))
    ev = evaluate(tiny, sc, travel_times=tiny_tt)
    lost = ev.losers.set_index(["cell_id", "service"]).loc[("c5", "vastaanotto")]
    assert bool(lost["lost_nearest"])
    assert lost["site_id"] == "s2"
    assert lost["base_site_id"] == "s3"
    assert lost["car_minutes_gained"] == pytest.approx(10.0)
    assert lost["residents_75_plus"] == pytest.approx(10.0)
    assert set(ev.losers["cell_id"]) == {"c5"}
    sites = ev.sites.set_index(["site_id", "service"])
    assert sites.at[("s3", "vastaanotto"), "status"] == "closed"
    assert sites.at[("s3", "vastaanotto"), "contacts_per_year"] == 0.0
    assert sites.at[("s2", "vastaanotto"), "capacity_per_week"] == 190.0
    base = evaluate(tiny, travel_times=tiny_tt)
    assert len(base.losers) == 0
    # the scenario never shortens the car trip of anyone
    assert (ev.cells["car_minutes"].to_numpy() >= base.cells["car_minutes"].to_numpy()).all()


def test_substitute_rule_option(tiny: Region, tiny_tt: dict[str, TravelTimes]) -> None:
    """With the substitute rule, c5 goes to s1 when s1 is named the substitute of s3."""
    sc = Scenario(closures=(Closure("s3", "s1"),))
    plain = evaluate(tiny, sc, travel_times=tiny_tt)
    ruled = evaluate(tiny, sc, travel_times=tiny_tt, options=EvaluateOptions(substitute_rule=True))
    c5p = plain.cells.set_index(["cell_id", "service"]).loc[("c5", "vastaanotto")]
    c5r = ruled.travel.query("cell_id == 'c5' and service == 'vastaanotto'").iloc[0]
    assert c5p["site_id"] == "s2"
    assert c5r["site_id"] == "s1"
    assert c5r["car_minutes"] == 18.0


def test_new_site_needs_its_column(tiny: Region, tiny_tt: dict[str, TravelTimes]) -> None:
    """A new site without a travel-time column is an error saying how to fix it."""
    sc = Scenario(
        openings=(
            NewSite(
                "n1",
                "Uusi",
                "902",
                "sote_asema",
                445_000.0,
                6_905_000.0,
                {"vastaanotto": (50.0, 2.0)},
            ),
        )
    )
    with pytest.raises(InputError, match=r"no column for site\(s\) n1"):
        evaluate(tiny, sc, travel_times=tiny_tt)
    routed = sc.apply(tiny)
    tt = {"car": make_tt(routed, "car", manhattan_minutes(routed, 60.0))}
    ev = evaluate(tiny, sc, travel_times=tt)
    assert ev.sites.set_index("site_id").loc["n1", "status"] == "new"
    assert ev.modes == ("car",)


def test_one_site_rule_broken(tiny: Region, tiny_tt: dict[str, TravelTimes]) -> None:
    """Closing both sites of Yläkylä breaks the one-physical-site rule there."""
    services = tiny.site_services
    sc = Scenario(closures=(Closure("s2", "s1"), Closure("s3", "s1")))
    region = tiny.replace(policy=tiny.policy.__class__(one_physical_site_per_municipality=False))
    ev = evaluate(region, sc, travel_times=tiny_tt)
    rule = ev.municipalities.drop_duplicates("municipality").set_index("municipality")
    assert not rule.at["902", "keeps_physical_site"]
    assert rule.at["901", "keeps_physical_site"]
    assert "without a physical site: Yläkylä" in ev.summary()
    assert len(services) == 4


def test_equity_table(tiny: Region, tiny_tt: dict[str, TravelTimes]) -> None:
    """Dental car-time equity: rural-urban gap from the settlement classes, by hand."""
    ev = evaluate(tiny, travel_times=tiny_tt)
    row = ev.equity.set_index(["service", "measure"]).loc[("hammashoito", "car")]
    rural = (165 * 6 + 35 * 16 + 45 * 18) / (165 + 35 + 45)
    assert row["urban_class"] == "town"
    assert row["urban_mean_minutes"] == pytest.approx(2.0)
    assert row["rural_urban_gap_minutes"] == pytest.approx(rural - 2.0)
    assert 0 < row["gini"] < 1


def test_capacity_aware_overflow(tiny: Region, tiny_tt: dict[str, TravelTimes]) -> None:
    """Capacity cuts: dental excess is flagged (no other dental site); s3's excess moves to s2."""
    sc = Scenario(
        capacity_changes=(
            CapacityChange("s1", "hammashoito", capacity_per_week=5.0),
            CapacityChange("s3", "vastaanotto", capacity_per_week=1.0),
        )
    )
    plain = evaluate(tiny, sc, travel_times=tiny_tt)
    ev = evaluate(tiny, sc, travel_times=tiny_tt, options=EvaluateOptions(capacity_aware=True))
    assert ev.flows is not None
    s3 = ev.flows.loc[(ev.flows["site_id"] == "s3") & (ev.flows["service"] == "vastaanotto")]
    assert s3.loc[~s3["over_capacity"], "contacts_per_year"].sum() == pytest.approx(52.0)
    # only c5's walkers, who reach no other site on foot, stay at s3 over its capacity
    assert set(s3.loc[s3["over_capacity"], "group"]) == {"walk"}
    dental = ev.flows.loc[ev.flows["service"] == "hammashoito"]
    assert dental.loc[~dental["over_capacity"], "contacts_per_year"].sum() == pytest.approx(5 * 52)
    # conservation: the same contacts at sites with and without overflow
    assert ev.sites["contacts_per_year"].sum() == pytest.approx(
        plain.sites["contacts_per_year"].sum()
    )
    c5 = ev.cells.set_index(["cell_id", "service"]).loc[("c5", "vastaanotto"), "trip_minutes"]
    c5_plain = plain.cells.set_index(["cell_id", "service"]).loc[
        ("c5", "vastaanotto"), "trip_minutes"
    ]
    assert c5 > c5_plain


@settings(max_examples=25, deadline=None)
@given(
    closed=st.lists(st.sampled_from(["s2", "s3"]), unique=True, max_size=2),
    aware=st.booleans(),
    digital=st.floats(0.0, 0.9),
)
def test_conservation_and_no_shorter_trip(closed: list[str], aware: bool, digital: float) -> None:
    """Residents and contacts are conserved demand -> channels -> sites, and closing never shortens
    anyone's nearest car trip."""
    from palveluverkko.region.examples import tiny_region

    tiny = tiny_region()
    tt = {
        "car": make_tt(tiny, "car", manhattan_minutes(tiny, 60.0)),
        "walk": make_tt(tiny, "walk", manhattan_minutes(tiny, 5.0)),
    }
    sc = Scenario(
        closures=tuple(Closure(s, "s1") for s in closed),
        channel_changes=(ChannelChange("vastaanotto", digital),),
    )
    opts = EvaluateOptions(capacity_aware=aware)
    ev = evaluate(tiny, sc, travel_times=tt, options=opts)
    base = evaluate(tiny, travel_times=tt, options=opts)
    s = ev.summary_table.set_index("service")
    at_sites = ev.sites.groupby("service")["contacts_per_year"].sum()
    for svc in s.index:
        other = (
            s.at[svc, "digital_per_year"]
            + s.at[svc, "home_per_year"]
            + s.at[svc, "mobile_per_year"]
        )
        assert at_sites[svc] + s.at[svc, "unserved_per_year"] + other == pytest.approx(
            s.at[svc, "total_per_year"]
        )
    assert ev.cells.groupby("service")["residents"].sum().tolist() == pytest.approx(
        [tiny.total_population] * 2
    )
    assert (ev.cells["car_minutes"].to_numpy() >= base.cells["car_minutes"].to_numpy()).all()


def test_unserved_rows(tiny: Region) -> None:
    """A cell no road reaches gets an explicit unserved row with all its physical contacts."""
    car = manhattan_minutes(tiny, 60.0)
    car[4, :] = np.inf  # c4 is cut off
    ev = evaluate(tiny, travel_times={"car": make_tt(tiny, "car", car)})
    rows = ev.unserved.set_index(["cell_id", "service"])
    assert set(rows.index.get_level_values(0)) == {"c4"}
    c4 = ev.cells.set_index(["cell_id", "service"]).loc[("c4", "vastaanotto")]
    assert rows.at[("c4", "vastaanotto"), "unserved_per_year"] == pytest.approx(
        c4["physical_per_year"]
    )
    s = ev.summary_table.set_index("service")
    assert s.at["vastaanotto", "unreachable_car_residents"] == 35.0
    assert s.at["vastaanotto", "share_within_30_car"] == pytest.approx(1 - 35 / 1555)


def test_band_channel_change_reaches_the_split(
    tiny: Region, tiny_tt: dict[str, TravelTimes]
) -> None:
    """A band-specific digital share changes that band's physical contacts only."""
    base = evaluate(tiny, travel_times=tiny_tt)
    sc = Scenario(channel_changes=(ChannelChange("vastaanotto", 0.9, band="85_plus"),))
    ev = evaluate(tiny, sc, travel_times=tiny_tt)
    key = ["cell_id", "band", "service"]
    b = base.travel.set_index(key)["physical_visits_per_year"]
    e = ev.travel.set_index(key)["physical_visits_per_year"]
    assert e.loc[("c1", "85_plus", "vastaanotto")] < b.loc[("c1", "85_plus", "vastaanotto")]
    assert e.loc[("c1", "18_64", "vastaanotto")] == pytest.approx(
        b.loc[("c1", "18_64", "vastaanotto")]
    )
    # c1 has 300 Mbit/s: 90 % of its 85+ outpatient contacts are digital
    c1 = ev.travel.query("cell_id == 'c1' and band == '85_plus' and service == 'vastaanotto'")
    assert c1["physical_visits_per_year"].item() == pytest.approx(10 * 11.0 * 0.1)
