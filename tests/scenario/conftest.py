"""Fixtures of the scenario tests: the tiny region."""

from __future__ import annotations

import pytest

from palveluverkko.region.examples import tiny_region
from palveluverkko.region.model import Region


@pytest.fixture
def tiny() -> Region:
    """The tiny two-municipality region."""
    return tiny_region()
