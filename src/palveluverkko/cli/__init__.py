"""The ``palveluverkko`` command line: thin; it parses, calls the public API and writes files.

Each command group lives in its own module and registers itself on :data:`app`.
"""

from __future__ import annotations

import logging

import typer
from rich.console import Console
from rich.logging import RichHandler

app = typer.Typer(
    name="palveluverkko",
    help="Sote-palveluverkon suunnittelu / Planering av social- och hälsovårdens servicenät / "
    "Planning the social and health service network.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)


@app.callback()
def main(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show library log messages."),
) -> None:
    """palveluverkko: saavutettavuus, kapasiteetti, kustannukset ja optimointi."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=console, show_path=False)],
    )


def _register() -> None:
    # Imported for their side effect of adding commands to ``app``.
    from . import _commands  # noqa: F401


_register()
