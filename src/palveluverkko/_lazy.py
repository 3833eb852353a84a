"""Lazy exports of a package: its public names are imported on first use, not at import time.

A command such as ``palveluverkko --help`` then starts without loading numba kernels, solvers,
the demo generator or the report (PEP 562 module ``__getattr__``). Each package keeps its
public names in one table; type checkers read the same names from an ``if TYPE_CHECKING:``
block beside it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, names: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` of ``package`` for ``names`` (public name -> module path,
    relative to the package, e.g. ``".io"``)."""

    def getattr_(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        import sys

        setattr(sys.modules[package], name, value)
        return value

    def dir_() -> list[str]:
        return sorted(names)

    return getattr_, dir_
