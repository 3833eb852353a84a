"""Command ``optimize``: choose the sites of one service with a location model, write a scenario
(:meth:`palveluverkko.study.Study.optimize`)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..study.choices import MODEL_NAMES as MODELS
from . import app
from .ui import check_lang_option, console, fail, session

if TYPE_CHECKING:
    from ..study import OptimizeRequest, Study


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
    every_p: bool = typer.Option(
        False,
        "--every-p",
        help="Solve for every p from 1 to the sites offering the service, on Dask; write a "
        "table (CSV, --out with .csv) of p, objective, bound, gap, open sites and care within "
        "the access target instead of one scenario.",
    ),
    scheduler: str | None = typer.Option(
        None,
        "--scheduler",
        help="With --every-p: serial, local (a Dask LocalCluster, default) or tcp://host:port "
        "(default $PALVELUVERKKO_DASK_SCHEDULER).",
    ),
) -> None:
    """Optimoi palveluverkko / Optimera servicenätet / Optimise the sites of one service.

    Writes a scenario TOML that `palveluverkko evaluate --scenario` scores, and prints what
    changes and what the proven bound says.
    """
    if model not in MODELS:
        raise fail(f"--model: expected one of {', '.join(MODELS)}; got {model!r}")
    check_lang_option(lang)
    if every_p:
        from ..study import MODELS as SPECS

        if not SPECS[model].needs_p:
            with_p = ", ".join(m for m, spec in SPECS.items() if spec.needs_p)
            raise fail(f"--every-p: --model {model} has no p; use one of {with_p}")
        p = 1  # each request of the batch sets its own p
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
        if every_p:
            if candidates is not None:
                raise fail("--every-p: candidate points are not supported; drop --candidates")
            _every_p(study, request, out, scheduler)
            return
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


def _every_p(study: Study, request: OptimizeRequest, out: Path, scheduler: str | None) -> None:
    """``optimize --every-p``: the batch on Dask and its table."""
    import math
    from dataclasses import replace

    from ..study.batch import optimization_table

    ss = study.region.site_services
    offered = ss.loc[ss["service"].astype(str) == request.service, "site_id"].astype(str)
    n = offered[~offered.isin(request.close)].nunique()  # --close sites cannot open
    if n == 0:
        raise fail(f"--service {request.service}: no site offers it (outside --close)")
    requests = [replace(request, p=p) for p in range(1, n + 1)]
    table = optimization_table(study.optimize_many(requests, scheduler=scheduler))
    target = out.with_suffix(".csv")
    table.to_csv(target, index=False)
    for row in table.itertuples():
        console.print(
            f"p={row.p:>3}  {row.objective:14.1f}  gap {row.gap:.2%}  "
            + ("-" if math.isnan(row.within_target) else f"{row.within_target:.1%}"),
            markup=False,
        )
    console.print(f"Kirjoitettu / Skrivet / Written: {target}", markup=False)
