"""Tests of the Paavo importer (CSV + postal polygons)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from palveluverkko.errors import DataWarning, InputError
from palveluverkko.region.schema import POPULATION_COLUMNS
from palveluverkko.sources.municipalities import read_municipalities
from palveluverkko.sources.paavo import read_paavo, read_paavo_csv
from palveluverkko.sources.postal import PAAVO_COLUMNS

from .test_municipalities import KS_CODES


def test_csv_reads_latin1_suppressed_and_national_row(shared_data: Path) -> None:
    """3 026 areas, 59 with '..', Jyväskylä decoded, the 'Finland' row left out and counted."""
    table, report = read_paavo_csv(shared_data / "paavo" / "Population_structure_2017.csv")
    assert len(table) == 3026
    assert int(table[list(PAAVO_COLUMNS)].isna().any(axis=1).sum()) == 59
    assert table.set_index("pno").at["40100", "kunta"] == "Jyväskylä"
    assert report.dropped == {"national total row (not an area)": 1}
    assert report.total_before == int(table["pop_total"].sum())
    assert any("5513130" in p.message for p in report.problems)


def test_keski_suomi_population_conserved(shared_data: Path) -> None:
    """KS areas by Paavo's municipality name: 171 areas, totals equal to the CSV's exactly."""
    munis, _ = read_municipalities(
        shared_data / "boundaries" / "municipalities_2023.gpkg", codes=KS_CODES
    )
    csv = shared_data / "paavo" / "Population_structure_2017.csv"
    pop, report = read_paavo(csv, shared_data / "postal_areas" / "postinumerot_geo.json", munis)
    table, _ = read_paavo_csv(csv)
    names = set(munis["name"])
    expected = int(table.loc[table["kunta"].isin(names), "pop_total"].sum())
    total = int(pop[list(POPULATION_COLUMNS)].to_numpy(dtype=np.int64).sum())
    assert total == expected == report.total_before == report.total_after
    # 170 areas of the derived KS package + 35820 (Jämsä by name in Paavo), 2 084 residents
    assert len(pop) == 171
    assert expected == 270_577 + 2_084
    per_cell = pop.set_index("cell_id")[list(POPULATION_COLUMNS)].sum(axis=1)
    assert (per_cell == table.set_index("pno").loc[per_cell.index, "pop_total"]).all()
    assert pop.crs.to_epsg() == 3067
    assert set(pop["municipality"]) <= set(KS_CODES)


def test_missing_polygon_error_or_counted_drop(tmp_path: Path, shared_data: Path) -> None:
    """An area without a polygon raises by default; with 'drop' it is counted and warned."""
    munis, _ = read_municipalities(
        shared_data / "boundaries" / "municipalities_2023.gpkg", codes=["172"]
    )
    csv = shared_data / "paavo" / "Population_structure_2017.csv"
    polys = tmp_path / "polys.geojson"
    import geopandas as gpd

    g = gpd.read_file(shared_data / "postal_areas" / "postinumerot_geo.json")
    g[(g["kunta"] == "Joutsa") & (g["postinumeroalue"] != "19650")].to_file(polys)
    with pytest.raises(InputError, match=r"19650\) with 3313 residents have no polygon"):
        read_paavo(csv, polys, munis)
    with pytest.warns(DataWarning, match="area without a polygon"):
        _pop, report = read_paavo(csv, polys, munis, on_missing_polygon="drop")
    assert report.total_before is not None
    assert report.total_after is not None
    assert report.total_before - report.total_after == 3313
    assert not report.conserved


def test_small_inline_csv(tmp_path: Path) -> None:
    """A hand-written latin-1 CSV with a '..' row is parsed into pno, kunta, numbers and NaN."""
    header = ['"Postal code area"', '"Inhabitants, total, 2017 (HE)"']
    bands = ["0-2", "3-6", "7-12", "13-15", "16-17", "18-19"] + [
        f"{a}-{a + 4}" for a in range(20, 85, 5)
    ]
    header += [f'"{b} years, 2017 (HE)"' for b in bands] + ['"85 years or over, 2017 (HE)"']
    lines = [
        ",".join(header),
        ",".join(['"Finland"', "45"] + ["2"] * 19 + ["7"]),
        ",".join(['"99990 Äijälä   (Ähtäri )"', "45"] + ["2"] * 19 + ["7"]),
        ",".join(['"99991 Öö   (Ähtäri )"', "12"] + [".."] * 20),
    ]
    path = tmp_path / "p.csv"
    path.write_bytes("\n".join(lines).encode("latin-1"))
    table, report = read_paavo_csv(path)
    assert table["pno"].tolist() == ["99990", "99991"]
    assert table["kunta"].tolist() == ["Ähtäri", "Ähtäri"]
    assert table["area_name"].tolist() == ["Äijälä", "Öö"]
    assert table.loc[1, list(PAAVO_COLUMNS)].isna().all()
    assert report.total_before == 57
    assert report.problems[-1].message.startswith("1 areas")
