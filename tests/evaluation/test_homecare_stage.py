"""Home care routed from its bases inside an evaluation (opt-in), checked against the channel's
own planner and through a base closure."""

from __future__ import annotations

from pathlib import Path

import pytest

from palveluverkko import Closure, Scenario, Study
from palveluverkko.channels.homecare_region import plan_home_care
from palveluverkko.evaluation import EvaluateOptions
from palveluverkko.region.model import Region

from ..channels.test_homecare import home_care_region


def with_home_care() -> Region:
    """The tiny region with kotihoito at s1 and s2, rates x 8 (within the validated bound)."""
    return home_care_region(rate_factor=8.0)


def test_home_care_routes_in_the_evaluation(tmp_path: Path) -> None:
    """The stage's figures are the planner's (same seed); closing s2 sends its clients and its
    6 FTE to s1; without the option nothing is routed."""
    region = with_home_care()
    study = Study(region, cache_dir=tmp_path)
    opts = EvaluateOptions(home_care_routes=True, home_care_seed=3)
    ev = study.evaluate(None, options=opts)
    hc = ev.home_care.set_index("base_id")
    assert set(hc.index) == {"s1", "s2"}
    plan = plan_home_care(region, seed=3)
    assert hc["visits_per_day"].sum() == len(plan.visits)
    # PyVRP stops on a time budget, so two runs may differ a little under load: the sampled
    # visits are the same (seeded), the travel within 10 %
    assert hc["routed_per_day"].sum() == (plan.visits["status"] == "routed").sum()
    travel = plan.routes.groupby("base_id")["travel_min"].sum()
    for base in ("s1", "s2"):
        assert hc.at[base, "travel_hours_per_year"] == pytest.approx(
            travel.get(base, 0.0) / 60 * 365, rel=0.10
        )
        assert hc.at[base, "travel_fte"] == pytest.approx(
            hc.at[base, "travel_hours_per_year"] / 1600.0
        )
    assert hc.at["s2", "fte_given"] == 6.0
    closed = study.evaluate(Scenario(closures=(Closure("s2", "s1"),)), options=opts)
    after = closed.home_care.set_index("base_id")
    assert list(after.index) == ["s1"]
    assert after.at["s1", "fte_given"] == 16.0
    assert after.at["s1", "visits_per_day"] == hc["visits_per_day"].sum()
    assert study.evaluate(None).home_care.empty


def test_home_section_shows_travel_per_base(tmp_path: Path) -> None:
    """The report's home-care section lists each base with travel per visit, today and in the
    scenario, and says travel FTE before and after, marked as an estimate."""
    from palveluverkko.report.sections import channel_sections

    region = with_home_care()
    study = Study(region, cache_dir=tmp_path)
    opts = EvaluateOptions(home_care_routes=True)
    (cmp,) = study.compare(None, Scenario(closures=(Closure("s2", "s1"),)), options=opts)
    home = {s.key: s for s in channel_sections(cmp.base, cmp.other, region, "fi")}["home"]
    (table,) = home.tables
    names = region.sites.set_index("site_id")["name"]
    assert [r[0] for r in table.rows] == [names["s1"], names["s2"]]
    assert table.rows[1][1] == "–"  # s2 is closed in the scenario
    assert any(p.startswith("Henkilöstön matkoihin kuluu") for p in home.paragraphs)
    assert home.paragraphs[-1].startswith("ARVIO")
