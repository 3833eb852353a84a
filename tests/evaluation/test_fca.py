"""2SFCA and E2SFCA equal PySAL access 1.1.10 on the same inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from access import fca as pysal_fca
from access import weights as pysal_weights

from palveluverkko.evaluation.fca import stepped_weights, two_stage_fca


def _pysal(
    minutes: np.ndarray, pop: np.ndarray, supply: np.ndarray, d0: float, fn: object
) -> np.ndarray:
    n_c, n_s = minutes.shape
    rows, cols = np.nonzero(np.isfinite(minutes))
    cost = pd.DataFrame({"origin": rows, "dest": cols + 1000, "cost": minutes[rows, cols]})
    demand = pd.DataFrame({"geoid": np.arange(n_c), "demand": pop}).set_index("geoid")
    sup = pd.DataFrame({"geoid": np.arange(n_s) + 1000, "supply": supply}).set_index("geoid")
    out = pysal_fca.two_stage_fca(
        demand,
        sup,
        cost,
        max_cost=d0,
        demand_index=True,
        demand_name="demand",
        supply_name="supply",
        weight_fn=fn,
    )
    return out.reindex(np.arange(n_c)).fillna(0.0).to_numpy()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_2sfca_equals_pysal(seed: int) -> None:
    """Plain 2SFCA scores equal PySAL's two_stage_fca for random inputs with unreachable pairs."""
    rng = np.random.default_rng(seed)
    minutes = rng.uniform(1, 60, size=(40, 6))
    minutes[rng.random(minutes.shape) < 0.1] = np.inf
    pop = rng.integers(1, 1000, 40).astype(float)
    supply = rng.uniform(10, 200, 6)
    ours, _ = two_stage_fca(minutes, pop, supply, 30.0)
    theirs = _pysal(minutes, pop, supply, 30.0, None)
    assert np.allclose(ours, theirs, rtol=1e-12)


@pytest.mark.parametrize("seed", [3, 4])
def test_e2sfca_equals_pysal_step(seed: int) -> None:
    """E2SFCA with Luo-Qi steps equals PySAL's two_stage_fca with step_fn({10:1,20:.68,30:.22})."""
    rng = np.random.default_rng(seed)
    minutes = np.round(rng.uniform(1, 45, size=(30, 5)))
    pop = rng.integers(1, 1000, 30).astype(float)
    supply = rng.uniform(10, 200, 5)
    ours, _ = two_stage_fca(minutes, pop, supply, 30.0, weights=stepped_weights)
    fn = pysal_weights.step_fn({10: 1, 20: 0.68, 30: 0.22})
    theirs = _pysal(minutes, pop, supply, 30.0, fn)
    assert np.allclose(ours, theirs, rtol=1e-12)


def test_2sfca_by_hand() -> None:
    """Two cells, two sites: ratios and scores worked by hand."""
    minutes = np.array([[10.0, 40.0], [20.0, 25.0]])
    pop = np.array([100.0, 300.0])
    supply = np.array([8.0, 6.0])
    access, ratio = two_stage_fca(minutes, pop, supply, 30.0)
    # site 0 reaches both cells: 8/400; site 1 only cell 1: 6/300
    assert ratio == pytest.approx([0.02, 0.02])
    assert access == pytest.approx([0.02, 0.04])
