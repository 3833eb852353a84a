"""Staff commute before and after a scenario, checked by hand on the tiny region."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from palveluverkko import Closure, Scenario, Study
from palveluverkko.cli import app
from palveluverkko.errors import ValidationError
from palveluverkko.region import write_region
from palveluverkko.region.examples import tiny_region
from palveluverkko.study.staff import read_staff_homes, staff_commute, synthetic_staff_homes


def test_commute_follows_the_staff_to_the_substitute(tmp_path: Path) -> None:
    """s3 closes with substitute s2: its staff now drive to s2 (the car matrix read by hand);
    s1's staff commute does not change."""
    region = tiny_region()
    study = Study(region, cache_dir=tmp_path)
    cells = region.population["cell_id"].astype(str).tolist()
    homes = read_staff_homes(
        pd.DataFrame(
            {
                "site_id": ["s3", "s3", "s1"],
                "cell_id": [cells[0], cells[-1], cells[1]],
                "staff": ["2", "1", "4"],
            }
        ),
        region,
    )
    ev = study.evaluate(Scenario(closures=(Closure("s3", "s2"),)))
    out = staff_commute(study, homes, ev).set_index("site_id")
    tt = study.travel_times()["car"]
    j = {s: k for k, s in enumerate(tt.destination_ids)}
    m = tt.minutes.astype(float)
    before = (2 * m[0, j["s3"]] + 1 * m[-1, j["s3"]]) / 3
    after = (2 * m[0, j["s2"]] + 1 * m[-1, j["s2"]]) / 3
    assert out.at["s3", "commute_min_today"] == pytest.approx(before)
    assert out.at["s3", "commute_min_scenario"] == pytest.approx(after)
    assert out.at["s3", "works_at"] == "s2 100 %"
    assert out.at["s1", "change_min"] == pytest.approx(0.0)
    assert out["staff"].sum() == 7.0


def test_bad_homes_are_named(tmp_path: Path) -> None:
    """An unknown site, a negative count and an unknown postal code name their rows."""
    bad = tmp_path / "homes.csv"
    bad.write_text("site_id,staff,postal_code\nnope,2,33100\ns1,-1,33100\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        read_staff_homes(bad, tiny_region())
    text = str(info.value)
    assert "unknown site 'nope'" in text
    assert "'-1' is not a count" in text
    assert "postal_code" in text


def test_synthetic_homes_are_seeded_and_sum_to_staff() -> None:
    """The same seed gives the same homes; each site's homes sum to its FTE rounded (>= 1)."""
    region = tiny_region()
    a = synthetic_staff_homes(region, seed=1)
    pd.testing.assert_frame_equal(a, synthetic_staff_homes(region, seed=1))
    fte = region.site_services.groupby("site_id")["staff_fte"].sum()
    per_site = a.groupby("site_id")["staff"].sum()
    for sid, f in fte.items():
        assert per_site[sid] == max(1, round(float(f)))
    assert np.isin(a["cell_id"], region.population["cell_id"].astype(str)).all()


def test_cli(tmp_path: Path) -> None:
    """staff commute --synthetic-homes writes the table and names the closed site's change."""
    pkg = write_region(tiny_region(), tmp_path / "tiny")
    s = tmp_path / "s.toml"
    s.write_text('[[close]]\nsite = "s3"\nsubstitute = "s2"\n', encoding="utf-8")
    out = tmp_path / "commute.csv"
    result = CliRunner().invoke(
        app,
        ["staff", "commute", str(pkg), "-s", str(s), "--synthetic-homes", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert set(table["site_id"]) == {"s1", "s2", "s3"}
    assert "(s3)" in result.output
    assert "SYNTHETIC" in result.output
