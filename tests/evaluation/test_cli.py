"""The ``palveluverkko evaluate`` and ``compare`` commands."""

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


def test_evaluate_and_compare(package: Path, tmp_path: Path) -> None:
    """evaluate writes the tables and GeoPackage; compare writes the comparison tables."""
    b = tmp_path / "b.toml"
    b.write_text('name = "Sulje s3"\n[[close]]\nsite = "s3"\nsubstitute = "s2"\n', "utf-8")
    a = tmp_path / "a.toml"
    a.write_text('name = "Nykytila"\n', "utf-8")
    cache = tmp_path / "cache"
    out = tmp_path / "ev"
    result = runner.invoke(
        app,
        [
            "evaluate",
            str(package),
            "--scenario",
            str(b),
            "--out",
            str(out),
            "--cache-dir",
            str(cache),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (out / "results.gpkg").exists()
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary["service"]) == ["vastaanotto", "hammashoito"]
    sites = pd.read_csv(out / "sites.csv")
    assert "closed" in set(sites["status"])
    cmp_out = tmp_path / "cmp"
    result = runner.invoke(
        app,
        [
            "compare",
            str(a),
            str(b),
            "--region",
            str(package),
            "--out",
            str(cmp_out),
            "--cache-dir",
            str(cache),
            "--no-excel",
        ],
    )
    assert result.exit_code == 0, result.output
    # the council's figures in Finnish, as in the report; no internal figure names
    out_text = " ".join(result.output.split())
    assert "Asukkaita, joiden lähin toimipiste sulkeutuu" in out_text
    assert "residents_losing_nearest" not in out_text
    assert "miinus (−) on säästö" in out_text
    affected = pd.read_csv(cmp_out / "comparison_affected.csv").set_index("service")
    assert affected.at["vastaanotto", "residents_losing_nearest"] == 45.0
    assert not (cmp_out / "comparison.xlsx").exists()


def test_evaluate_writes_capacity_and_costs_with_simulation(package: Path, tmp_path: Path) -> None:
    """--capacity-method simulation gives SimPy wait figures; costs.csv covers 2025-2030."""
    out = tmp_path / "ev"
    result = runner.invoke(
        app,
        [
            "evaluate",
            str(package),
            "--out",
            str(out),
            "--no-excel",
            "--capacity-method",
            "simulation",
        ],
    )
    assert result.exit_code == 0, result.output
    cap = pd.read_csv(out / "capacity.csv")
    assert set(cap.loc[cap["status"] == "ok", "wait_method"]) == {"simulation"}
    costs = pd.read_csv(out / "costs.csv")
    assert sorted(costs["year"].unique()) == list(range(2025, 2031))
    bad = runner.invoke(
        app, ["evaluate", str(package), "--out", str(out), "--capacity-method", "guess"]
    )
    assert bad.exit_code == 2
    assert "analytic or simulation" in bad.output


def test_evaluate_bad_scenario(package: Path, tmp_path: Path) -> None:
    """An unknown site id in the scenario exits with code 2 and names the entry."""
    bad = tmp_path / "bad.toml"
    bad.write_text('[[close]]\nsite = "s9"\nsubstitute = "s2"\n', "utf-8")
    result = runner.invoke(
        app, ["evaluate", str(package), "--scenario", str(bad), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "close[0] (s9)" in result.output


def test_evaluate_routes_new_sites(package: Path, tmp_path: Path) -> None:
    """A scenario that opens a site gets travel times routed to it and uses it."""
    sc = tmp_path / "open.toml"
    sc.write_text(
        'name = "Uusi"\n[[open]]\nsite = "n1"\nname = "Uusi asema"\nmunicipality = "902"\n'
        'kind = "sote_asema"\nx = 445000.0\ny = 6909000.0\n'
        "services = { vastaanotto = { capacity_per_week = 50.0, staff_fte = 2.0 } }\n",
        "utf-8",
    )
    out = tmp_path / "ev"
    result = runner.invoke(
        app,
        [
            "evaluate",
            str(package),
            "--scenario",
            str(sc),
            "--out",
            str(out),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--no-excel",
        ],
    )
    assert result.exit_code == 0, result.output
    cells = pd.read_parquet(out / "cells.parquet")
    c4 = cells.loc[(cells["cell_id"] == "c4") & (cells["service"] == "vastaanotto")].iloc[0]
    assert c4["site_id"] == "n1"  # (15 km, 9 km) is nearest to the new site
    sites = pd.read_csv(out / "sites.csv").set_index(["site_id", "service"])
    assert sites.at[("n1", "vastaanotto"), "status"] == "new"
