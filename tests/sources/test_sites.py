"""Tests of the site importer: kinds from names, CRS detection, CSV/Excel/GeoJSON."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from palveluverkko.errors import CRSError, DataWarning, InputError, MissingColumnError
from palveluverkko.region.examples import tiny_region
from palveluverkko.sources.sites import (
    BY_POSTAL_CODE,
    check_declared_crs,
    infer_kind,
    postal_area_centres,
    read_sites,
)

SW = {"site_id": "orig_id", "name": "kohteen_ni", "municipality": "natcode"}


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Keuruun Terveyskeskus", "sote_asema"),
        ("Kuokkalan sosiaali- ja terveysasema", "sote_asema"),
        ("Jyväskylän TA", "sote_asema"),
        ("Äänekosken sote-keskus", "sote_keskus"),
        ("Keskustan hammashoitola", "hammashoitola"),
        ("Kangasvuoren sairaala", None),
        ("Sairaala Nova", "sairaala_24h"),
        ("Lääkärikeskus Oy", None),
    ],
)
def test_infer_kind(name: str, kind: str | None) -> None:
    """Kinds from names follow the documented rule; only the designated hospital is 24 h."""
    assert infer_kind(name, designated_hospitals=["Sairaala Nova"]) == kind


def test_declared_wgs84_holding_3067_is_detected(shared_data: Path) -> None:
    """The SW Finland file's EPSG:4326 declaration is refuted with evidence, file and fix."""
    path = shared_data / "sites_examples" / "MedicalServices_sw_finland.geojson"
    with pytest.raises(
        CRSError,
        match=r"MedicalServices_sw_finland\.geojson: the file declares EPSG:4326 but 141 of 141 "
        r"coordinates are outside the lon/lat range.*inside Finland's EPSG:3067 extent.*"
        r"source_crs='EPSG:3067' \(CLI: --source-crs EPSG:3067\)",
    ):
        read_sites(path, columns=SW)


def test_source_crs_override_reads_sw_finland(shared_data: Path) -> None:
    """With source_crs=EPSG:3067 the 141 points land in SW Finland; every row is accounted for."""
    path = shared_data / "sites_examples" / "MedicalServices_sw_finland.geojson"
    with pytest.warns(DataWarning, match="sites left out"):
        sites, report = read_sites(path, columns=SW, source_crs="EPSG:3067")
    xmin, ymin, xmax, ymax = sites.total_bounds
    assert xmin > 180_000
    assert xmax < 320_000
    assert ymin > 6_680_000
    assert ymax < 6_780_000
    assert report.rows_read == 141
    assert report.rows_kept + report.n_dropped == 141
    assert report.rows_kept == len(sites) > 50
    assert sites["kind"].isin(["sote_asema", "perhekeskus", "neuvola", "sote_piste"]).all()
    assert any("overridden by source_crs=EPSG:3067" in p.message for p in report.problems)


def test_csv_lat_lon(shared_data: Path) -> None:
    """The partial facility CSV (WGS84 LAT/LON) reads into Finland in EPSG:3067."""
    path = shared_data / "sites_examples" / "health_facilities_partial.csv"
    with pytest.warns(DataWarning, match="kind unknown"):
        sites, report = read_sites(
            path,
            columns={"site_id": "id", "name": "name"},
            x_column="LON",
            y_column="LAT",
            source_crs="EPSG:4326",
        )
    assert report.rows_read == 252
    assert report.rows_kept + report.n_dropped == 252
    x, y = sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy()
    assert ((x > 50_000) & (x < 760_000) & (y > 6_600_000) & (y < 7_800_000)).all()
    assert sites.set_index("site_id").at["10000", "kind"] == "sote_asema"


def test_table_without_source_crs_is_an_error(tmp_path: Path) -> None:
    """Coordinates in a table need a declared CRS; the message says which to give."""
    path = tmp_path / "s.csv"
    path.write_text("name,x,y\nA terveysasema,25.7,62.2\n", encoding="utf-8")
    with pytest.raises(CRSError, match=r"no CRS.*--source-crs EPSG:4326 for lon/lat"):
        read_sites(path, x_column="x", y_column="y")
    with pytest.raises(CRSError, match="declares EPSG:4326 but 1 of 1"):
        check_declared_crs(np.array([430_000.0]), np.array([6_900_000.0]), "EPSG:4326", where="t")


