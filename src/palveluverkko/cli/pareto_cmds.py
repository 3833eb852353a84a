"""Command ``pareto``: the trade-off between the annual cost of a service's sites and access
(:meth:`palveluverkko.study.Study.pareto`)."""

from __future__ import annotations

import math
from pathlib import Path

import typer

from ..study.choices import ACCESS_MEASURES as ACCESS
from . import app
from .ui import console, fail, session


def _cost(eur: float, unknown: int, n_open: int) -> str:
    """The annual cost, '?' when no open site has one, '≥' when some lack it."""
    if unknown >= n_open:
        return "?"
    text = f"{eur:,.0f}".replace(",", " ")
    return f"≥ {text}" if unknown else text


@app.command("pareto")
def pareto_cmd(
    region: Path = typer.Argument(..., help="Aluepaketti / Regionpaket / Region package folder."),
    service: str = typer.Option(..., "--service", help="Palvelu / Tjänst / Service code."),
    access: str = typer.Option(
        "mean",
        "--access",
        help="mean (p-median), worst (p-center) or share (MCLP within --threshold).",
    ),
    threshold: float | None = typer.Option(
        None, "--threshold", help="Minutes of the share column; default the service's threshold."
    ),
    p_min: int | None = typer.Option(None, "--p-min", help="Fewest open sites (default: rules)."),
    p_max: int | None = typer.Option(None, "--p-max", help="Most open sites (default: all)."),
    mode: str = typer.Option("car", "--mode", help="car, walk, bike or transit."),
    year: int | None = typer.Option(None, "--year", "-y", help="Demand year."),
    per_municipality: int = typer.Option(
        1, "--per-municipality", help="Minimum open sites in each municipality (0 = none)."
    ),
    time_limit: float = typer.Option(20.0, "--time-limit", help="Seconds per number of sites."),
    out: Path = typer.Option(Path("pareto.csv"), "--out", "-o", help="CSV of the front."),
    cache_dir: Path | None = typer.Option(None, "--cache-dir", help="Travel-time cache folder."),
) -> None:
    """Kustannus ja saavutettavuus / Kostnad mot tillgänglighet / Cost against access.

    For each number of open sites the access-optimal network (with its proven bound), its
    annual premises cost, mean and worst travel time and share within the threshold; rows that
    no other row beats on both cost and the chosen access measure are marked efficient.
    """
    if access not in ACCESS:
        raise fail(f"--access: expected one of {', '.join(ACCESS)}; got {access!r}")
    with session() as events:
        from ..study import ParetoRequest, Study

        study = Study.open(region, cache_dir=cache_dir, progress=events)
        front, threshold = study.pareto(
            ParetoRequest(
                service=service,
                access=access,  # type: ignore[arg-type]
                threshold_minutes=threshold,
                p_min=p_min,
                p_max=p_max,
                mode=mode,
                year=year,
                per_municipality=per_municipality,
                time_limit_s=time_limit,
            )
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        front.to_csv(out, index=False)
    from rich.table import Table

    table = Table(title=f"{service}: {access} ({mode})")
    for col in (
        "auki",
        "€ / v",
        "ka. min",
        "pisin min",
        f"≤{threshold:g} min" if threshold else "≤- min",
        "ero",
    ):
        table.add_column(col, justify="right")
    table.add_column("tehokas")
    for _, r in front.iterrows():
        share = r.get("share_within", math.nan)
        table.add_row(
            str(r["p"]),
            _cost(r["annual_cost_eur"], int(r["sites_without_cost"]), int(r["p"])),
            f"{r['mean_minutes']:.1f}",
            f"{r['max_minutes']:.1f}",
            "-" if math.isnan(share) else f"{100 * share:.1f} %",
            f"{100 * r['gap']:.2f} %",
            "●" if r["efficient"] else "",
        )
    console.print(table)
    console.print(
        "auki = öppna / open sites; ero = gap to the proven bound; ● tehokas: mikään taulukon "
        "yhtä halpa tai halvempi verkko ei ole parempi / effektiv: inget lika billigt eller "
        "billigare nät i tabellen är bättre / efficient: no network in the table as cheap or "
        "cheaper is better"
    )
    if (front["sites_without_cost"] > 0).any():
        console.print(
            "? / ≥: vuosikustannus puuttuu osalta toimipisteistä (lasketaan 0 €:ksi) / "
            "årskostnaden saknas för en del ställen (räknas som 0 €) / the annual cost is "
            "missing for some sites (counted as EUR 0): add annual_cost_eur to the sites layer"
        )
    console.print(f"Kirjoitettu / Skrivet / Written: {out}", markup=False)
