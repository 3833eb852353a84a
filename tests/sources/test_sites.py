"""Tests of the site importer: kinds from names, CRS detection, CSV/Excel/GeoJSON."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from palveluverkko.errors import CRSError, DataWarning, MissingColumnError
from palveluverkko.region.examples import tiny_region
from palveluverkko.sources.sites import check_declared_crs, infer_kind, read_sites

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
    with pytest.raises(CRSError, match=r"no source_crs.*'EPSG:4326' for lon/lat"):
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
