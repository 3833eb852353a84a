"""The command line's shared behaviour: messages keep their text, results go whole."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from palveluverkko.atomic import MARKER
from palveluverkko.cli import app
from palveluverkko.region import write_region
from palveluverkko.region.examples import tiny_region

runner = CliRunner()


def test_messages_keep_bracketed_text(tmp_path: Path) -> None:
    """An error that names a scenario table such as [[convert]] prints it as written (rich
    markup is escaped), and exits with 2."""
    package = write_region(tiny_region(), tmp_path / "tiny")
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        '[[capacity]]\nsite = "s2"\nservice = "hammashoito"\ncapacity_per_week = 5\n',
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        ["evaluate", str(package), "--scenario", str(scenario), "--out", str(tmp_path / "e")],
    )
    assert result.exit_code == 2, result.output
    assert "[[convert]]" in " ".join(result.output.split())


def test_evaluate_twice_into_one_folder(tmp_path: Path) -> None:
    """A second evaluation into the same --out replaces the first whole (marker rewritten);
    a folder of someone else's files is refused with exit 2."""
    package = write_region(tiny_region(), tmp_path / "tiny")
    out = tmp_path / "e"
    args = ["evaluate", str(package), "--out", str(out), "--cache-dir", str(tmp_path / "c")]
    assert runner.invoke(app, args).exit_code == 0
    (out / "stale.csv").write_text("x", encoding="utf-8")
    assert runner.invoke(app, [*args, "--no-excel"]).exit_code == 0
    assert not (out / "stale.csv").exists()
    assert not (out / "results.xlsx").exists()
    assert (out / MARKER).is_file()
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine", encoding="utf-8")
    result = runner.invoke(app, [*args[:-4], "--out", str(other)])
    assert result.exit_code == 2
    assert "did not write" in " ".join(result.output.split())


def _commands() -> list[list[str]]:
    """Every command path of the app, e.g. ["import", "sites"]."""
    import typer.main

    group = typer.main.get_command(app)
    out: list[list[str]] = []

    def walk(cmd: object, path: list[str]) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*path, name])
        else:
            out.append(path)

    walk(group, [])
    return out


def test_help_texts_break_lines_between_sentences() -> None:
    """In every command's description no sentence starts in the middle of a line: lines break
    between sentences (a long sentence may still wrap inside itself)."""
    import re

    commands = _commands()
    assert ["scenario", "new"] in commands
    assert len(commands) > 15
    mid = re.compile(r"\S[.!?] +[A-ZÅÄÖ]")
    for path in commands:
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "100"})
        assert result.exit_code == 0, path
        description = re.split(r"\n(?:Arguments|Options):", result.output)[0]
        lines = description.splitlines()[1:]  # after the usage line
        assert [ln for ln in lines if mid.search(ln)] == [], path


def test_evaluate_table_fits_80_columns(tmp_path: Path) -> None:
    """`evaluate` prints its summary table within 80 columns, service ids whole (no "…")."""
    package = write_region(tiny_region(), tmp_path / "tiny")
    args = ["evaluate", str(package), "--out", str(tmp_path / "e")]
    result = runner.invoke(app, [*args, "--cache-dir", str(tmp_path / "c")], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80
    assert "vastaanotto " in result.output
    assert "…" not in result.output
