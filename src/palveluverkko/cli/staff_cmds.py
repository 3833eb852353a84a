"""Command ``staff commute``: how a scenario changes the staff's trip to work (thin: read the
homes, evaluate the scenario, call :mod:`palveluverkko.study.staff`, write a CSV, print)."""

from __future__ import annotations

from pathlib import Path

import typer

from . import app
from .ui import console, fail, session

staff_app = typer.Typer(help="Henkilöstö / Personal / Staff.", no_args_is_help=True)
app.add_typer(staff_app, name="staff")


@staff_app.command("commute")
def commute_cmd(
    region: Path = typer.Argument(..., help="Aluepaketti / Regionpaket / Region package folder."),
    scenario: Path = typer.Option(..., "--scenario", "-s", help="Scenario TOML."),
    homes: Path | None = typer.Option(
        None, "--homes", help="CSV site_id, staff, postal_code (or cell_id, or x and y)."
    ),
    synthetic: bool = typer.Option(
        False, "--synthetic-homes", help="SYNTHETIC homes drawn near each site (demo county)."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the synthetic homes."),
    out: Path = typer.Option(Path("commute.csv"), "--out", "-o", help="CSV to write."),
    cache_dir: Path | None = typer.Option(None, "--cache-dir", help="Travel-time cache folder."),
) -> None:
    """Työmatkat / Arbetsresor / Staff commute today and in the scenario, per site."""
    if (homes is None) == (not synthetic):
        raise fail("give --homes FILE or --synthetic-homes (one of them)")
    with session() as events:
        from ..atomic import output_file
        from ..scenario import Scenario
        from ..study import Study
        from ..study.staff import read_staff_homes, staff_commute, synthetic_staff_homes

        study = Study.open(region, cache_dir=cache_dir, progress=events)
        table = (
            read_staff_homes(homes, study.region)
            if homes is not None
            else synthetic_staff_homes(study.region, seed=seed)
        )
        sc = Scenario.from_toml(scenario)
        ev = study.evaluate(sc)
        result = staff_commute(study, table, ev)
        with output_file(out) as tmp:
            result.to_csv(tmp, index=False)
    changed = result.loc[result["change_min"].abs() > 0.05]
    for r in changed.itertuples(index=False):
        console.print(
            f"{r.name} ({r.site_id}): {r.staff:.0f} -> {r.works_at}; "
            f"{r.commute_min_today:.1f} -> {r.commute_min_scenario:.1f} min "
            f"({r.change_min:+.1f}); {r.staff_longer_10_min:.0f} with > 10 min longer",
            markup=False,
        )
    if changed.empty:
        console.print("Työmatkat eivät muutu / Arbetsresorna ändras inte / No commute changes.")
    if synthetic:
        console.print("SYNTEETTINEN / SYNTETISK / SYNTHETIC homes.", markup=False)
    console.print(f"Kirjoitettu / Skrivet / Written: {out}", markup=False)
