"""The ``palveluverkko matrix`` command: writes what travel_times computes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pyogrio
import pytest
from typer.testing import CliRunner

from palveluverkko.cli import app
from palveluverkko.network import travel_times
from palveluverkko.region import read_region, write_region
from palveluverkko.region.examples import tiny_region

runner = CliRunner()


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """The tiny region written as a package."""
    return write_region(tiny_region(), tmp_path / "tiny")


def test_matrix_parquet(package: Path, tmp_path: Path) -> None:
    """--out x.parquet writes the long table equal to travel_times, with digest metadata."""
    out = tmp_path / "car.parquet"
    result = runner.invoke(
        app, ["matrix", str(package), "--mode", "car", "--out", str(out), "--no-cache"]
    )
    assert result.exit_code == 0, result.output
    assert "6 cells x 3 destinations" in result.output
    table = pq.read_table(out)
    frame = table.to_pandas()
    expected = travel_times(read_region(package), "car", use_cache=False)
    assert len(frame) == 18
    np.testing.assert_array_equal(frame.minutes.to_numpy(), expected.to_frame().minutes.to_numpy())
    assert table.schema.metadata[b"palveluverkko.digest"].decode() == expected.digest


def test_matrix_gpkg_with_cutoff(package: Path, tmp_path: Path) -> None:
    """--out x.gpkg with --max-minutes writes only pairs within the cutoff, plus the layers."""
    out = tmp_path / "walk.gpkg"
    result = runner.invoke(
        app,
        ["matrix", str(package), "-m", "walk", "-o", str(out), "--max-minutes", "90"],
        env={"PALVELUVERKKO_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert result.exit_code == 0, result.output
    layers = {name for name, _ in pyogrio.list_layers(out)}
    assert layers == {"travel_times", "unreachable_cells", "travel_times_meta"}
    frame = pyogrio.read_dataframe(out, layer="travel_times")
    assert (frame.minutes <= 90).all()
    assert len(frame) == 5  # walking times <= 90 min in the tiny region: 50, 50, 50, 50, 75


def test_matrix_bad_mode_and_suffix(package: Path, tmp_path: Path) -> None:
    """An unknown mode or output type exits 2 with a message saying what is expected."""
    result = runner.invoke(app, ["matrix", str(package), "--mode", "boat"])
    assert result.exit_code == 2
    assert "car, walk, bike, transit" in " ".join(result.output.split())
    result = runner.invoke(app, ["matrix", str(package), "--out", str(tmp_path / "x.csv")])
    assert result.exit_code == 2
    assert ".parquet or .gpkg" in result.output


def test_matrix_missing_region(tmp_path: Path) -> None:
    """A folder that is not a region package exits non-zero and says region.toml is missing."""
    result = runner.invoke(app, ["matrix", str(tmp_path / "nowhere"), "--no-cache"])
    assert result.exit_code != 0
    assert "region.toml" in result.output
