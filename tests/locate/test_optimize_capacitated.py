"""``optimize --model capacitated-p-median`` on the tiny example region."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from palveluverkko import Scenario
from palveluverkko.cli import app
from palveluverkko.region import write_region
from palveluverkko.region.examples import tiny_region

runner = CliRunner()


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """The tiny region written as a package."""
    return write_region(tiny_region(), tmp_path / "tiny")


def _optimize(package: Path, tmp_path: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(
        app,
        [
            "optimize",
            str(package),
            "--service",
            "vastaanotto",
            "--model",
            "capacitated-p-median",
            "--per-municipality",
            "0",
            "--out",
            str(tmp_path / "o.toml"),
            "--cache-dir",
            str(tmp_path / "c"),
            *extra,
        ],
    )
    return result.exit_code, " ".join(result.output.split())


def test_capacitated_writes_a_scenario_with_a_proof(package: Path, tmp_path: Path) -> None:
    """Two sites within capacity: a scenario file closing one, with the proven bound stated."""
    code, out = _optimize(package, tmp_path, "--p", "2", "--details")  # the method line
    assert code == 0, out
    assert "single source" in out
    assert "Todistettu: samat säännöt täyttävistä verkoista yksikään ei ole parempi" in out
    assert "kapasiteettirajoitettu p-mediaani" in out
    assert len(Scenario.from_toml(tmp_path / "o.toml").closures) == 1


def test_capacity_below_demand_exits_2_with_the_numbers(package: Path, tmp_path: Path) -> None:
    """Only s3 (40 a week = 2080 a year) left for 3892 contacts: exit 2 naming both figures."""
    code, out = _optimize(package, tmp_path, "--p", "1", "--close", "s1", "--close", "s2")
    assert code == 2
    assert "total demand 3891.94 exceeds the capacity" in out
    assert "(2080)" in out
