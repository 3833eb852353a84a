"""What every command shares: the console, progress drawn from the library's events, warnings
gathered and shown after a step, errors turned into one line and an exit code.

Every text that comes from a user or from an error is escaped before rich prints it, so that
``[convert]`` or ``[files]`` in a message stay as written.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from ..study.progress import ProgressEvent

log = logging.getLogger("palveluverkko.cli")

console = Console(stderr=True)
"""Messages, progress and warnings (standard error); results go to standard output."""

EXIT_ERROR = 1
"""The work failed (e.g. a solver or a file system error)."""
EXIT_INVALID = 2
"""The input is invalid: the message says what to fix."""

LANGS = ("fi", "sv", "en")


HELP_WIDTH = 100
"""Widest help text (click's default is 80; the terminal's width still limits it)."""

_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+(?=[A-ZÅÄÖ`(\[])")


def _sentences(text: str, width: int, indent: str, wrap: Any) -> str:
    """Each paragraph of ``text`` with one sentence per line (a long one wrapped)."""
    out = []
    for paragraph in (p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()):
        if paragraph.startswith("\b\n"):  # click's "do not rewrap" marker
            out.append("\n".join(indent + line for line in paragraph[2:].splitlines()))
            continue
        flat = " ".join(paragraph.split())
        out.append(
            "\n".join(
                wrap(s, width, initial_indent=indent, subsequent_indent=indent)
                for s in _SENTENCE_END.split(flat)
            )
        )
    return "\n\n".join(out)


def use_sentence_help() -> None:
    """Make help texts break lines between sentences: every sentence of a command's description
    starts a line, and only a sentence longer than the terminal wraps inside itself.

    typer 0.29 formats help with its vendored click (``typer._click``); its ``Context`` gets a
    formatter whose ``write_text`` does this (``tests/test_cli_ui.py`` checks every command).
    """
    from typer._click import core, formatting

    class SentenceHelpFormatter(formatting.HelpFormatter):
        def write_text(self, text: str) -> None:
            self.write(
                _sentences(text, self.width, " " * self.current_indent, formatting.wrap_text)
            )
            self.write("\n")

    core.Context.formatter_class = SentenceHelpFormatter


def error(message: object) -> None:
    """Print ``message`` (escaped) as an error."""
    console.print(f"[bold red]virhe / fel / error:[/] {escape(str(message))}")


def warn(message: object) -> None:
    """Print ``message`` (escaped) as a warning."""
    console.print(f"[yellow]varoitus / varning / warning:[/] {escape(str(message))}")


def note(message: object) -> None:
    """Print ``message`` (escaped) dimmed."""
    console.print(f"[dim]{escape(str(message))}[/]")


def fail(message: str) -> typer.Exit:
    """Print ``message`` as an error and return the exit for invalid input (``raise fail(...)``)."""
    error(message)
    return typer.Exit(EXIT_INVALID)


def check_lang_option(lang: str) -> str:
    """``lang`` when it is a language of the texts, else the exit for invalid input."""
    if lang not in LANGS:
        raise fail(f"--lang {lang!r}: use fi, sv or en")
    return lang


class EventBar:
    """Draws the library's :class:`~palveluverkko.study.progress.ProgressEvent` s: one line per
    stage and detail, with a bar where the total is known."""

    def __init__(self, bar: Progress) -> None:
        self.bar = bar
        self.tasks: dict[tuple[str, str], TaskID] = {}

    def __call__(self, event: ProgressEvent) -> None:
        from ..study.progress import STAGE_LABELS

        key = (event.stage, event.detail)
        task = self.tasks.get(key)
        if task is None:
            names = STAGE_LABELS.get(event.stage)
            label = " / ".join(names.values()) if names else event.stage
            text = f"{label}: {event.detail}" if event.detail else label
            task = self.bar.add_task(escape(text), total=event.total)
            self.tasks[key] = task
        self.bar.update(task, completed=event.done, total=event.total)


@contextmanager
def session() -> Iterator[EventBar]:
    """A progress display for the block, fed by library events; palveluverkko warnings raised
    inside it are printed after it, once each; a ``PalveluverkkoError`` exits with 2 (invalid
    input, a ``ValueError``) or 1, after printing its message."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from ..errors import PalveluverkkoError, PalveluverkkoWarning

    columns: Any = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PalveluverkkoWarning)
        try:
            with Progress(*columns, console=console, transient=True) as bar:
                yield EventBar(bar)
        except PalveluverkkoError as exc:
            error(exc)
            code = EXIT_INVALID if isinstance(exc, ValueError) else EXIT_ERROR
            raise typer.Exit(code) from exc
        finally:
            seen: set[str] = set()
            for w in caught:
                text = str(w.message)
                if issubclass(w.category, PalveluverkkoWarning) and text not in seen:
                    seen.add(text)
                    warn(text)
                elif not issubclass(w.category, PalveluverkkoWarning):
                    log.debug("%s: %s", w.category.__name__, w.message)
