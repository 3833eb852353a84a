"""Commands ``mobile plan`` (a mobile unit's stops and timetable) and ``homecare plan`` (home-care
routes from the bases on a representative weekday). Thin: they read, call the library, write."""

from __future__ import annotations

from pathlib import Path

import typer

from . import app, console
from ._session import session

mobile_app = typer.Typer(
    help="Liikkuvat palvelut / Mobila tjänster / Mobile units.", no_args_is_help=True
)
homecare_app = typer.Typer(help="Kotihoito / Hemvård / Home care.", no_args_is_help=True)
app.add_typer(mobile_app, name="mobile")
app.add_typer(homecare_app, name="homecare")


@mobile_app.command("plan")
def mobile_plan_cmd(
    region: Path = typer.Argument(..., help="Aluepaketti / Regionpaket / Region package folder."),
    unit: Path = typer.Option(..., "--unit", help="Yksikön TOML / Enhetens TOML / Unit TOML."),
    out: Path = typer.Option(..., "--out", "-o", help="Kansio / Mapp / Output folder."),
    year: int | None = typer.Option(None, "--year", "-y", help="Demand year."),
    seed: int = typer.Option(0, "--seed", help="Seed of the stop choice and the routing."),
    time_limit: float = typer.Option(3.0, "--time-limit", help="PyVRP seconds per solve."),
    lang: str = typer.Option("fi", "--lang", help="Timetable shown in fi, sv or en."),
) -> None:
    """Pysäkit ja aikataulu / Hållplatser och tidtabell / Stops and timetable.

    Writes stops.csv, timetable.csv, timetable_{fi,sv,en}.txt, days.csv, cells.csv (contacts
    served and not served per cell and service), travel_minutes.csv and plan.json, then checks
    the written plan with the feasibility checker.
    """
    from ..channels.check import assert_feasible, check_mobile_plan
    from ..channels.mobile import MobileParams
    from ..channels.mobile_region import plan_mobile
    from ..channels.unit import read_unit
    from ..region import read_region
    from ._session import check_lang_option

    check_lang_option(lang)
    with session() as bar:
        bar.add_task("liikkuva yksikkö / mobil enhet / mobile unit")
        the_unit = read_unit(unit)
        plan = plan_mobile(
            read_region(region),
            the_unit,
            year=year,
            seed=seed,
            params=MobileParams(time_limit_s=time_limit),
        )
        plan.write(out)
        assert_feasible(check_mobile_plan(out), what=f"{out}")
    console.print(plan.timetable_text(lang))
    console.print(plan.summary())
    console.print(f"Kirjoitettu / Skrivet / Written: {out} (tarkistettu / kontrollerad / checked)")


@homecare_app.command("plan")
def homecare_plan_cmd(
    region: Path = typer.Argument(..., help="Aluepaketti / Regionpaket / Region package folder."),
    out: Path = typer.Option(..., "--out", "-o", help="Kansio / Mapp / Output folder."),
    year: int | None = typer.Option(None, "--year", "-y", help="Demand year."),
    seed: int = typer.Option(0, "--seed", help="Seed of the sampled weekday and the routing."),
    time_limit: float = typer.Option(
        0.35, "--time-limit", help="PyVRP seconds per 100 visits of a base."
    ),
) -> None:
    """Kotihoidon reitit / Hemvårdens rutter / Home-care routes (a sampled weekday).

    Writes visits.csv, routes.csv, bases.csv, unreachable.csv, cells.csv and plan.json, then
    checks the written route set with the feasibility checker.
    """
    from ..channels.check import assert_feasible, check_home_care_plan
    from ..channels.homecare import HomeCareParams
    from ..channels.homecare_region import plan_home_care
    from ..region import read_region

    with session() as bar:
        task = bar.add_task("kotihoito / hemvård / home care", total=None)
        plan = plan_home_care(
            read_region(region),
            year=year,
            seed=seed,
            params=HomeCareParams(seconds_per_100_visits=time_limit),
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
        plan.write(out)
        assert_feasible(check_home_care_plan(out), what=f"{out}")
    console.print(
        plan.bases[
            [
                "base_id",
                "name",
                "visits",
                "routed",
                "not_served_staff",
                "travel_min_per_visit",
                "fte_needed",
            ]
        ].to_string(index=False)
    )
    console.print(plan.summary())
    console.print(f"Kirjoitettu / Skrivet / Written: {out} (tarkistettu / kontrollerad / checked)")
