"""The ``palveluverkko demo`` command: writes a valid package and prints the summary."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from palveluverkko.cli import app
from palveluverkko.evaluation.columns import undocumented, written_columns
from palveluverkko.region import Region, validate_package

runner = CliRunner()


def test_demo_command_writes_and_summarises(demo: Region, tmp_path: Path) -> None:
    """`demo --region-only` writes DIR/region (valid, synthetic), prints residents and sites."""
    result = runner.invoke(app, ["demo", "--out", str(tmp_path), "--region-only"])
    assert result.exit_code == 0, result.output
    package = tmp_path / "region"
    assert validate_package(package) == []
    toml = (package / "region.toml").read_text(encoding="utf-8")
    assert "SYNTHETIC DATA" in toml
    assert "synthetic = true" in toml
    assert "SYNTHETIC" in (package / "README.md").read_text(encoding="utf-8")
    assert (package / "gtfs" / "demo.zip").is_file()
    out = result.output
    assert "SYNTHETIC" in out
    assert "Keskilinna" in out
    assert "140000" in out
    assert str(demo.total_population) in out
    assert "sairaala_24h" in out
    assert "hammashoitola" in out
    assert demo.summary() in out  # the printed county is demo_region(0)


@pytest.mark.slow
def test_full_demo_writes_results_and_report(tmp_path: Path) -> None:
    """`demo` evaluates today's network and the example scenario and writes the report."""
    result = runner.invoke(app, ["demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for folder in ("baseline", "scenario", "comparison"):
        assert any((tmp_path / folder).iterdir()), folder
        # every column the demo writes is in the data dictionary (docs/outputs.md)
        written = written_columns(tmp_path / folder)
        assert {t: undocumented(t, c) for t, c in written.items() if undocumented(t, c)} == {}
    assert (tmp_path / "baseline" / "results.gpkg").is_file()
    assert (tmp_path / "scenario" / "cells.parquet").is_file()
    assert not (tmp_path / "scenario" / "cells.csv").exists()  # cell tables are Parquet only
    assert not (tmp_path / "report.pdf").exists()  # the PDF only with --pdf
    assert not (tmp_path / "comparison" / "base").exists()  # not written twice
    costs = pd.read_csv(tmp_path / "comparison" / "comparison_costs.csv")
    assert sorted(costs["year"].unique()) == list(range(2025, 2031))
    by = costs.groupby(["component", "year"])["change_eur"].sum()
    # closing three sites saves premises every year; the bus and the remote staff of a higher
    # digital share cost (site staff stay: their capacity moves to the substitutes)
    assert (by["premises"] < 0).all()
    assert (by["mobile_units"] > 0).all()
    assert (by["digital_staff"] > 0).all()
    capacity = pd.read_csv(tmp_path / "scenario" / "capacity.csv")
    assert set(capacity["status"]) <= {"ok", "no_demand", "no_capacity", "home_not_evaluated"}
    assert capacity["share_within_target"].dropna().between(0, 1).all()
    assert "[[close]]" in (tmp_path / "scenarios" / "example.toml").read_text(encoding="utf-8")
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "SYNTEETTINEN AINEISTO" in html
    assert "ei ole käytettävissä" not in html  # capacity and costs are in the report
    assert (tmp_path / "report.html").stat().st_size < 15e6
    summary = pd.read_csv(tmp_path / "baseline" / "summary.csv")
    # contacts conserved: the channels and the unserved add up to the total of every service
    channels = summary[
        ["physical_per_year", "digital_per_year", "home_per_year", "mobile_per_year"]
    ].sum(axis=1)
    assert np.allclose(channels, summary["total_per_year"], rtol=1e-9)
