"""Command ``optimize``: choose the sites of one service with a location model, write a scenario
(:meth:`palveluverkko.study.Study.optimize`)."""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from ..study.choices import MODEL_NAMES as MODELS
from . import app
from .ui import check_lang_option, console, fail, session


@app.command("optimize")
def optimize_cmd(
    region: Path = typer.Argument(..., help="Aluepaketti / Regionpaket / Region package folder."),
    service: str = typer.Option(..., "--service", help="Palvelu / Tjänst / Service code."),
    model: str = typer.Option("p-median", "--model", "-m", help=f"One of {', '.join(MODELS)}."),
    p: int | None = typer.Option(
        None, "--p", help="Open sites (p-median, p-center, mclp, capacitated-p-median)."
    ),
    threshold: float | None = typer.Option(
        None, "--threshold", help="Minutes (mclp, lscp); default the service's threshold_min."
    ),
    eur_per_minute: float = typer.Option(
        1.0, "--eur-per-minute", help="fixed-charge: EUR per contact-minute of travel."
    ),
    budget: float | None = typer.Option(None, "--budget", help="fixed-charge: EUR per year."),
    mode: str = typer.Option("car", "--mode", help="car, walk, bike or transit."),
    year: int | None = typer.Option(None, "--year", "-y", help="Demand year."),
    per_municipality: int = typer.Option(
        1, "--per-municipality", help="Minimum open sites in each municipality (0 = none)."
    ),
    keep: list[str] = typer.Option([], "--keep", help="Site id that must stay open."),
    close: list[str] = typer.Option([], "--close", help="Site id that must close."),
    time_limit: float = typer.Option(60.0, "--time-limit", help="Seconds."),
    candidates: Path | None = typer.Option(
        None,
        "--candidates",
        help="New candidate points: CSV (candidate_id, x, y or lon, lat) or GeoJSON/GeoPackage; "
        "optional name, capacity_per_week, staff_fte, annual_cost_eur (empty: region's median).",
    ),
    candidate_kind: str = typer.Option(
        "sote_asema", "--candidate-kind", help="Site kind of a new candidate point."
    ),
    out: Path = typer.Option(Path("optimized.toml"), "--out", "-o", help="Scenario file."),
    lang: str = typer.Option(
        "fi", "--lang", help="Kieli / Språk / Language of the explanation: fi, sv or en."
    ),
    cache_dir: Path | None = typer.Option(None, "--cache-dir", help="Travel-time cache folder."),
    no_capacity_check: bool = typer.Option(
        False,
        "--no-capacity-check",
        help="Skip evaluating today and the result for care within the access target.",
    ),
    details: bool = typer.Option(
        False,
        "--details",
        help="Also print the solver's technical summary (objective, bound, gap, method; in "
        "English).",
    ),
) -> None:
    """Optimoi palveluverkko / Optimera servicenätet / Optimise the sites of one service.

    Writes a scenario TOML that `palveluverkko evaluate --scenario` scores, and prints what
    changes and what the proven bound says.
    """
    if model not in MODELS:
        raise fail(f"--model: expected one of {', '.join(MODELS)}; got {model!r}")
    check_lang_option(lang)
    with session() as events:
        from ..study import OptimizeRequest, Study

        request = OptimizeRequest(
            service=service,
            model=model,
            p=p,
            threshold_minutes=threshold,
            eur_per_minute=eur_per_minute,
            budget_eur=budget,
            mode=mode,
            year=year,
            per_municipality=per_municipality,
            keep=tuple(keep),
            close=tuple(close),
            time_limit_s=time_limit,
            lang=lang,
            capacity_check=not no_capacity_check,
        )
        study = Study.open(region, cache_dir=cache_dir, progress=events)
        cand = None
        if candidates is not None:
            cand = study.candidates(service, candidates, kind=candidate_kind)
            console.print(f"{len(cand.sites)} ehdokaspistettä / kandidatpunkter / candidate points")
            for col, n in cand.assumed.items():
                console.print(
                    f"  {col}: {n} / {len(cand.sites)} alueen mediaani / regionens median / "
                    "the region's median (the file leaves it empty)"
                )
        result = study.optimize(request, candidates=cand)
        result.write(out)
    if details or lang == "en":
        console.print(result.result.summary(), markup=False)
    else:  # the explanation says it in the chosen language; the solver's lines are English
        logging.getLogger("palveluverkko.cli").info("%s", result.result.summary())
    console.print(result.explanation, markup=False)
    console.print(f"Kirjoitettu / Skrivet / Written: {out}", markup=False)
