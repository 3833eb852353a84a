"""region.gpkg read as stored: SQLite types checked, broken files named, never a traceback."""

from __future__ import annotations

import math
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import shapely
from typer.testing import CliRunner

from palveluverkko import write_region
from palveluverkko.cli import app
from palveluverkko.errors import ValidationError
from palveluverkko.region import read_region, validate_package
from palveluverkko.region.examples import tiny_region

runner = CliRunner()


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """The tiny region as a package on disk."""
    return write_region(tiny_region(), tmp_path / "tiny")


def _geometry(blob: bytes) -> shapely.Geometry:
    """The geometry of a GeoPackage blob (header, optional envelope, then WKB)."""
    envelope = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[(blob[3] >> 1) & 0b111]
    return shapely.from_wkb(bytes(blob[8 + envelope :]))


def store(package: Path, statement: str, *params: object) -> None:
    """Change region.gpkg in plain SQLite, as a user's database tool would. GDAL's R-tree
    triggers call ST_* functions, given here from shapely."""
    with closing(sqlite3.connect(package / "region.gpkg")) as con:
        con.create_function("ST_IsEmpty", 1, lambda blob: int(_geometry(blob).is_empty))
        for k, name in enumerate(("ST_MinX", "ST_MinY", "ST_MaxX", "ST_MaxY")):
            con.create_function(name, 1, lambda blob, k=k: float(_geometry(blob).bounds[k]))
        con.execute(statement, params)
        con.commit()


def messages(package: Path) -> list[str]:
    return [str(p) for p in validate_package(package) if p.severity == "error"]


@pytest.mark.parametrize(
    ("statement", "params", "expected"),
    [
        (
            "UPDATE population SET pop_18_64 = ? WHERE cell_id = 'c2'",
            ("many",),
            "population.pop_18_64 [row c2]: found 'many', expected a number (whole)",
        ),
        (
            "UPDATE population SET pop_0_6 = ? WHERE cell_id = 'c1'",
            (2.5,),
            "population.pop_0_6 [row c1]: found 2.5, expected a whole number",
        ),
        (
            "UPDATE services SET rate_18_64 = ? WHERE service = 'vastaanotto'",
            ("high",),
            "services.rate_18_64 [row vastaanotto]: found 'high', expected a number",
        ),
        (
            "UPDATE site_services SET capacity_per_week = ? WHERE rowid = 1",
            (math.inf,),
            "site_services.capacity_per_week [row #0]: found inf, expected a finite number",
        ),
        (
            "UPDATE sites SET annual_cost_eur = ? WHERE site_id = 's1'",
            ("lots",),
            "sites.annual_cost_eur [row s1]: found 'lots', expected a number",
        ),
        (
            "UPDATE sites SET lease_end = ? WHERE site_id = 's2'",
            ("tomorrow",),
            "sites.lease_end [row s2]: found 'tomorrow', expected a date",
        ),
        (
            "UPDATE population SET pop_75_84 = ? WHERE cell_id = 'c0'",
            (b"\x00",),
            "population.pop_75_84 [row c0]: found binary data (an SQLite BLOB)",
        ),
        (
            "UPDATE population SET pop_65_74 = ? WHERE cell_id = 'c3'",
            (1_000_000_000,),
            "above the limit of 1 000 000",
        ),
    ],
)
def test_stored_values_are_checked_as_stored(
    package: Path, statement: str, params: tuple[object, ...], expected: str
) -> None:
    """Text, fractions, BLOBs, inf and absurd magnitudes stored in SQLite are named errors."""
    store(package, statement, *params)
    found = messages(package)
    assert any(expected in m for m in found), found
    with pytest.raises(ValidationError):
        read_region(package)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "is empty (0 bytes)"),
        (b"\x93\x11random bytes" * 50, "does not start with the SQLite header"),
        (None, "is damaged"),  # the first half of the real file
    ],
)
def test_broken_geopackage_is_named(package: Path, content: bytes | None, expected: str) -> None:
    """Empty, random and truncated region.gpkg: exit 2 naming the file, from validate and
    read_region alike."""
    gpkg = package / "region.gpkg"
    data = gpkg.read_bytes()
    gpkg.write_bytes(content if content is not None else data[: len(data) // 2])
    result = runner.invoke(app, ["validate", str(package)])
    assert result.exit_code == 2
    assert "region.gpkg" in result.output
    assert expected in result.output
    with pytest.raises(ValidationError, match=r"region\.gpkg"):
        read_region(package)


def test_empty_municipalities_layer(package: Path) -> None:
    """A municipalities layer without rows is an error, not a KeyError later."""
    store(package, "DELETE FROM municipalities")
    assert any("municipalities: the municipalities layer is empty" in m for m in messages(package))


def test_extra_columns_are_kept_with_their_type(package: Path) -> None:
    """Columns the format does not define are read by pyogrio and kept as they are."""
    store(package, "ALTER TABLE sites ADD COLUMN note_count INTEGER")
    store(package, "UPDATE sites SET note_count = 3")
    sites = read_region(package).sites
    assert sites["note_count"].tolist() == [3, 3, 3]
