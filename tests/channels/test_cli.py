"""The ``palveluverkko mobile plan`` and ``homecare plan`` commands on the tiny region."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from palveluverkko.channels.check import check_home_care_plan, check_mobile_plan
from palveluverkko.cli import app
from palveluverkko.demand.catalogue import default_services
from palveluverkko.region import write_region
from palveluverkko.region.examples import X0, Y0, tiny_region

runner = CliRunner()

UNIT = f"""
[unit]
name = "Terveysbussi"
services = ["vastaanotto"]
depot_site = "s1"
cycle_weeks = 1

[stops]
candidates = "given"
points = [{{name = "Kylä A", x = {X0 + 3000}, y = {Y0 + 3000}}},
          {{name = "Kylä B", x = {X0 + 17000}, y = {Y0 + 7000}}}]
"""


def test_mobile_plan_writes_a_checked_timetable(tmp_path: Path) -> None:
    """mobile plan writes the files, prints the Finnish timetable and the plan checks clean."""
    package = write_region(tiny_region(), tmp_path / "tiny")
    (tmp_path / "unit.toml").write_text(UNIT, "utf-8")
    out = tmp_path / "bus"
    result = runner.invoke(
        app,
        [
            "mobile",
            "plan",
            str(package),
            "--unit",
            str(tmp_path / "unit.toml"),
            "--out",
            str(out),
            "--time-limit",
            "0.5",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "aikataulu" in (out / "timetable_fi.txt").read_text("utf-8")
    assert "timetable" in (out / "timetable_en.txt").read_text("utf-8")
    assert check_mobile_plan(out) == []


def test_mobile_plan_bad_unit_exits_2(tmp_path: Path) -> None:
    """A unit file with an unknown key exits with 2 and names the key."""
    package = write_region(tiny_region(), tmp_path / "tiny")
    (tmp_path / "unit.toml").write_text(UNIT.replace("cycle_weeks", "cycle_wekes"), "utf-8")
    result = runner.invoke(
        app,
        [
            "mobile",
            "plan",
            str(package),
            "--unit",
            str(tmp_path / "unit.toml"),
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert result.exit_code == 2
    assert "cycle_wekes" in result.output


def test_homecare_plan_writes_a_checked_route_set(tmp_path: Path) -> None:
    """homecare plan on the tiny region with kotihoito at s1 writes a route set that checks."""
    r = tiny_region()
    home = default_services().set_index("service").loc[["kotihoito"]].reset_index()
    rate = [c for c in home.columns if c.startswith("rate_")]
    home[rate] = home[rate] * 5  # a busy home-care day, within the validated rate limit
    ss = pd.concat(
        [
            r.site_services,
            pd.DataFrame(
                {
                    "site_id": ["s1"],
                    "service": ["kotihoito"],
                    "capacity_per_week": [100.0],
                    "staff_fte": [8.0],
                }
            ),
        ],
        ignore_index=True,
    )
    r = r.replace(
        services=pd.concat([r.services, home[r.services.columns]], ignore_index=True),
        site_services=ss,
    )
    package = write_region(r, tmp_path / "tiny")
    out = tmp_path / "hc"
    result = runner.invoke(
        app, ["homecare", "plan", str(package), "--out", str(out), "--time-limit", "0.3"]
    )
    assert result.exit_code == 0, result.output
    assert check_home_care_plan(out) == []
