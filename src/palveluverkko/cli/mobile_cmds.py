"""Commands ``mobile plan`` (a mobile unit's stops and timetable) and ``homecare plan`` (home-care
routes from the bases on a representative weekday). Thin: they read, call the library, write."""

from __future__ import annotations

from pathlib import Path

import typer

from . import app
from .ui import check_lang_option, console, session

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
    check_lang_option(lang)
    with session() as events:
        from ..region import read_region
        from ..study import ProgressEvent
        from ..study.channels import mobile_plan

        events(ProgressEvent("mobile", 0, 1))
        plan = mobile_plan(
            read_region(region), unit, out, year=year, seed=seed, time_limit_s=time_limit
        )
        events(ProgressEvent("mobile", 1, 1))
    console.print(plan.timetable_text(lang), markup=False)
    console.print(plan.summary(), markup=False)
    console.print(
        f"Kirjoitettu / Skrivet / Written: {out} (tarkistettu / kontrollerad / checked)",
        markup=False,
    )


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
    with session() as events:
        from ..region import read_region
        from ..study import ProgressEvent
        from ..study.channels import home_care_plan

        plan = home_care_plan(
            read_region(region),
            out,
            year=year,
            seed=seed,
            seconds_per_100_visits=time_limit,
            progress=lambda done, total: events(ProgressEvent("home_care", done, total)),
        )
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
        ].to_string(index=False),
        markup=False,
    )
    console.print(plan.summary(), markup=False)
    console.print(
        f"Kirjoitettu / Skrivet / Written: {out} (tarkistettu / kontrollerad / checked)",
        markup=False,
    )
