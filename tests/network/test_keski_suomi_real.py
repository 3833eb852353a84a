"""Real data end to end without roads: the README's Keski-Suomi example (Statistics Finland,
Paavo, a partial facility list; ../shared/data/regions/keski_suomi.gpkg) runs import, validate,
evaluate, optimize and report on straight-line travel times, marked approximate."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from palveluverkko.cli import app

pytestmark = pytest.mark.shared_data

runner = CliRunner()


def _ok(args: list[str]) -> str:
    """Run the command; its output with rich's line wrapping undone."""
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_keski_suomi_readme_example_runs_on_straight_lines(
    shared_data: Path, tmp_path: Path
) -> None:
    """import region, validate, evaluate, optimize and report all exit 0 on a county without a
    road file; every step that routes says the times are approximate, and the evaluation's car
    times are the straight-line estimate (Jyväskylä cells within reach, nobody unreachable)."""
    pkg, cache, ev = tmp_path / "ks", tmp_path / "cache", tmp_path / "ev"
    gpkg = shared_data / "regions" / "keski_suomi.gpkg"
    out = _ok(["import", "region", "--name", "Keski-Suomi", "--county-gpkg", str(gpkg), str(pkg)])
    assert "Keski-Suomi: 270 577 residents in 170 cells" in out
    assert "valid" in _ok(["validate", str(pkg)])
    out = _ok(["evaluate", str(pkg), "--out", str(ev), "--cache-dir", str(cache), "--no-excel"])
    assert "APPROXIMATE" in out
    assert "270577 residents" in out
    summary = pd.read_csv(ev / "summary.csv").set_index("service")
    share = float(summary.loc["vastaanotto", "share_within_30_car"])
    assert 0.3 < share <= 1.0
    assert summary.loc["vastaanotto", "unreachable_car_residents"] == 0
    scenario = tmp_path / "s.toml"
    out = _ok(
        [
            "optimize",
            str(pkg),
            "--service",
            "vastaanotto",
            "--model",
            "p-median",
            "--p",
            "3",
            "--out",
            str(scenario),
            "--cache-dir",
            str(cache),
        ]
    )
    assert scenario.is_file()
    tomllib.loads(scenario.read_text(encoding="utf-8"))
    report = tmp_path / "r.html"
    out = _ok(
        [
            "report",
            str(pkg),
            "--scenario",
            str(scenario),
            "--out",
            str(report),
            "--cache-dir",
            str(cache),
        ]
    )
    assert report.stat().st_size > 10_000
    html = report.read_text(encoding="utf-8")
    first_page = html.split("Päätöksentekijän yhteenveto")[0]
    assert "LIKIARVO" in first_page  # the report says on its first page: times are approximate
    cells = pd.read_parquet(ev / "cells.parquet")
    assert cells.loc[cells["service"] == "vastaanotto", "approximate"].all()


def test_keski_suomi_travel_times_are_marked_approximate(shared_data: Path, tmp_path: Path) -> None:
    """Routing the imported county by car gives finite straight-line times for every cell and
    site, flags them all (reason no_road_network) and settles each postal area's class by its
    density (Jyväskylä's centre is city, most of the county rural)."""
    import warnings

    from palveluverkko.errors import ApproximationWarning
    from palveluverkko.network import travel_times
    from palveluverkko.network.params import StraightLineParams
    from palveluverkko.network.straight_line import settlement_classes
    from palveluverkko.study.imports import import_region

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        region = import_region(
            tmp_path / "ks",
            name="Keski-Suomi",
            county_gpkg=shared_data / "regions" / "keski_suomi.gpkg",
        ).region
    with pytest.warns(ApproximationWarning, match=r"170 cell\(s\) with 270577 residents"):
        tt = travel_times(region, "car", use_cache=False)
    assert tt.parameters["approximate"] is True
    assert tt.parameters["road_source"] == "none"
    assert np.isfinite(tt.minutes).all()
    assert tt.approximate_mask().all()
    assert set(tt.approximate["reason"]) == {"no_road_network"}
    assert len(tt.unreachable) == 0
    classes = pd.Series(settlement_classes(region, StraightLineParams())).value_counts()
    assert classes["rural"] > classes.get("city", 0) > 0
