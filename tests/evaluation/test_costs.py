"""Costs per year: premises with leases, investment annuities, staff, travel, Kela by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from palveluverkko import Closure, Scenario, compare, evaluate
from palveluverkko.errors import InputError
from palveluverkko.evaluation.costs import CostParams, compare_costs, cost_table
from palveluverkko.region.examples import tiny_region
from palveluverkko.region.schema import AGE_BANDS

YEARS = range(2025, 2031)


def _travel(rows: list[dict[str, object]], cells: list[str], services: list[str]) -> pd.DataFrame:
    """A travel table (as ``Evaluation.travel``) from plain rows."""
    f = pd.DataFrame(rows)
    cat = pd.Categorical
    return f.assign(
        cell_id=cat(f["cell_id"], categories=cells),
        municipality=cat(f["municipality"], categories=["901", "902"]),
        band=cat(f["band"], categories=list(AGE_BANDS)),
        service=cat(f["service"], categories=services),
        site_id=cat(f.get("site_id", ["s1"] * len(f)), categories=["s1", "s2", "s3"]),
    )


def _row(**kw: object) -> dict[str, object]:
    row: dict[str, object] = {
        "cell_id": "c0",
        "municipality": "901",
        "band": "18_64",
        "service": "vastaanotto",
        "residents": 1.0,
        "physical_visits_per_year": 2.0,
        "minutes": 30.0,
        "car_minutes": 30.0,
        "km": 20.0,
        "nearest_km": 20.0,
    }
    row.update(kw)
    return row


def _shares(cell: str, service: str, car: float, transit: float, walk: float, taxi: float):
    return pd.DataFrame(
        {
            "cell_id": [cell],
            "service": [service],
            "share_car": [car],
            "share_transit": [transit],
            "share_walk": [walk],
            "share_taxi": [taxi],
        }
    )


def _component(table: pd.DataFrame, comp: str, year: int = 2025, col: str = "cost_eur") -> float:
    return float(table.loc[(table["year"] == year) & (table["component"] == comp), col].iloc[0])


def test_kela_by_hand_below_the_cap() -> None:
    """Taxi 20 km: 8 + 1.6*20 = 40 EUR a trip, the patient pays 25, Kela 15 x 4 trips = 60."""
    r = tiny_region()
    travel = _travel([_row()], ["c0"], ["vastaanotto"])
    shares = _shares("c0", "vastaanotto", 0.0, 0.0, 0.0, 1.0)
    t = cost_table(r, r, travel, years=YEARS, mode_shares=shares)
    assert _component(t, "kela") == pytest.approx(60.0)
    assert _component(t, "kela", col="quantity") == pytest.approx(4.0)
    assert _component(t, "resident_travel", col="quantity") == pytest.approx(80.0)  # 4 x 20 km
    assert _component(t, "resident_travel") == pytest.approx(80.0 * 0.25)
    assert _component(t, "resident_time", col="quantity") == pytest.approx(2.0)  # 4 x 30 min
    assert _component(t, "resident_time") == pytest.approx(20.0)


def test_kela_yearly_cap_and_cheap_modes() -> None:
    """20 visits: 40 taxi trips cost 1600, the patient pays at most 300, Kela 1300; car and bus
    trips under the deductible cost Kela nothing; social work is not reimbursed."""
    r = tiny_region()
    travel = _travel(
        [
            _row(physical_visits_per_year=20.0),
            _row(cell_id="c1", physical_visits_per_year=20.0),
            _row(cell_id="c1", service="sosiaalityo", physical_visits_per_year=20.0),
        ],
        ["c0", "c1"],
        ["vastaanotto", "sosiaalityo"],
    )
    shares = pd.concat(
        [
            _shares("c0", "vastaanotto", 0.0, 0.0, 0.0, 1.0),
            _shares("c1", "vastaanotto", 0.5, 0.5, 0.0, 0.0),
            _shares("c1", "sosiaalityo", 0.0, 0.0, 0.0, 1.0),
        ]
    )
    t = cost_table(r, r, travel, years=YEARS, mode_shares=shares)
    # c1: car 20 x 0.20 = 4 EUR and bus 3.5 EUR trips: 80 EUR + 70 EUR, all under the cap
    assert _component(t, "kela") == pytest.approx(1300.0)


def test_same_cap_shared_by_services() -> None:
    """The 300 EUR cap is per resident over all services: two services of 6 visits each."""
    r = tiny_region()
    travel = _travel(
        [
            _row(physical_visits_per_year=6.0),
            _row(service="hammashoito", physical_visits_per_year=6.0),
        ],
        ["c0"],
        ["vastaanotto", "hammashoito"],
    )
    shares = pd.concat(
        [
            _shares("c0", "vastaanotto", 0.0, 0.0, 0.0, 1.0),
            _shares("c0", "hammashoito", 0.0, 0.0, 0.0, 1.0),
        ]
    )
    t = cost_table(r, r, travel, years=YEARS, mode_shares=shares)
    # 24 trips x 40 EUR = 960; patient 24 x 25 = 600 -> capped at 300; Kela 660
    assert _component(t, "kela") == pytest.approx(660.0)


def test_site_costs_leases_and_investment_by_year() -> None:
    """Closing leased s2 (lease to 30.6.2027): rent runs to the lease end; its investment
    (condition 2, due 2027) is never paid; s3 (condition 1) pays its annuity from 2025."""
    r = tiny_region()
    travel = _travel([_row(physical_visits_per_year=0.0)], ["c0"], ["vastaanotto"])
    sc = Scenario(closures=(Closure("s2", "s1"),))
    scen = sc.apply(r)
    base_t = cost_table(r, r, travel, years=YEARS)
    t = cost_table(r, scen, travel, years=YEARS)
    ann = CostParams().annuity_factor()
    assert ann == pytest.approx(0.03 / (1 - 1.03**-25))
    assert _component(base_t, "premises") == pytest.approx(740_000.0)
    assert _component(t, "premises", 2026) == pytest.approx(740_000.0)
    share_2027 = ((pd.Timestamp("2027-06-30") - pd.Timestamp("2027-01-01")).days + 1) / 365
    assert _component(t, "premises", 2027) == pytest.approx(540_000.0 + 200_000.0 * share_2027)
    assert _component(t, "premises", 2028) == pytest.approx(540_000.0)
    assert _component(base_t, "investment", 2025) == pytest.approx(300_000.0 * ann)
    assert _component(base_t, "investment", 2027) == pytest.approx(1_500_000.0 * ann)
    assert _component(base_t, "investment", 2027, "quantity") == pytest.approx(1_200_000.0)
    assert _component(t, "investment", 2027) == pytest.approx(300_000.0 * ann)
    # staff move to the substitute with the capacity: unchanged
    assert _component(t, "staff") == pytest.approx(_component(base_t, "staff"))
    assert _component(t, "staff", col="quantity") == pytest.approx(22.0)


def test_compare_takes_base_before_the_scenario_year() -> None:
    """A scenario from 2027 changes nothing in 2025-2026 and saves from 2027 on."""
    r = tiny_region()
    travel = _travel([_row(physical_visits_per_year=0.0)], ["c0"], ["vastaanotto"])
    scen = Scenario(closures=(Closure("s3", "s2"),)).apply(r)
    base_t = cost_table(r, r, travel, years=YEARS)
    t = cost_table(r, scen, travel, years=YEARS, effective_year=2027)
    c = compare_costs(base_t, t)
    early = c.loc[c["year"] < 2027, "change_eur"]
    assert np.allclose(early, 0.0)
    # s3 is leased to 31.12.2026: from 2027 its 40,000 rent and its annuity are saved
    prem_2027 = c.loc[(c["year"] == 2027) & (c["component"] == "premises"), "change_eur"]
    assert float(prem_2027.iloc[0]) == pytest.approx(-40_000.0)
    with pytest.raises(InputError, match="different years"):
        compare_costs(base_t, t.loc[t["year"] < 2030])


def test_projection_scales_travel_by_municipality_and_band() -> None:
    """Travel of 2030 is the evaluated year's times the projection factor of its group."""
    r = tiny_region()
    proj = pd.DataFrame(
        [
            {"municipality": m, "year": y, "band": b, "factor": 1.5 if y == 2030 else 1.0}
            for m in ("901", "902")
            for y in YEARS
            for b in AGE_BANDS
        ]
    )
    r = r.replace(projection=proj)
    travel = _travel([_row()], ["c0"], ["vastaanotto"])
    t = cost_table(r, r, travel, years=YEARS)
    assert _component(t, "resident_travel", 2030, "quantity") == pytest.approx(120.0)
    assert _component(t, "resident_travel", 2029, "quantity") == pytest.approx(80.0)


