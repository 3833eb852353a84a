"""Mission files are checked row by row; the synthetic history is seeded and has a rhythm."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from palveluverkko.ems.missions import read_missions, synthetic_missions
from palveluverkko.errors import ValidationError
from palveluverkko.region.examples import tiny_region


def test_reads_a_good_file(tmp_path: Path) -> None:
    """Semicolon CSV with coordinates or cell ids reads into the documented columns."""
    f = tmp_path / "m.csv"
    f.write_text(
        "urgency;time;x;y;cell_id;note\nA;2024-01-02T10:00;431000;6901000;;x\n"
        "b;2024-01-03 11:00;;;c1;y\n"
    )
    m = read_missions(f)
    assert m["urgency"].tolist() == ["A", "B"]
    assert m["cell_id"].tolist() == ["", "c1"]
    assert np.isnan(m["x"].iloc[1])
    assert m["note"].tolist() == ["x", "y"]


def test_bad_rows_are_named_with_line_and_column(tmp_path: Path) -> None:
    """Each bad value is reported with its file line and column, all at once."""
    f = tmp_path / "m.csv"
    f.write_text(
        "urgency,time,x,y\nA,2024-01-02T10:00,431000,6901000\nE,yesterday,1,\nB,2024-01-01,z,2\n"
    )
    with pytest.raises(ValidationError, match="4 error") as info:
        read_missions(f)
    where = {(p.row, p.column) for p in info.value.problems}
    assert where == {("3", "urgency"), ("3", "time"), ("3", "y"), ("4", "x")}


def test_missing_columns_named(tmp_path: Path) -> None:
    """A file without urgency or a location says which columns are missing."""
    f = tmp_path / "m.csv"
    f.write_text("when,where\n1,2\n")
    with pytest.raises(ValidationError, match="urgency, time, x and y, or cell_id"):
        read_missions(f)


def test_synthetic_history_is_seeded_and_rhythmic() -> None:
    """The same seed gives the same missions; night hours are quieter than midday."""
    r = tiny_region()
    a = synthetic_missions(r, 3)
    b = synthetic_missions(r, 3)
    assert a.equals(b)
    assert len(a) > 50
    hours = a["time"].dt.hour
    assert ((hours >= 10) & (hours < 14)).sum() > ((hours >= 2) & (hours < 6)).sum()
    assert set(a["urgency"]) <= {"A", "B", "C", "D"}
