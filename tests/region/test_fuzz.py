"""Fuzz: corrupted copies of a small demo county through ``validate`` and ``evaluate`` (issue 16).

Each case of :mod:`fuzz_cases` changes a copy of a two-municipality crop of the demo county (with
its GTFS feed) and runs both commands through typer's CliRunner. Asserted for every case: exit 0
or 2, never 1 and never a traceback; exit 2 names the layer or file; a package that validates
without a road-network warning evaluates; exit 0 gives results that conserve residents and
contacts; the process stays under :data:`MEMORY_LIMIT_BYTES` of data (an allocation beyond it
fails the case instead of exhausting the machine). The cases marked ``fast`` run in the suite
(``make test``, CI); the rest are marked slow and run from ``benchmarks/bench_fuzz.py`` (which
also times both), or here with ``PALVELUVERKKO_FUZZ_ALL=1``.
"""

from __future__ import annotations

import importlib.util
import io
import os
import resource
import shutil
import sqlite3
import sys
import zipfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from typer.testing import CliRunner, Result

from palveluverkko.cli import app
from palveluverkko.demo import demo_region
from palveluverkko.region import GtfsFeed, Region, write_region
from palveluverkko.region.schema import POPULATION_COLUMNS

_spec = importlib.util.spec_from_file_location(
    "fuzz_cases", Path(__file__).with_name("fuzz_cases.py")
)
assert _spec is not None
assert _spec.loader is not None
fuzz_cases = importlib.util.module_from_spec(_spec)
sys.modules["fuzz_cases"] = fuzz_cases
_spec.loader.exec_module(fuzz_cases)

SEED = 16
CODES = ("963", "964")  # two small municipalities of the demo county: 1,041 cells, 3 sites
MEMORY_LIMIT_BYTES = 3 * 2**30  # data beyond what the process holds when the case starts

CASES = fuzz_cases.cases(SEED)
runner = CliRunner()


def crop(region: Region, codes: tuple[str, ...]) -> Region:
    """The region cut to ``codes`` (roads within 3 km of their bounding box; the GTFS kept)."""
    munis = region.municipalities.loc[region.municipalities["code"].isin(codes)]
    box = shapely.box(*munis.total_bounds).buffer(3_000)
    sites = region.sites.loc[region.sites["municipality"].isin(codes)]
    assert region.roads is not None
    assert region.water is not None
    assert region.projection is not None

    def keep(frame: pd.DataFrame, mask: object) -> pd.DataFrame:
        return frame.loc[mask].reset_index(drop=True)  # type: ignore[index]

    return region.replace(
        gtfs=tuple(GtfsFeed(f.name, crop_feed(f.data, box)) for f in region.gtfs),
        municipalities=keep(munis, slice(None)),
        population=keep(region.population, region.population["municipality"].isin(codes)),
        sites=keep(sites, slice(None)),
        site_services=keep(
            region.site_services, region.site_services["site_id"].isin(sites["site_id"])
        ),
        projection=keep(region.projection, region.projection["municipality"].isin(codes)),
        roads=keep(region.roads, region.roads.intersects(box)),
        water=keep(region.water, region.water.intersects(box)),
    )


def crop_feed(data: bytes, box: shapely.Polygon) -> bytes:
    """The feed cut to ``box`` (EPSG:3067): trips keep their stops inside it (two at least)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        tables = {n: pd.read_csv(zf.open(n), dtype=str) for n in zf.namelist()}
    stops, st = tables["stops.txt"], tables["stop_times.txt"]
    x, y = pyproj.Transformer.from_crs(4326, 3067, always_xy=True).transform(
        stops["stop_lon"].astype(float).to_numpy(), stops["stop_lat"].astype(float).to_numpy()
    )
    inside = set(stops.loc[shapely.contains_xy(box, x, y), "stop_id"])
    st = st.loc[st["stop_id"].isin(inside)]  # trips cut to their stops inside the box
    counts = st["trip_id"].value_counts()
    trips = set(counts.index[counts >= 2])
    st = st.loc[st["trip_id"].isin(trips)]
    tables["stop_times.txt"] = st
    tables["stops.txt"] = stops.loc[stops["stop_id"].isin(set(st["stop_id"]))]
    tables["trips.txt"] = tables["trips.txt"].loc[tables["trips.txt"]["trip_id"].isin(trips)]
    tables.pop("shapes.txt", None)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, frame in tables.items():
            zf.writestr(name, frame.to_csv(index=False))
    return buf.getvalue()


@pytest.fixture(scope="session")
def base_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The cropped demo county written once per session."""
    return write_region(crop(demo_region(0), CODES), tmp_path_factory.mktemp("fuzz") / "base")


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One travel-time cache for every case (matrices of unchanged inputs are reused)."""
    return tmp_path_factory.mktemp("fuzz-cache")


@contextmanager
def bounded_memory(extra: int) -> Iterator[None]:
    """Limit the process's data segment to what it holds now plus ``extra`` bytes."""
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[5])  # data + stack, in pages
    limit = pages * resource.getpagesize() + extra
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))


def assert_clean(result: Result, what: str) -> None:
    """Exit 0 or 2, no exception other than the exit itself, no traceback in the output."""
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), (
        f"{what}: {type(exc).__name__}: {exc}\n{result.output}"
    )
    assert result.exit_code in (0, 2), f"{what}: exit {result.exit_code}\n{result.output}"
    assert "Traceback" not in result.output, f"{what}: traceback\n{result.output}"


def residents_stored(pkg: Path) -> float:
    """Residents of the package counted in SQLite (independent of the reader under test)."""
    total = " + ".join(f'"{c}"' for c in POPULATION_COLUMNS)
    with closing(sqlite3.connect(pkg / "region.gpkg")) as con:
        (value,) = con.execute(f"SELECT SUM({total}) FROM population").fetchone()
    return float(value)


