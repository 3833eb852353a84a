"""What an importer read, corrected, dropped or could not place: the :class:`ImportReport`.

Every importer in :mod:`palveluverkko.sources` returns ``(data, report)``. The report is how the
mission's rule "nothing is lost silently" is kept: every row that was changed or left out is
counted under a reason, and population totals before and after are both recorded, so that
``report.conserved`` can be checked (and is checked by the tests).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field

from ..errors import DataWarning, Problem

log = logging.getLogger("palveluverkko.sources")


@dataclass
class ImportReport:
    """Counts and problems of one import.

    Attributes
    ----------
    source
        File (and layer) read.
    rows_read, rows_kept
        Rows found in the source and rows in the result.
    total_before, total_after
        Residents in the source and in the result (``None`` for imports without residents).
    corrected
        Reason -> number of rows changed (e.g. suppressed age bands filled from the
        municipality's age structure).
    dropped
        Reason -> number of rows left out (e.g. the "Finland" total row, rows outside the region).
    problems
        Every problem found, with layer, column, row and fix.
    credits
        Attribution lines for the data used.
    """

    source: str
    rows_read: int = 0
    rows_kept: int = 0
    total_before: int | None = None
    total_after: int | None = None
    corrected: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    credits: tuple[str, ...] = ()

    def correct(self, reason: str, count: int = 1) -> None:
        """Count ``count`` rows corrected for ``reason`` (zero counts are not recorded)."""
        if count:
            self.corrected[reason] = self.corrected.get(reason, 0) + int(count)

    def drop(self, reason: str, count: int = 1) -> None:
        """Count ``count`` rows dropped for ``reason`` (zero counts are not recorded)."""
        if count:
            self.dropped[reason] = self.dropped.get(reason, 0) + int(count)

    def add(self, problem: Problem) -> None:
        """Record a problem."""
        self.problems.append(problem)

    @property
    def conserved(self) -> bool:
        """True when there are no residents to conserve or the totals before and after agree."""
        if self.total_before is None or self.total_after is None:
            return True
        return self.total_before == self.total_after

    @property
    def n_corrected(self) -> int:
        """Rows corrected, over all reasons."""
        return sum(self.corrected.values())

    @property
    def n_dropped(self) -> int:
        """Rows dropped, over all reasons."""
        return sum(self.dropped.values())

    def summary(self) -> str:
        """A few lines: rows, totals, corrections, drops, problems."""
        lines = [f"{self.source}: read {self.rows_read} rows, kept {self.rows_kept}"]
        if self.total_before is not None:
            state = "conserved" if self.conserved else "NOT conserved"
            lines.append(
                f"  residents: {self.total_before} in source, {self.total_after} imported ({state})"
            )
        lines += [f"  corrected {n}: {why}" for why, n in self.corrected.items()]
        lines += [f"  dropped {n}: {why}" for why, n in self.dropped.items()]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)

    def log(self) -> None:
        """Log the summary at INFO level."""
        for line in self.summary().splitlines():
            log.info("%s", line)

    def warn_dropped(self, what: str, *, ignore: tuple[str, ...] = (), stacklevel: int = 3) -> None:
        """Issue one :class:`DataWarning` counting the rows dropped (reasons in ``ignore`` aside).

        Rows left out on purpose (e.g. outside the requested region) go in ``ignore``.
        """
        lost = {why: n for why, n in self.dropped.items() if why not in ignore}
        if lost:
            reasons = "; ".join(f"{n} {why}" for why, n in lost.items())
            warnings.warn(
                DataWarning(
                    f"{self.source}: {sum(lost.values())} {what} left out ({reasons}); "
                    "the import report lists each with its fix"
                ),
                stacklevel=stacklevel,
            )
