"""The demo county: sizes, structure and invariants promised by issue 2 item 4."""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.spatial import cKDTree

from palveluverkko.demand.catalogue import default_services
from palveluverkko.demo import demo_region
from palveluverkko.network import travel_times
from palveluverkko.region import Region, read_region, validate, write_region
from palveluverkko.region.schema import AGE_BANDS, POPULATION_COLUMNS, SITE_KINDS

POP = list(POPULATION_COLUMNS)


def _layer_digest(region: Region) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in (
        "municipalities",
        "population",
        "sites",
        "site_services",
        "services",
        "projection",
        "roads",
        "water",
    ):
        frame = getattr(region, name)
        data = pd.util.hash_pandas_object(
            frame.drop(columns="geometry", errors="ignore"), index=True
        ).to_numpy()
        h = hashlib.sha256(data.tobytes())
        if "geometry" in frame.columns:
            h.update(b"".join(shapely.to_wkb(frame.geometry.to_numpy())))
        out[name] = h.hexdigest()
    out["gtfs"] = region.gtfs[0].digest
    return out


def test_validates_without_problems(demo: Region) -> None:
    """validate() finds neither errors nor warnings in the demo county."""
    assert validate(demo) == []


def test_sizes(demo: Region) -> None:
    """>= 250 000 residents, >= 20 municipalities, >= 15 000 cells, >= 50 sites, synthetic meta."""
    assert demo.total_population >= 250_000
    assert len(demo.municipalities) >= 20
    assert len(demo.population) >= 15_000
    assert len(demo.sites) >= 50
    assert demo.meta.synthetic
    assert "SYNTHETIC" in demo.meta.description
    assert demo.base_year == 2024
    assert demo.crs == "EPSG:3067"


def test_municipality_structure(demo: Region) -> None:
    """One city of about 140 000, a few towns of 5-20 000 and many small rural municipalities."""
    totals = demo.population.groupby("municipality")[POP].sum().sum(axis=1).sort_values()
    assert 130_000 <= totals.iloc[-1] <= 150_000
    assert ((totals >= 5_000) & (totals <= 20_000)).sum() >= 3
    assert (totals < 5_000).sum() >= 8
    codes = demo.municipalities["code"]
    assert codes.str.fullmatch(r"9[5-7]\d").all()


def test_age_structure(demo: Region) -> None:
    """75+ share is 8-16 % in every municipality and the city is younger than the countryside."""
    by = demo.population.groupby("municipality")[POP].sum()
    share = (by["pop_75_84"] + by["pop_85_plus"]) / by.sum(axis=1)
    assert share.between(0.08, 0.16).all(), share
    city = share.loc["950"]
    assert city < share.drop("950").min()


def test_cells_on_land_in_their_municipality(demo: Region) -> None:
    """No cell lies in a lake; every cell's municipality is the polygon that holds it."""
    pts = demo.population.geometry.to_numpy()
    assert demo.water is not None
    water = shapely.union_all(demo.water.geometry.to_numpy())
    assert not shapely.intersects(water, pts).any()
    for code, poly in zip(demo.municipalities.code, demo.municipalities.geometry, strict=True):
        mine = (demo.population.municipality == code).to_numpy()
        assert shapely.contains(poly, pts[mine]).all(), code
    assert demo.population.cell_id.is_unique
    xy = demo.cell_points()
    # centres of a 250 m grid: all offsets from the first cell are multiples of 250 m
    np.testing.assert_allclose(np.mod(xy - xy[0], 250.0), 0.0, atol=1e-6)


def test_broadband(demo: Region) -> None:
    """About 71 % of residents reach 100 Mbit/s; the countryside less than the city."""
    pop = demo.population
    total = pop[POP].sum(axis=1)
    fast = pop.broadband_mbps >= 100
    assert abs(total[fast].sum() / total.sum() - 0.71) < 0.01
    by = pd.DataFrame({"t": total, "f": total * fast, "s": pop.settlement}).groupby("s").sum()
    rate = by.f / by.t
    assert rate["rural"] < rate["town"] < rate["city"]


def _road_graph(demo: Region, *, with_ferry: bool = True) -> nx.Graph:
    roads = demo.roads
    assert roads is not None
    if not with_ferry:
        roads = roads[roads.road_class != "ferry"]
    g = nx.Graph()
    for line in roads.geometry.to_numpy():
        coords = [tuple(c) for c in shapely.get_coordinates(line)]
        g.add_edges_from(itertools.pairwise(coords))
    return g


