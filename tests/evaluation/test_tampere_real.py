"""Real data end to end: Tampere from Statistics Finland, Paavo, OSM and the Nysse GTFS feed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from palveluverkko.cli import app

runner = CliRunner()


def _ok(args: list[str]) -> str:
    """Run the command; its output with rich's line wrapping undone."""
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def build_tampere_package(shared_data: Path, tmp_path: Path) -> tuple[Path, str]:
    """Tampere and its neighbours through the import commands (Statistics Finland boundaries,
    Paavo 2017, OSM sites and roads, the Nysse GTFS feed); the package and the last output."""
    m, p, s, pkg = (tmp_path / n for n in ("m.gpkg", "p.gpkg", "s.gpkg", "pkg"))
    codes = "837,211,536,604,980,418"  # Tampere and its neighbours
    _ok(
        [
            "import",
            "municipalities",
            str(shared_data / "boundaries" / "municipalities_2023.gpkg"),
            str(m),
            "--codes",
            codes,
        ]
    )
    _ok(
        [
            "import",
            "population",
            str(shared_data / "paavo" / "Population_structure_2017.csv"),
            str(shared_data / "postal_areas" / "postinumerot_geo.json"),
            str(m),
            str(p),
        ]
    )
    _ok(["import", "osm-sites", str(shared_data / "tampere" / "tampere.osm.pbf"), str(s)])
    out = _ok(
        [
            "import",
            "region",
            str(pkg),
            "--name",
            "Tampere",
            "--municipalities",
            str(m),
            "--population",
            str(p),
            "--sites",
            str(s),
            "--roads-pbf",
            str(shared_data / "tampere" / "tampere.osm.pbf"),
            "--gtfs",
            str(shared_data / "tampere" / "tampere_gtfs.zip"),
        ]
    )
    return pkg, out


@pytest.mark.slow
def test_tampere_import_and_evaluate_by_car_and_bus(shared_data: Path, tmp_path: Path) -> None:
    """The import chain builds a package with the OSM roads and GTFS; evaluate routes by car,
    foot and bus, counts the residents the OSM extract does not reach instead of dropping them,
    and says that the OSM sites carry no costs."""
    pkg, out = build_tampere_package(shared_data, tmp_path)
    assert "Tampere:" in out
    assert (pkg / "roads.osm.pbf").is_file()
    ev = tmp_path / "ev"
    out = _ok(
        ["evaluate", str(pkg), "--out", str(ev), "--cache-dir", str(tmp_path / "c"), "--no-excel"]
    )
    # cells outside the OSM extract: straight-line estimates by car and on foot (marked
    # approximate), unreachable by bus (no walk to a stop); both counted
    assert "APPROXIMATE" in out
    assert "cannot be linked to the network" in out
    assert "have no annual_cost_eur" in out
    summary = pd.read_csv(ev / "summary.csv").set_index("service")
    v = summary.loc["vastaanotto"]
    # the bus never beats the car, and some residents reach care within 30 min by bus
    assert 0.2 < v["share_within_30_transit"] <= v["share_within_30_car"] <= 1.0
    assert v["unreachable_car_residents"] == 0
    assert v["unreachable_transit_residents"] > 0
    residents = pd.read_parquet(ev / "cells.parquet").groupby("service")["residents"].sum()
    assert np.allclose(residents, summary["residents"].reindex(residents.index))
    cap = pd.read_csv(ev / "capacity.csv")
    assert (cap.loc[cap["status"] == "ok", "share_within_target"].between(0, 1)).all()
