"""The Excel workbook (localized headers, formats, frozen header, widths, explanation sheet) and
the data dictionary that documents every column written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from palveluverkko import Closure, Scenario, compare, evaluate
from palveluverkko.evaluation import write_comparison
from palveluverkko.evaluation.columns import describe, markdown, undocumented, written_columns
from palveluverkko.evaluation.workbook import write_workbook
from palveluverkko.network import TravelTimes
from palveluverkko.region.model import Region

from .conftest import make_tt, manhattan_minutes

DOCS = Path(__file__).resolve().parents[2] / "docs" / "outputs.md"


@pytest.fixture
def written(tiny: Region, tiny_tt: dict[str, TravelTimes], tmp_path: Path) -> Path:
    """A comparison of the tiny region (close s3 -> s2, a bus) written to a folder."""
    bus = manhattan_minutes(tiny, 30.0) + 10.0
    tt = {**tiny_tt, "transit": make_tt(tiny, "transit", bus)}
    base = evaluate(tiny, travel_times=tt)
    other = evaluate(tiny, Scenario(name="B", closures=(Closure("s3", "s2"),)), travel_times=tt)
    write_comparison(compare(base, other), tmp_path)
    return tmp_path


def test_results_workbook_speaks_finnish_with_formats_and_frozen_header(written: Path) -> None:
    """results.xlsx: an explanation sheet first; headers in Finnish with units; shares shown as
    per cent (values still fractions), euros and minutes formatted; header row frozen; widths
    fitted to the content rather than one width for all."""
    wb = load_workbook(written / "base" / "results.xlsx")
    assert wb.sheetnames[0] == "Selitteet"
    ws = wb["summary"]
    heads = [c.value for c in ws[1]]
    share = heads.index("Osuus asukkaista, jotka pääsevät ≤30 min autolla (%)")
    assert "Keskimääräinen matka-aika autolla (min)" in heads
    assert not any(isinstance(h, str) and "_" in h for h in heads)  # no snake_case left
    assert ws.freeze_panes == "A2"
    cell = ws.cell(row=2, column=share + 1)
    assert cell.number_format == "0.0 %"
    assert 0.0 <= float(cell.value) <= 1.0
    minutes = heads.index("Keskimääräinen matka-aika autolla (min)")
    assert ws.cell(row=2, column=minutes + 1).number_format == "0.0"
    costs = load_workbook(written / "base" / "results.xlsx")["costs"]
    cost_heads = [c.value for c in costs[1]]
    eur = cost_heads.index("Kustannus (€)")
    assert costs.cell(row=2, column=eur + 1).number_format == '#,##0 "€"'
    widths = {ws.column_dimensions[c].width for c in ("A", "B", "D", "L")}
    assert len(widths) > 1
    explain = wb["Selitteet"]
    rows = [[c.value for c in r] for r in explain.iter_rows(min_row=2)]
    documented = {(r[0], r[1]) for r in rows}
    assert ("summary", "share_within_30_car") in documented
    assert all(r[5] != "ei kuvausta" for r in rows)


@pytest.mark.parametrize(
    ("lang", "sheet", "head"),
    [
        ("sv", "Förklaringar", "Andel invånare som når ≤30 min med bil (%)"),
        ("en", "Explanations", "Share of residents within 30 min by car (%)"),
    ],
)
def test_workbook_in_swedish_and_english(tmp_path: Path, lang: str, sheet: str, head: str) -> None:
    """write_workbook names the explanation sheet and the headers in the chosen language; an
    undocumented column keeps its name and says so."""
    frame = pd.DataFrame({"share_within_30_car": [0.5, np.inf], "mystery": [1, 2]})
    write_workbook(tmp_path / "x.xlsx", {"summary": frame}, lang)
    wb = load_workbook(tmp_path / "x.xlsx")
    assert wb.sheetnames == [sheet, "summary"]
    assert [c.value for c in wb["summary"][1]] == [head, "mystery"]
    assert wb["summary"].cell(row=3, column=1).value is None  # inf written empty
    last = [c.value for c in wb[sheet][3]]
    assert last[1] == "mystery"
    assert last[5] in ("ingen beskrivning", "not documented")


def test_written_workbooks_follow_the_chosen_language(
    tiny: Region, tiny_tt: dict[str, TravelTimes], tmp_path: Path
) -> None:
    """write_comparison(lang="sv") writes results.xlsx and comparison.xlsx in Swedish (the
    CLI's --lang reached only the console before); CSV keeps the English column names."""
    base = evaluate(tiny, travel_times=tiny_tt)
    other = evaluate(
        tiny, Scenario(name="B", closures=(Closure("s3", "s2"),)), travel_times=tiny_tt
    )
    write_comparison(compare(base, other), tmp_path, lang="sv")
    for book in (tmp_path / "base" / "results.xlsx", tmp_path / "comparison.xlsx"):
        wb = load_workbook(book)
        assert wb.sheetnames[0] == "Förklaringar", book
    heads = [c.value for c in load_workbook(tmp_path / "base" / "results.xlsx")["summary"][1]]
    assert "Andel invånare som når ≤30 min med bil (%)" in heads
    assert "share_within_30_car" in pd.read_csv(tmp_path / "base" / "summary.csv").columns


def test_every_column_written_is_documented(written: Path) -> None:
    """Every table and column of a comparison folder (CSV, Parquet, GeoPackage) is in the data
    dictionary, and docs/outputs.md is generated from the current dictionary."""
    tables = written_columns(written)
    assert {"summary", "cells", "comparison_costs", "travel"} <= set(tables)
    missing = {t: undocumented(t, cols) for t, cols in tables.items()}
    assert {t: m for t, m in missing.items() if m} == {}
    assert DOCS.read_text(encoding="utf-8") == markdown()


def test_column_families_are_described_by_pattern() -> None:
    """Indicator families get a description with their threshold, age group and mode."""
    col = describe("share_75_within_20_transit")
    assert col is not None
    assert col.en == "Share of residents 75+ within 20 min by public transport"
    assert col.unit("fi") == "%"
    p90 = describe("p90_trip_minutes")
    assert p90 is not None
    assert p90.sv == "Restidens 90:e percentil efter färdsätt"
    assert describe("no_such_column") is None
