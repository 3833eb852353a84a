"""Every validation rule: a bad package exits 2 and names layer, column and row."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from typer.testing import CliRunner

from palveluverkko import validate, write_region
from palveluverkko.cli import app
from palveluverkko.errors import FormatVersionError, ValidationError
from palveluverkko.region import read_region
from palveluverkko.region.examples import tiny_region

runner = CliRunner()


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A valid tiny region package on disk."""
    return write_region(tiny_region(), tmp_path / "tiny")


def rewrite(package: Path, layer: str, change: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    """Read one layer of the package, change it, and write it back in place."""
    gpkg = package / "region.gpkg"
    frame = pyogrio.read_dataframe(gpkg, layer=layer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyogrio warns when a CRS is removed on purpose
        pyogrio.write_dataframe(change(frame), gpkg, layer=layer, driver="GPKG")


def run_validate(package: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["validate", str(package), *args])
    return result.exit_code, result.output


def assert_names(output: str, *parts: str) -> None:
    for part in parts:
        assert part in output, f"{part!r} not in output:\n{output}"


def test_valid_package_exits_0(package: Path) -> None:
    """The tiny region validates cleanly."""
    code, out = run_validate(package)
    assert code == 0, out
    assert "valid" in out


def test_missing_layer(package: Path) -> None:
    """A missing required layer is named with the layers found."""
    gpkg = package / "region.gpkg"
    keep = {n: pyogrio.read_dataframe(gpkg, layer=n) for n, _ in pyogrio.list_layers(gpkg)}
    gpkg.unlink()
    for name, frame in keep.items():
        if name != "services":
            pyogrio.write_dataframe(frame, gpkg, layer=name, driver="GPKG")
    code, out = run_validate(package)
    assert code == 2
    assert_names(out, "error: services:", "required layer services is missing")


def test_missing_column(package: Path) -> None:
    """A missing column is named with the columns found."""
    rewrite(package, "population", lambda f: f.drop(columns=["pop_75_84"]))
    code, out = run_validate(package)
    assert code == 2
    assert_names(out, "population.pop_75_84", "column pop_75_84 is missing (found: cell_id")


def test_wrong_type(package: Path) -> None:
    """Text in a numeric column names the row and the value."""

    def change(f: pd.DataFrame) -> pd.DataFrame:
        f["pop_0_6"] = f["pop_0_6"].astype(object)
        f.loc[2, "pop_0_6"] = "kymmenen"
        return f

    rewrite(package, "population", change)
    code, out = run_validate(package)
    assert code == 2
    assert_names(out, "population.pop_0_6 [row c2]", "found 'kymmenen', expected a number")


def test_negative_population(package: Path) -> None:
    """A negative count is an error on its row."""

    def change(f: pd.DataFrame) -> pd.DataFrame:
        f.loc[1, "pop_85_plus"] = -3
        return f

    rewrite(package, "population", change)
    code, out = run_validate(package)
    assert code == 2
    assert_names(out, "population.pop_85_plus [row c1]", "cannot be negative")


def test_fractional_population(package: Path) -> None:
    """A fractional count is an error on its row."""

    def change(f: pd.DataFrame) -> pd.DataFrame:
        f["pop_18_64"] = f["pop_18_64"].astype(float)
        f.loc[3, "pop_18_64"] = 12.5
        return f

    rewrite(package, "population", change)
    code, out = run_validate(package)
    assert code == 2
    assert_names(out, "population.pop_18_64 [row c3]", "expected a whole number")


def test_duplicate_ids(package: Path) -> None:
    """Both rows sharing an id are reported."""

    def change(f: pd.DataFrame) -> pd.DataFrame:
        f.loc[4, "cell_id"] = "c0"
        return f

    rewrite(package, "population", change)
    code, out = run_validate(package)
    assert code == 2
    assert_names(out, "population.cell_id [row c0]", "'c0' appears more than once")


def test_layer_without_crs(package: Path) -> None:
    """A spatial layer stored without CRS is an error."""
    rewrite(package, "sites", lambda f: f.set_crs(None, allow_override=True))
    code, out = run_validate(package)
    assert code == 2
    assert_names(out, "sites.geometry", "no coordinate reference system")


def test_site_outside_every_municipality_is_a_warning(package: Path) -> None:
    """A site outside all municipalities warns (exit 0), and fails with --strict (exit 2)."""

    def change(f: pd.DataFrame) -> pd.DataFrame:
        f.loc[2, "geometry"] = shapely.Point(400_000, 7_100_000)
        return f

    rewrite(package, "sites", change)
    code, out = run_validate(package)
    assert code == 0
    assert_names(out, "warning: sites.geometry [row s3]", "outside every municipality")
    code, out = run_validate(package, "--strict")
    assert code == 2


def test_cell_outside_every_municipality_is_a_warning(package: Path) -> None:
    """A cell outside all municipalities is named as a warning."""

    def change(f: pd.DataFrame) -> pd.DataFrame:
        f.loc[0, "geometry"] = shapely.Point(300_000, 6_800_000)
        return f

    rewrite(package, "population", change)
    code, out = run_validate(package, "--strict")
    assert code == 2
    assert_names(out, "warning: population.geometry [row c0]", "outside every municipality")


def test_municipality_without_a_site_is_a_warning(package: Path) -> None:
    """With the one-site policy, a municipality left without sites is named by its code."""

    def change(f: pd.DataFrame) -> pd.DataFrame:
        return f.loc[f["municipality"] != "901"].reset_index(drop=True)

    rewrite(package, "sites", change)
    rewrite(package, "site_services", lambda f: f.loc[f["site_id"] != "s1"])
    code, out = run_validate(package)
    assert code == 0, out
    assert_names(out, "warning: municipalities.code [row 901]", "no physical site")


def test_unknown_municipality_code(package: Path) -> None:
    """A reference to a municipality code that does not exist is an error."""

    def change(f: pd.DataFrame) -> pd.DataFrame:
        f.loc[1, "municipality"] = "999"
        return f

    rewrite(package, "sites", change)
    code, out = run_validate(package)
    assert code == 2
    assert_names(out, "sites.municipality [row s2]", "'999' is not in the municipalities layer")


def test_unknown_service_code(package: Path) -> None:
    """A site_services row with an unknown service code is an error."""

    def change(f: pd.DataFrame) -> pd.DataFrame:
        f.loc[1, "service"] = "hammaslaakari"
        return f

    rewrite(package, "site_services", change)
    code, out = run_validate(package)
    assert code == 2
    assert_names(out, "site_services.service [row #1]", "'hammaslaakari' is not in the services")


def test_site_without_service(package: Path) -> None:
    """A site no site_services row mentions is an error."""
    rewrite(package, "site_services", lambda f: f[f["site_id"] != "s3"])
    code, out = run_validate(package)
    assert code == 2
    assert_names(out, "sites.site_id [row s3]", "offers no service")


def test_lease_end_not_a_date(package: Path) -> None:
    """A lease_end that does not parse as a date names the value."""

    def change(f: pd.DataFrame) -> pd.DataFrame:
        f["lease_end"] = ["", "kesäkuu 2027", "2026-12-31"]
        return f

    rewrite(package, "sites", change)
    code, out = run_validate(package)
    assert code == 2
    assert_names(out, "sites.lease_end [row s2]", "'kesäkuu 2027', expected a date")


def test_unknown_format_version(package: Path) -> None:
    """An unknown format version is an error naming region.toml and the version."""
    toml = package / "region.toml"
    toml.write_text(toml.read_text().replace("format = 1", "format = 7"))
    code, out = run_validate(package)
    assert code == 2
    assert_names(out, "region.toml.format", "format version 7 is not supported")
    with pytest.raises(FormatVersionError, match="format version 7"):
        read_region(package)


def test_bad_cost_parameters_are_named(package: Path) -> None:
    """An unknown [costs] key and a negative or wrong-typed value are errors naming the key."""
    toml = package / "region.toml"
    toml.write_text(
        toml.read_text()
        + "\n[costs]\ncar_eur_per_km = -0.3\nstaff_eur = 1\ninvestment_years = 2.5\n"
        + 'kela_services = "vastaanotto"\n'
    )
    code, out = run_validate(package)
    assert code == 2
    assert_names(out, "region.toml.costs.car_eur_per_km", "(a finite number, >= 0 and at most")
    assert_names(out, "region.toml.costs.staff_eur", "did you mean 'staff_eur_per_fte_year'?")
    assert_names(out, "region.toml.costs.investment_years", "a whole number, >= 1")
    assert_names(out, "region.toml.costs.kela_services", "(service codes)")
    with pytest.raises(ValidationError, match=r"costs\.car_eur_per_km"):
        read_region(package)


def test_empty_population(package: Path) -> None:
    """A population layer without residents is an error."""
    rewrite(package, "population", lambda f: f.iloc[0:0])
    code, out = run_validate(package)
    assert code == 2
    assert_names(out, "error: population:", "population layer is empty")


def test_all_problems_reported_not_only_the_first(package: Path) -> None:
    """Several problems in several layers are all listed."""

    def pop(f: pd.DataFrame) -> pd.DataFrame:
        f.loc[0, "pop_0_6"] = -1
        f.loc[1, "municipality"] = "123"
        return f

    def site(f: pd.DataFrame) -> pd.DataFrame:
        f.loc[0, "kind"] = "terveyskeskus"
        return f

    rewrite(package, "population", pop)
    rewrite(package, "sites", site)
    code, out = run_validate(package)
    assert code == 2
    assert_names(
        out,
        "population.pop_0_6 [row c0]",
        "population.municipality [row c1]",
        "sites.kind [row s1]",
    )
    with pytest.raises(ValidationError) as info:
        read_region(package)
    assert len([p for p in info.value.problems if p.severity == "error"]) == 3


def test_not_a_package(tmp_path: Path) -> None:
    """A folder without region.toml exits 2 and says what a package is."""
    code, out = run_validate(tmp_path)
    assert code == 2
    assert "region.toml is missing" in out


def test_reading_reprojects_a_layer_in_another_crs(package: Path) -> None:
    """A layer stored in WGS84 is reprojected to the region CRS, with a warning saying so."""
    rewrite(package, "sites", lambda f: f.to_crs("EPSG:4326"))
    with pytest.warns(UserWarning, match="layer sites was in EPSG:4326; reprojected to EPSG:3067"):
        region = read_region(package)
    expected = tiny_region().sites.geometry
    assert region.sites.crs == "EPSG:3067"
    assert shapely.equals_exact(
        region.sites.geometry.to_numpy(), expected.to_numpy(), tolerance=0.01
    ).all()


def test_in_memory_validate_reports_types_and_references() -> None:
    """validate() on a Region finds the same kinds of problems as on a package."""
    region = tiny_region()
    pop = region.population.copy()
    pop["pop_7_17"] = pop["pop_7_17"].astype(float)
    pop.loc[0, "pop_7_17"] = 0.5
    sites = gpd.GeoDataFrame(region.sites.copy())
    sites.loc[0, "condition"] = 9
    problems = validate(region.replace(population=pop, sites=sites))
    text = "\n".join(map(str, problems))
    assert "population.pop_7_17 [row c0]" in text
    assert "sites.condition [row s1]" in text


def test_degrees_in_projected_region() -> None:
    """Coordinates that look like lon/lat in a projected layer are caught."""
    region = tiny_region()
    pop = region.population.copy()
    pop["geometry"] = shapely.points(
        [[25.7 + i * 0.01, 62.2] for i in range(len(pop))]
    )  # degrees, claimed EPSG:3067
    text = "\n".join(map(str, validate(region.replace(population=pop))))
    assert "population.geometry" in text
    assert "look like degrees" in text
