"""The national test case: deterministic, residents conserved, sites and road grid as stated."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from palveluverkko.demo.national import NationalCase, national_case
from palveluverkko.errors import InputError
from palveluverkko.region.schema import POPULATION_COLUMNS


@pytest.fixture(scope="module")
def small(shared_data: Path) -> NationalCase:
    """A reduced national case (20,000 cells, 400 sites) built once for this module."""
    return national_case(3, data_dir=shared_data, n_cells=20_000, n_sites=400)


def test_residents_of_every_municipality_are_kept(small: NationalCase) -> None:
    """Every resident Paavo places in a 2023 municipality is in some cell, band by band."""
    pop = small.region.population
    placed = int(pop[list(POPULATION_COLUMNS)].to_numpy(np.int64).sum())
    assert placed == small.counts["residents_placed"]
    # the source total minus the areas without a polygon (their residents are reported lost)
    assert 0 <= small.counts["paavo_residents_in_2023_municipalities"] - placed < 100
    assert (pop[list(POPULATION_COLUMNS)].sum(axis=1) > 0).all()
    assert pop["cell_id"].is_unique


def test_cells_sites_and_grid_have_the_requested_sizes(small: NationalCase) -> None:
    """About the requested cells, exactly the requested sites, one per municipality at least."""
    assert 0.9 * 20_000 <= len(small.region.population) <= 1.01 * 20_000
    sites = small.region.sites
    assert len(sites) == 400
    assert sites["site_id"].is_unique
    populated = set(small.region.population["municipality"])
    assert populated <= set(sites["municipality"])
    net = small.network
    assert net.n_edges > 3 * net.n_nodes  # a grid: about four directed edges per node
    assert small.counts["grid_components"] >= 1


def test_same_seed_same_case(small: NationalCase, shared_data: Path) -> None:
    """The same seed gives the same cells and sites; another seed other cells."""
    again = national_case(3, data_dir=shared_data, n_cells=20_000, n_sites=400)
    assert again.region.population["cell_id"].tolist() == (
        small.region.population["cell_id"].tolist()
    )
    assert np.array_equal(again.site_xy(), small.site_xy())
    other = national_case(4, data_dir=shared_data, n_cells=20_000, n_sites=400)
    assert other.region.population["cell_id"].tolist() != (
        small.region.population["cell_id"].tolist()
    )


def test_missing_data_folder_names_the_files(tmp_path: Path) -> None:
    """Without the open data the error names the missing files and the fix."""
    with pytest.raises(InputError, match=r"open-data files not found.*data_dir="):
        national_case(data_dir=tmp_path)
