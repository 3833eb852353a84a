"""Commands on region packages: ``validate``."""

from __future__ import annotations

from pathlib import Path

import typer

from . import app
from .ui import EXIT_INVALID, console, error


@app.command()
def validate(
    region: Path = typer.Argument(..., help="Region package folder (holds region.toml)."),
    strict: bool = typer.Option(False, "--strict", help="Treat warnings as errors (exit 2)."),
) -> None:
    """Tarkista aluepaketti / Kontrollera regionpaketet / Validate a region package.

    Exit 0 when valid; 2 when there are errors (or warnings with --strict). Every problem is
    listed with its layer, column and row.
    """
    from rich.markup import escape
    from rich.table import Table

    from ..errors import PalveluverkkoError
    from ..region import validate_package

    try:
        problems = validate_package(region)
    except PalveluverkkoError as exc:
        error(exc)
        raise typer.Exit(EXIT_INVALID) from exc
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    if problems:
        table = Table(title=escape(f"{region}: {len(errors)} error(s), {len(warnings)} warning(s)"))
        for col in ("severity", "layer", "column", "row", "problem", "fix"):
            table.add_column(col, overflow="fold")
        for p in problems:
            style = "red" if p.severity == "error" else "yellow"
            table.add_row(
                f"[{style}]{p.severity}[/]",
                *(escape(str(v)) for v in (p.layer, p.column, p.row, p.message, p.fix)),
            )
        console.print(table)
        # plain lines too, so that logs and tests can grep them
        for p in problems:
            typer.echo(str(p))
    if errors or (strict and warnings):
        raise typer.Exit(EXIT_INVALID)
    typer.echo(f"{region}: valid ({len(warnings)} warning(s))")
