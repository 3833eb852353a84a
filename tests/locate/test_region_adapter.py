"""Region adapter and the ``optimize`` command on the tiny example region."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from palveluverkko import Scenario
from palveluverkko.cli import app
from palveluverkko.errors import InputError
from palveluverkko.locate import p_median
from palveluverkko.locate.region import (
    WEEKS_PER_YEAR,
    current_figures,
    explain,
    physical_demand,
    scenario_from_result,
    service_problem,
    site_labels,
)
from palveluverkko.locate.result import LocationResult
from palveluverkko.network import TravelTimes, travel_times
from palveluverkko.region import Region, write_region
from palveluverkko.region.examples import tiny_region

runner = CliRunner()


@pytest.fixture(scope="module")
def region() -> Region:
    """The tiny example region."""
    return tiny_region()


@pytest.fixture(scope="module")
def car(region: Region) -> TravelTimes:
    """Car travel times of the tiny region."""
    return travel_times(region, "car", use_cache=False)


def test_service_problem_columns_demand_groups(region: Region, car: TravelTimes) -> None:
    """Candidates are the sites offering the service; demand, costs and capacity come along."""
    prob = service_problem(region, "vastaanotto", car.minutes, car.site_ids)
    ss = region.site_services
    offering = ss.loc[ss["service"] == "vastaanotto"]
    assert prob.site_ids is not None
    assert prob.site_ids.tolist() == offering["site_id"].tolist()
    np.testing.assert_allclose(prob.demand, physical_demand(region, "vastaanotto"))
    assert prob.demand.sum() > 0
    assert prob.capacity is not None
    np.testing.assert_allclose(
        prob.capacity, offering["capacity_per_week"].to_numpy() * WEEKS_PER_YEAR
    )
    cols = [car.site_ids.tolist().index(s) for s in prob.site_ids.tolist()]
    np.testing.assert_allclose(prob.minutes, car.minutes[:, cols])
    sites = region.sites.set_index("site_id")
    assert prob.site_groups is not None
    assert prob.site_groups.tolist() == sites.loc[prob.site_ids, "municipality"].tolist()


def test_unknown_service_rejected(region: Region, car: TravelTimes) -> None:
    """A service no site offers is refused, naming the known services."""
    with pytest.raises(InputError, match="no site offers service 'nope'"):
        service_problem(region, "nope", car.minutes, car.site_ids)


def test_p_median_on_region_equals_brute_force(region: Region, car: TravelTimes) -> None:
    """On the tiny region the p-median over the adapter's problem equals brute force."""
    prob = service_problem(
        region, "vastaanotto", car.minutes, car.site_ids, min_open_per_municipality=0
    )
    m = prob.n_sites
    best = min(
        float((prob.demand * prob.minutes[:, list(s)].min(axis=1)).sum())
        for s in itertools.combinations(range(m), 1)
    )
    res = p_median(prob, 1)
    assert res.objective == pytest.approx(best)


def test_scenario_from_result_is_valid(region: Region, car: TravelTimes) -> None:
    """The scenario closes exactly the sites left closed, and passes the scenario check."""
    prob = service_problem(
        region, "vastaanotto", car.minutes, car.site_ids, min_open_per_municipality=0
    )
    res = p_median(prob, 1)
    sc = scenario_from_result(region, "vastaanotto", res)
    sc.check(region)
    changed = {c.site for c in sc.closures} | {c.site for c in sc.conversions}
    assert prob.site_ids is not None
    closed = set(prob.site_ids[~res.open_mask].tolist())
    assert changed == closed
    for c in sc.closures:
        assert c.substitute in res.open_sites
    assert "Proven: no network under the same rules does better" in explain(res, lang="en")


def result_args(package: Path, out: Path, tmp_path: Path) -> list[str]:
    """``optimize`` arguments for one p-median site of vastaanotto."""
    return [
        "optimize",
        str(package),
        "--service",
        "vastaanotto",
        "--model",
        "p-median",
        "--p",
        "1",
        "--per-municipality",
        "0",
        "--out",
        str(out),
        "--cache-dir",
        str(tmp_path / "c"),
    ]


def test_optimize_cli_writes_scenario(region: Region, tmp_path: Path) -> None:
    """``optimize`` writes a scenario TOML that loads and states what the bound proves."""
    package = write_region(region, tmp_path / "tiny")
    out = tmp_path / "opt.toml"
    result = runner.invoke(
        app,
        [
            "optimize",
            str(package),
            "--service",
            "vastaanotto",
            "--model",
            "p-median",
            "--p",
            "1",
            "--per-municipality",
            "0",
            "--out",
            str(out),
            "--cache-dir",
            str(tmp_path / "c"),
        ],
    )
    assert result.exit_code == 0, result.output
    sc = Scenario.from_toml(out)
    assert len(sc.closures) + len(sc.conversions) >= 1
    assert "Todistettu" in result.output
    # the solver's English lines only with --details (or --lang en)
    assert "objective" not in result.output
    assert "method" not in result.output
    detailed = runner.invoke(app, [*result_args(package, out, tmp_path), "--details"])
    assert detailed.exit_code == 0, detailed.output
    assert "objective" in detailed.output
    text = out.read_text("utf-8")
    # the explanation heads the file as comments and is the scenario's description
    assert text.startswith("# Malli: p-mediaani")
    assert sc.description.startswith("Malli: p-mediaani")
    assert "Suljetaan tai palvelu lakkaa" in sc.description
    assert "(nyt " in sc.description


