"""Commands on scenario files: ``scenario new`` writes a commented template for a region."""

from __future__ import annotations

from pathlib import Path

import typer

from . import app
from .ui import check_lang_option, session

scenario_app = typer.Typer(
    help="Skenaariotiedostot / Scenariofiler / Scenario files.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(scenario_app, name="scenario")


@scenario_app.command("new")
def new(
    region: Path = typer.Argument(..., help="Aluepaketti / Regionpaket / Region package folder."),
    out: Path = typer.Option(
        Path("scenario.toml"), "--out", "-o", help="Scenario file (TOML) to write."
    ),
    lang: str = typer.Option("fi", "--lang", help="Kieli / Språk / Language: fi, sv or en."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Uusi skenaario / Nytt scenario / New scenario.

    Writes a scenario file that lists the region's sites and services and shows every entry
    (close, convert, open, capacity, channels, mobile_unit, policy) commented out. Every key is
    described in docs/scenarios.md.
    """
    check_lang_option(lang)
    from ..atomic import output_file
    from ..region import read_region
    from ..scenario.template import scenario_template
    from .ui import fail

    if out.exists() and not force:
        raise fail(f"{out} exists; choose another --out or add --force to overwrite it")
    with session():  # warnings shown once, errors as one line and an exit code
        text = scenario_template(read_region(region), lang)
        with output_file(out) as tmp:
            tmp.write_text(text, encoding="utf-8")
    typer.echo(f"scenario: {out}")
