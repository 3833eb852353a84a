"""Results are written whole or not at all, never mixed with an earlier run or another writer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from palveluverkko.atomic import MARKER, OutputBusyError, output_file, output_folder
from palveluverkko.errors import InputError


def write(target: Path, names: list[str], *, fail: bool = False) -> None:
    with output_folder(target, about={"run": names}) as tmp:
        for name in names:
            (tmp / name).write_text(name, encoding="utf-8")
            if fail:
                raise KeyboardInterrupt  # a run killed half way


def test_a_killed_run_leaves_the_earlier_result(tmp_path: Path) -> None:
    """An interrupted write leaves the earlier complete result untouched, and no temporary
    folder behind."""
    out = tmp_path / "out"
    write(out, ["a.csv", "b.csv"])
    with pytest.raises(KeyboardInterrupt):
        write(out, ["a.csv", "b.csv"], fail=True)
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "a.csv", "b.csv"]
    assert json.loads((out / MARKER).read_text(encoding="utf-8"))["files"] == ["a.csv", "b.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_rerun_leaves_no_stale_file(tmp_path: Path) -> None:
    """Files of an earlier run that the new run does not write are gone."""
    out = tmp_path / "out"
    write(out, ["a.csv", "flows.parquet"])
    write(out, ["a.csv"])
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "a.csv"]


def test_foreign_folder_and_file_are_refused(tmp_path: Path) -> None:
    """A folder holding files palveluverkko did not write is never replaced."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="did not write"):
        write(mine, ["a.csv"])
    assert (mine / "thesis.docx").is_file()
    with pytest.raises(InputError, match="is a file"):
        write(mine / "thesis.docx", ["a.csv"])


def test_a_second_writer_fails_clearly(tmp_path: Path) -> None:
    """While a live process holds the folder's lock, another writer is refused with its pid;
    a lock left by a dead process is taken over."""
    out = tmp_path / "out"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (tmp_path / ".out.lock").write_text(str(sleeper.pid), encoding="utf-8")
        with pytest.raises(OutputBusyError, match=f"process {sleeper.pid}"):
            write(out, ["a.csv"])
    finally:
        sleeper.kill()
        sleeper.wait()
    write(out, ["a.csv"])  # the stale lock of the dead process does not block
    assert (out / "a.csv").is_file()
    assert not (tmp_path / ".out.lock").exists()


def test_output_file_replaces_whole(tmp_path: Path) -> None:
    """A file is replaced only when the new one is complete."""
    path = tmp_path / "report.html"
    path.write_text("old", encoding="utf-8")

    def killed() -> None:
        with output_file(path) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError, match="killed"):
        killed()
    assert path.read_text(encoding="utf-8") == "old"
    with output_file(path) as tmp:
        tmp.write_text("new", encoding="utf-8")
    assert path.read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    assert os.access(path, os.R_OK)


def test_written_results_have_the_usual_permissions(tmp_path: Path) -> None:
    """Results are readable like any file the user writes (temporary files are 0600/0700)."""
    mask = os.umask(0o022)
    try:
        write(tmp_path / "out", ["a.csv"])
        with output_file(tmp_path / "r.html") as tmp:
            tmp.write_text("x", encoding="utf-8")
    finally:
        os.umask(mask)
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "r.html").stat().st_mode & 0o777 == 0o644
