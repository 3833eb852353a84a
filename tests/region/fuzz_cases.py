"""Corruptions of a region package for the fuzz test (issue 16): each a seeded change in place.

A :class:`Case` changes a copy of a valid package (its ``region.gpkg`` through SQLite, so that the
stored type is what a user's tool left; its ``region.toml``; its GTFS zip; or a scenario file) and
says what must follow: ``invalid`` (exit 2, the message naming one of ``names``), ``valid``
(exit 0, results that conserve residents and contacts) or ``either`` (plausible but suspicious:
exit 0 with a warning, or exit 2 naming it). :func:`cases` draws them with a seeded generator:
every kind once, then more draws of the kinds whose row or value is random.
"""

from __future__ import annotations

import dataclasses
import io
import math
import os
import sqlite3
import warnings
import zipfile
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyogrio
import shapely

Apply = Callable[[Path, np.random.Generator], None]


@dataclass(frozen=True)
class Case:
    """One corruption: its id, what it does, the expected outcome and the names a message needs."""

    id: str
    apply: Apply
    expect: str  # "invalid", "valid" or "either"
    names: tuple[str, ...] = ()
    scenario: str | None = None  # TOML text of a scenario to evaluate, or None for today's network
    scenario_bytes: bytes | None = None
    xfail: str = ""  # why the case fails today (a change outside this branch's modules)
    fast: bool = True  # run in the test suite (else marked slow, run by benchmarks/bench_fuzz.py)


# ------------------------------------------------------------------------------ primitives


def gpkg(pkg: Path) -> Path:
    return pkg / "region.gpkg"


def connect(pkg: Path) -> sqlite3.Connection:
    """The package's GeoPackage in plain SQLite; GDAL's R-tree triggers test ``ST_IsEmpty`` in
    their conditions, which only fire their bodies when a geometry or fid changes."""
    con = sqlite3.connect(gpkg(pkg))
    con.create_function("ST_IsEmpty", 1, lambda blob: int(_geometry(blob).is_empty))
    for k, name in enumerate(("ST_MinX", "ST_MinY", "ST_MaxX", "ST_MaxY")):
        con.create_function(name, 1, lambda blob, k=k: float(_geometry(blob).bounds[k]))
    return con


def _geometry(blob: bytes) -> shapely.Geometry:
    """The geometry of a GeoPackage blob (header, optional envelope, then WKB)."""
    flags = blob[3]
    envelope = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[(flags >> 1) & 0b111]
    return shapely.from_wkb(bytes(blob[8 + envelope :]))


def sql(pkg: Path, statement: str, params: tuple[object, ...] = ()) -> None:
    with closing(connect(pkg)) as con:
        con.execute(statement, params)
        con.commit()


def rowids(pkg: Path, layer: str) -> list[int]:
    with closing(sqlite3.connect(gpkg(pkg))) as con:
        return [int(r[0]) for r in con.execute(f'SELECT rowid FROM "{layer}" ORDER BY rowid')]


def set_value(layer: str, column: str, value: object, *, rows: str = "one") -> Apply:
    """Store ``value`` as is (SQLite keeps text as text in a number column) in one random row,
    or in every row."""

    def apply(pkg: Path, rng: np.random.Generator) -> None:
        if rows == "all":
            sql(pkg, f'UPDATE "{layer}" SET "{column}" = ?', (value,))
            return
        ids = rowids(pkg, layer)
        row = int(rng.choice(ids))
        sql(pkg, f'UPDATE "{layer}" SET "{column}" = ? WHERE rowid = ?', (value, row))

    return apply


def drop_column(layer: str, column: str) -> Apply:
    def apply(pkg: Path, rng: np.random.Generator) -> None:
        sql(pkg, f'ALTER TABLE "{layer}" DROP COLUMN "{column}"')

    return apply


def empty_layer(layer: str) -> Apply:
    def apply(pkg: Path, rng: np.random.Generator) -> None:
        sql(pkg, f'DELETE FROM "{layer}"')

    return apply


def drop_layer(layer: str) -> Apply:
    def apply(pkg: Path, rng: np.random.Generator) -> None:
        with closing(connect(pkg)) as con:
            con.execute(f'DROP TABLE "{layer}"')
            con.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (layer,))
            con.execute("DELETE FROM gpkg_geometry_columns WHERE table_name = ?", (layer,))
            con.commit()

    return apply


