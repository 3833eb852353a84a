"""Command ``optimize``: choose the sites of one service with a location model, write a scenario."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import typer

from ..errors import InputError
from ..locate import (
    LocationResult,
    SolveParams,
    capacitated_p_median,
    fixed_charge,
    lscp,
    mclp,
    p_center,
    p_median,
)
from ..locate.candidates import candidate_sites, read_candidates, with_openings
from ..locate.region import (
    current_figures,
    explain,
    scenario_from_result,
    scenario_name,
    service_problem,
    service_threshold,
    site_labels,
)
from ..network import travel_times
from ..region import read_region
from . import app, console
from ._session import check_lang_option, fail, session

MODELS = ("p-median", "p-center", "mclp", "lscp", "fixed-charge", "capacitated-p-median")


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
) -> None:
    """Optimoi palveluverkko / Optimera servicenätet / Optimise the sites of one service.

    Writes a scenario TOML that `palveluverkko evaluate --scenario` scores, and prints what
    changes and what the proven bound says.
    """
    if model not in MODELS:
        raise fail(f"--model: expected one of {', '.join(MODELS)}; got {model!r}")
    check_lang_option(lang)
    with session() as bar:
        task = bar.add_task("optimointi / optimering / optimisation", total=None)
        loaded = read_region(region)
        work = loaded
        cand = None
        if candidates is not None:
            points = read_candidates(candidates, str(loaded.crs))
            assumed: dict[str, int] = {}
            cand = candidate_sites(loaded, service, points, kind=candidate_kind, assumed=assumed)
            work = cand.apply(loaded)
            console.print(
                f"{len(cand.openings)} ehdokaspistettä / kandidatpunkter / candidate points"
            )
            for col, n in assumed.items():
                console.print(
                    f"  {col}: {n} / {len(cand.openings)} alueen mediaani / regionens median / "
                    "the region's median (the file leaves it empty)"
                )
        tt = travel_times(work, mode, cache_dir=cache_dir)
        prob = service_problem(
            work,
            service,
            tt.minutes,
            tt.site_ids,
            year=year,
            min_open_per_municipality=per_municipality,
            must_open=keep,
            must_close=close,
        )
        params = SolveParams(time_limit_s=time_limit)
        # service_problem has checked that the service is in the catalogue, whose validated
        # threshold_min is a positive number
        target = service_threshold(loaded, service)
        assert target is not None
        if threshold is None and model in ("mclp", "lscp"):
            threshold = target
        res: LocationResult
        if model in ("p-median", "p-center", "mclp", "capacitated-p-median") and p is None:
            raise InputError(f"--p is required with --model {model}")
        if model == "p-median":
            assert p is not None
            res = p_median(prob, p, params=params)
        elif model == "p-center":
            assert p is not None
            res = p_center(prob, p, params=params)
        elif model == "mclp":
            assert p is not None
            assert threshold is not None
            res = mclp(prob, threshold, p, params=params)
        elif model == "capacitated-p-median":
            # capacity: site_services.capacity_per_week x 52 against yearly physical demand
            assert p is not None
            res = capacitated_p_median(prob, p, params=params)
        elif model == "lscp":
            assert threshold is not None
            res = lscp(prob, threshold, params=params)
        else:
            res = fixed_charge(prob, eur_per_minute, budget_eur=budget, params=params)
        new_ids = {o.site for o in cand.openings} if cand is not None else set()
        assert prob.site_ids is not None
        today = [s for s in prob.site_ids.astype(str).tolist() if s not in new_ids]
        shown_threshold = threshold if model in ("mclp", "lscp") else target
        text = explain(
            res,
            current_figures(prob, today, shown_threshold),
            lang=lang,
            labels=site_labels(work),
            new_sites=new_ids,
            threshold_minutes=shown_threshold,
        )
        scenario = scenario_from_result(work, service, res)
        if cand is not None:
            scenario = with_openings(scenario, cand)
        scenario = replace(scenario, name=scenario_name(res, service, lang), description=text)
        scenario.check(loaded)
        header = "".join(f"# {line}\n" for line in text.splitlines())
        out.write_text(header + scenario.to_toml(), encoding="utf-8")
        bar.update(task, completed=1, total=1)
    console.print(res.summary())
    console.print(text)
    console.print(f"Kirjoitettu / Skrivet / Written: {out}")
