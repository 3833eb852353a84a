"""Answers a county can act on: capacity follows a dropped service, unreachable residents stay in
every headline, home-delivered services have no residents' travel figures, estimates marked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from palveluverkko import Conversion, Scenario, Study, compare, evaluate
from palveluverkko.errors import ApproximationWarning, DataWarning
from palveluverkko.evaluation.figures import travel_columns
from palveluverkko.network import TravelTimes
from palveluverkko.region.model import Region
from palveluverkko.report import render_report

from .conftest import make_tt, manhattan_minutes


def with_dental_at_s2(tiny: Region) -> Region:
    """The tiny region with s2 (a sote_asema) offering dental care too."""
    ss = pd.concat(
        [
            tiny.site_services,
            pd.DataFrame(
                [
                    {
                        "site_id": "s2",
                        "service": "hammashoito",
                        "capacity_per_week": 80.0,
                        "staff_fte": 3.0,
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    return tiny.replace(site_services=ss)


def totals(frame: pd.DataFrame) -> pd.Series:
    return frame.groupby("service")[["capacity_per_week", "staff_fte"]].sum().stack()


def test_capacity_follows_a_dropped_service(tiny: Region, tiny_tt: dict[str, TravelTimes]) -> None:
    """A [[convert]] that stops a service at a site moves its capacity and staff to the sites
    that receive its demand: per service, capacity and staff are conserved; the transfers say
    where each share went."""
    region = with_dental_at_s2(tiny)
    sc = Scenario(conversions=(Conversion("s2", services=("hammashoito",)),))
    ev = evaluate(region, sc, travel_times=tiny_tt)
    sites = ev.sites.loc[ev.sites["status"] != "closed"]
    pd.testing.assert_series_equal(totals(sites), totals(region.site_services), rtol=1e-12)
    moved = ev.transfers
    assert set(moved["reason"]) == {"follows_demand"}
    assert moved["from_site"].unique().tolist() == ["s2"]
    assert moved["share"].sum() == pytest.approx(1.0)
    assert moved["capacity_per_week"].sum() == pytest.approx(150.0)
    dropped = ev.sites.loc[(ev.sites["site_id"] == "s2") & (ev.sites["service"] == "vastaanotto")]
    assert dropped["status"].tolist() == ["service_dropped"]
    assert dropped["capacity_per_week"].tolist() == [0.0]


def test_capacity_drop_is_an_explicit_cut(tiny: Region, tiny_tt: dict[str, TravelTimes]) -> None:
    """capacity = "drop" cuts the dropped service's capacity and lists it as a cut."""
    region = with_dental_at_s2(tiny)
    sc = Scenario(conversions=(Conversion("s2", services=("hammashoito",), capacity="drop"),))
    ev = evaluate(region, sc, travel_times=tiny_tt)
    cut = ev.transfers
    assert cut["reason"].tolist() == ["dropped_by_scenario"]
    assert cut["to_site"].isna().all()
    open_rows = ev.sites.loc[ev.sites["service"] == "vastaanotto", "capacity_per_week"].sum()
    assert open_rows == pytest.approx(400.0 + 40.0)
    back = Scenario.from_toml(sc.to_toml())
    assert back.conversions[0].capacity == "drop"


def unreachable_region(tiny: Region) -> tuple[Region, dict[str, TravelTimes]]:
    """The tiny region with municipality 902's cells made unreachable by car and on foot."""
    car = manhattan_minutes(tiny, 60.0)
    walk = manhattan_minutes(tiny, 5.0)
    far = (tiny.population["municipality"] == "902").to_numpy()
    car[far] = np.inf
    walk[far] = np.inf
    tts = {"car": make_tt(tiny, "car", car), "walk": make_tt(tiny, "walk", walk)}
    lost = tiny.population.loc[far, ["cell_id", "municipality"]].assign(
        residents=tiny.population.loc[far, [c for c in tiny.population if c.startswith("pop_")]]
        .sum(axis=1)
        .to_numpy(),
        reason="no_road_within_limit",
    )
    from dataclasses import replace

    tts = {m: replace(tt, unreachable=lost.reset_index(drop=True)) for m, tt in tts.items()}
    return tiny, tts


def test_unreachable_residents_are_in_every_headline(tiny: Region) -> None:
    """Shares within a threshold are of all residents: the unreachable count as not within, are
    counted on their own, and the report names their municipality with the cause and the fix."""
    region, tts = unreachable_region(tiny)
    ev = evaluate(region, None, travel_times=tts)
    v = ev.summary_table.set_index("service").loc["vastaanotto"]
    residents = float(v["residents"])
    lost = float(v["unreachable_car_residents"])
    assert lost > 0
    assert v["share_within_30_car"] <= (residents - lost) / residents + 1e-12
    assert set(ev.unreachable["reason"]) == {"no_road_within_limit"}
    html = render_report(ev, None, region, lang="fi")
    assert "Suurin osa näiden kuntien asukkaista ei yllä tieverkkoon" in html
    assert "tieaineiston ulkopuolella" in html
    m = ev.municipalities
    name = str(m.loc[m["municipality"] == "902", "name"].iloc[0])
    assert name in html.split("Suurin osa näiden kuntien")[1][:400]


