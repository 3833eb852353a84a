"""The Excel workbook an analyst opens without cleaning: one sheet per table, headers in the
chosen language, number formats by kind (%, €, minutes), a frozen header row, fitted column
widths, and a first sheet that explains every column.

Headers, units and formats come from the data dictionary (:mod:`.columns`); a column it does not
describe keeps its name and the General format (and is listed so on the explanation sheet).
Values are written as they are: shares stay fractions 0–1 and are *shown* as per cent.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..i18n import check_lang
from .columns import KINDS, describe, header

__all__ = ["EXPLANATION_SHEET", "write_workbook"]

EXPLANATION_SHEET = {"fi": "Selitteet", "sv": "Förklaringar", "en": "Explanations"}
_EXPLANATION_HEADERS = {
    "fi": ("Taulukko", "Sarake", "Otsikko", "Tyyppi", "Yksikkö", "Kuvaus"),
    "sv": ("Tabell", "Kolumn", "Rubrik", "Typ", "Enhet", "Beskrivning"),
    "en": ("Table", "Column", "Header", "Type", "Unit", "Description"),
}
_NOT_DOCUMENTED = {
    "fi": "ei kuvausta",
    "sv": "ingen beskrivning",
    "en": "not documented",
}
MAX_WIDTH = 60
MIN_WIDTH = 8


def _finite(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for c in out.columns:
        if pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].where(np.isfinite(out[c].to_numpy()), np.nan)
    return out


def _width(values: pd.Series, head: str, number_format: str) -> float:
    """Characters wide enough for the header's longest word run and the widest value shown."""
    sample = values.dropna().head(500)
    if number_format == "0.0 %":
        shown = [f"{100 * float(v):.1f} %" for v in sample if _is_number(v)]
    elif number_format != "General" and number_format != "@":
        shown = [f"{float(v):,.1f}" for v in sample if _is_number(v)]
    else:
        shown = [str(v) for v in sample]
    widest = max((len(s) for s in shown), default=0)
    head_width = min(len(head), 28)  # long headers wrap (the header row wraps text)
    return float(min(MAX_WIDTH, max(MIN_WIDTH, widest + 2, head_width + 2)))


def _is_number(v: object) -> bool:
    try:
        return math.isfinite(float(v))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def write_workbook(path: str | Path, tables: dict[str, pd.DataFrame], lang: str) -> None:
    """Write ``tables`` (sheet name -> frame) to the Excel file ``path`` in ``lang``.

    The first sheet (:data:`EXPLANATION_SHEET`) lists every column of every sheet: its header,
    type, unit and description. Each table's sheet has localized headers (wrapped, bold, frozen),
    number formats by kind and fitted widths.
    """
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    check_lang(lang)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="EEEDE7")
    wrap = Alignment(wrap_text=True, vertical="top")
    rows: list[tuple[str, str, str, str, str, str]] = []
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame(columns=list(_EXPLANATION_HEADERS[lang])).to_excel(
            writer, sheet_name=EXPLANATION_SHEET[lang], index=False
        )
        for name, frame in tables.items():
            sheet_name = name[:31]
            heads = [header(str(c), lang) for c in frame.columns]
            data = _finite(frame)
            data.columns = pd.Index(heads)
            if data.columns.has_duplicates:  # two columns with one description: keep names
                data.columns = pd.Index(
                    [f"{h} [{c}]" for h, c in zip(heads, frame.columns, strict=True)]
                )
            data.to_excel(writer, sheet_name=sheet_name, index=False)
            sheet = writer.sheets[sheet_name]
            sheet.freeze_panes = "A2"
            sheet.row_dimensions[1].height = 45
            for k, column in enumerate(frame.columns, start=1):
                col = describe(str(column))
                fmt = KINDS[col.kind].excel_format if col is not None else "General"
                letter = get_column_letter(k)
                cell = sheet.cell(row=1, column=k)
                cell.font, cell.fill, cell.alignment = bold, fill, wrap
                if fmt != "General":
                    for (c,) in sheet.iter_rows(
                        min_row=2, max_row=sheet.max_row, min_col=k, max_col=k
                    ):
                        c.number_format = fmt
                sheet.column_dimensions[letter].width = _width(
                    frame[column], str(data.columns[k - 1]), fmt
                )
                rows.append(
                    (
                        sheet_name,
                        str(column),
                        str(data.columns[k - 1]),
                        col.type if col is not None else "",
                        col.unit(lang) if col is not None else "",
                        col.text(lang) if col is not None else _NOT_DOCUMENTED[lang],
                    )
                )
            sheet.auto_filter.ref = sheet.dimensions
        explain = writer.sheets[EXPLANATION_SHEET[lang]]
        for r, row in enumerate(rows, start=2):
            for k, value in enumerate(row, start=1):
                explain.cell(row=r, column=k, value=value)
        for k, width in enumerate((18, 30, 40, 12, 10, 60), start=1):
            explain.column_dimensions[get_column_letter(k)].width = width
            explain.cell(row=1, column=k).font = bold
            explain.cell(row=1, column=k).fill = fill
        explain.freeze_panes = "A2"
