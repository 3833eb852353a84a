"""Many evaluations at once: a sensitivity sweep of a scenario over parameter draws, on Dask.

A :class:`SweepSpec` gives each uncertain input a distribution: the growth of demand (every
contact rate times a factor), the digital share (added to every service's, or the chosen
services', within 0..1), capacity (every site-service capacity times a factor) and car speed
(every car travel time divided by a factor: a uniform change of speeds, access legs included,
an approximation that avoids rerouting). :func:`run_sweep` draws the parameters once, seeded, in
the calling process, evaluates each draw (:func:`draw_figures`: the stages of the evaluation
that the figures need: demand, channels, capacity transfer, allocation, county indicators,
capacity against the access target; no per-cell tables and no costs) and returns a
:class:`SweepResult` with one row per draw and service and percentile bands.

Scale-out goes to Dask (``dask.distributed``): a ``LocalCluster`` by default, a real scheduler
with ``scheduler="tcp://host:8786"`` (or ``$PALVELUVERKKO_DASK_SCHEDULER``). The region, the
scenario and the travel times are sent to the workers once (scattered with ``broadcast``), and
draws are batched so that a task lasts about ``batch_seconds`` (a Dask task costs 10-25 ms here:
tasks of a few milliseconds would be slower than a serial loop). Each draw's figures depend only
on its parameters, so a sweep on Dask equals the same sweep run serially (a test checks).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from ..errors import InputError

if TYPE_CHECKING:
    from ..evaluation import EvaluateOptions
    from ..network.types import TravelTimes
    from ..region.model import Region
    from ..scenario import Scenario

log = logging.getLogger("palveluverkko.study")

__all__ = [
    "Distribution",
    "SweepResult",
    "SweepSpec",
    "dask_client",
    "draw_figures",
    "draw_parameters",
    "read_bands",
    "run_sweep",
    "scheduler_address",
]

SCHEDULER_ENV = "PALVELUVERKKO_DASK_SCHEDULER"
"""Environment variable with the address of a Dask scheduler (``tcp://host:8786``)."""

PARAMETERS: tuple[str, ...] = (
    "demand_growth",
    "digital_share_delta",
    "capacity_factor",
    "car_speed_factor",
)
"""The uncertain inputs of a sweep, in the order of the parameter table's columns."""

FIGURES: tuple[str, ...] = (
    "share_within_10_car",
    "share_within_30_car",
    "share_within_30_transit",
    "mean_car_minutes",
    "unreachable_car_residents",
    "digital_share",
    "physical_per_year",
    "share_within_target",
    "mean_wait_days",
)
"""The figures of each draw and service."""


@dataclass(frozen=True)
class Distribution:
    """A distribution to draw a parameter from.

    ``fixed`` (``a``), ``uniform`` (``a`` .. ``b``), ``normal`` (mean ``a``, sd ``b``),
    ``triangular`` (``a`` .. ``c`` with mode ``b``). Text form: ``"1.0"``,
    ``"uniform:0.9:1.1"``, ``"normal:1.0:0.05"``, ``"triangular:0.9:1.0:1.2"``.
    """

    kind: Literal["fixed", "uniform", "normal", "triangular"] = "fixed"
    a: float = 0.0
    b: float = math.nan
    c: float = math.nan

    def __post_init__(self) -> None:
        needs = {"fixed": 1, "uniform": 2, "normal": 2, "triangular": 3}
        if self.kind not in needs:
            raise InputError(
                f"distribution {self.kind!r} is unknown; expected one of {', '.join(needs)}"
            )
        values = (self.a, self.b, self.c)[: needs[self.kind]]
        if not all(math.isfinite(v) for v in values):
            raise InputError(f"distribution {self.kind}: give {needs[self.kind]} finite numbers")
        if self.kind == "uniform" and not self.a <= self.b:
            raise InputError(f"uniform:{self.a}:{self.b}: the low end is above the high end")
        if self.kind == "normal" and not self.b >= 0:
            raise InputError(f"normal:{self.a}:{self.b}: the standard deviation is negative")
        if self.kind == "triangular" and not self.a <= self.b <= self.c:
            raise InputError(f"triangular:{self.a}:{self.b}:{self.c}: expected low <= mode <= high")

    @classmethod
    def parse(cls, text: str) -> Distribution:
        """The distribution written as ``kind:a[:b[:c]]`` or a plain number (fixed)."""
        parts = str(text).strip().split(":")
        try:
            if len(parts) == 1:
                return cls("fixed", float(parts[0]))
            numbers = [float(p) for p in parts[1:]]
        except ValueError:
            raise InputError(
                f"distribution {text!r}: write e.g. 1.0, uniform:0.9:1.1, normal:1.0:0.05 or "
                "triangular:0.9:1.0:1.2"
            ) from None
        return cls(parts[0], *numbers)  # type: ignore[arg-type]

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws."""
        if self.kind == "fixed":
            return np.full(n, self.a)
        if self.kind == "uniform":
            return rng.uniform(self.a, self.b, n)
        if self.kind == "normal":
            return rng.normal(self.a, self.b, n)
        return rng.triangular(self.a, self.b, self.c, n)

    def __str__(self) -> str:
        if self.kind == "fixed":
            return f"{self.a:g}"
        values = (self.a, self.b, self.c)[: {"uniform": 2, "normal": 2, "triangular": 3}[self.kind]]
        return ":".join([self.kind, *(f"{v:g}" for v in values)])


@dataclass(frozen=True)
class SweepSpec:
    """What varies in a sweep (see the module docstring); the defaults vary nothing."""

    demand_growth: Distribution = field(default_factory=lambda: Distribution("fixed", 1.0))
    digital_share_delta: Distribution = field(default_factory=lambda: Distribution("fixed", 0.0))
    capacity_factor: Distribution = field(default_factory=lambda: Distribution("fixed", 1.0))
    car_speed_factor: Distribution = field(default_factory=lambda: Distribution("fixed", 1.0))
    services: tuple[str, ...] | None = None

    def describe(self) -> dict[str, str]:
        """Each parameter's distribution as text (for reports and file headers)."""
        return {name: str(getattr(self, name)) for name in PARAMETERS}


def draw_parameters(spec: SweepSpec, n: int, *, seed: int = 0) -> pd.DataFrame:
    """``n`` parameter draws: ``draw`` and one column per parameter (seeded: equal seeds give
    equal draws). Factors are kept above 1e-3 and shares are clipped later per service."""
    if n < 1:
        raise InputError(f"--draws {n}: give at least 1 draw")
    rng = np.random.default_rng(seed)
    out = pd.DataFrame({"draw": np.arange(n)})
    for name in PARAMETERS:
        values = getattr(spec, name).draw(rng, n)
        if name != "digital_share_delta":
            values = np.maximum(values, 1e-3)
        out[name] = values
    return out


def _apply(
    region: Region,
    travel_times: dict[str, TravelTimes],
    row: pd.Series,
    services: tuple[str, ...] | None,
) -> tuple[Region, dict[str, TravelTimes]]:
    """The region and travel times of one draw."""
    svc = region.services.copy()
    rates = [c for c in svc.columns if str(c).startswith("rate_")]
    svc[rates] = svc[rates].astype(float) * float(row["demand_growth"])
    chosen = (
        np.ones(len(svc), dtype=bool)
        if services is None
        else svc["service"].astype(str).isin(services).to_numpy()
    )
    delta = float(row["digital_share_delta"])
    if delta:
        away = svc.get("home_share", 0.0) + svc.get("mobile_share", 0.0)
        top = (1.0 - pd.Series(away, index=svc.index).astype(float)).clip(lower=0.0)
        shares = (svc["digital_share"].astype(float) + delta).clip(lower=0.0)
        svc.loc[chosen, "digital_share"] = np.minimum(shares, top)[chosen]
    ss = region.site_services.copy()
    ss["capacity_per_week"] = ss["capacity_per_week"].astype(float) * float(row["capacity_factor"])
    tts = dict(travel_times)
    speed = float(row["car_speed_factor"])
    if speed != 1.0 and "car" in tts:
        car = tts["car"]
        tts["car"] = dataclasses.replace(
            car, minutes=(car.minutes / np.float32(speed)).astype(np.float32)
        )
    return region.replace(services=svc, site_services=ss), tts


def draw_figures(
    region: Region,
    scenario: Scenario | None,
    travel_times: dict[str, TravelTimes],
    row: pd.Series,
    *,
    services: tuple[str, ...] | None = None,
    options: EvaluateOptions | None = None,
) -> pd.DataFrame:
    """The figures (:data:`FIGURES`) of one draw, one row per service."""
    from ..evaluation.access import indicator_table
    from ..evaluation.capacity import share_within_target
    from ..evaluation.figures import Catchments, capacity_stage, sites_stage
    from ..evaluation.stages import (
        allocation_stage,
        capacity_transfer_stage,
        channel_stages,
        demand_stage,
        prepare,
    )
    from ..region.schema import AGE_BANDS

    drawn, tts = _apply(region, travel_times, row, services)
    opts = options
    if opts is None:
        from ..evaluation import EvaluateOptions

        opts = EvaluateOptions(validate=False)
    setting = prepare(drawn, scenario, travel_times=tts, options=opts)
    demand = demand_stage(setting)
    outcomes = channel_stages(setting, demand)
    setting, _ = capacity_transfer_stage(setting, demand, outcomes)
    alloc = allocation_stage(setting, demand, outcomes)
    codes = demand.services
    transit = alloc.nearest.get("transit")
    county = indicator_table(
        codes,
        alloc.nearest["car"].minutes,
        None if transit is None else transit.minutes,
        alloc.trip_minutes,
        demand.demand.residents,
        {},
        AGE_BANDS,
    )
    county = county.loc[county["level"] == "county"].set_index("service")
    zeros_cells = np.zeros((len(codes), len(setting.cell_ids)))
    zeros_sites = np.zeros((len(codes), len(setting.site_ids)))
    sites = sites_stage(
        setting, demand, alloc, Catchments(zeros_cells, zeros_cells, zeros_sites, zeros_sites)
    )
    load = capacity_stage(setting, demand, sites)
    totals = demand.split.channel_totals(codes).set_index("service")
    rows = []
    for s, code in enumerate(codes):
        travels = bool(demand.site_travel[s])
        mine = load.loc[(load["service"] == code) & (load["contacts_per_week"] > 0)]
        w = mine["contacts_per_week"].to_numpy(dtype=float)
        wait = mine["expected_wait_days"].to_numpy(dtype=float)
        ok = np.isfinite(wait)
        figures: dict[str, Any] = {
            "draw": int(row["draw"]),
            "service": code,
            "digital_share": float(totals.at[code, "digital_share"]),
            "physical_per_year": float(totals.at[code, "physical_per_year"]),
        }
        for name in FIGURES[:5]:
            figures[name] = float(county.at[code, name]) if travels else math.nan
        figures["share_within_target"] = share_within_target(load, code) if travels else math.nan
        figures["mean_wait_days"] = (
            float(w[ok] @ wait[ok] / w[ok].sum()) if travels and w[ok].sum() > 0 else math.nan
        )
        rows.append(figures)
    return pd.DataFrame(rows, columns=["draw", "service", *FIGURES])


def _run_batch(
    region: Region,
    scenario: Scenario | None,
    travel_times: dict[str, TravelTimes],
    rows: pd.DataFrame,
    services: tuple[str, ...] | None,
) -> pd.DataFrame:
    """The figures of a batch of draws (one Dask task)."""
    return pd.concat(
        [
            draw_figures(region, scenario, travel_times, row, services=services)
            for _, row in rows.iterrows()
        ],
        ignore_index=True,
    )


@dataclass(frozen=True, eq=False)
class SweepResult:
    """The draws and their figures.

    Attributes
    ----------
    parameters
        One row per draw: ``draw`` and the parameters (:data:`PARAMETERS`).
    figures
        One row per draw and service: ``draw, service`` and :data:`FIGURES`.
    spec, scheduler, seconds, batch_size
        What was varied, where it ran (``serial``, ``local`` or the scheduler's address), the
        wall seconds, and the draws per task.
    """

    parameters: pd.DataFrame
    figures: pd.DataFrame
    spec: SweepSpec
    scheduler: str
    seconds: float
    batch_size: int

    def bands(self, percentiles: Sequence[float] = (10, 50, 90)) -> pd.DataFrame:
        """Per service and figure, the percentiles over the draws (``p10``, ``p50``, ``p90``)."""
        long = self.figures.melt(
            id_vars=["draw", "service"], value_vars=list(FIGURES), var_name="figure"
        )
        grouped = long.groupby(["service", "figure"], sort=False)["value"]
        out = pd.DataFrame(
            {f"p{p:g}": grouped.quantile(p / 100.0) for p in percentiles}
        ).reset_index()
        return out

    def table(self) -> pd.DataFrame:
        """Parameters and figures in one long table (one row per draw and service)."""
        return self.figures.merge(self.parameters, on="draw")


def scheduler_address(scheduler: str | None) -> str:
    if scheduler is None:
        return os.environ.get(SCHEDULER_ENV, "") or "local"
    return scheduler


def run_sweep(
    region: Region,
    scenario: Scenario | None,
    travel_times: dict[str, TravelTimes],
    spec: SweepSpec,
    n: int,
    *,
    seed: int = 0,
    scheduler: str | None = None,
    batch_seconds: float = 1.0,
    n_workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SweepResult:
    """Evaluate ``n`` draws of ``spec`` for ``scenario`` (None: today's network).

    Parameters
    ----------
    region, scenario, travel_times
        As for :func:`palveluverkko.evaluate` (the travel times must cover the scenario's sites).
    spec, n, seed
        What varies, how many draws, the seed of the draws.
    scheduler
        ``"serial"`` (no Dask), ``"local"`` (a ``LocalCluster`` on this machine, the default),
        or a scheduler address ``tcp://host:port``; default ``$PALVELUVERKKO_DASK_SCHEDULER``
        or ``"local"``.
    batch_seconds
        Aim of a task's length: draws are batched after timing the first one.
    n_workers
        Workers of the LocalCluster (default: the machine's cores).
    progress
        ``(draws done, n)``.

    Raises
    ------
    InputError
        A bad distribution, fewer than 1 draw, or a scheduler that cannot be reached.
    """
    params = draw_parameters(spec, n, seed=seed)
    where = scheduler_address(scheduler)
    started = time.perf_counter()
    tts = dict(travel_times)
    # batches are sized on a warm draw: the first pays the imports and caches (2.2 s against
    # 0.47 s on the demo); sized on it, 1,000 demo draws went as one-draw tasks and the cluster
    # was slower than serial
    parts = []
    one = 1e-3
    for k in range(min(n, 2)):
        t = time.perf_counter()
        parts.append(_run_batch(region, scenario, tts, params.iloc[k : k + 1], spec.services))
        one = max(time.perf_counter() - t, 1e-3)
    head = len(parts)
    batch = max(1, min(n, math.ceil(batch_seconds / one)))
    if progress is not None:
        progress(head, n)
    rest = params.iloc[head:]
    batches = [rest.iloc[k : k + batch] for k in range(0, len(rest), batch)]
    if where == "serial" or not batches:
        done = head
        for part in batches:
            parts.append(_run_batch(region, scenario, tts, part, spec.services))
            done += len(part)
            if progress is not None:
                progress(done, n)
    else:
        parts += _on_dask(where, region, scenario, tts, batches, spec, n_workers, n, progress)
    figures = pd.concat(parts, ignore_index=True).sort_values(["draw", "service"], kind="stable")
    log.info("sweep of %d draws on %s in batches of %d", n, where, batch)
    return SweepResult(
        parameters=params,
        figures=figures.reset_index(drop=True),
        spec=spec,
        scheduler=where,
        seconds=time.perf_counter() - started,
        batch_size=batch,
    )


def _on_dask(
    where: str,
    region: Region,
    scenario: Scenario | None,
    tts: dict[str, TravelTimes],
    batches: list[pd.DataFrame],
    spec: SweepSpec,
    n_workers: int | None,
    n: int,
    progress: Callable[[int, int], None] | None,
) -> list[pd.DataFrame]:
    from distributed import as_completed

    with dask_client(where, n_workers) as client:
        shared = client.scatter([region, scenario, tts], broadcast=True)
        futures = [
            client.submit(_run_batch, *shared, part, spec.services, pure=False) for part in batches
        ]
        out = []
        done = n - sum(len(part) for part in batches)  # the draws run before, on the client
        for future in as_completed(futures):
            frame = future.result()
            out.append(frame)
            done += int(frame["draw"].nunique())
            if progress is not None:
                progress(done, n)
        return out


@contextmanager
def dask_client(where: str, n_workers: int | None) -> Iterator[Any]:
    """A Dask ``Client``: of a new ``LocalCluster`` (``where == "local"``, one thread per
    worker process, closed on exit) or of the scheduler at ``where`` (``tcp://host:port``).

    Raises
    ------
    InputError
        The scheduler cannot be reached.
    """
    from distributed import Client, LocalCluster

    cluster = None
    try:
        if where == "local":
            cluster = LocalCluster(
                n_workers=n_workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # a free port: a second cluster (or a user's) has 8787
                silence_logs=logging.ERROR,
            )
            client = Client(cluster)
        else:
            try:
                client = Client(where, timeout="10s")
            except OSError as exc:
                raise InputError(
                    f"Dask scheduler {where}: cannot connect ({exc}); check the address, or run "
                    "without --scheduler for a local cluster"
                ) from exc
        with client:
            yield client
    finally:
        if cluster is not None:
            cluster.close()


def read_bands(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A sweep's bands file (``<out>_bands.csv``: ``service, figure, p10, p50, p90``).

    Raises
    ------
    InputError
        When the file cannot be read or lacks a column (the message names the file).
    """
    try:
        frame = pd.read_csv(path)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{path}: cannot read the sweep's bands ({exc})") from None
    missing = [c for c in ("service", "figure", "p10", "p50", "p90") if c not in frame.columns]
    if missing:
        raise InputError(
            f"{path}: column(s) {', '.join(missing)} missing; give the <out>_bands.csv that "
            "palveluverkko sweep writes"
        )
    return frame
