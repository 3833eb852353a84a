"""Errors and warnings of palveluverkko.

Every error is a :class:`PalveluverkkoError`; the typed subclasses also inherit the built-in
exception they resemble, so callers may catch either (``except ValueError`` keeps working).
Messages name the thing, what was found, what was expected and how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass


class PalveluverkkoError(Exception):
    """Base class of every error raised by palveluverkko."""


class InputError(PalveluverkkoError, ValueError):
    """An input (file, table, parameter) is malformed or inconsistent."""


class MissingLayerError(InputError, KeyError):
    """A required layer or file of a region package is missing."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class MissingColumnError(InputError, KeyError):
    """A required column is missing from a table."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class CRSError(InputError):
    """A layer has no coordinate reference system, or a wrong one."""


class UnknownIdError(InputError, KeyError):
    """An identifier (site, service, municipality) that the region does not know."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class FormatVersionError(InputError):
    """A region package declares a format version this release cannot read."""


class ScenarioError(InputError):
    """A scenario is inconsistent with its region (unknown site, closed substitute, ...)."""


class NetworkError(PalveluverkkoError, RuntimeError):
    """A road or transit network cannot be built or routed."""


class CalendarError(InputError):
    """A GTFS date lies outside every feed's calendar."""


class InfeasibleError(PalveluverkkoError, ValueError):
    """An optimisation model has no feasible solution; the message states the numbers."""


class SolverError(PalveluverkkoError, RuntimeError):
    """A solver ended without a usable solution (e.g. out of time); the message says what to try."""


class InternalError(PalveluverkkoError, RuntimeError):
    """A state the code should never reach (a bug): please report it with the message."""


@dataclass(frozen=True)
class Problem:
    """One problem found while validating or importing input.

    Attributes
    ----------
    severity
        ``"error"`` (the input cannot be used) or ``"warning"`` (usable but suspicious).
    layer
        Layer or file the problem is in, e.g. ``"population"`` or ``"region.toml"``.
    column
        Column concerned, or ``""`` when the whole layer is concerned.
    row
        Row identifier (an id such as ``cell_id`` value, or a 0-based row number), or ``""``.
    message
        What was found and what was expected.
    fix
        What the user can do about it.
    """

    severity: str
    layer: str
    column: str
    row: str
    message: str
    fix: str = ""

    def __str__(self) -> str:
        where = self.layer
        if self.column:
            where += f".{self.column}"
        if self.row != "":
            where += f" [row {self.row}]"
        text = f"{self.severity}: {where}: {self.message}"
        if self.fix:
            text += f" Fix: {self.fix}"
        return text


class ValidationError(InputError):
    """A region package (or other input) has one or more errors.

    ``problems`` holds every problem found, errors and warnings, not only the first.
    """

    def __init__(self, problems: list[Problem], *, what: str = "region") -> None:
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        lines = [f"{what}: {len(errors)} error(s)"] + [f"  {p}" for p in errors[:50]]
        if len(errors) > 50:
            lines.append(f"  ... and {len(errors) - 50} more")
        super().__init__("\n".join(lines))


class PalveluverkkoWarning(UserWarning):
    """Base class of warnings: valid but suspicious input."""


class DataWarning(PalveluverkkoWarning):
    """Input was corrected, reprojected, or partly unusable; the message counts what."""


class UnreachableWarning(PalveluverkkoWarning):
    """Cells or sites that no road or transit reaches; their residents are counted, not dropped."""


class ApproximationWarning(PalveluverkkoWarning):
    """Travel times estimated along a straight line (no road network there), not routed; the
    cells and residents concerned are counted and marked approximate."""
