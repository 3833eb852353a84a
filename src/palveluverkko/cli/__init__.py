"""The ``palveluverkko`` command line: thin; it parses, calls the study API
(:mod:`palveluverkko.study`) and prints what it returns.

Each command group lives in its own module and registers itself on :data:`app`; every command
imports the library inside its function, so ``palveluverkko --help`` starts without loading
numba kernels, solvers, the demo generator or the report.
"""

from __future__ import annotations

import logging

import typer

from .ui import HELP_WIDTH, console, use_sentence_help

use_sentence_help()

app = typer.Typer(
    context_settings={"max_content_width": HELP_WIDTH},
    name="palveluverkko",
    help="Sote-palveluverkon suunnittelu / Planering av social- och hälsovårdens servicenät / "
    "Planning the social and health service network.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # plain help text: rich help formatting imports markdown-it and doubles the start time
    rich_markup_mode=None,
)


@app.callback()
def main(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show library log messages."),
) -> None:
    """palveluverkko: saavutettavuus, kapasiteetti, kustannukset ja optimointi."""
    from rich.logging import RichHandler

    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=console, show_path=False)],
    )


def _register() -> None:
    # Imported for their side effect of adding commands to ``app``.
    from . import _commands  # noqa: F401


_register()
