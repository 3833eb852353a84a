"""Tests of the municipality importer on Statistics Finland's 2023 GeoPackage."""

from __future__ import annotations

from pathlib import Path

import pytest

from palveluverkko.errors import InputError, MissingColumnError
from palveluverkko.sources.municipalities import county_codes, read_municipalities

KS_CODES = [
    "077",
    "172",
    "179",
    "182",
    "216",
    "226",
    "249",
    "256",
    "265",
    "275",
    "312",
    "410",
    "435",
    "495",
    "500",
    "592",
    "601",
    "729",
    "850",
    "892",
    "931",
    "992",
]


def test_all_municipalities_with_swedish_names(shared_data: Path) -> None:
    """All 309 municipalities are read in EPSG:3067 with Swedish names (Helsinki/Helsingfors)."""
    path = shared_data / "boundaries" / "municipalities_2023.gpkg"
    munis, report = read_municipalities(path)
    assert len(munis) == 309
    assert report.rows_kept == 309
    assert report.n_dropped == 0
    assert munis.crs.to_epsg() == 3067
    row = munis.set_index("code").loc["091"]
    assert (row["name"], row["name_sv"]) == ("Helsinki", "Helsingfors")
    assert list(munis.columns) == ["code", "name", "name_sv", "geometry"]


def test_county_codes_filter_counts_the_rest(shared_data: Path) -> None:
    """Keski-Suomi's 22 codes keep 22 rows; the other 287 are counted as dropped."""
    path = shared_data / "boundaries" / "municipalities_2023.gpkg"
    munis, report = read_municipalities(path, codes=KS_CODES)
    assert sorted(munis["code"]) == KS_CODES
    assert report.dropped == {"municipality not in the requested codes": 287}


def test_unknown_code_and_missing_column_are_clear_errors(shared_data: Path) -> None:
    """A code not in the file, or a missing column, raises naming it and the fix."""
    path = shared_data / "boundaries" / "municipalities_2023.gpkg"
    with pytest.raises(InputError, match=r"code\(s\) 999 not found"):
        read_municipalities(path, codes=["179", "999"])
    with pytest.raises(MissingColumnError, match=r"column\(s\) KUNTA missing \(found: kunta"):
        read_municipalities(path, code_column="KUNTA")


def test_county_codes_from_yle_topojson(shared_data: Path) -> None:
    """Yle's TopoJSON maps KS to the 22 Keski-Suomi codes; an unknown county lists the known."""
    topo = shared_data / "boundaries" / "finland-hva-2021.topo.json"
    assert county_codes(topo, "KS") == KS_CODES
    with pytest.raises(InputError, match=r"no municipality in county 'XX'; known: .*KS"):
        county_codes(topo, "XX")
