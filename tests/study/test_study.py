"""The study API: the use cases as library calls, equal to the lower-level calls they wrap."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import palveluverkko.network.routing as routing
from palveluverkko import (
    Closure,
    NewSite,
    OptimizeRequest,
    ParetoRequest,
    Scenario,
    Study,
    compare,
    evaluate,
    route,
)
from palveluverkko.errors import InputError
from palveluverkko.evaluation import scenario_destinations
from palveluverkko.region.examples import tiny_region
from palveluverkko.study import MODELS, ProgressEvent
from palveluverkko.study.choices import ACCESS_MEASURES, MODEL_NAMES


def opening() -> Scenario:
    """Close s2 for a new site n1 near it."""
    return Scenario(
        name="uusi",
        openings=(
            NewSite(
                "n1",
                "Uusi",
                "902",
                "sote_asema",
                443_000.0,
                6_905_500.0,
                {"vastaanotto": (100.0, 3.0)},
            ),
        ),
        closures=(Closure("s2", "n1"),),
    )


def test_evaluate_equals_the_function_and_reports_progress(tmp_path: Path) -> None:
    """Study.evaluate gives the tables of evaluate() on the same travel times, and reports
    routing and evaluation as events."""
    events: list[ProgressEvent] = []
    study = Study(tiny_region(), cache_dir=tmp_path, progress=events.append)
    sc = opening()
    got = study.evaluate(sc)
    tts = route(tiny_region(), scenario_destinations(tiny_region(), sc), cache_dir=tmp_path)
    want = evaluate(tiny_region(), sc, travel_times=tts)
    for name in ("cells", "sites", "summary_table", "capacity", "costs", "channels"):
        pd.testing.assert_frame_equal(getattr(got, name), getattr(want, name))
    stages = {e.stage for e in events}
    assert {"travel_times", "evaluate"} <= stages
    assert any(e.stage == "evaluate" and e.finished and e.detail == "uusi" for e in events)
    # one event per stage, counting up, so that a long evaluation is not silent
    steps = [e for e in events if e.stage == "evaluate"]
    assert [e.done for e in steps] == list(range(13))
    assert {e.total for e in steps} == {12}
    assert "uusi: allocation" in [e.detail for e in steps]


def test_travel_times_are_routed_once_per_destination(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Evaluating today, then a scenario with a new site, routes the sites once and only the new
    site the second time; the columns then equal one routing of all."""
    calls: list[list[str]] = []
    real = routing.route

    def spy(region, to=None, **kw):  # type: ignore[no-untyped-def]
        calls.append(list(to.ids))
        return real(region, to, **kw)

    monkeypatch.setattr(routing, "route", spy)
    study = Study(tiny_region(), cache_dir=tmp_path)
    study.evaluate(None)
    study.evaluate(opening())
    study.evaluate(opening())
    assert calls == [["s1", "s2", "s3"], ["n1"]]
    once = real(tiny_region(), scenario_destinations(tiny_region(), opening()), use_cache=False)
    both = study.travel_times(opening())
    for mode in once.modes:
        np.testing.assert_array_equal(both[mode].minutes, once[mode].minutes)


def test_compare_many_shares_one_base(tmp_path: Path) -> None:
    """compare(None, a, b) compares each scenario with today's network, as compare() does."""
    study = Study(tiny_region(), cache_dir=tmp_path)
    a = Scenario(name="a", closures=(Closure("s2", "s1"),))
    comparisons = study.compare(None, a, opening())
    assert [c.other.scenario.name for c in comparisons] == ["a", "uusi"]
    assert comparisons[0].base is comparisons[1].base
    tts = study.travel_times(a, opening())
    want = compare(
        evaluate(tiny_region(), None, travel_times=tts),
        evaluate(tiny_region(), a, travel_times=tts),
    )
    pd.testing.assert_frame_equal(comparisons[0].headline, want.headline)
    with pytest.raises(InputError, match="at least one scenario"):
        study.compare(None)


def test_optimize_writes_a_scenario_that_evaluates(tmp_path: Path) -> None:
    """optimize gives a checked scenario headed by its explanation; evaluating it works."""
    study = Study(tiny_region(), cache_dir=tmp_path)
    result = study.optimize(
        OptimizeRequest(service="vastaanotto", model="p-median", p=2, per_municipality=0)
    )
    assert result.result.n_open == 2
    text = result.to_toml()
    assert text.startswith("# ")
    back = Scenario.from_toml(result.write(tmp_path / "o.toml"))
    assert back == result.scenario
    assert study.evaluate(back).summary_table["service"].tolist()


def test_requests_check_themselves() -> None:
    """A model that needs p without p, or an unknown model or access measure, is refused."""
    with pytest.raises(InputError, match="--p is required"):
        OptimizeRequest(service="vastaanotto", model="p-median")
    with pytest.raises(InputError, match="unknown"):
        OptimizeRequest(service="vastaanotto", model="p-nothing", p=1)
    with pytest.raises(InputError, match="--access"):
        ParetoRequest(service="vastaanotto", access="best")  # type: ignore[arg-type]
    assert tuple(MODELS) == MODEL_NAMES
    assert ACCESS_MEASURES == ("mean", "worst", "share")


def test_report_of_a_scenario(tmp_path: Path) -> None:
    """report() evaluates today and the scenario and writes the HTML page."""
    study = Study(tiny_region(), cache_dir=tmp_path)
    path = study.report(tmp_path / "r.html", scenario=opening(), lang="sv")
    assert "<html" in path.read_text(encoding="utf-8")[:500].lower()
    with pytest.raises(InputError, match="language"):
        study.report(tmp_path / "x.html", lang="de")
