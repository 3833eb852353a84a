"""evaluate() on the demo county (slow): runs end to end and conserves contacts."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from palveluverkko import ChannelChange, Closure, Scenario, compare, evaluate


@pytest.mark.slow
def test_demo_county_scenario(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Close the three sites in the worst condition (substitute: same kind, nearest by car) and
    raise the digital share: contacts are conserved and nobody's nearest trip gets shorter."""
    from palveluverkko.demo import demo_region
    from palveluverkko.network import travel_times

    region = demo_region(0)
    cache = tmp_path_factory.mktemp("cache")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tt = {m: travel_times(region, m, cache_dir=cache) for m in ("car", "walk")}
    sites = region.sites.reset_index(drop=True)
    worst = sites.sort_values(["condition", "site_id"]).head(3)["site_id"].tolist()
    car = tt["car"].minutes
    closures = []
    for sid in worst:
        j = int(np.flatnonzero(sites["site_id"] == sid)[0])
        same = sites.index[(sites["kind"] == sites.at[j, "kind"]) & ~sites["site_id"].isin(worst)]
        # nearest same-kind site by mean car time from the closed site's neighbourhood
        near_cells = np.argsort(car[:, j])[:20]
        best = min(same, key=lambda k: float(car[near_cells, k].mean()))
        closures.append(Closure(sid, str(sites.at[best, "site_id"])))
    sc = Scenario(
        name="Kolme huonokuntoista kiinni",
        closures=tuple(closures),
        channel_changes=(ChannelChange("vastaanotto", 0.55),),
    )
    base = evaluate(region, travel_times=tt)
    other = evaluate(region, sc, travel_times=tt)
    cmp = compare(base, other)
    s = other.summary_table.set_index("service")
    at_sites = other.sites.groupby("service")["contacts_per_year"].sum()
    for svc in s.index:
        rest = (
            s.at[svc, "digital_per_year"]
            + s.at[svc, "home_per_year"]
            + s.at[svc, "mobile_per_year"]
        )
        assert at_sites.get(svc, 0.0) + s.at[svc, "unserved_per_year"] + rest == pytest.approx(
            s.at[svc, "total_per_year"], rel=1e-9
        )
    # closing sites never shortens a car trip (home-delivered services have no trip: NaN)
    before, after = base.cells["car_minutes"].to_numpy(), other.cells["car_minutes"].to_numpy()
    travels = ~np.isnan(before)
    assert (np.isnan(after) == ~travels).all()
    assert (after[travels] >= before[travels]).all()
    assert (
        s.at["vastaanotto", "digital_share"]
        > base.summary_table.set_index("service").at["vastaanotto", "digital_share"]
    )
    assert cmp.affected["residents_losing_nearest"].sum() > 0
    assert len(other.travel) == len(region.population) * 6 * len(region.services)
