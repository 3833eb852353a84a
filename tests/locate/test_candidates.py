"""New candidate points in ``optimize``: read, routed, chosen, written as openings, evaluated."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from palveluverkko import Scenario
from palveluverkko.cli import app
from palveluverkko.errors import InputError
from palveluverkko.locate.candidates import candidate_set, read_candidates
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


def test_figures_from_the_file_and_medians_for_empty_cells(tmp_path: Path) -> None:
    """A candidate's own capacity, staff, cost and name are used; an empty cell takes the
    region's median and is counted."""
    cand = tmp_path / "cand.csv"
    cand.write_text(
        "candidate_id,name,x,y,capacity_per_week,staff_fte,annual_cost_eur\n"
        "n1,Uusi asema,434500,6904000,300,9,350000\n"
        "n2,,449000,6909500,,,\n",
        "utf-8",
    )
    region = tiny_region()
    cs = candidate_set(region, "vastaanotto", read_candidates(cand, "EPSG:3067"))
    n1, n2 = cs.sites
    assert (n1.name, n1.services["vastaanotto"], n1.annual_cost_eur) == (
        "Uusi asema",
        (300.0, 9.0),
        350000.0,
    )
    # medians: capacity of 400, 150, 40; staff of 12, 5, 1; cost of the one sote_asema
    assert (n2.name, n2.services["vastaanotto"], n2.annual_cost_eur) == (
        "Ehdokas n2",
        (150.0, 5.0),
        200000.0,
    )
    assert cs.assumed == {"capacity_per_week": 1, "staff_fte": 1, "annual_cost_eur": 1}
    assert cs.destinations.kinds.tolist() == ["candidate", "candidate"]


def test_bad_figure_names_column_and_row(tmp_path: Path) -> None:
    """A negative or non-numeric figure is refused with its column, row and candidate."""
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "candidate_id,x,y,capacity_per_week\nn1,434500,6904000,100\nn2,449000,6909500,-5\n",
        "utf-8",
    )
    with pytest.raises(InputError, match=r"column capacity_per_week, row 3 \(candidate n2\)"):
        read_candidates(bad, "EPSG:3067")
    text = tmp_path / "text.csv"
    text.write_text("candidate_id,x,y,staff_fte\nn1,434500,6904000,viisi\n", "utf-8")
    with pytest.raises(InputError, match=r"column staff_fte, row 2 .*'viisi'"):
        read_candidates(text, "EPSG:3067")


def test_geojson_candidates_in_wgs84(tmp_path: Path) -> None:
    """A GeoJSON file in WGS 84 is read, moved to the region's CRS and located in its
    municipality; a line instead of a point is named by its feature number."""
    import geopandas as gpd
    from shapely.geometry import LineString, Point

    pts = gpd.GeoDataFrame(
        {"candidate_id": ["g1"], "capacity_per_week": [120.0]},
        geometry=[Point(434500, 6904000)],
        crs="EPSG:3067",
    ).to_crs("EPSG:4326")
    path = tmp_path / "cand.geojson"
    pts.to_file(path, driver="GeoJSON")
    read = read_candidates(path, "EPSG:3067")
    assert read.crs == "EPSG:3067"
    assert read.geometry.iloc[0].distance(Point(434500, 6904000)) < 0.01
    cs = candidate_set(tiny_region(), "vastaanotto", read)
    assert cs.sites[0].municipality == "901"
    assert cs.sites[0].services["vastaanotto"][0] == 120.0
    lines = gpd.GeoDataFrame(
        {"candidate_id": ["g1", "g2"]},
        geometry=[Point(434500, 6904000), LineString([(434500, 6904000), (435000, 6904500)])],
        crs="EPSG:3067",
    )
    path2 = tmp_path / "lines.geojson"
    lines.to_file(path2, driver="GeoJSON")
    with pytest.raises(InputError, match=r"lines.geojson: feature 2 \(candidate g2\): LineString"):
        read_candidates(path2, "EPSG:3067")
    outside = tmp_path / "outside.csv"
    outside.write_text("candidate_id,x,y\nfar,300000,6700000\n", "utf-8")
    with pytest.raises(InputError, match=r"outside.csv: row 2 \(candidate far\) .* outside every"):
        candidate_set(tiny_region(), "vastaanotto", read_candidates(outside, "EPSG:3067"))