def assert_conserved(out: Path, pkg: Path) -> None:
    """Residents and contacts add up in the written results."""
    residents = residents_stored(pkg)
    summary = pd.read_csv(out / "summary.csv")
    for column in ("residents", "total_per_year", "physical_per_year", "digital_per_year"):
        assert np.isfinite(summary[column].to_numpy(dtype=float)).all(), column
    np.testing.assert_allclose(summary["residents"], residents, rtol=0, atol=0.5)
    parts = summary[["physical_per_year", "digital_per_year", "home_per_year", "mobile_per_year"]]
    np.testing.assert_allclose(parts.sum(axis=1), summary["total_per_year"], rtol=1e-9, atol=1e-6)
    cells = pd.read_parquet(
        out / "cells.parquet", columns=["service", "residents", "contacts_per_year"]
    )
    by_service = cells.groupby("service", sort=False)[["residents", "contacts_per_year"]].sum()
    np.testing.assert_allclose(by_service["residents"], residents, rtol=0, atol=0.5)
    totals = summary.set_index("service")["total_per_year"].reindex(by_service.index)
    np.testing.assert_allclose(by_service["contacts_per_year"], totals, rtol=1e-9, atol=1e-6)


def fill(text: str, pkg: Path) -> str:
    """A scenario text with ``@SITE@``, ``@MUNI@``, ``@X@``, ``@Y@`` of the package's first site."""
    with closing(sqlite3.connect(pkg / "region.gpkg")) as con:
        site, muni = con.execute("SELECT site_id, municipality FROM sites LIMIT 1").fetchone()
        minx, maxx, miny, maxy = con.execute(
            "SELECT minx, maxx, miny, maxy FROM rtree_sites_geom LIMIT 1"
        ).fetchone()
    return (
        text.replace("@SITE@", site)
        .replace("@MUNI@", muni)
        .replace("@X@", repr((minx + maxx) / 2 + 500))
        .replace("@Y@", repr((miny + maxy) / 2))
    )


def invoke_case(
    case: fuzz_cases.Case, base: Path, cache: Path, tmp: Path
) -> tuple[Result, Result, Path, Path]:
    """Copy the base package, corrupt it, run ``validate`` and ``evaluate`` under the memory
    bound; return both results, the package and the output folder."""
    pkg = tmp / "pkg"
    shutil.copytree(base, pkg, symlinks=True)
    case.apply(pkg, np.random.default_rng([SEED, CASES.index(case)]))
    out = tmp / "out"
    args = ["evaluate", str(pkg), "--out", str(out), "--cache-dir", str(cache), "--no-excel"]
    if case.scenario is not None or case.scenario_bytes is not None:
        scenario = tmp / "scenario.toml"
        if case.scenario_bytes is not None:
            scenario.write_bytes(case.scenario_bytes)
        else:
            assert case.scenario is not None
            scenario.write_text(fill(case.scenario, base), "utf-8")
        args += ["--scenario", str(scenario)]
    with bounded_memory(MEMORY_LIMIT_BYTES):
        validated = runner.invoke(app, ["validate", str(pkg)])
        evaluated = runner.invoke(app, args)
    return validated, evaluated, pkg, out


def check_case(
    case: fuzz_cases.Case, validated: Result, evaluated: Result, pkg: Path, out: Path
) -> None:
    """The assertions of the module docstring (AssertionError names the first that fails)."""
    assert_clean(validated, "validate")
    assert_clean(evaluated, "evaluate")
    if case.scenario is None and case.scenario_bytes is None:
        if case.expect == "invalid":
            assert validated.exit_code == 2, f"validate accepted it:\n{validated.output}"
        if validated.exit_code == 2:
            assert any(n in validated.output for n in case.names), validated.output
        if validated.exit_code == 0 and "no road network" not in validated.output:
            assert evaluated.exit_code == 0, f"validated, but:\n{evaluated.output}"
    if case.expect == "valid":
        assert evaluated.exit_code == 0, evaluated.output
    if case.scenario is not None and case.expect == "invalid":
        assert evaluated.exit_code == 2, f"evaluate accepted it:\n{evaluated.output}"
    if evaluated.exit_code == 2:
        assert any(n in evaluated.output for n in case.names) or not case.names, evaluated.output
    else:
        assert_conserved(out, pkg)


def run_case(case: fuzz_cases.Case, base: Path, cache: Path, tmp: Path) -> None:
    check_case(case, *invoke_case(case, base, cache, tmp))


def _params(cases: list[fuzz_cases.Case]) -> list[object]:
    out = []
    for case in cases:
        marks = []
        if case.xfail:
            marks.append(pytest.mark.xfail(strict=True, reason=case.xfail))
        if not case.fast:
            marks.append(pytest.mark.slow)
        out.append(pytest.param(case, id=case.id, marks=marks))
    return out


@pytest.mark.parametrize(
    "case", _params([c for c in CASES if c.fast or os.environ.get("PALVELUVERKKO_FUZZ_ALL")])
)
def test_corrupted_package(
    case: fuzz_cases.Case, base_package: Path, cache_dir: Path, tmp_path: Path
) -> None:
    """A corrupted package exits 2 naming what is wrong, or 0 with conserved results."""
    run_case(case, base_package, cache_dir, tmp_path)


def test_the_generator_is_seeded_and_large() -> None:
    """The same seed gives the same cases, and there are at least 100 in the suite."""
    assert [c.id for c in fuzz_cases.cases(SEED)] == [c.id for c in CASES]
    assert sum(c.fast for c in CASES) >= 100
    assert len({c.id for c in CASES}) == len(CASES)