def test_roads_hierarchy_and_size(demo: Region) -> None:
    """>= 100 000 directed edges in all road classes of the issue, with speeds."""
    roads = demo.roads
    assert roads is not None
    n_segments = int((shapely.get_num_coordinates(roads.geometry.to_numpy()) - 1).sum())
    directed = n_segments * np.where(roads.oneway.to_numpy(), 1, 2)
    assert 2 * n_segments == directed.sum() or directed.sum() >= 100_000
    assert directed.sum() >= 100_000
    classes = set(roads.road_class)
    assert {
        "motorway",
        "trunk",
        "primary",
        "secondary",
        "tertiary",
        "unclassified",
        "residential",
        "ferry",
    } == classes
    speed = roads.groupby("road_class").speed_kph.max()
    assert speed["motorway"] > speed["trunk"] > speed["secondary"] > speed["residential"]
    ferry = roads[roads.road_class == "ferry"]
    assert len(ferry) == 1
    assert ferry.ferry_wait_min.notna().all()
    assert roads.loc[roads.road_class != "ferry", "ferry_wait_min"].isna().all()


def test_roads_avoid_lakes(demo: Region) -> None:
    """No road but the ferry touches a lake."""
    roads = demo.roads
    assert roads is not None
    assert demo.water is not None
    water = shapely.union_all(demo.water.geometry.to_numpy())
    wet = shapely.intersects(water, roads.geometry.to_numpy())
    assert set(roads.road_class[wet]) == {"ferry"}


def test_roads_connected_and_island_only_by_ferry(demo: Region) -> None:
    """Roads form one network through shared end points; without the ferry the island is apart."""
    assert nx.number_connected_components(_road_graph(demo)) == 1
    parts = list(nx.connected_components(_road_graph(demo, with_ferry=False)))
    assert len(parts) == 2
    small = min(parts, key=len)
    island_cells = demo.population[demo.population.island]
    assert island_cells[POP].to_numpy().sum() > 0
    vertices = np.array([v for part in parts for v in part])
    on_small = np.array([v in small for part in parts for v in part])
    _, nearest = cKDTree(vertices).query(shapely.get_coordinates(island_cells.geometry))
    assert on_small[nearest].all()  # island cells lie by island roads
    mainland = demo.population[~demo.population.island]
    _, nearest = cKDTree(vertices).query(shapely.get_coordinates(mainland.geometry))
    assert not on_small[nearest].any()


@pytest.mark.slow
def test_every_cell_reaches_every_site(demo: Region) -> None:
    """By car and on foot every cell reaches every site; by car the island waits for the ferry."""
    walk = travel_times(demo, "walk", use_cache=False)  # the motorway is closed to walkers
    assert np.isfinite(walk.minutes).all()
    tt = travel_times(demo, "car", use_cache=False)
    assert np.isfinite(tt.minutes).all()
    nearest = tt.minutes.min(axis=1)
    island = demo.population.island.to_numpy()
    assert nearest[island].min() > nearest[~island].mean()


def test_sites(demo: Region) -> None:
    """Kinds, one 24-hour hospital in the city, vastaanotto in every municipality, 3 worst sites."""
    sites, links = demo.sites, demo.site_services
    assert set(sites.kind) <= set(SITE_KINDS)
    hospital = sites[sites.kind == "sairaala_24h"]
    assert len(hospital) == 1
    assert hospital.municipality.iloc[0] == "950"
    paivystys = links[links.service == "paivystys"].site_id
    assert set(paivystys) == set(hospital.site_id)
    offering = sites[sites.site_id.isin(links[links.service == "vastaanotto"].site_id)]
    assert set(offering.municipality) == set(demo.municipalities.code)
    assert (sites.condition == 1).sum() == 3
    assert sites.condition.between(1, 5).all()
    assert sites.lease_end.isna().any()
    assert sites.lease_end.notna().any()
    need = sites.investment_need_eur / sites.floor_area_m2
    assert need.groupby(sites.condition).mean().is_monotonic_decreasing
    assert (links.capacity_per_week > 0).all()
    assert (links.staff_fte > 0).all()
    assert set(links.service) == set(default_services().service)


