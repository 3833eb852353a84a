"""The ``ems evaluate`` and ``ems optimize`` commands on the tiny example region."""

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


def test_evaluate_writes_tables_and_prints_the_decision(package: Path, tmp_path: Path) -> None:
    """evaluate writes the decision CSV and Excel and prints the Finnish decision table."""
    out = tmp_path / "ems"
    result = runner.invoke(
        app, ["ems", "evaluate", str(package), "--synthetic-missions", "--simulate", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    decision = pd.read_csv(out / "decision.csv")
    assert len(decision) == 3 * 4
    assert (out / "ems.xlsx").exists()
    assert (out / "comparison.csv").exists()


def test_optimize_places_units(package: Path, tmp_path: Path) -> None:
    """optimize --units 2 writes the chosen stations with two units."""
    out = tmp_path / "opt"
    result = runner.invoke(
        app,
        ["ems", "optimize", str(package), "--units", "2", "--n-candidates", "4", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    chosen = pd.read_csv(out / "chosen.csv")
    assert chosen["units_24h"].sum() == 2


def test_bad_params_exit_2(package: Path, tmp_path: Path) -> None:
    """A parameter file with an unknown key exits 2 and names the key."""
    bad = tmp_path / "bad.toml"
    bad.write_text("[response]\nfoo = 1\n")
    result = runner.invoke(app, ["ems", "evaluate", str(package), "--params", str(bad)])
    assert result.exit_code == 2
    assert "response.foo" in result.output