def test_messy_excel_with_column_mapping(tmp_path: Path) -> None:
    """Finnish headers, comma decimals, a blank row, a duplicate id: read, corrected, counted."""
    region = tiny_region()
    frame = pd.DataFrame(
        {
            "Tunnus": ["A1", None, "A2", "A2", "A3", "A4"],
            "Nimi": [
                "Alakylän terveysasema",
                None,
                "Yläkylän neuvola",
                "Yläkylän neuvola (kopio)",
                "Yksityinen lääkärikeskus",
                "Yläkylän hammashoitola",
            ],
            "Itä": ["432000,5", None, "441000", "441000", "433000", "445000,0"],
            "Pohjoinen": ["6901000,0", None, "6905000", "6905000", "6902000", None],
        }
    )
    path = tmp_path / "toimipisteet.xlsx"
    frame.to_excel(path, index=False)
    with pytest.warns(DataWarning, match="3 sites left out"):
        sites, report = read_sites(
            path,
            columns={"site_id": "Tunnus", "name": "Nimi"},
            x_column="Itä",
            y_column="Pohjoinen",
            source_crs="EPSG:3067",
            municipalities=region.municipalities,
        )
    assert sites["site_id"].tolist() == ["A1", "A2"]
    assert sites["kind"].tolist() == ["sote_asema", "neuvola"]
    assert sites["municipality"].tolist() == ["901", "902"]
    assert sites.geometry.x.tolist() == [432_000.5, 441_000.0]
    assert report.dropped == {
        "blank row": 1,
        "site without coordinates": 1,
        "duplicate site_id (first row kept)": 1,
        "kind unknown (not one of SITE_KINDS)": 1,
    }
    assert sites["floor_area_m2"].isna().all()
    with pytest.raises(MissingColumnError, match=r"column\(s\) Osoite missing \(found: Tunnus"):
        read_sites(path, columns={"name": "Osoite"}, x_column="Itä", y_column="Pohjoinen")


def test_kind_column_override_and_unknown_kind(tmp_path: Path) -> None:
    """A given kind is kept, kinds= overrides, an unknown given kind is left out and named."""
    path = tmp_path / "s.csv"
    path.write_text(
        "id;nimi;tyyppi;x;y\n"
        "1;Keskuksen toimipiste;sote_keskus;432000;6901000\n"
        "2;Kylän sairaala;;441000;6905000\n"
        "3;Outo paikka;kioski;433000;6902000\n"
        "4;Kylän neuvola;;434000;6902000\n",
        encoding="utf-8",
    )
    with pytest.warns(DataWarning, match="1 sites left out"):
        sites, report = read_sites(
            path,
            columns={"site_id": "id", "name": "nimi", "kind": "tyyppi"},
            x_column="x",
            y_column="y",
            source_crs="EPSG:3067",
            kinds={"2": "sote_asema"},
        )
    assert sites["kind"].tolist() == ["sote_keskus", "sote_asema", "neuvola"]
    assert report.corrected == {"kind inferred from the name": 1}
    assert "from the kind 'kioski'" in report.problems[0].message


def _postal_areas() -> gpd.GeoDataFrame:
    """Two postal areas in EPSG:3067: a square and a U-shaped one whose centroid is outside it."""
    square = shapely.box(430_000, 6_900_000, 434_000, 6_904_000)
    u_shape = shapely.Polygon(
        [
            (440_000, 6_900_000),
            (446_000, 6_900_000),
            (446_000, 6_906_000),
            (445_000, 6_906_000),
            (445_000, 6_901_000),
            (441_000, 6_901_000),
            (441_000, 6_906_000),
            (440_000, 6_906_000),
        ]
    )
    return gpd.GeoDataFrame(
        {"postinumeroalue": ["40100", "41800"], "kunta": ["A", "B"]},
        geometry=[square, u_shape],
        crs="EPSG:3067",
    )


def test_sites_placed_from_postal_code(tmp_path: Path) -> None:
    """A register with postal codes and no coordinates: each site goes to its postal area's
    centre (inside the area even when the area is U-shaped), flagged located_by = postal_code
    and counted; an unknown code is left out, counted and named."""
    path = tmp_path / "rekisteri.csv"
    path.write_text(
        "name;postal_code\n"
        "Alakylän terveysasema;40100\n"
        "Yläkylän neuvola;41800\n"
        "Keskustan hammashoitola;99999\n",
        encoding="utf-8",
    )
    areas = _postal_areas()
    with pytest.warns(DataWarning, match="1 sites left out"):
        sites, report = read_sites(path, postal_areas=areas)
    assert sites["name"].tolist() == ["Alakylän terveysasema", "Yläkylän neuvola"]
    assert sites["located_by"].tolist() == ["postal_code", "postal_code"]
    assert sites.geometry.iloc[0].equals(shapely.Point(432_000, 6_902_000))
    assert areas.geometry.iloc[1].contains(sites.geometry.iloc[1])
    assert report.corrected[BY_POSTAL_CODE] == 2
    assert report.dropped == {"site without coordinates or a known postal code": 1}
    assert any("'99999'" in p.message for p in report.problems)
    with pytest.raises(InputError, match="--postal-areas"):
        read_sites(path)


