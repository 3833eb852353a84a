"""Sensitivity sweeps: seeded draws, figures that move the right way, Dask equal to serial."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from palveluverkko import Study
from palveluverkko.errors import InputError
from palveluverkko.region.examples import tiny_region
from palveluverkko.study import Distribution, SweepSpec
from palveluverkko.study.batch import optimization_table
from palveluverkko.study.optimize import OptimizeRequest
from palveluverkko.study.sweep import draw_parameters


def test_distributions_parse_and_draw() -> None:
    """Text forms parse; draws are seeded; bad forms are refused with an example."""
    assert Distribution.parse("1.2") == Distribution("fixed", 1.2)
    d = Distribution.parse("triangular:0.8:1.0:1.1")
    assert str(d) == "triangular:0.8:1:1.1"
    a = d.draw(np.random.default_rng(3), 1000)
    assert a.min() >= 0.8
    assert a.max() <= 1.1
    with pytest.raises(InputError, match=r"uniform:0\.9:1\.1"):
        Distribution.parse("uniform:x")
    with pytest.raises(InputError, match="low end"):
        Distribution("uniform", 2.0, 1.0)
    spec = SweepSpec(demand_growth=Distribution.parse("normal:1:0.1"))
    pd.testing.assert_frame_equal(
        draw_parameters(spec, 5, seed=1), draw_parameters(spec, 5, seed=1)
    )


def test_fixed_sweep_equals_the_evaluation(tmp_path: Path) -> None:
    """With nothing varied every draw gives the evaluation's own figures."""
    study = Study(tiny_region(), cache_dir=tmp_path)
    result = study.sweep(None, SweepSpec(), 3, scheduler="serial")
    ev = study.evaluate(None)
    s = ev.summary_table.set_index("service")
    for _, row in result.figures.iterrows():
        assert row["share_within_30_car"] == pytest.approx(
            s.at[row["service"], "share_within_30_car"]
        )
        assert row["mean_car_minutes"] == pytest.approx(s.at[row["service"], "mean_car_minutes"])


def test_more_demand_and_less_capacity_never_help(tmp_path: Path) -> None:
    """Across draws, care within the access target falls as demand grows against capacity."""
    study = Study(tiny_region(), cache_dir=tmp_path)
    spec = SweepSpec(
        demand_growth=Distribution("uniform", 1.0, 3.0),
        capacity_factor=Distribution("uniform", 0.3, 1.0),
    )
    result = study.sweep(None, spec, 20, seed=4, scheduler="serial")
    table = result.table()
    v = table.loc[table["service"] == "vastaanotto"]
    pressure = v["demand_growth"] / v["capacity_factor"]
    rho = np.corrcoef(pressure.rank(), v["share_within_target"].rank())[0, 1]
    assert rho < -0.5
    bands = result.bands().set_index(["service", "figure"])
    lo, mid, hi = bands.loc[("vastaanotto", "share_within_target"), ["p10", "p50", "p90"]]
    assert lo <= mid <= hi


@pytest.mark.slow
def test_dask_equals_serial(tmp_path: Path) -> None:
    """The same seeded sweep on a two-worker LocalCluster equals the serial run exactly."""
    study = Study(tiny_region(), cache_dir=tmp_path)
    spec = SweepSpec(
        demand_growth=Distribution.parse("normal:1.0:0.1"),
        digital_share_delta=Distribution.parse("uniform:-0.1:0.1"),
        car_speed_factor=Distribution.parse("uniform:0.8:1.2"),
    )
    serial = study.sweep(None, spec, 12, seed=7, scheduler="serial")
    local = study.sweep(None, spec, 12, seed=7, scheduler="local", n_workers=2, batch_seconds=0.0)
    assert local.scheduler == "local"
    pd.testing.assert_frame_equal(local.figures, serial.figures)
    pd.testing.assert_frame_equal(local.parameters, serial.parameters)


def _every_p(study: Study) -> list[OptimizeRequest]:
    n = int((study.region.site_services["service"] == "vastaanotto").sum())
    return [
        OptimizeRequest(service="vastaanotto", model="p-median", p=p, per_municipality=0)
        for p in range(1, n + 1)
    ]


def test_optimize_many_serial_equals_one_by_one(tmp_path: Path) -> None:
    """Every p of a service solved as a batch equals Study.optimize of each request: the same
    open sites, objective, bound and capacity-check figures; the table has a row per p."""
    study = Study(tiny_region(), cache_dir=tmp_path)
    requests = _every_p(study)
    batch = study.optimize_many(requests, scheduler="serial")
    assert [o.request for o in batch] == requests
    for got, request in zip(batch, requests, strict=True):
        want = study.optimize(request)
        assert got.result.open_sites == want.result.open_sites
        assert got.result.objective == pytest.approx(want.result.objective, rel=1e-12)
        assert got.result.bound == pytest.approx(want.result.bound, rel=1e-12)
        assert got.within_target == pytest.approx(want.within_target, nan_ok=True)
    table = optimization_table(batch)
    assert list(table["p"]) == [r.p for r in requests]
    assert (table["objective"].diff().dropna() <= 1e-9).all()  # more sites, shorter trips
    assert table["within_target"].notna().all()


def test_optimize_many_on_local_cluster_equals_serial(tmp_path: Path) -> None:
    """The same batch on a two-worker LocalCluster comes back in request order, equal."""
    study = Study(tiny_region(), cache_dir=tmp_path)
    requests = _every_p(study)
    serial = optimization_table(study.optimize_many(requests, scheduler="serial"))
    local = optimization_table(study.optimize_many(requests, scheduler="local", n_workers=2))
    pd.testing.assert_frame_equal(local.drop(columns=["seconds"]), serial.drop(columns=["seconds"]))


def test_optimize_every_p_from_the_command_line(tmp_path: Path) -> None:
    """``optimize --every-p`` writes one row per p (1 .. the sites offering the service) with the
    batch's figures, and prints them."""
    from typer.testing import CliRunner

    from palveluverkko.cli import app
    from palveluverkko.region import write_region

    package = write_region(tiny_region(), tmp_path / "tiny")
    out = tmp_path / "every_p.toml"
    args = ["optimize", str(package), "--service", "vastaanotto", "--per-municipality", "0"]
    args += ["--every-p", "--scheduler", "serial", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--cache-dir", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out.with_suffix(".csv"))
    n = int((tiny_region().site_services["service"] == "vastaanotto").sum())
    assert list(table["p"]) == list(range(1, n + 1))
    assert "p=  1" in result.output
    assert (table["gap"] <= 1e-6).all()
