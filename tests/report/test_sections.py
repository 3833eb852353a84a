"""The report's channel and emergency-care sections: what they say, in each language, from the
evaluation's own tables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from palveluverkko import Study
from palveluverkko.region.examples import tiny_region
from palveluverkko.report import render_report
from palveluverkko.report.sections import channel_sections, ems_section
from palveluverkko.scenario import EmsStationChange
from palveluverkko.study.ems import ems_compare

from ..evaluation.test_mobile_channel import bus_scenario


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Today and the bus scenario (s3 closed, a health bus stopping there) on the tiny region,
    with an ambulance station's unit removed in the same scenario."""
    study = Study(tiny_region(), cache_dir=tmp_path_factory.mktemp("cache"))
    from dataclasses import replace

    sc = replace(bus_scenario(), ems_stations=(EmsStationChange("s2", {"24h": 0}),))
    (cmp,) = study.compare(None, sc)
    return study.region, cmp, ems_compare(study.region, sc)


def test_mobile_section_has_the_timetable(evaluated) -> None:  # type: ignore[no-untyped-def]
    """The bus's stop and its visits: week, weekday in the language, opening hours."""
    region, cmp, _ = evaluated
    sections = {s.key: s for s in channel_sections(cmp.base, cmp.other, region, "fi")}
    mobile = sections["mobile"]
    assert mobile.paragraphs[0].startswith("Terveysbussi: 1 pysäkkiä")
    stops, timetable = mobile.tables
    assert [r[0] for r in stops.rows] == [str(region.sites.set_index("site_id").at["s3", "name"])]
    assert timetable.text
    visits = cmp.other.mobile_timetable
    assert len(timetable.rows) == len(visits)
    assert all(r[1] in ("ma", "ti", "ke", "to", "pe") for r in timetable.rows)
    assert all(re.fullmatch(r"\d\d:\d\d–\d\d:\d\d", r[2]) for r in timetable.rows)
    # today runs no unit: the section says where the mobile share goes
    today = {s.key: s for s in channel_sections(cmp.base, None, region, "sv")}
    assert "verksamhetsställena" in today["mobile"].paragraphs[0]


def test_staff_and_package_sections(evaluated) -> None:  # type: ignore[no-untyped-def]
    """Staff rows are the sites whose FTE change, summing to the change; the package table has
    the county row first."""
    region, cmp, _ = evaluated
    sections = {s.key: s for s in channel_sections(cmp.base, cmp.other, region, "en")}
    staff = sections["staff"].tables[0]
    changed = cmp.other.staff.loc[cmp.other.staff["staff_fte_change"].abs() > 1e-9]
    assert len(staff.rows) == len(changed)
    package = sections["package"].tables[0]
    assert package.rows[0][0] == "Whole region"
    assert "Places offering it: today 1, in the scenario 1" in sections["package"].paragraphs[0]


def test_ems_section_before_and_after(evaluated) -> None:  # type: ignore[no-untyped-def]
    """The decision table has a row per class and line with missions, with the scenario's share
    and the change in percentage points; the map and the assumption are there."""
    region, _, ems = evaluated
    s = ems_section(ems, region, "fi")
    table = s.tables[0]
    assert table.headers[-3:] == ("Skenaario", "Muutos %-yks.", "Tavoite täyttyy")
    with_missions = ems.decision.loc[ems.decision["missions"] > 0]
    assert len(table.rows) == len(with_missions)
    assert any(p.startswith("OLETUS") for p in s.paragraphs)
    assert s.figures[0].startswith("<svg")
    assert "Riskialueluokat" in s.figures[0]


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_sections_in_the_report_speak_one_language(evaluated, lang: str) -> None:  # type: ignore[no-untyped-def]
    """The sections are in the report, in its language only (a few words of each checked)."""
    region, cmp, ems = evaluated
    html = render_report(cmp.base, cmp, region, lang=lang, ems=ems)
    for key in ("mobile", "digital", "package", "staff", "ems"):  # the tiny region has no home care
        assert f'<section id="{key}">' in html
    foreign = {
        "fi": ["Timetable", "Stops (scenario)", "Emergency care", "Tidtabell", "Hållplats"],
        "sv": ["Timetable", "Aikataulu", "Pysäkki", "Ensihoito", "Emergency care"],
        "en": ["Aikataulu", "Pysäkki", "Ensihoito", "Tidtabell", "Hållplats"],
    }[lang]
    for word in foreign:
        assert word not in html, word


def test_report_cli_with_ems(tmp_path: Path) -> None:
    """report --ems adds the emergency-care section."""
    from typer.testing import CliRunner

    from palveluverkko.cli import app
    from palveluverkko.region import write_region

    pkg = write_region(tiny_region(), tmp_path / "tiny")
    out = tmp_path / "r.html"
    result = CliRunner().invoke(app, ["report", str(pkg), "--ems", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert '<section id="ems">' in out.read_text(encoding="utf-8")


def test_sweep_section_from_bands(tmp_path: Path) -> None:
    """The sensitivity table shows each figure's 10th, 50th and 90th percentile in the
    language's style; a bands file without its columns is named."""
    import pandas as pd

    from palveluverkko.errors import InputError
    from palveluverkko.report.sections import sweep_section
    from palveluverkko.study.sweep import read_bands

    bands = pd.DataFrame(
        {
            "service": ["vastaanotto"] * 2,
            "figure": ["share_within_target", "mean_wait_days"],
            "p10": [0.612, 3.26],
            "p50": [0.701, 4.0],
            "p90": [0.8, 6.5],
        }
    )
    path = tmp_path / "s_bands.csv"
    bands.to_csv(path, index=False)
    s = sweep_section(read_bands(path), tiny_region(), "fi")
    (table,) = s.tables
    assert table.rows[0] == ("Hoitotakuun sisällä", "61,2 %", "70,1 %", "80,0 %")
    assert table.rows[1] == ("Keskimääräinen odotus (pv)", "3,3", "4,0", "6,5")
    bad = tmp_path / "bad.csv"
    bad.write_text("service,figure\nx,y\n", encoding="utf-8")
    with pytest.raises(InputError, match="p10, p50, p90 missing"):
        read_bands(bad)
