"""What every long command shares: a progress display, warnings gathered and shown after it,
and errors turned into a one-line message and an exit code."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.progress import Progress, ProgressColumn, SpinnerColumn, TextColumn, TimeElapsedColumn

from ..errors import PalveluverkkoError, PalveluverkkoWarning
from ..i18n import LANGS
from . import console

log = logging.getLogger("palveluverkko.cli")

EXIT_ERROR = 1
"""The work failed (e.g. a solver or a file system error)."""
EXIT_INVALID = 2
"""The input is invalid: the message says what to fix."""


def fail(message: str) -> typer.Exit:
    """Print ``message`` as an error and return the exit for invalid input (``raise fail(...)``)."""
    console.print(f"[bold red]virhe / fel / error:[/] {message}")
    return typer.Exit(EXIT_INVALID)


def check_lang_option(lang: str) -> str:
    """``lang`` when it is a language of the texts, else the exit for invalid input."""
    if lang not in LANGS:
        raise fail(f"--lang {lang!r}: use fi, sv or en")
    return lang


@contextmanager
def session(*columns: ProgressColumn | str) -> Iterator[Progress]:
    """A transient progress display for the block; palveluverkko warnings raised inside it are
    printed after it; a :class:`PalveluverkkoError` exits with 2 (invalid input, a
    ``ValueError``) or 1, after printing its message."""
    cols = columns or (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PalveluverkkoWarning)
        try:
            with Progress(*cols, console=console, transient=True) as bar:
                yield bar
        except PalveluverkkoError as exc:
            console.print(f"[bold red]virhe / fel / error:[/] {exc}")
            code = EXIT_INVALID if isinstance(exc, ValueError) else EXIT_ERROR
            raise typer.Exit(code) from exc
        finally:
            for w in caught:
                if issubclass(w.category, PalveluverkkoWarning):
                    console.print(f"[yellow]varoitus / varning / warning:[/] {w.message}")
                else:
                    log.debug("%s: %s", w.category.__name__, w.message)
