"""User-facing language: Finnish (default), Swedish and English texts, and numbers in each style.

Texts live in tables keyed by an identifier, each value a ``(fi, sv, en)`` tuple that may hold
``{name}`` fields. The report (:mod:`palveluverkko.report.texts`) and the location models'
explanations (:mod:`palveluverkko.locate.texts`) keep their own tables and read them here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .errors import InputError

__all__ = ["LANGS", "check_lang", "number", "pick"]

LANGS = ("fi", "sv", "en")


def check_lang(lang: str) -> str:
    """``lang`` when it is one of :data:`LANGS`, else a ``ValueError`` naming the choices."""
    if lang not in LANGS:
        raise InputError(f"language {lang!r} is not one of {', '.join(LANGS)}; use fi")
    return lang


def pick(table: Mapping[str, tuple[str, str, str]], key: str, lang: str, **fields: Any) -> str:
    """The text ``key`` of ``table`` in ``lang`` with ``fields`` filled in."""
    value = table[key][LANGS.index(check_lang(lang))]
    return value.format(**fields) if fields else value


def number(value: Any, lang: str, digits: int = 0, *, sign: bool = False, pct: bool = False) -> str:
    """``value`` in the language's style: ``12 345,6`` (fi, sv) or ``12,345.6`` (en).

    ``pct`` multiplies by 100 and appends `` %``; ``sign`` always shows the sign; missing values
    print as ``–`` and infinite ones as ``∞``; a value that rounds to zero never shows a sign.
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(v):
        return "–" if math.isnan(v) else "∞"
    if pct:
        v *= 100.0
    if round(v, digits) == 0:
        v, sign = 0.0, False  # no "−0,0" or "+0"
    s = f"{v:+,.{digits}f}" if sign else f"{v:,.{digits}f}"
    if lang in ("fi", "sv"):
        s = s.replace(",", "\u202f").replace(".", ",").replace("-", "−")
    return s + (" %" if pct else "")
