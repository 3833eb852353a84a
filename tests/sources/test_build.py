"""The real Keski-Suomi package built from ../shared/data validates and conserves residents."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest

from palveluverkko.demand.catalogue import default_services, default_site_services
from palveluverkko.errors import DataWarning
from palveluverkko.region.io import read_region, write_region
from palveluverkko.region.validation import validate
from palveluverkko.sources.build import BuiltRegion, region_from_county_gpkg


@pytest.fixture(scope="module")
def keski_suomi(shared_data: Path) -> BuiltRegion:
    """Keski-Suomi built from regions/keski_suomi.gpkg (3 hospitals of no kind left out)."""
    with pytest.warns(DataWarning, match="3 sites left out"):
        return region_from_county_gpkg(
            shared_data / "regions" / "keski_suomi.gpkg", name="Keski-Suomi"
        )


def test_population_equals_source_total(keski_suomi: BuiltRegion, shared_data: Path) -> None:
    """Residents equal the postal layer's total, 270 577, per area and in all."""
    areas = gpd.read_file(shared_data / "regions" / "keski_suomi.gpkg", layer="postal_areas")
    region = keski_suomi.region
    assert region.total_population == int(areas["pop_total"].sum()) == 270_577
    pop = region.population.set_index("cell_id")
    cols = [c for c in pop.columns if c.startswith("pop_")]
    assert (pop[cols].sum(axis=1) == areas.set_index("pno").loc[pop.index, "pop_total"]).all()
    report = keski_suomi.reports[1]
    assert report.conserved
    assert report.total_after == 270_577
    assert (
        report.corrected[
            "suppressed age bands filled from the municipality's age structure (total kept)"
        ]
        == 3
    )


def test_validates_with_only_warnings(keski_suomi: BuiltRegion) -> None:
    """validate() finds no error; warnings are: no roads, municipalities without a site."""
    problems = validate(keski_suomi.region)
    assert [p for p in problems if p.severity == "error"] == []
    kinds = {(p.layer, p.column) for p in problems}
    assert kinds == {("roads", ""), ("municipalities", "code")}
    no_site = {p.row for p in problems if p.layer == "municipalities"}
    assert len(no_site) == 22 - keski_suomi.region.sites["municipality"].nunique()


def test_parts_municipalities_sites_services(keski_suomi: BuiltRegion) -> None:
    """22 municipalities with Swedish names, 5 sote-asema sites, catalogue services."""
    region = keski_suomi.region
    assert len(region.municipalities) == 22
    assert region.municipalities["name_sv"].notna().all()
    assert sorted(region.sites["site_id"]) == ["10079", "10093", "10102", "10147", "10242"]
    assert set(region.sites["kind"]) == {"sote_asema"}
    assert region.sites["floor_area_m2"].isna().all()
    assert region.services["service"].tolist() == default_services()["service"].tolist()
    offered = {s for s, _ in default_site_services("sote_asema")}
    assert set(region.site_services["service"]) == offered
    assert "PARTIAL" in region.meta.description
    assert any("Statistics Finland" in c for c in region.meta.credits)


def test_package_round_trip(keski_suomi: BuiltRegion, tmp_path: Path) -> None:
    """write_region then read_region keeps every resident and cell."""
    path = write_region(keski_suomi.region, tmp_path / "keski_suomi")
    with pytest.warns(DataWarning, match="no road network"):
        back = read_region(path)
    assert back.total_population == 270_577
    assert len(back.population) == 170
    assert (back.population_by_band() == keski_suomi.region.population_by_band()).all()


def test_etela_savo_with_designated_hospital(shared_data: Path) -> None:
    """Etelä-Savo: 137 143 residents kept; naming Mikkeli's hospital makes it sairaala_24h."""
    with pytest.warns(DataWarning, match="2 sites left out"):
        built = region_from_county_gpkg(
            shared_data / "regions" / "etela_savo.gpkg",
            name="Etelä-Savo",
            designated_hospitals=["Mikkelin keskussairaala"],
        )
    region = built.region
    assert region.total_population == 137_143
    assert built.reports[1].corrected["invalid polygon repaired (make_valid)"] == 1
    hospital = region.sites.set_index("name").loc["Mikkelin keskussairaala"]
    assert hospital["kind"] == "sairaala_24h"
    offered = region.site_services.loc[region.site_services["site_id"] == hospital["site_id"]]
    assert set(offered["service"]) == {s for s, _ in default_site_services("sairaala_24h")}
    assert [p for p in validate(region) if p.severity == "error"] == []
