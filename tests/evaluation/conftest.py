"""Fixtures of the evaluation tests: the tiny region and hand-made travel-time matrices."""

from __future__ import annotations

import numpy as np
import pytest

from palveluverkko.network import Destinations, TravelTimes
from palveluverkko.region.examples import tiny_region
from palveluverkko.region.model import Region


def manhattan_minutes(region: Region, speed_kph: float) -> np.ndarray:
    """(n_cells, n_sites) minutes along a grid (Manhattan distance) at ``speed_kph``."""
    c = region.cell_points()
    s = region.site_points()
    km = (np.abs(c[:, None, 0] - s[None, :, 0]) + np.abs(c[:, None, 1] - s[None, :, 1])) / 1000.0
    return (km / speed_kph * 60.0).astype(np.float32)


def make_tt(region: Region, mode: str, minutes: np.ndarray) -> TravelTimes:
    """A TravelTimes of ``minutes`` for ``region``'s cells and sites."""
    return TravelTimes(
        mode=mode,
        minutes=np.asarray(minutes, dtype=np.float32),
        cell_ids=region.population["cell_id"].astype(str).to_numpy(dtype=object),
        to=Destinations.of_sites(region),
    )


@pytest.fixture
def tiny() -> Region:
    """The tiny two-municipality region."""
    return tiny_region()


@pytest.fixture
def tiny_tt(tiny: Region) -> dict[str, TravelTimes]:
    """Car at 60 km/h (1 min per grid km) and walking at 5 km/h on the grid; no transit."""
    return {
        "car": make_tt(tiny, "car", manhattan_minutes(tiny, 60.0)),
        "walk": make_tt(tiny, "walk", manhattan_minutes(tiny, 5.0)),
    }