def duplicate_id(layer: str, column: str) -> Apply:
    def apply(pkg: Path, rng: np.random.Generator) -> None:
        ids = rowids(pkg, layer)
        a, b = rng.choice(ids, size=2, replace=False)
        sql(
            pkg,
            f'UPDATE "{layer}" SET "{column}" = (SELECT "{column}" FROM "{layer}" WHERE rowid = ?) '
            "WHERE rowid = ?",
            (int(a), int(b)),
        )

    return apply


def rewrite_layer(layer: str, change: Callable[..., object]) -> Apply:
    """Read a layer with pyogrio, change its frame in place, write it back (geometry changes)."""

    def apply(pkg: Path, rng: np.random.Generator) -> None:
        frame = pyogrio.read_dataframe(gpkg(pkg), layer=layer)
        out = change(frame, rng)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pyogrio.write_dataframe(out if out is not None else frame, gpkg(pkg), layer=layer)

    return apply


def write_file(name: str, data: bytes) -> Apply:
    def apply(pkg: Path, rng: np.random.Generator) -> None:
        (pkg / name).write_bytes(data)

    return apply


def truncate(name: str, keep: float) -> Apply:
    def apply(pkg: Path, rng: np.random.Generator) -> None:
        path = pkg / name
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * keep)])

    return apply


def random_bytes(name: str, size: int) -> Apply:
    def apply(pkg: Path, rng: np.random.Generator) -> None:
        (pkg / name).write_bytes(rng.bytes(size))

    return apply


def toml_replace(old: str, new: str) -> Apply:
    def apply(pkg: Path, rng: np.random.Generator) -> None:
        path = pkg / "region.toml"
        text = path.read_text("utf-8")
        assert old in text, f"{old!r} not in region.toml"
        path.write_text(text.replace(old, new, 1), "utf-8")

    return apply


def toml_append(text: str) -> Apply:
    def apply(pkg: Path, rng: np.random.Generator) -> None:
        path = pkg / "region.toml"
        path.write_text(path.read_text("utf-8") + "\n" + text + "\n", "utf-8")

    return apply


def toml_drop_table(name: str) -> Apply:
    """Remove ``[name]`` and its lines from region.toml."""

    def apply(pkg: Path, rng: np.random.Generator) -> None:
        path = pkg / "region.toml"
        out, skipping = [], False
        for line in path.read_text("utf-8").splitlines():
            if line.strip().startswith("["):
                skipping = line.strip() == f"[{name}]"
            if not skipping:
                out.append(line)
        path.write_text("\n".join(out) + "\n", "utf-8")

    return apply


def toml_drop_key(key: str) -> Apply:
    def apply(pkg: Path, rng: np.random.Generator) -> None:
        path = pkg / "region.toml"
        lines = path.read_text("utf-8").splitlines()
        path.write_text(
            "\n".join(line for line in lines if not line.startswith(f"{key} =")) + "\n", "utf-8"
        )

    return apply


def gtfs_path(pkg: Path) -> Path:
    return pkg / "gtfs" / "demo.zip"


def gtfs_change(change: Callable[[dict[str, bytes], np.random.Generator], None]) -> Apply:
    """Rewrite the feed's zip with its members changed by ``change`` (name -> bytes)."""

    def apply(pkg: Path, rng: np.random.Generator) -> None:
        path = gtfs_path(pkg)
        with zipfile.ZipFile(path) as zf:
            members = {n: zf.read(n) for n in zf.namelist()}
        change(members, rng)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in members.items():
                zf.writestr(name, data)
        path.write_bytes(buf.getvalue())

    return apply


def gtfs_drop(member: str) -> Apply:
    return gtfs_change(lambda m, rng: m.pop(member))


def gtfs_cell(member: str, column: str, value: str) -> Apply:
    """Set ``column`` of one random data line of ``member`` to ``value``."""

    def change(members: dict[str, bytes], rng: np.random.Generator) -> None:
        lines = members[member].decode("utf-8").splitlines()
        header = lines[0].split(",")
        k = header.index(column)
        i = int(rng.integers(1, len(lines)))
        fields = lines[i].split(",")
        fields[k] = value
        lines[i] = ",".join(fields)
        members[member] = ("\n".join(lines) + "\n").encode("utf-8")

    return gtfs_change(change)


def nothing(pkg: Path, rng: np.random.Generator) -> None:
    """Leave the package as it is (scenario cases)."""


