"""``region.toml``: reading it strictly and resolving its side files inside the package.

Every section has a fixed set of keys: an unknown key is an error naming the nearest known one
(a typo never silently falls back to a default). A missing ``crs`` is an error; a missing
``[policy]`` keeps the defaults and says so in a warning; a side file that sits in the package but
is not listed under ``[files]`` is a warning (it is not used). ``[files]`` entries resolve inside
the package folder only: an absolute path, ``..`` or a symbolic link that leads out of the folder
is an error naming the key.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Problem
from .checks import value_problem
from .limits import COST_BOUND, COST_BOUNDS, POLICY_BOUNDS, YEARS_DUE_BOUND
from .model import CostParams, GtfsFeed, Policy, RegionMeta
from .schema import DEFAULT_CRS, FORMAT_VERSION

TOML_NAME = "region.toml"

SECTIONS: dict[str, tuple[str, ...]] = {
    "files": ("roads", "gtfs"),
    "policy": tuple(f.name for f in dataclasses.fields(Policy)),
    "costs": tuple(f.name for f in dataclasses.fields(CostParams)),
    "source": ("synthetic", "description", "credits"),
}
"""Keys of each table of ``region.toml``."""
TOP_KEYS: tuple[str, ...] = ("format", "name", "crs", "base_year", *SECTIONS)
"""Top-level keys of ``region.toml``."""


@dataclass
class Config:
    """What ``region.toml`` says, with the problems found reading it."""

    name: str = ""
    crs: str = DEFAULT_CRS
    base_year: int = 0
    policy: Policy = field(default_factory=Policy)
    meta: RegionMeta = field(default_factory=RegionMeta)
    costs: CostParams = field(default_factory=CostParams)
    roads_pbf: Path | None = None
    gtfs: list[GtfsFeed] = field(default_factory=list)
    gtfs_paths: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _problem(column: str, message: str, fix: str, severity: str = "error") -> Problem:
    return Problem(severity, TOML_NAME, column, "", message, fix)


def nearest(key: str, known: tuple[str, ...] | list[str]) -> str:
    """``"; did you mean 'x'?"`` for the known key nearest to ``key``, or ``""``."""
    prefixed = [k for k in known if k.startswith(key) or key.startswith(k)]
    close = prefixed[:1] or difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def unknown_keys(table: Mapping[str, Any], known: tuple[str, ...], section: str) -> list[Problem]:
    """An error per key of ``table`` that is not in ``known``, suggesting the nearest."""
    out = []
    for key in table:
        if key in known:
            continue
        where = f"{section}.{key}" if section else str(key)
        out.append(
            _problem(
                where,
                f"unknown key {key!r}"
                + (f" in [{section}]" if section else "")
                + nearest(key, known),
                f"use one of {', '.join(known)} (docs/region-format.md)",
            )
        )
    return out


def read_toml_text(path: Path) -> tuple[dict[str, Any], list[Problem]]:
    """The parsed document, or ``{}`` and a problem when the file is not UTF-8 TOML."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return {}, [_problem("", f"cannot be read ({exc.strerror or exc})", "check the file")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return {}, [
            _problem(
                "",
                f"is not UTF-8 text (byte {exc.start}: {data[exc.start : exc.start + 1]!r})",
                "save region.toml as UTF-8",
            )
        ]
    try:
        return tomllib.loads(text), []
    except tomllib.TOMLDecodeError as exc:
        return {}, [_problem("", f"cannot be parsed: {exc}", "fix the TOML syntax")]