def test_optimize_cli_infeasible_exit_code(region: Region, tmp_path: Path) -> None:
    """An infeasible request exits with code 2 and prints the reason."""
    package = write_region(region, tmp_path / "tiny")
    result = runner.invoke(
        app,
        [
            "optimize",
            str(package),
            "--service",
            "vastaanotto",
            "--model",
            "p-median",
            "--p",
            "9",
            "--out",
            str(tmp_path / "x.toml"),
            "--cache-dir",
            str(tmp_path / "c"),
        ],
    )
    assert result.exit_code == 2
    assert "p = 9 open sites requested" in result.output


def test_current_figures_by_hand(region: Region, car: TravelTimes) -> None:
    """Today's figures equal a hand computation: every cell at its nearest listed site."""
    prob = service_problem(
        region, "vastaanotto", car.minutes, car.site_ids, min_open_per_municipality=0
    )
    fig = current_figures(prob, ["s2", "s3"], threshold_minutes=10.0)
    cols = prob.site_index(["s2", "s3"])
    best = prob.minutes[:, cols].min(axis=1)
    ok = np.isfinite(best)
    w = prob.demand
    assert fig["mean_minutes"] == pytest.approx((w[ok] * best[ok]).sum() / w[ok].sum())
    assert fig["max_minutes"] == pytest.approx(best[ok & (w > 0)].max())
    assert fig["share_within"] == pytest.approx(
        w[ok & (best <= 10.0)].sum() / w[prob.reachable].sum()
    )
    assert prob.site_cost_eur is not None
    assert fig["annual_cost_eur"] == pytest.approx(prob.site_cost_eur[cols].sum())


def test_explain_names_sites_and_states_the_bound(region: Region, car: TravelTimes) -> None:
    """The explanation names the closed sites with their municipality, compares with today,
    and states the proven bound and gap in each language when the result is not optimal."""
    prob = service_problem(
        region, "vastaanotto", car.minutes, car.site_ids, min_open_per_municipality=0
    )
    res = p_median(prob, 1)
    assert res.open_sites == ("s1",)
    today = current_figures(prob, ["s1", "s2", "s3"], 30.0)
    labels = site_labels(region)
    assert labels["s2"] == "Yläkylän sote-asema (Yläkylä, s2)"  # the name first, the id after
    fi = explain(res, today, labels=labels, threshold_minutes=30.0)
    assert "Suljetaan tai palvelu lakkaa (2): Yläkylän sote-asema (Yläkylä, s2), Laidan" in fi
    assert "30 minuutin sisällä" in fi
    assert "(nyt " in fi
    # a result with a weaker bound: the text gives bound, objective and gap in the language
    weak = LocationResult(
        model=res.model,
        sense="min",
        open_index=np.array(res.open_index),
        assignment=np.array(res.assignment),
        objective=res.objective,
        bound=res.objective * 0.9,
        seconds=0.0,
        method="test",
        problem=prob,
    )
    sv = explain(weak, lang="sv")
    assert "Bevisad nedre gräns" in sv
    assert "10,00 %" in sv
    en = explain(weak, lang="en", labels=labels, max_listed=1)
    assert "Proven lower bound" in en
    assert "10.00 %" in en
    assert "(2): Yläkylän sote-asema (Yläkylä, s2), and 1 more." in en
    # s3 as a new candidate: not listed as closed
    assert "service (1): s2." in explain(res, new_sites=["s3"], lang="en")
    with pytest.raises(ValueError, match="language 'de'"):
        explain(res, lang="de")


def test_optimize_cli_swedish_and_bad_lang(region: Region, tmp_path: Path) -> None:
    """``--lang sv`` writes the explanation in Swedish; an unknown language exits with 2."""
    package = write_region(region, tmp_path / "tiny")
    args = [
        "optimize",
        str(package),
        "--service",
        "vastaanotto",
        "--model",
        "mclp",
        "--p",
        "2",
        "--per-municipality",
        "0",
        "--out",
        str(tmp_path / "o.toml"),
        "--cache-dir",
        str(tmp_path / "c"),
    ]
    result = runner.invoke(app, [*args, "--lang", "sv"])
    assert result.exit_code == 0, result.output
    sc = Scenario.from_toml(tmp_path / "o.toml")
    assert sc.description.startswith("Modell: MCLP (flest besök inom 30 minuter)")
    assert sc.name == "vastaanotto: MCLP, 2 verksamhetsställen"
    bad = runner.invoke(app, [*args, "--lang", "de"])
    assert bad.exit_code == 2
    assert "--lang 'de'" in bad.output