def test_region_costs_are_the_default_params() -> None:
    """The region's [costs] reach the table through evaluate(): staff at 130,000 EUR a FTE
    double the staff cost; an explicit params argument still wins."""
    r = tiny_region()
    dear = r.replace(costs=CostParams(staff_eur_per_fte_year=130_000.0))
    plain = evaluate(r, Scenario()).costs
    doubled = evaluate(dear, Scenario()).costs
    assert plain is not None
    assert doubled is not None
    assert _component(doubled, "staff") == pytest.approx(2 * _component(plain, "staff"))
    travel = _travel([_row(physical_visits_per_year=0.0)], ["c0"], ["vastaanotto"])
    explicit = cost_table(dear, dear, travel, years=YEARS, params=CostParams())
    assert _component(explicit, "staff") == pytest.approx(_component(plain, "staff"))


def test_missing_travel_columns_are_named() -> None:
    """A travel table without km says which columns and what to pass."""
    r = tiny_region()
    travel = _travel([_row()], ["c0"], ["vastaanotto"]).drop(columns=["km"])
    with pytest.raises(InputError, match=r"missing column.*km.*Evaluation\.travel"):
        cost_table(r, r, travel)


def test_evaluate_and_compare_carry_costs_and_capacity() -> None:
    """evaluate() fills costs and capacity; compare() reports the county's saving of a closure."""
    r = tiny_region()
    base = evaluate(r, Scenario())
    other = evaluate(r, Scenario(name="close s3", closures=(Closure("s3", "s2"),)))
    assert base.costs is not None
    assert base.capacity is not None
    assert set(base.costs["year"]) == set(YEARS)
    assert len(base.capacity) == len(r.site_services)
    cmp = compare(base, other)
    assert cmp.costs is not None
    h = cmp.headline.set_index("figure")
    assert h.at["county_cost_eur_total", "change"] < 0  # s3's rent and investment saved
    assert "vastaanotto:share_within_target" in h.index


def test_missing_site_costs_are_counted_in_the_notes() -> None:
    """Sites without premises cost or condition are counted and named in the notes, not hidden."""
    r = tiny_region()
    sites = r.sites.copy()
    sites.loc[sites["site_id"] == "s1", "annual_cost_eur"] = np.nan
    sites["condition"] = pd.array([pd.NA, 2, 1], dtype="Int64")
    r = r.replace(sites=sites)
    travel = _travel([_row()], ["c0"], ["vastaanotto"])
    t = cost_table(r, r, travel, years=YEARS)
    notes = " ".join(t.attrs["notes"])
    assert "1 of 3 sites have no annual_cost_eur" in notes
    assert "1 of 3 sites have no condition" in notes
    assert "projection ends in 2024" in notes  # the tiny region has no projection
    assert _component(t, "premises") == pytest.approx(240_000.0)