def parse_config(package: Path, doc: Mapping[str, Any]) -> Config:
    """``region.toml``'s document as a :class:`Config`, every problem collected."""
    cfg = Config(name=package.name)
    cfg.problems += unknown_keys(doc, TOP_KEYS, "")
    fmt = doc.get("format")
    if fmt != FORMAT_VERSION:
        cfg.problems.append(
            _problem(
                "format",
                f"format version {fmt!r} is not supported (this release reads format "
                f"{FORMAT_VERSION})",
                f"write format = {FORMAT_VERSION}, converting the package if it was made for "
                "another version, or upgrade palveluverkko",
            )
        )
    cfg.name = str(doc.get("name", package.name))
    if "crs" not in doc:
        cfg.problems.append(
            _problem(
                "crs",
                "crs is missing; every layer's coordinates are read in it",
                f'write crs = "{DEFAULT_CRS}" (ETRS-TM35FIN, the Finnish default) or the CRS '
                "the layers are stored in",
            )
        )
    cfg.crs = str(doc.get("crs", DEFAULT_CRS))
    _base_year(cfg, doc.get("base_year"))
    sections = {}
    for name in SECTIONS:
        table = doc.get(name, {})
        if not isinstance(table, dict):
            cfg.problems.append(
                _problem(name, f"{name} is not a table", f"write [{name}] with key = value lines")
            )
            table = {}
        cfg.problems += unknown_keys(table, SECTIONS[name], name)
        sections[name] = table
    if "policy" not in doc:
        defaults = Policy()
        cfg.problems.append(
            _problem(
                "policy",
                "[policy] is missing; the defaults are used: "
                + ", ".join(
                    f"{f.name} = {json.dumps(getattr(defaults, f.name))}"
                    for f in dataclasses.fields(Policy)
                ),
                "write the county's own [policy] (docs/region-format.md)",
                severity="warning",
            )
        )
    cfg.policy = _parse_policy(cfg, sections["policy"])
    cfg.costs = _parse_costs(cfg, sections["costs"])
    src = sections["source"]
    credits = src.get("credits", ())
    cfg.meta = RegionMeta(
        synthetic=bool(src.get("synthetic", False)),
        description=str(src.get("description", "")),
        credits=tuple(str(c) for c in (credits if isinstance(credits, list) else [credits])),
    )
    _side_files(cfg, package, sections["files"])
    return cfg


def _base_year(cfg: Config, base_year: object) -> None:
    if not isinstance(base_year, int) or isinstance(base_year, bool):
        cfg.problems.append(
            _problem(
                "base_year",
                f"base_year is {base_year!r}, expected a year such as 2024",
                "write base_year = 2024 (the year of the population data)",
            )
        )
        return
    problem = value_problem(
        base_year, POLICY_BOUNDS["base_year"], layer=TOML_NAME, column="base_year"
    )
    if problem is not None:
        cfg.problems.append(problem)
        if problem.severity == "error":
            return
    cfg.base_year = base_year


def _parse_policy(cfg: Config, pol: Mapping[str, Any]) -> Policy:
    defaults = Policy()
    values: dict[str, Any] = {}
    for key in SECTIONS["policy"]:
        if key not in pol:
            continue
        value = pol[key]
        where = f"policy.{key}"
        if isinstance(getattr(defaults, key), bool):
            if not isinstance(value, bool):
                cfg.problems.append(
                    _problem(
                        where, f"{key} is {value!r}, expected true/false", f"write {key} = true"
                    )
                )
                continue
            values[key] = value
            continue
        problem = value_problem(value, POLICY_BOUNDS[key], layer=TOML_NAME, column=where)
        if problem is not None:
            cfg.problems.append(
                dataclasses.replace(problem, fix=f"write e.g. {key} = {getattr(defaults, key)}")
            )
            if problem.severity == "error":
                continue
        values[key] = float(value)
    return Policy(**values)


def _parse_costs(cfg: Config, table: Mapping[str, Any]) -> CostParams:
    """``[costs]`` as :class:`CostParams`; a bad entry is a problem naming its key (unknown keys
    are reported by the caller), and the default is kept for it."""
    defaults = CostParams()
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in SECTIONS["costs"]:
            continue
        where = f"costs.{key}"
        default = getattr(defaults, key)
        parsed = _cost_value(key, value, default)
        if parsed is None:
            cfg.problems.append(_problem(where, f"{key} is {value!r}", _cost_fix(key, default)))
            continue
        values[key] = parsed
    return CostParams(**values)


def _cost_value(key: str, value: object, default: object) -> object | None:
    """The parsed value of one ``[costs]`` key, or None when it is not acceptable."""
    if key == "kela_services":
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        return None
    if key == "investment_due_after_years":
        if not isinstance(value, dict):
            return None
        out: dict[int, int] = {}
        for cond, years in value.items():
            if str(cond) not in {"1", "2", "3", "4", "5"}:
                return None
            if not isinstance(years, int) or value_problem(
                years, YEARS_DUE_BOUND, layer="", column="", integer=True
            ):
                return None
            out[int(cond)] = years
        return out
    bound = COST_BOUNDS.get(key, COST_BOUND)
    if isinstance(default, int) and not isinstance(value, int):
        return None
    if value_problem(value, bound, layer="", column="", integer=isinstance(default, int)):
        return None
    assert isinstance(value, int | float)
    return value if isinstance(default, int) else float(value)


