"""The ``palveluverkko import`` commands on real data (thin CLI over palveluverkko.sources)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from typer.testing import CliRunner

from palveluverkko.cli import app
from palveluverkko.errors import DataWarning
from palveluverkko.region.io import read_region

runner = CliRunner()


def test_import_sites_wrong_crs_exit_2_then_override(shared_data: Path, tmp_path: Path) -> None:
    """The mis-declared SW file exits 2 with the fix; --source-crs EPSG:3067 writes the sites."""
    src = shared_data / "sites_examples" / "MedicalServices_sw_finland.geojson"
    out = tmp_path / "sites.gpkg"
    args = ["import", "sites", str(src), str(out), "--id-column", "orig_id"]
    args += ["--name-column", "kohteen_ni"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "--source-crs EPSG:3067" in result.output
    result = runner.invoke(app, [*args, "--source-crs", "EPSG:3067"])
    assert result.exit_code == 0, result.output
    assert "DataWarning" in result.output
    assert len(gpd.read_file(out, layer="sites")) > 50


def test_import_region_writes_valid_keski_suomi(shared_data: Path, tmp_path: Path) -> None:
    """`import region` writes a package whose total is the source's 270 577."""
    out = tmp_path / "ks"
    result = runner.invoke(
        app,
        [
            "import",
            "region",
            str(out),
            "--county-gpkg",
            str(shared_data / "regions" / "keski_suomi.gpkg"),
            "--name",
            "Keski-Suomi",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "270577 in source, 270577 imported (conserved)" in result.output
    with pytest.warns(DataWarning, match="no road network"):
        assert read_region(out).total_population == 270_577


def test_import_municipalities_and_population(shared_data: Path, tmp_path: Path) -> None:
    """KS by county id, Paavo population, national site list, then a package: all conserved."""
    munis = tmp_path / "m.gpkg"
    result = runner.invoke(
        app,
        [
            "import",
            "municipalities",
            str(shared_data / "boundaries" / "municipalities_2023.gpkg"),
            str(munis),
            "--county",
            "KS",
            "--hva",
            str(shared_data / "boundaries" / "finland-hva-2021.topo.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    pop = tmp_path / "p.gpkg"
    result = runner.invoke(
        app,
        [
            "import",
            "population",
            str(shared_data / "paavo" / "Population_structure_2017.csv"),
            str(shared_data / "postal_areas" / "postinumerot_geo.json"),
            str(munis),
            str(pop),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "(conserved)" in result.output
    frame = gpd.read_file(pop, layer="population")
    assert frame["municipality"].nunique() == 22
    assert len(frame) == 171
    sites = tmp_path / "s.gpkg"
    result = runner.invoke(
        app,
        [
            "import",
            "sites",
            str(shared_data / "sites_examples" / "health_facilities_partial.csv"),
            str(sites),
            "--id-column",
            "id",
            "--x-column",
            "LON",
            "--y-column",
            "LAT",
            "--source-crs",
            "EPSG:4326",
            "--municipalities",
            str(munis),
            "--clip",
        ],
    )
    assert result.exit_code == 0, result.output
    out = tmp_path / "pkg"
    args = ["import", "region", str(out), "--name", "KS", "--municipalities", str(munis)]
    result = runner.invoke(app, [*args, "--population", str(pop), "--sites", str(sites)])
    assert result.exit_code == 0, result.output
    with pytest.warns(DataWarning, match="no road network"):
        region = read_region(out)
    assert region.total_population == 272_661  # 170 KS areas + 35820 (Jämsä in Paavo)


def test_import_osm_sites(shared_data: Path, tmp_path: Path) -> None:
    """`import osm-sites` writes the kept sites and every amenity found, with the OSM credit."""
    out = tmp_path / "osm.gpkg"
    result = runner.invoke(
        app,
        [
            "import",
            "osm-sites",
            str(shared_data / "tampere" / "tampere.osm.pbf"),
            str(out),
            "--hospital",
            "Tampereen yliopistollinen sairaala",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "© OpenStreetMap contributors, ODbL" in result.output
    assert len(gpd.read_file(out, layer="osm_amenities")) == 28
    assert len(gpd.read_file(out, layer="sites")) == 10


def test_import_sites_kind_option_names_a_sites_kind(tmp_path: Path) -> None:
    """A site whose kind cannot be told is left out with a hint in CLI terms (--kind SITE=KIND);
    with --kind 118=sote_asema it is kept with that kind; a malformed --kind exits 2."""
    src = tmp_path / "sites.csv"
    src.write_text(
        "id,name,x,y\n117,Keskustan terveysasema,430000,6900000\n118,Kylätalo,431000,6901000\n",
        encoding="utf-8",
    )
    out = tmp_path / "sites.gpkg"
    args = ["import", "sites", str(src), str(out), "--id-column", "id"]
    args += ["--x-column", "x", "--y-column", "y", "--source-crs", "EPSG:3067"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "--kind 118=<kind>" in result.output
    assert "kinds={" not in result.output.replace("Python: kinds={", "")
    assert set(gpd.read_file(out, layer="sites")["site_id"]) == {"117"}
    result = runner.invoke(app, [*args, "--kind", "118=sote_asema"])
    assert result.exit_code == 0, result.output
    sites = gpd.read_file(out, layer="sites").set_index("site_id")
    assert sites.at["118", "kind"] == "sote_asema"
    bad = runner.invoke(app, [*args, "--kind", "118"])
    assert bad.exit_code == 2
    assert "write SITE=KIND" in bad.output