def home_care_region(tiny: Region) -> Region:
    """The tiny region with home care (every visit at home) offered from s1 and s2."""
    services = tiny.services.copy()
    row = services.loc[services["service"] == "vastaanotto"].copy()
    row["service"] = "kotihoito"
    row["home_share"] = 1.0
    row["digital_share"] = 0.0
    services = pd.concat([services, row], ignore_index=True)
    if "home_share" in services:
        services["home_share"] = services["home_share"].fillna(0.0)
    ss = pd.concat(
        [
            tiny.site_services,
            pd.DataFrame(
                [
                    {
                        "site_id": s,
                        "service": "kotihoito",
                        "capacity_per_week": 500.0,
                        "staff_fte": 10.0,
                    }
                    for s in ("s1", "s2")
                ]
            ),
        ],
        ignore_index=True,
    )
    return tiny.replace(services=services, site_services=ss)


def test_no_residents_travel_figure_for_home_care(
    tiny: Region, tiny_tt: dict[str, TravelTimes]
) -> None:
    """Home care's visits are counted, but no table, comparison or report line gives residents'
    travel for it; its capacity rows say home_not_evaluated."""
    region = home_care_region(tiny)
    from palveluverkko import Closure

    base = evaluate(region, None, travel_times=tiny_tt)
    other = evaluate(region, Scenario(closures=(Closure("s2", "s1"),)), travel_times=tiny_tt)
    cmp = compare(base, other)
    assert "kotihoito" not in base.travel_services
    for ev in (base, other):
        for name in ("summary_table", "municipalities", "bands", "settlements"):
            frame = getattr(ev, name)
            rows = frame.loc[frame["service"] == "kotihoito"]
            assert rows[travel_columns(frame)].isna().all().all(), name
            assert not rows["travel_evaluated"].any()
        cells = ev.cells.loc[ev.cells["service"] == "kotihoito"]
        minutes = ["car_minutes", "transit_minutes", "walk_minutes", "trip_minutes"]
        assert cells[minutes].isna().all().all()
        assert cells["site_id"].isna().all()
        assert (cells["contacts_per_year"] > 0).any()
        assert "kotihoito" not in set(ev.equity["service"])
        assert "kotihoito" not in set(ev.losers["service"])
        assert set(ev.capacity.loc[ev.capacity["service"] == "kotihoito", "status"]) == {
            "home_not_evaluated"
        }
        home = ev.channels.loc[
            (ev.channels["service"] == "kotihoito") & (ev.channels["channel"] == "home")
        ]
        assert home["contacts_per_year"].sum() > 0
        assert not home["evaluated"].any()
    assert "kotihoito" not in set(cmp.access["service"])
    assert "kotihoito" not in set(cmp.affected["service"])
    assert "kotihoito" not in set(cmp.substitutes["service"])
    assert not cmp.headline["figure"].str.startswith("kotihoito:").any()
    html = render_report(base, cmp, region, lang="en")
    assert "delivered at home: not evaluated" in html


@pytest.mark.shared_data
@pytest.mark.slow
def test_tampere_optimize_then_evaluate_conserves_capacity(
    shared_data: Path, tmp_path: Path
) -> None:
    """Tampere from real data: optimise the outpatient service to 3 stations, evaluate the
    scenario: each service's capacity and staff are conserved (the dropped ones follow their
    demand), the capacity check is stated, and the report lists the service drops that the
    optimiser wrote."""
    from .test_tampere_real import build_tampere_package

    pkg, _ = build_tampere_package(shared_data, tmp_path)
    with pytest.warns(DataWarning, match="4 warning"):  # sites missing in 3 municipalities
        study = Study.open(pkg, cache_dir=tmp_path / "cache", modes=["car", "walk"])
    from palveluverkko import OptimizeRequest

    # postal areas outside the OSM extract: straight-line estimates, marked approximate
    with pytest.warns(ApproximationWarning):
        opt = study.optimize(OptimizeRequest(service="vastaanotto", model="p-median", p=3))
    assert "Todistus koskee vain mallin tavoitetta" in opt.explanation
    assert "Kapasiteettitarkistus" in opt.explanation
    assert "matka-ajat ovat likiarvoja" in opt.explanation  # the proof rests on estimates
    assert np.isfinite(opt.within_target)
    dropped = {c.site for c in opt.scenario.conversions} | {c.site for c in opt.scenario.closures}
    assert len(dropped) == 2
    (cmp,) = study.compare(None, opt.scenario)  # travel times reused from the capacity check
    base_ss = study.region.site_services
    sites = cmp.other.sites.loc[cmp.other.sites["status"] != "closed"]
    pd.testing.assert_series_equal(totals(sites), totals(base_ss), rtol=1e-9)
    html = render_report(cmp.base, cmp, study.region, lang="fi")
    listed = html.split("Palvelu lakkaa toimipisteessä")[1]
    for site in dropped:
        assert f"({site})" in listed
    assert set(cmp.other.transfers["from_site"]) == dropped
