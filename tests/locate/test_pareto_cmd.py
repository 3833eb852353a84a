"""The ``pareto`` command on the tiny example region."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from palveluverkko.cli import app
from palveluverkko.region import write_region
from palveluverkko.region.examples import tiny_region

runner = CliRunner()


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """The tiny region written as a package."""
    return write_region(tiny_region(), tmp_path / "tiny")


def test_pareto_writes_one_row_per_number_of_sites(package: Path, tmp_path: Path) -> None:
    """Without municipality minimums p runs 1..3; cost grows with p and the mean time falls,
    every row is proven optimal, and the 3-site row costs what all three sites cost."""
    out = tmp_path / "front.csv"
    result = runner.invoke(
        app,
        [
            "pareto",
            str(package),
            "--service",
            "vastaanotto",
            "--per-municipality",
            "0",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    front = pd.read_csv(out)
    assert front["p"].tolist() == [1, 2, 3]
    assert front["mean_minutes"].is_monotonic_decreasing
    assert (front["gap"] <= 1e-6).all()
    assert front["annual_cost_eur"].iloc[-1] == pytest.approx(740_000.0)
    assert front["open_sites"].iloc[-1].split(";") == ["s1", "s2", "s3"]
    assert front["efficient"].any()


def test_pareto_refuses_a_bad_range(package: Path, tmp_path: Path) -> None:
    """A range outside the candidate sites exits with code 2 and says the valid range."""
    result = runner.invoke(
        app,
        ["pareto", str(package), "--service", "vastaanotto", "--p-max", "9", "--out", "x.csv"],
    )
    assert result.exit_code == 2
    assert "within 1..3" in result.output