def _cost_fix(key: str, default: object) -> str:
    if key == "kela_services":
        return f"write e.g. {key} = {json.dumps(list(CostParams().kela_services))} (service codes)"
    if key == "investment_due_after_years":
        return (
            f'write e.g. {key} = {{ "1" = 1, "2" = 3, "3" = 6 }} (condition = years, 0 to '
            f"{YEARS_DUE_BOUND.maximum:.0f})"
        )
    bound = COST_BOUNDS.get(key, COST_BOUND)
    if isinstance(default, int):
        return f"write e.g. {key} = {default} (a whole number, {bound.describe()})"
    return f"write e.g. {key} = {default} (a finite number, {bound.describe()})"


def costs_toml(costs: CostParams) -> dict[str, Any]:
    """The ``[costs]`` entries that differ from the defaults, in TOML-ready form."""
    defaults = CostParams()
    out: dict[str, Any] = {}
    for f in dataclasses.fields(CostParams):
        value = getattr(costs, f.name)
        if value == getattr(defaults, f.name):
            continue
        if isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, Mapping):
            value = {str(k): int(v) for k, v in value.items()}
        out[f.name] = value
    return out


def contained(package: Path, name: object, key: str) -> tuple[Path | None, Problem | None]:
    """The file ``name`` of ``[files] key`` resolved inside ``package``, or a problem.

    Absolute paths, ``..`` and symbolic links that lead outside the package folder are refused;
    so is anything that is not an existing regular file.
    """
    where = f"files.{key}"
    if not isinstance(name, str) or not name.strip():
        return None, _problem(where, f"{key} is {name!r}, expected a file name", _FILES_FIX[key])
    if Path(name).is_absolute() or Path(name).drive:
        return None, _problem(
            where,
            f"{name} is an absolute path; side files must lie inside the package folder",
            _FILES_FIX[key],
        )
    root = package.resolve()
    try:
        target = (package / name).resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        return None, _problem(where, f"{name} cannot be resolved ({exc})", _FILES_FIX[key])
    if not target.is_relative_to(root):
        return None, _problem(
            where,
            f"{name} leads outside the package folder (to {target}); side files must lie inside it",
            _FILES_FIX[key],
        )
    if not target.is_file():
        found = "a folder" if target.is_dir() else "missing"
        return None, _problem(where, f"{name} is {found} in the package", _FILES_FIX[key])
    return target, None


_FILES_FIX = {
    "roads": "copy the .osm.pbf into the package folder and write its relative name, e.g. "
    'roads = "roads.osm.pbf", or remove files.roads',
    "gtfs": "copy the GTFS zip into the package folder and write its relative name, e.g. "
    'gtfs = ["gtfs/city.zip"], or remove it from files.gtfs',
}


def _side_files(cfg: Config, package: Path, files: Mapping[str, Any]) -> None:
    if files.get("roads"):
        path, problem = contained(package, files["roads"], "roads")
        if problem is not None:
            cfg.problems.append(problem)
        cfg.roads_pbf = path
    gtfs = files.get("gtfs", [])
    names = [gtfs] if isinstance(gtfs, str) else gtfs
    if not isinstance(names, list):
        cfg.problems.append(
            _problem("files.gtfs", f"gtfs is {gtfs!r}, expected a list", _FILES_FIX["gtfs"])
        )
        names = []
    for name in names:
        path, problem = contained(package, name, "gtfs")
        if problem is not None:
            cfg.problems.append(problem)
            continue
        assert path is not None
        try:
            data = path.read_bytes()
        except OSError as exc:
            cfg.problems.append(
                _problem("files.gtfs", f"{name} cannot be read ({exc.strerror})", "check the file")
            )
            continue
        cfg.gtfs.append(GtfsFeed(path.stem, data))
        cfg.gtfs_paths.append(path)
    listed = set(cfg.gtfs_paths)
    for unlisted in sorted((package / "gtfs").glob("*.zip")):
        if unlisted.resolve() not in listed:
            cfg.problems.append(
                _problem(
                    "files.gtfs",
                    f"gtfs/{unlisted.name} is in the package but not listed under [files] gtfs; "
                    "it is not used",
                    f'add it: gtfs = ["gtfs/{unlisted.name}"], or remove the file',
                    severity="warning",
                )
            )
    pbfs = sorted(package.glob("*.osm.pbf"))
    if cfg.roads_pbf is None and pbfs and "roads" not in files:
        cfg.problems.append(
            _problem(
                "files.roads",
                f"{pbfs[0].name} is in the package but [files] roads does not name it; it is not "
                "used",
                f'add roads = "{pbfs[0].name}" under [files], or remove the file',
                severity="warning",
            )
        )
