"""The demo county, built once per test session (about 2 s)."""

from __future__ import annotations

import pytest

from palveluverkko.demo import demo_region
from palveluverkko.region import Region


@pytest.fixture(scope="session")
def demo() -> Region:
    """The demo county with the default seed."""
    return demo_region(0)