def chain(*steps: Apply) -> Apply:
    def apply(pkg: Path, rng: np.random.Generator) -> None:
        for step in steps:
            step(pkg, rng)

    return apply


def symlink_out(key: str) -> Apply:
    """Point a side file at a file outside the package through a symbolic link."""

    def apply(pkg: Path, rng: np.random.Generator) -> None:
        outside = pkg.parent / "outside.zip"
        outside.write_bytes(gtfs_path(pkg).read_bytes())
        gtfs_path(pkg).unlink()
        os.symlink(outside, gtfs_path(pkg))

    return apply


def _bowtie(frame: object, rng: np.random.Generator) -> None:
    geo = frame.geometry  # type: ignore[attr-defined]
    minx, miny, maxx, maxy = geo.iloc[0].bounds
    frame.loc[0, "geometry"] = shapely.Polygon(  # type: ignore[attr-defined]
        [(minx, miny), (maxx, maxy), (maxx, miny), (minx, maxy), (minx, miny)]
    )


def _nan_point(frame: object, rng: np.random.Generator) -> None:
    frame.loc[int(rng.integers(len(frame))), "geometry"] = shapely.Point(math.nan, math.nan)  # type: ignore[arg-type, attr-defined]


def _null_geometry(frame: object, rng: np.random.Generator) -> None:
    frame.loc[int(rng.integers(len(frame))), "geometry"] = None  # type: ignore[arg-type, attr-defined]


def _degrees(frame: object, rng: np.random.Generator) -> None:
    frame["geometry"] = shapely.points(  # type: ignore[index]
        rng.uniform(24, 26, len(frame)),  # type: ignore[arg-type]
        rng.uniform(61, 63, len(frame)),  # type: ignore[arg-type]
    )


def _to_wgs84(frame: object, rng: np.random.Generator) -> object:
    return frame.to_crs("EPSG:4326")  # type: ignore[attr-defined]


def _polygon_sites(frame: object, rng: np.random.Generator) -> None:
    frame["geometry"] = frame.geometry.buffer(50)  # type: ignore[attr-defined, index]


def _extra_text_column(frame: object, rng: np.random.Generator) -> None:
    frame["note"] = "free text"  # type: ignore[index]


# ------------------------------------------------------------------------------ the catalogue

POP = "pop_18_64"
SCENARIO_OK = 'name = "Sama"\n'


