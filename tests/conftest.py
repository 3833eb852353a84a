"""Shared fixtures.

Real Finnish open data comes from ``../shared/data`` beside the checkout (never copied into the
repository) through the single fixture :func:`shared_data`. Where the folder is absent the tests
that need it are skipped with a reason; with ``PALVELUVERKKO_REQUIRE_SHARED_DATA=1`` (CI) they fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(
    os.environ.get(
        "PALVELUVERKKO_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of ``../shared/data``; skips (or fails in CI) when it is not there."""
    if SHARED_DATA.is_dir():
        return SHARED_DATA
    reason = (
        f"real data folder {SHARED_DATA} is absent; put the shared data beside the checkout "
        "or set PALVELUVERKKO_SHARED_DATA"
    )
    if os.environ.get("PALVELUVERKKO_REQUIRE_SHARED_DATA") == "1":
        pytest.fail(reason + " (PALVELUVERKKO_REQUIRE_SHARED_DATA=1 requires it)")
    pytest.skip(reason)
