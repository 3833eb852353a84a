"""region.toml read strictly: unknown keys, missing crs and policy, side files kept inside."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from palveluverkko import write_region
from palveluverkko.cli import app
from palveluverkko.errors import ValidationError
from palveluverkko.region import GtfsFeed, read_region, validate_package
from palveluverkko.region.config import nearest
from palveluverkko.region.examples import tiny_region

runner = CliRunner()


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """The tiny region as a package, with a (placeholder) GTFS file listed under [files]."""
    region = tiny_region().replace(gtfs=(GtfsFeed("city", b"PK placeholder"),))
    return write_region(region, tmp_path / "tiny")


def edit(package: Path, old: str, new: str) -> None:
    toml = package / "region.toml"
    text = toml.read_text("utf-8")
    assert old in text, text
    toml.write_text(text.replace(old, new, 1), "utf-8")


def errors_of(package: Path) -> list[str]:
    return [
        str(p)
        for p in validate_package(package)
        if p.severity == "error" and p.layer == "region.toml"
    ]


@pytest.mark.parametrize(
    ("old", "new", "where", "suggestion"),
    [
        ("base_year =", "base_yaer = 2024\nbase_year =", "base_yaer", "base_year"),
        (
            "access_target_days =",
            "acces_target_days =",
            "policy.acces_target_days",
            "access_target_days",
        ),
        ("synthetic =", "synthetc =", "source.synthetc", "synthetic"),
        ("gtfs =", "gtfs_feeds =", "files.gtfs_feeds", "gtfs"),
    ],
)
def test_unknown_keys_suggest_the_nearest(
    package: Path, old: str, new: str, where: str, suggestion: str
) -> None:
    """An unknown key in any table is an error naming it and the nearest known key."""
    edit(package, old, new)
    found = [e for e in errors_of(package) if f"region.toml.{where}:" in e]
    assert found, errors_of(package)
    assert f"did you mean {suggestion!r}?" in found[0]


def test_nearest_prefers_a_key_that_begins_the_same() -> None:
    """A shortened key is matched to the key it begins."""
    assert nearest("staff_eur", ["taxi_start_eur", "staff_eur_per_fte_year"]).endswith(
        "'staff_eur_per_fte_year'?"
    )
    assert nearest("zzz", ["alpha", "beta"]) == ""


def test_missing_crs_is_an_error(package: Path) -> None:
    """Without crs the package is refused, with the default named in the fix."""
    edit(package, 'crs = "EPSG:3067"\n', "")
    with pytest.raises(
        ValidationError, match=r'region\.toml\.crs: crs is missing.*crs = "EPSG:3067"'
    ):
        read_region(package)


def test_missing_policy_is_a_warning_listing_the_defaults(package: Path) -> None:
    """A package without [policy] says which defaults it uses."""
    toml = package / "region.toml"
    lines = toml.read_text("utf-8").split("\n[policy]\n")
    rest = lines[1].split("\n[", 1)
    toml.write_text(lines[0] + ("\n[" + rest[1] if len(rest) > 1 else "\n"), "utf-8")
    warnings = [p for p in validate_package(package) if p.column == "policy"]
    assert len(warnings) == 1
    assert warnings[0].severity == "warning"
    assert "access_target_days = 7.0" in warnings[0].message


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("access_target_days", "nan"),
        ("access_target_days", "inf"),
        ("access_target_days", "0"),
        ("travel_time_threshold_min", "-inf"),
        ("travel_time_threshold_min", "2000"),
    ],
)
def test_policy_values_must_be_finite_and_in_range(package: Path, key: str, value: str) -> None:
    """nan, inf, 0 and absurd policy values are errors naming policy.<key>."""
    old = (
        "access_target_days = 7.0"
        if key == "access_target_days"
        else ("travel_time_threshold_min = 30.0")
    )
    edit(package, old, f"{key} = {value}")
    assert any(f"region.toml.policy.{key}:" in e for e in errors_of(package)), errors_of(package)


def test_side_files_resolve_inside_the_package_only(package: Path, tmp_path: Path) -> None:
    """Absolute paths, '..' and symbolic links out of the folder are errors naming files.gtfs."""
    outside = tmp_path / "outside.zip"
    outside.write_bytes(b"PK outside")
    for target in (str(outside), "../outside.zip", "../../../../etc/passwd"):
        edit(package, '"gtfs/city.zip"', f'"{target}"')
        found = [e for e in errors_of(package) if "files.gtfs" in e]
        assert found, target
        assert "inside the package" in found[0] or "outside" in found[0]
        edit(package, f'"{target}"', '"gtfs/city.zip"')
    link = package / "gtfs" / "city.zip"
    link.unlink()
    os.symlink(outside, link)
    found = [e for e in errors_of(package) if "files.gtfs" in e]
    assert found
    assert "leads outside the package folder" in found[0]
    code = runner.invoke(app, ["validate", str(package)]).exit_code
    assert code == 2


def test_a_symlink_inside_the_package_is_allowed(package: Path) -> None:
    """A link that stays inside the folder is read as its target."""
    real = package / "gtfs" / "real.zip"
    (package / "gtfs" / "city.zip").rename(real)
    os.symlink(real, package / "gtfs" / "city.zip")
    assert not [e for e in errors_of(package) if "files.gtfs" in e]


def test_unlisted_side_file_is_a_warning(package: Path) -> None:
    """A GTFS zip in the folder that [files] does not list is reported as unused."""
    (package / "gtfs" / "other.zip").write_bytes(b"PK")
    found = [p for p in validate_package(package) if "other.zip" in p.message]
    assert [p.severity for p in found] == ["warning"]
