"""The ``palveluverkko demo`` command: writes a valid package and prints the summary."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from palveluverkko.cli import app
from palveluverkko.region import Region, validate_package

runner = CliRunner()


def test_demo_command_writes_and_summarises(demo: Region, tmp_path: Path) -> None:
    """`demo --out DIR` writes DIR/region (valid, synthetic) and prints residents and sites."""
    result = runner.invoke(app, ["demo", "--out", str(tmp_path)])
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
