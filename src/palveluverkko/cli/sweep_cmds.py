"""Command ``sweep``: a sensitivity sweep of a scenario over parameter draws, on Dask
(:meth:`palveluverkko.study.Study.sweep`)."""

from __future__ import annotations

from pathlib import Path

import typer

from . import app
from .ui import console, session


@app.command("sweep")
def sweep_cmd(
    region: Path = typer.Argument(..., help="Aluepaketti / Regionpaket / Region package folder."),
    scenario: Path | None = typer.Option(
        None, "--scenario", "-s", help="Skenaario / Scenario (TOML); default today's network."
    ),
    draws: int = typer.Option(100, "--draws", "-n", help="Number of parameter draws."),
    demand_growth: str = typer.Option(
        "1.0", "--demand-growth", help="Factor on every contact rate, e.g. normal:1.0:0.05."
    ),
    digital_share: str = typer.Option(
        "0", "--digital-share", help="Added to every digital share, e.g. uniform:-0.05:0.1."
    ),
    capacity: str = typer.Option(
        "1.0", "--capacity", help="Factor on every capacity, e.g. triangular:0.85:1.0:1.05."
    ),
    car_speed: str = typer.Option(
        "1.0", "--car-speed", help="Factor on car speeds (times divided by it), e.g. 0.9:1.1."
    ),
    service: list[str] = typer.Option(
        [], "--service", help="Service whose digital share varies (repeatable; default all)."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the draws."),
    scheduler: str | None = typer.Option(
        None,
        "--scheduler",
        help="serial, local (a Dask LocalCluster, default) or tcp://host:port "
        "(default $PALVELUVERKKO_DASK_SCHEDULER).",
    ),
    workers: int | None = typer.Option(None, "--workers", help="LocalCluster workers."),
    out: Path = typer.Option(
        Path("sweep.csv"), "--out", "-o", help="CSV: a row per draw and service."
    ),
    cache_dir: Path | None = typer.Option(None, "--cache-dir", help="Travel-time cache folder."),
) -> None:
    """Herkkyysanalyysi / Känslighetsanalys / Sensitivity sweep over parameter draws.

    Writes the figures of every draw and service to --out and their 10th, 50th and 90th
    percentiles to <out>_bands.csv.
    """
    with session() as events:
        from ..scenario import Scenario
        from ..study import Distribution, Study, SweepSpec

        spec = SweepSpec(
            demand_growth=Distribution.parse(demand_growth),
            digital_share_delta=Distribution.parse(digital_share),
            capacity_factor=Distribution.parse(capacity),
            car_speed_factor=Distribution.parse(car_speed),
            services=tuple(service) or None,
        )
        study = Study.open(region, cache_dir=cache_dir, progress=events)
        sc = Scenario.from_toml(scenario) if scenario is not None else None
        result = study.sweep(sc, spec, draws, seed=seed, scheduler=scheduler, n_workers=workers)
        out.parent.mkdir(parents=True, exist_ok=True)
        result.table().to_csv(out, index=False)
        bands = out.with_name(out.stem + "_bands.csv")
        result.bands().to_csv(bands, index=False)
    console.print(
        f"{draws} draws on {result.scheduler} in {result.seconds:.1f} s "
        f"(batches of {result.batch_size}); wrote {out} and {bands}",
        markup=False,
    )