def _kinds() -> list[Case]:
    """Every kind of corruption once (ids are stable; values random where the row is)."""
    k: list[Case] = []

    def add(id: str, apply: Apply, expect: str, *names: str, **extra: object) -> None:
        k.append(Case(id, apply, expect, names, **extra))  # type: ignore[arg-type]

    # stored types in the GeoPackage: text, fractions, NULL, non-finite, out of range
    for layer, column in (
        ("population", POP),
        ("population", "pop_85_plus"),
        ("services", "rate_18_64"),
        ("services", "digital_share"),
        ("services", "threshold_min"),
        ("services", "access_target_days"),
        ("site_services", "capacity_per_week"),
        ("site_services", "staff_fte"),
        ("sites", "annual_cost_eur"),
        ("sites", "investment_need_eur"),
        ("sites", "floor_area_m2"),
        ("sites", "condition"),
        ("roads", "speed_kph"),
        ("projection", "factor"),
        ("projection", "year"),
    ):
        add(f"text-{layer}.{column}", set_value(layer, column, "many"), "invalid", layer)
        add(f"inf-{layer}.{column}", set_value(layer, column, math.inf), "invalid", layer)
        add(f"neginf-{layer}.{column}", set_value(layer, column, -math.inf), "invalid", layer)
        add(f"blob-{layer}.{column}", set_value(layer, column, b"\x00\x01"), "invalid", layer)
    for layer, column in (
        ("population", POP),
        ("population", "pop_0_6"),
        ("sites", "condition"),
        ("projection", "year"),
    ):
        add(f"fraction-{layer}.{column}", set_value(layer, column, 2.5), "invalid", layer)
    for layer, column in (
        ("population", POP),
        ("services", "rate_65_74"),
        ("services", "threshold_min"),
        ("site_services", "capacity_per_week"),
        ("site_services", "staff_fte"),
        ("roads", "speed_kph"),
        ("roads", "road_class"),
        ("sites", "kind"),
        ("sites", "site_id"),
        ("population", "cell_id"),
        ("municipalities", "code"),
        ("services", "level"),
    ):
        add(f"null-{layer}.{column}", set_value(layer, column, None), "invalid", layer)
    for layer, column, value in (
        ("population", POP, -3),
        ("population", POP, 1_000_000_000),
        ("population", POP, 2_000_000),
        ("services", "rate_75_84", -1.0),
        ("services", "rate_75_84", 5_000.0),
        ("services", "digital_share", 1.5),
        ("services", "home_share", -0.1),
        ("services", "threshold_min", 0.0),
        ("services", "threshold_min", 100_000.0),
        ("services", "access_target_days", 0.0),
        ("services", "access_target_days", -7.0),
        ("services", "access_target_days", 5_000.0),
        ("site_services", "capacity_per_week", -10.0),
        ("site_services", "capacity_per_week", 5e7),
        ("site_services", "staff_fte", 1e6),
        ("sites", "annual_cost_eur", -5.0),
        ("sites", "annual_cost_eur", 1e11),
        ("sites", "investment_need_eur", 1e12),
        ("sites", "floor_area_m2", 5e7),
        ("sites", "condition", 7),
        ("sites", "condition", 0),
        ("sites", "lease_end", "tomorrow"),
        ("sites", "lease_end", "2027-13-45"),
        ("sites", "kind", "castle"),
        ("roads", "speed_kph", 0.0),
        ("roads", "speed_kph", -50.0),
        ("roads", "speed_kph", 1_000.0),
        ("roads", "oneway", "maybe"),
        ("roads", "oneway", 2),
        ("roads", "road_class", "hovercraft"),
        ("projection", "factor", -1.0),
        ("projection", "factor", 500.0),
        ("projection", "band", "100_plus"),
        ("projection", "year", 1800),
        ("population", "car_share", 2.0),
        ("population", "broadband_mbps", math.inf),
        ("population", "municipality", "999"),
        ("municipalities", "code", "abc"),
        ("site_services", "service", "astrology"),
        ("site_services", "site_id", "nowhere"),
        ("services", "level", "galactic"),
    ):
        add(f"value-{layer}.{column}={value}", set_value(layer, column, value), "invalid", layer)
    # plausible but suspicious: a warning, and the evaluation still runs
    for layer, column, value in (
        ("population", POP, 4_000),
        ("population", POP, 9_000),
        ("services", "rate_85_plus", 300.0),
        ("site_services", "capacity_per_week", 30_000.0),
        ("site_services", "capacity_per_week", 0.0),
        ("site_services", "staff_fte", 3_000.0),
        ("sites", "annual_cost_eur", 9e8),
        ("roads", "speed_kph", 150.0),
        ("projection", "factor", 4.0),
        ("services", "access_target_days", 400.0),
    ):
        add(f"plausible-{layer}.{column}={value}", set_value(layer, column, value), "either", layer)
    add(
        "plausible-capacity-1-a-week",
        set_value("site_services", "capacity_per_week", 1.0),
        "either",
        "site_services",
    )
    add(
        "capacity-below-one-a-week",
        set_value("site_services", "capacity_per_week", 0.01),
        "invalid",
        "site_services",
    )
    # references and ids
    add("duplicate-cell_id", duplicate_id("population", "cell_id"), "invalid", "population")
    add("duplicate-site_id", duplicate_id("sites", "site_id"), "invalid", "sites")
    add("duplicate-service", duplicate_id("services", "service"), "invalid", "services")
    # missing columns and layers, empty layers
    for layer, column in (
        ("population", "pop_0_6"),
        ("sites", "kind"),
        ("services", "threshold_min"),
        ("site_services", "capacity_per_week"),
        ("municipalities", "code"),
        ("roads", "speed_kph"),
    ):
        add(f"no-column-{layer}.{column}", drop_column(layer, column), "invalid", layer)
    for layer in ("municipalities", "population", "sites", "site_services", "services"):
        add(f"no-layer-{layer}", drop_layer(layer), "invalid", layer)
        add(f"empty-layer-{layer}", empty_layer(layer), "invalid", layer)
    add("empty-layer-roads", empty_layer("roads"), "either", "roads")
    add("no-layer-projection", drop_layer("projection"), "valid")
    add("no-layer-water", drop_layer("water"), "valid")
    # geometry
    add(
        "bowtie-municipality", rewrite_layer("municipalities", _bowtie), "invalid", "municipalities"
    )
    add("nan-point-site", rewrite_layer("sites", _nan_point), "invalid", "sites")
    add("nan-point-cell", rewrite_layer("population", _nan_point), "invalid", "population")
    add("null-geometry-site", rewrite_layer("sites", _null_geometry), "invalid", "sites")
    add("degrees-sites", rewrite_layer("sites", _degrees), "invalid", "sites")
    add("polygon-sites", rewrite_layer("sites", _polygon_sites), "invalid", "sites")
    add("sites-in-wgs84", rewrite_layer("sites", _to_wgs84), "valid")
    add("extra-text-column", rewrite_layer("sites", _extra_text_column), "valid")
    # broken region.gpkg
    add("gpkg-empty", write_file("region.gpkg", b""), "invalid", "region.gpkg")
    add("gpkg-truncated", truncate("region.gpkg", 0.5), "invalid", "region.gpkg")
    add("gpkg-header-only", truncate("region.gpkg", 0.0005), "invalid", "region.gpkg")
    add("gpkg-random", random_bytes("region.gpkg", 4096), "invalid", "region.gpkg")
    add("gpkg-text", write_file("region.gpkg", b"name,x\na,1\n"), "invalid", "region.gpkg")
    add("gpkg-missing", lambda p, r: gpkg(p).unlink(), "invalid", "region.gpkg")
    # region.toml
    add(
        "toml-not-utf8",
        write_file("region.toml", 'name = "Jyväskylä"\n'.encode("latin-1")),
        "invalid",
        "region.toml",
    )
    add("toml-syntax", toml_append("policy = [unclosed"), "invalid", "region.toml")
    add("toml-empty", write_file("region.toml", b""), "invalid", "region.toml")
    add("toml-no-crs", toml_drop_key("crs"), "invalid", "crs")
    add(
        "toml-geographic-crs",
        toml_replace('crs = "EPSG:3067"', 'crs = "EPSG:4326"'),
        "invalid",
        "crs",
    )
    add(
        "toml-unknown-crs",
        toml_replace('crs = "EPSG:3067"', 'crs = "EPSG:99999"'),
        "invalid",
        "crs",
    )
    add(
        "toml-unknown-top-key",
        toml_replace("base_year =", "nmae = 1\nbase_year ="),
        "invalid",
        "nmae",
    )
    add(
        "toml-policy-typo",
        toml_replace("access_target_days =", "acess_target_days ="),
        "invalid",
        "acess_target_days",
    )
    add("toml-files-typo", toml_replace("gtfs = [", "gtsf = ["), "invalid", "gtsf")
    add("toml-source-typo", toml_replace("synthetic =", "synthetik ="), "invalid", "synthetik")
    add("toml-no-policy", toml_drop_table("policy"), "either", "policy")
    add("toml-no-files", toml_drop_table("files"), "either", "files.gtfs")
    add(
        "toml-base-year-text",
        toml_replace("base_year = 2024", 'base_year = "2024"'),
        "invalid",
        "base_year",
    )
    add("toml-format-2", toml_replace("format = 1", "format = 2"), "invalid", "format")
    for key, value in (
        ("access_target_days", "nan"),
        ("access_target_days", "inf"),
        ("access_target_days", "0"),
        ("access_target_days", "-3"),
        ("travel_time_threshold_min", "nan"),
        ("travel_time_threshold_min", "-inf"),
        ("travel_time_threshold_min", "100000"),
    ):
        old = (
            "access_target_days = 7.0"
            if key == "access_target_days"
            else "travel_time_threshold_min = 30.0"
        )
        add(
            f"toml-policy-{key}={value}",
            toml_replace(old, f"{key} = {value}"),
            "invalid",
            f"policy.{key}",
        )
    for line in (
        "car_eur_per_km = inf",
        "staff_eur_per_fte_year = nan",
        "interest_rate = 5.0",
        "staff_eur = 1",
    ):
        add(f"toml-costs-{line}", toml_append("[costs]\n" + line), "invalid", "costs.")
    # side files outside the package
    add(
        "files-gtfs-dotdot",
        toml_replace('"gtfs/demo.zip"', '"../../../../etc/passwd"'),
        "invalid",
        "files.gtfs",
    )
    add(
        "files-gtfs-absolute",
        toml_replace('"gtfs/demo.zip"', '"/etc/passwd"'),
        "invalid",
        "files.gtfs",
    )
    add("files-gtfs-symlink-out", symlink_out("gtfs"), "invalid", "files.gtfs")
    add(
        "files-gtfs-missing",
        toml_replace('"gtfs/demo.zip"', '"gtfs/other.zip"'),
        "invalid",
        "files.gtfs",
    )
    add("files-gtfs-folder", toml_replace('"gtfs/demo.zip"', '"gtfs"'), "invalid", "files.gtfs")
    add(
        "files-roads-missing",
        toml_replace("[files]", '[files]\nroads = "roads.osm.pbf"'),
        "invalid",
        "files.roads",
    )
    add(
        "files-roads-not-pbf",
        chain(
            write_file("roads.osm.pbf", b"not a pbf"),
            toml_replace("[files]", '[files]\nroads = "roads.osm.pbf"'),
        ),
        "invalid",
        "roads",
    )
    # GTFS
    add("gtfs-empty", write_file("gtfs/demo.zip", b""), "invalid", "GTFS")
    add("gtfs-not-zip", write_file("gtfs/demo.zip", b"stop_id,stop_lat\n"), "invalid", "GTFS")
    add("gtfs-random", random_bytes("gtfs/demo.zip", 2048), "invalid", "GTFS")
    add("gtfs-truncated", truncate("gtfs/demo.zip", 0.6), "invalid", "GTFS")
    for member in ("stop_times.txt", "stops.txt", "trips.txt", "calendar.txt"):
        add(f"gtfs-no-{member}", gtfs_drop(member), "invalid", "GTFS")
    for member, column, value in (
        ("stop_times.txt", "arrival_time", "25:99:00"),
        ("stop_times.txt", "departure_time", "soon"),
        ("stop_times.txt", "departure_time", "-1:00:00"),
        ("stop_times.txt", "stop_sequence", "first"),
        ("stop_times.txt", "stop_id", "ghost"),
        ("stops.txt", "stop_lat", "north"),
        ("stops.txt", "stop_lon", "500"),
        ("calendar.txt", "start_date", "yesterday"),
        ("calendar.txt", "monday", "yes"),
    ):
        add(f"gtfs-{member}.{column}={value}", gtfs_cell(member, column, value), "invalid", "GTFS")
    add(
        "gtfs-no-times",
        gtfs_change(_blank_times),
        "invalid",
        "GTFS",
    )
    add("gtfs-stops-latin1", gtfs_change(_latin1_stops), "invalid", "GTFS")
    # scenarios: non-finite, implausible and non-UTF-8 files (scenario.toml_io calls the checks)
    for id, text in (
        ("scenario-target-nan", SCENARIO_OK + "[policy]\naccess_target_days = nan\n"),
        ("scenario-target-0", SCENARIO_OK + "[policy]\naccess_target_days = 0\n"),
        ("scenario-threshold-inf", SCENARIO_OK + "[policy]\ntravel_time_threshold_min = inf\n"),
        ("scenario-threshold-negative", SCENARIO_OK + "[policy]\ntravel_time_threshold_min = -5\n"),
        (
            "scenario-capacity-inf",
            SCENARIO_OK
            + '[[capacity]]\nsite = "@SITE@"\nservice = "vastaanotto"\ncapacity_per_week = inf\n',
        ),
        ("scenario-open-x-nan", SCENARIO_OK + _OPEN.replace("@X@", "nan")),
    ):
        add(id, nothing, "invalid", "scenario", scenario=text)
    add(
        "scenario-not-utf8",
        nothing,
        "invalid",
        "scenario",
        scenario_bytes='name = "Äänekoski"\n'.encode("latin-1"),
    )
    add(
        "scenario-digital-1.5",
        nothing,
        "invalid",
        "digital_share",
        scenario=SCENARIO_OK + '[[channels]]\nservice = "vastaanotto"\ndigital_share = 1.5\n',
    )
    add(
        "scenario-unknown-key", nothing, "invalid", "scenario", scenario=SCENARIO_OK + "colse = 1\n"
    )
    add(
        "scenario-unknown-site",
        nothing,
        "invalid",
        "ghost",
        scenario=SCENARIO_OK + '[[close]]\nsite = "ghost"\nsubstitute = "@SITE@"\n',
    )
    add("scenario-open-ok", nothing, "valid", scenario=SCENARIO_OK + _OPEN)
    add("scenario-empty", nothing, "valid", scenario=SCENARIO_OK)
    return k


