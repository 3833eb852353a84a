"""The default service catalogue: national totals, codes, channel shares, kinds' services."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from palveluverkko.demand.catalogue import (
    FINLAND_POPULATION_2023,
    SERVICE_CODES,
    SHARE_95_PLUS_OF_85_PLUS,
    default_services,
    default_site_services,
    national_contacts,
    site_services_from_demand,
)
from palveluverkko.region import validate
from palveluverkko.region.examples import tiny_region
from palveluverkko.region.schema import AGE_BANDS, SITE_KINDS


def test_population_constant_matches_published_total() -> None:
    """The national population by band adds up to Statistics Finland's 5 603 851 (2023)."""
    assert sum(FINLAND_POPULATION_2023.values()) == 5_603_851
    assert list(FINLAND_POPULATION_2023) == list(AGE_BANDS)


def test_rates_reproduce_national_totals() -> None:
    """Rates x national population give 29.8 M outpatient and 4.7 M dental visits within 1 %."""
    services = default_services()
    totals = national_contacts(services, FINLAND_POPULATION_2023)
    assert totals["vastaanotto"] == pytest.approx(29.8e6, rel=0.01)
    assert totals["hammashoito"] == pytest.approx(4.7e6, rel=0.01)


def test_home_care_from_client_shares() -> None:
    """Home-care rates are 8 % / 30 % / 57 % client shares times visits per client (DOMAIN.md)."""
    services = default_services(kotihoito_visits_per_client_year=100.0).set_index("service")
    row = services.loc["kotihoito"]
    assert row["rate_75_84"] == pytest.approx(8.0)
    share_85 = 0.30 * (1 - SHARE_95_PLUS_OF_85_PLUS) + 0.57 * SHARE_95_PLUS_OF_85_PLUS
    assert row["rate_85_plus"] == pytest.approx(100.0 * share_85)
    assert row["rate_0_6"] == 0.0
    assert row["home_share"] == 1.0


def test_codes_levels_and_channels() -> None:
    """Exactly the seven service codes with the levels and shares the evaluator keys on."""
    services = default_services().set_index("service")
    assert tuple(services.index) == SERVICE_CODES
    assert services.loc["vastaanotto", "digital_share"] == 0.46
    assert services.loc["paivystys", "level"] == "keskitetty"
    assert services.loc["mielenterveys", "level"] == "alue"
    assert (
        services.loc[["vastaanotto", "hammashoito", "neuvola", "sosiaalityo"], "level"] == "lahi"
    ).all()
    assert services.loc["hammashoito", "access_target_days"] == 180.0
    rates = services[[f"rate_{b}" for b in AGE_BANDS]].to_numpy()
    assert (rates >= 0).all()
    # neuvola: maternity visits over the 18-64 band, child health for 0-6
    expected = 43_400 * 12 / FINLAND_POPULATION_2023["18_64"]
    assert services.loc["neuvola", "rate_18_64"] == pytest.approx(expected)


def test_catalogue_validates_in_a_region() -> None:
    """The catalogue passes region validation as the services layer of the tiny region."""
    region = tiny_region().replace(services=default_services())
    assert [p for p in validate(region) if p.severity == "error"] == []


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1_000, 10_000_000), min_size=6, max_size=6))
def test_totals_reproduced_on_any_population(counts: list[int]) -> None:
    """For any population by band, rates scaled on it reproduce the two national totals."""
    pop = dict(zip(AGE_BANDS, counts, strict=True))
    totals = national_contacts(default_services(population=pop), pop)
    np.testing.assert_allclose(totals[["vastaanotto", "hammashoito"]], [29.8e6, 4.7e6], rtol=1e-9)


def test_site_services_by_kind() -> None:
    """Every site kind offers known services with positive weights; unknown kinds are refused."""
    codes = set(SERVICE_CODES)
    for kind in SITE_KINDS:
        offered = default_site_services(kind)
        assert offered
        assert all(s in codes and w > 0 for s, w in offered)
    assert [s for s, _ in default_site_services("sairaala_24h")].count("paivystys") == 1
    assert all(
        "paivystys" not in dict(default_site_services(k)) for k in SITE_KINDS if k != "sairaala_24h"
    )
    with pytest.raises(KeyError, match="site kind 'clinic' is unknown"):
        default_site_services("clinic")


def test_site_services_from_demand_by_hand() -> None:
    """Capacity is headroom x weekly demand shared by kind weights, else sent to the nearest."""
    pop = gpd.GeoDataFrame(
        {
            "cell_id": ["a", "b"],
            "municipality": ["901", "902"],
            **{f"pop_{b}": [0, 0] for b in AGE_BANDS},
        },
        geometry=shapely.points([[0.0, 0.0], [10_000.0, 0.0]]),
        crs="EPSG:3067",
    )
    pop["pop_18_64"] = [5_200, 2_600]
    sites = gpd.GeoDataFrame(
        {
            "site_id": ["k", "a", "d"],
            "municipality": ["901", "901", "902"],
            "kind": ["sote_keskus", "sote_asema", "hammashoitola"],
        },
        geometry=shapely.points([[0.0, 0.0], [100.0, 0.0], [10_000.0, 0.0]]),
        crs="EPSG:3067",
    )
    services = default_services().set_index("service").loc[["vastaanotto", "hammashoito"]]
    services = services.reset_index()
    out = site_services_from_demand(sites, pop, services, headroom=2.0).set_index(
        ["site_id", "service"]
    )
    r_v = services.loc[0, "rate_18_64"] * (1 - 0.46)
    weekly_901 = 5_200 * r_v / 52  # shared 3 : 1.5 between keskus and asema
    assert out.loc[("k", "vastaanotto"), "capacity_per_week"] == pytest.approx(
        2 * weekly_901 * 3 / 4.5, abs=0.05
    )
    weekly_902 = 2_600 * r_v / 52  # 902 has no vastaanotto site: to the nearest one, "a"
    assert out.loc[("a", "vastaanotto"), "capacity_per_week"] == pytest.approx(
        2 * (weekly_901 * 1.5 / 4.5 + weekly_902), abs=0.05
    )
    r_d = services.loc[1, "rate_18_64"] * (1 - 0.02)
    assert out.loc[("d", "hammashoito"), "capacity_per_week"] == pytest.approx(
        2 * (5_200 + 2_600) * r_d / 52, abs=0.05
    )
    assert ("d", "vastaanotto") not in out.index
    staff = out.loc[("k", "vastaanotto")]
    assert staff.staff_fte == pytest.approx(staff.capacity_per_week / 35.0, abs=0.05)