def test_coordinates_win_over_postal_code(tmp_path: Path) -> None:
    """Rows with coordinates keep them (located_by = coordinates); the others are placed by
    their postal code (a code written as 4 digits or a float is read as 5 digits)."""
    path = tmp_path / "s.csv"
    path.write_text(
        "name,zip,x,y\nAlakylän terveysasema,40100.0,433000,6903000\nYläkylän neuvola,41800,,\n",
        encoding="utf-8",
    )
    sites, report = read_sites(
        path,
        columns={"name": "name", "postal_code": "zip"},
        x_column="x",
        y_column="y",
        source_crs="EPSG:3067",
        postal_areas=_postal_areas(),
    )
    assert sites["located_by"].tolist() == ["coordinates", "postal_code"]
    assert sites.geometry.iloc[0].equals(shapely.Point(433_000, 6_903_000))
    assert report.corrected == {BY_POSTAL_CODE: 1, "kind inferred from the name": 2}
    centres = postal_area_centres(_postal_areas())
    assert centres["postal_code"].tolist() == ["40100", "41800"]


@pytest.mark.shared_data
def test_import_sites_by_postal_code_into_a_region(shared_data: Path, tmp_path: Path) -> None:
    """import sites --postal-areas with the real postal areas, then import region: the sites
    sit in their postal areas, and the package keeps located_by."""
    from typer.testing import CliRunner

    from palveluverkko.cli import app
    from palveluverkko.region.io import read_region

    runner = CliRunner()
    src = tmp_path / "rekisteri.csv"
    src.write_text(
        "name,postal_code\nKyllön terveysasema,40100\nPalokan terveysasema,40270\n",
        encoding="utf-8",
    )
    out = tmp_path / "sites.gpkg"
    areas = shared_data / "postal_areas" / "postinumerot_geo.json"
    result = runner.invoke(
        app, ["import", "sites", str(src), str(out), "--postal-areas", str(areas)]
    )
    assert result.exit_code == 0, result.output
    assert f"corrected 2: {BY_POSTAL_CODE}" in " ".join(result.output.split())
    sites = gpd.read_file(out, layer="sites")
    assert sites["located_by"].tolist() == ["postal_code", "postal_code"]
    polygons = gpd.read_file(areas).to_crs("EPSG:3067").set_index("postinumeroalue")
    for code, point in zip(["40100", "40270"], sites.geometry, strict=True):
        assert polygons.geometry.loc[code].contains(point)
    pkg = tmp_path / "pkg"
    gpkg = shared_data / "regions" / "keski_suomi.gpkg"
    with pytest.warns(DataWarning):
        region = read_region(_package_with_sites(gpkg, out, pkg))
    assert region.sites["located_by"].tolist() == ["postal_code", "postal_code"]


def _package_with_sites(county_gpkg: Path, sites: Path, out: Path) -> Path:
    """A region package of the county's municipalities and population with these sites."""
    import warnings

    from palveluverkko.region.io import write_region
    from palveluverkko.sources.build import region_from_county_gpkg

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        built = region_from_county_gpkg(county_gpkg, name="Keski-Suomi")
    from palveluverkko.sources.build import assemble_region

    region = assemble_region(
        "Keski-Suomi",
        built.region.municipalities,
        built.region.population,
        gpd.read_file(sites, layer="sites"),
        base_year=2017,
    )
    return write_region(region, out)


def test_validation_names_an_unknown_located_by() -> None:
    """validate warns about a located_by that is neither coordinates nor postal_code."""
    from palveluverkko.region.validation import validate

    region = tiny_region()
    sites = region.sites.copy()
    sites["located_by"] = ["coordinates"] + ["address"] * (len(sites) - 1)
    problems = validate(region.replace(sites=sites))
    found = [p for p in problems if p.column == "located_by"]
    assert found
    assert all(p.severity == "warning" and "'address'" in p.message for p in found)
