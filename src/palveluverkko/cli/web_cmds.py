"""Commands ``serve`` (the web app on localhost) and ``users add`` (planners, moderators,
viewers). Thin: they parse and call :mod:`palveluverkko.web`."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from . import app
from .ui import console, session

users_app = typer.Typer(
    help="Verkkosovelluksen käyttäjät / Webbappens användare / Web app users.",
    no_args_is_help=True,
)
app.add_typer(users_app, name="users")

PASSWORD_ENV = "PALVELUVERKKO_PASSWORD"


@app.command()
def serve(
    region: Path | None = typer.Argument(
        None, help="Aluepaketti / Regionpaket / Region package folder (or --demo)."
    ),
    demo: bool = typer.Option(
        False, "--demo", help="Demomaakunta / Demolandskapet / The synthetic demo county."
    ),
    db: str | None = typer.Option(
        None, "--db", help="SQLAlchemy URL (default: SQLite in --data); postgresql+psycopg://..."
    ),
    data: Path = typer.Option(
        Path("out/web"), "--data", help="Tietokanta, lataukset / Databas / Database and downloads."
    ),
    cache: Path | None = typer.Option(None, "--cache", help="Travel-time cache folder."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
) -> None:
    """Käynnistä verkkosovellus / Starta webbappen / Start the web app (MapLibre map, scenarios,
    evaluations, hearings and comments), on http://HOST:PORT."""
    from ..web import serve as run

    if demo == (region is not None):
        raise typer.BadParameter("give a region package folder or --demo (one of them)")
    if demo:
        from ..web.running import demo_package

        with session():
            region = demo_package(data / "demo")
        cache = cache or data / "demo" / "cache"
    assert region is not None
    console.print(f"http://{host}:{port}/", markup=False)
    run(region, db_url=db, host=host, port=port, data_dir=data, cache_dir=cache)


@users_app.command("add")
def users_add(
    name: str = typer.Argument(..., help="Käyttäjätunnus / Användarnamn / User name."),
    role: str = typer.Option("planner", "--role", help="planner, moderator or viewer."),
    db: str | None = typer.Option(None, "--db", help="SQLAlchemy URL (default: SQLite in --data)."),
    data: Path = typer.Option(Path("out/web"), "--data", help="Folder of the default database."),
) -> None:
    """Lisää käyttäjä / Lägg till användare / Add or update a user. The password comes from
    $PALVELUVERKKO_PASSWORD or a prompt."""
    from ..web import add_user
    from ..web.running import default_db_url

    password = os.environ.get(PASSWORD_ENV) or typer.prompt(
        "Salasana / Lösenord / Password", hide_input=True, confirmation_prompt=True
    )
    with session():
        saved = add_user(db or default_db_url(data), name, role, password)
    console.print(f"{name}: {saved}", markup=False)
