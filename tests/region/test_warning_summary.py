"""Validation warnings reach the user once, summarised by kind with a count; each one is in the
log (--verbose) and in `palveluverkko validate`."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import pytest

from palveluverkko.errors import DataWarning, Problem
from palveluverkko.region import read_region, write_region
from palveluverkko.region.examples import tiny_region
from palveluverkko.region.io import summarise_warnings


def _problems() -> list[Problem]:
    far = "the site lies outside every municipality polygon"
    return [
        *(Problem("warning", "sites", "geometry", f"s{i}", far, "check its CRS") for i in range(3)),
        Problem("warning", "population", "broadband_mbps", "c1", "broadband 0 Mbit/s", ""),
    ]


def test_summary_counts_each_kind_and_says_how_to_see_all() -> None:
    """Three site warnings and one population warning become one text of two kinds."""
    text = summarise_warnings("kk", _problems())
    assert text.startswith("region package kk: 4 warning(s) of 2 kind(s): 3 × sites.geometry")
    assert "1 × population.broadband_mbps (e.g. broadband 0 Mbit/s)" in text
    assert text.endswith("See each one with: palveluverkko validate kk (or --verbose)")
    assert text.count("outside every municipality") == 1


def test_read_region_warns_once_and_logs_each_at_info(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Sites moved far away: one DataWarning for all of them, one INFO log line each."""
    region = tiny_region()
    sites = region.sites.copy()
    sites["geometry"] = sites.geometry.translate(500_000, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        package = write_region(region.replace(sites=sites), tmp_path / "far")
    with caplog.at_level(logging.INFO), pytest.warns(DataWarning) as caught:
        read_region(package)
    summaries = [str(w.message) for w in caught if "warning(s) of" in str(w.message)]
    assert len(summaries) == 1
    assert "3 × sites.geometry" in summaries[0]
    logged = [r for r in caplog.records if "outside every municipality" in r.getMessage()]
    assert len(logged) == 3
    assert {r.levelno for r in logged} == {logging.INFO}
