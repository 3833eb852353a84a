"""The report: one self-contained, offline HTML page (fi/sv/en) and its PDF.

Public API: :func:`render_report`, :func:`write_report`, :func:`write_pdf`.
"""

from __future__ import annotations

from .html import render_report, write_pdf, write_report

__all__ = ["render_report", "write_pdf", "write_report"]