def test_capacity_mostly_adequate(demo: Region) -> None:
    """Total weekly capacity of each service exceeds its weekly physical demand by at most 40 %."""
    services = demo.services.set_index("service")
    residents = demo.population[POP].sum().to_numpy(dtype=float)
    for service, row in services.iterrows():
        rates = row[[f"rate_{b}" for b in AGE_BANDS]].to_numpy(dtype=float)
        physical = 1.0 if service == "kotihoito" else 1.0 - row.digital_share - row.mobile_share
        weekly = residents @ rates * physical / 52
        capacity = demo.site_services.loc[
            demo.site_services.service == service, "capacity_per_week"
        ].sum()
        assert 1.0 < capacity / weekly < 1.4, service


def test_projection_ages(demo: Region) -> None:
    """2025..2030 for every municipality and band; every municipality's 75+ share rises."""
    proj = demo.projection
    assert proj is not None
    assert len(proj) == len(demo.municipalities) * 6 * len(AGE_BANDS)
    assert set(proj.year) == set(range(2025, 2031))
    f2030 = proj[proj.year == 2030].pivot(index="municipality", columns="band", values="factor")
    by = demo.population.groupby("municipality")[POP].sum()
    by.columns = list(AGE_BANDS)
    now = (by["75_84"] + by["85_plus"]) / by.sum(axis=1)
    later_by = by * f2030[list(AGE_BANDS)]
    later = (later_by["75_84"] + later_by["85_plus"]) / later_by.sum(axis=1)
    assert (later > now).all()


@pytest.mark.slow
def test_deterministic(demo: Region) -> None:
    """The same seed gives identical layers and GTFS bytes; another seed a different county."""
    again = demo_region(0)
    assert _layer_digest(again) == _layer_digest(demo)
    other = demo_region(1)
    assert _layer_digest(other)["population"] != _layer_digest(demo)["population"]
    assert validate(other) == []


def test_write_read_round_trip(demo: Region, tmp_path: Path) -> None:
    """write_region then read_region keeps every layer, the feed and the synthetic flag."""
    back = read_region(write_region(demo, tmp_path / "demo"))
    assert back.meta.synthetic
    assert back.gtfs[0].data == demo.gtfs[0].data
    assert back.total_population == demo.total_population
    pd.testing.assert_frame_equal(
        back.population[["cell_id", "municipality", *POP]].reset_index(drop=True),
        demo.population[["cell_id", "municipality", *POP]].reset_index(drop=True),
        check_dtype=False,
    )
    assert len(back.roads) == len(demo.roads)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(
        back.site_services.reset_index(drop=True),
        demo.site_services.reset_index(drop=True),
        check_dtype=False,
    )
    assert (back.sites.condition.to_numpy() == demo.sites.condition.to_numpy()).all()


def test_a_few_sites_overloaded(demo: Region) -> None:
    """Allocating appointments to the nearest site (straight line) overloads a few sites only."""
    row = demo.services.set_index("service").loc["vastaanotto"]
    rates = row[[f"rate_{b}" for b in AGE_BANDS]].to_numpy(dtype=float)
    weekly = demo.population[POP].to_numpy(dtype=float) @ rates * (1 - row.digital_share) / 52
    links = demo.site_services[demo.site_services.service == "vastaanotto"]
    sites = demo.sites.set_index("site_id").loc[links.site_id]
    xy = shapely.get_coordinates(sites.geometry.to_numpy())
    _, nearest = cKDTree(xy).query(demo.cell_points())
    load = np.bincount(nearest, weights=weekly, minlength=len(links))
    ratio = load / links.capacity_per_week.to_numpy()
    assert 1 <= (ratio > 1).sum() <= len(links) // 3


def test_motorway_meets_local_roads_only_at_interchanges(demo: Region) -> None:
    """The motorway shares few vertices (interchanges, 4-8 km apart) with the other roads."""
    roads = demo.roads
    assert roads is not None
    is_mw = (roads.road_class == "motorway").to_numpy()
    mw = {tuple(c) for c in shapely.get_coordinates(roads.geometry.to_numpy()[is_mw])}
    other = {tuple(c) for c in shapely.get_coordinates(roads.geometry.to_numpy()[~is_mw])}
    shared = mw & other
    length_km = shapely.length(roads.geometry.to_numpy()[is_mw]).sum() / 1000
    assert 2 <= len(shared) <= length_km / 3