_OPEN = (
    '[[open]]\nsite = "N1"\nname = "Uusi"\nmunicipality = "@MUNI@"\nkind = "sote_asema"\n'
    "x = @X@\ny = @Y@\nservices = { vastaanotto = { capacity_per_week = 100, staff_fte = 3 } }\n"
)
"""An opening; ``@MUNI@``, ``@X@``, ``@Y@`` and ``@SITE@`` are filled in from the package."""


def _blank_times(members: dict[str, bytes], rng: np.random.Generator) -> None:
    lines = members["stop_times.txt"].decode("utf-8").splitlines()
    header = lines[0].split(",")
    a, d = header.index("arrival_time"), header.index("departure_time")
    fields = lines[1].split(",")
    fields[a] = fields[d] = ""
    lines[1] = ",".join(fields)
    members["stop_times.txt"] = ("\n".join(lines) + "\n").encode("utf-8")


def _latin1_stops(members: dict[str, bytes], rng: np.random.Generator) -> None:
    members["stops.txt"] = members["stops.txt"] + "x,Äänekoski,62.0,25.0\n".encode("latin-1")


RANDOM_VALUES: tuple[object, ...] = (
    "many",
    "",
    " ",
    "1e400",
    "NaN",
    "inf",
    -1,
    2.5,
    1e15,
    None,
    b"\xff",
)
RANDOM_COLUMNS: tuple[tuple[str, str], ...] = (
    ("population", "pop_0_6"),
    ("population", "pop_7_17"),
    ("population", "pop_65_74"),
    ("population", "pop_75_84"),
    ("services", "rate_0_6"),
    ("services", "rate_7_17"),
    ("services", "mobile_share"),
    ("site_services", "capacity_per_week"),
    ("site_services", "staff_fte"),
    ("sites", "investment_need_eur"),
    ("sites", "condition"),
    ("roads", "speed_kph"),
    ("roads", "ferry_wait_min"),
    ("projection", "factor"),
)


