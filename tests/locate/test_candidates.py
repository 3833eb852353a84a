"""New candidate points in ``optimize``: read, routed, chosen, written as openings, evaluated."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from palveluverkko.cli import app
from palveluverkko.errors import InputError
from palveluverkko.evaluate import Scenario
from palveluverkko.locate.candidates import read_candidates
from palveluverkko.region import write_region
from palveluverkko.region.examples import tiny_region

runner = CliRunner()


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """The tiny region written as a package."""
    return write_region(tiny_region(), tmp_path / "tiny")


def test_a_chosen_candidate_is_opened_and_the_scenario_evaluates(
    package: Path, tmp_path: Path
) -> None:
    """With s1 forced closed, the candidate beside it is chosen: the scenario opens it (with
    the service's median capacity) and closes s1 for it; evaluate scores the file."""
    cand = tmp_path / "cand.csv"
    cand.write_text("candidate_id,x,y\nn1,434500,6904000\nn2,449000,6909500\n", "utf-8")
    out = tmp_path / "o.toml"
    common = ["--cache-dir", str(tmp_path / "c")]
    result = runner.invoke(
        app,
        [
            "optimize",
            str(package),
            "--service",
            "vastaanotto",
            "--p",
            "2",
            "--per-municipality",
            "0",
            "--close",
            "s1",
            "--candidates",
            str(cand),
            "--out",
            str(out),
            *common,
        ],
    )
    assert result.exit_code == 0, result.output
    sc = Scenario.from_toml(out)
    assert [o.site for o in sc.openings] == ["n1"]
    assert sc.openings[0].services["vastaanotto"] == (150.0, 5.0)  # median of 400, 150, 40
    assert "s1" in {c.site for c in sc.closures} | {c.site for c in sc.conversions}
    ev = runner.invoke(
        app, ["evaluate", str(package), "--scenario", str(out), "--out", str(tmp_path / "e")]
    )
    assert ev.exit_code == 0, ev.output


def test_bad_candidate_files_name_row_and_column(tmp_path: Path) -> None:
    """A coordinate that is not a number and a duplicate id are named with their rows."""
    bad = tmp_path / "bad.csv"
    bad.write_text("candidate_id,x,y\nn1,434500,6904000\nn2,abc,6909500\n", "utf-8")
    with pytest.raises(InputError, match=r"column x, row 3 \(candidate n2\)"):
        read_candidates(bad, "EPSG:3067")
    dup = tmp_path / "dup.csv"
    dup.write_text("candidate_id,lon,lat\nn1,25.7,62.2\nn1,25.8,62.3\n", "utf-8")
    with pytest.raises(InputError, match="appears twice"):
        read_candidates(dup, "EPSG:3067")
