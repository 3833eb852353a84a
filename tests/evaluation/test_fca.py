"""2SFCA and E2SFCA equal PySAL access 1.1.10 on the same inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from access import fca as pysal_fca
from access import weights as pysal_weights

from palveluverkko.evaluation.fca import (
    catchment_pairs,
    gaussian_weights,
    stepped_weights,
    two_stage_fca,
    two_stage_fca_pairs,
)


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


@pytest.mark.parametrize("seed", [5, 6])
@pytest.mark.parametrize("weights", [None, stepped_weights, gaussian_weights])
def test_catchment_pairs_equal_the_dense_path(seed: int, weights: object) -> None:
    """The national path (pairs inside the catchment, read by row blocks from a float32 matrix
    and a column subset) gives the dense path's access and ratios to 1e-12."""
    rng = np.random.default_rng(seed)
    n_c, n_s = 40_000, 12  # more rows than one block
    minutes = np.round(rng.uniform(1, 60, size=(n_c, n_s)), 1).astype(np.float32)
    minutes[rng.random(minutes.shape) < 0.2] = np.inf
    cols = np.array([0, 3, 4, 7, 11])
    pop = rng.integers(0, 50, n_c).astype(float)
    supply = rng.uniform(10, 200, len(cols))
    dense = np.asarray(minutes[:, cols], dtype=np.float64)
    want_a, want_r = two_stage_fca(dense, pop, supply, 20.0, weights=weights)  # type: ignore[arg-type]
    cell, col, w = catchment_pairs(minutes, cols, 20.0, weights)  # type: ignore[arg-type]
    assert len(cell) == int((dense <= 20.0).sum())
    got_a, got_r = two_stage_fca_pairs(cell, col, w, pop, supply)
    assert np.allclose(got_r, want_r, rtol=1e-12, atol=0)
    assert np.allclose(got_a, want_a, rtol=1e-12, atol=0)
    assert (want_a > 0).sum() > 10_000