_HALVED = (
    "toml-policy-",
    "toml-costs-",
    "gtfs-stop_times.txt.",
    "gtfs-stops.txt.",
    "gtfs-calendar.txt.",
    "plausible-",
)
"""Groups of which every other case runs in the suite (the rest in the benchmark)."""
_VALUE_KINDS = ("text-", "inf-", "neginf-", "blob-", "fraction-", "null-", "value-", "random")


def cases(seed: int = 16, n: int = 240) -> list[Case]:
    """Every kind once, then random values in random columns up to ``n`` cases (seeded).

    The suite runs every structural kind (files, configuration, GTFS, geometry, scenarios) and
    every eighth kind of value, every other case of a few
    large groups; the rest (and the random draws) are ``fast=False``.
    """
    out = [
        dataclasses.replace(c, fast=False) if c.id.startswith(_VALUE_KINDS) and i % 8 else c
        for i, c in enumerate(_kinds())
    ]
    seen: dict[str, int] = {}
    for i, c in enumerate(out):
        group = next((g for g in _HALVED if c.id.startswith(g)), None)
        if group is not None:
            seen[group] = seen.get(group, -1) + 1
            if seen[group] % 2:
                out[i] = dataclasses.replace(c, fast=False)
    rng = np.random.default_rng(seed)
    while len(out) < n:
        layer, column = RANDOM_COLUMNS[int(rng.integers(len(RANDOM_COLUMNS)))]
        value = RANDOM_VALUES[int(rng.integers(len(RANDOM_VALUES)))]
        # a bad value is always an error, except a missing one where the column may be empty
        nullable = (layer, column) in {
            ("sites", "investment_need_eur"),
            ("sites", "condition"),
            ("roads", "ferry_wait_min"),
        }
        expect = "either" if value is None and nullable else "invalid"
        if value == 2.5 and column not in _INTEGER_COLUMNS:
            expect = "either"  # a plausible fraction where fractions are allowed
        out.append(
            Case(
                f"random{len(out)}-{layer}.{column}={value!r}",
                set_value(layer, column, value),
                expect,
                (layer,),
                fast=False,
            )
        )
    return out


_INTEGER_COLUMNS = {"pop_0_6", "pop_7_17", "pop_18_64", "pop_65_74", "pop_75_84", "condition"}
