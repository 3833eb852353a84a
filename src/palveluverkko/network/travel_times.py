"""Travel-time matrices from population cells to sites: :func:`travel_times`, :class:`TravelTimes`.

Contract (stable; other modules code against it)
------------------------------------------------
``TravelTimes`` is a frozen dataclass with ``mode``; ``minutes`` ``(n_cells, n_sites)`` float32,
``inf`` where unreachable (or, with ``max_minutes`` / ``k``, not reported); ``cell_ids`` and
``site_ids`` in the order of ``region.population`` and ``region.sites``; ``percentiles``
(``{}`` for roads; transit gives e.g. ``{10: ..., 90: ...}`` with ``minutes`` the median);
``unreachable`` (DataFrame ``cell_id, municipality, residents, reason``: cells that cannot
start a trip at all, residents counted); ``unreachable_sites`` (``site_id, municipality,
reason``); ``parameters``; ``digest``; and ``to_frame(max_minutes=None)``.

``travel_times(region, mode="car", *, max_minutes=None, k=None, cache_dir=None, use_cache=True,
progress=None, **mode_options)``.

Road modes
----------
For cell ``i`` linked to node ``a_i`` with access time ``c_i``, and site ``j`` linked to node
``b_j`` with access time ``s_j`` (:mod:`.snap`),

.. math::

    T_{ij} = \\operatorname{fl32}\\big((d(a_i, b_j) + c_i) + s_j\\big),

with ``d`` the shortest-path time on the mode's network (:mod:`.paths`), computed as one
Dijkstra per distinct site node on the reversed graph, gathering only the cells' nodes. Cells or
sites that cannot be linked get ``inf`` and are listed. ``max_minutes`` turns every ``T > max``
into ``inf`` and stops searches early. ``k`` keeps each cell's ``k`` nearest sites (others
``inf``) using one multi-label Dijkstra (:func:`.paths.k_nearest_sources`), which costs about
``k`` searches whatever the number of sites; there the sum is formed as ``(s_j + d) + c_i``, so
values may differ from the full matrix in the last float32 bit.

Transit
-------
``mode="transit"`` builds the walking network and calls
``palveluverkko.network.transit.transit_travel_times(region, walk_network=..., **mode_options)``
(the transit module), then applies ``max_minutes``/``k`` and the cache in the same way.

Cache
-----
Results are cached on disk under a digest of all inputs and parameters (:mod:`.cache`).
"""

from __future__ import annotations

import inspect
import json
import logging
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import InputError, NetworkError, UnreachableWarning
from ..region.schema import MODES, POPULATION_COLUMNS
from . import cache
from .build import file_digest, roads_layer_digest
from .graph import RoadNetwork
from .matrix import Progress, road_matrix
from .snap import REASONS, snap

if TYPE_CHECKING:
    from ..region.model import Region

log = logging.getLogger("palveluverkko.network")

__all__ = ["TravelTimes", "travel_times"]


NETWORK_OPTIONS = (
    "walk_speed_kph",
    "bike_speed_kph",
    "ferry_speed_kph",
    "ferry_wait_min",
    "speed_overrides_kph",
    "node_tolerance_m",
    "max_segment_m",
)
SNAP_OPTIONS = ("max_snap_distance_m", "access_speed_kph", "min_separate_network_m")
SNAP_DEFAULTS: dict[str, Any] = {"max_snap_distance_m": 1000.0, "min_separate_network_m": 1000.0}


def _empty_unreachable() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "cell_id": pd.Series([], dtype=object),
            "municipality": pd.Series([], dtype=object),
            "residents": pd.Series([], dtype=np.int64),
            "reason": pd.Series([], dtype=object),
        }
    )


def _empty_unreachable_sites() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "site_id": pd.Series([], dtype=object),
            "municipality": pd.Series([], dtype=object),
            "reason": pd.Series([], dtype=object),
        }
    )


@dataclass(frozen=True, eq=False)
class TravelTimes:
    """Travel times from population cells to sites for one mode (see the module docstring).

    Attributes
    ----------
    mode
        ``"car"``, ``"walk"``, ``"bike"`` or ``"transit"``.
    minutes
        ``(n_cells, n_sites)`` float32, ``inf`` where unreachable or not reported.
    cell_ids, site_ids
        Ids in the order of ``region.population`` and ``region.sites`` (object arrays of str).
    percentiles
        Other percentiles of the travel time over departure times (transit), by percent.
    unreachable
        Cells that cannot be linked to the network: ``cell_id, municipality, residents, reason``.
    unreachable_sites
        Sites that cannot be linked: ``site_id, municipality, reason``.
    parameters
        Every parameter that produced the matrix.
    digest
        SHA-256 of inputs and parameters (the cache key).
    """

    mode: str
    minutes: np.ndarray
    cell_ids: np.ndarray
    site_ids: np.ndarray
    percentiles: Mapping[int, np.ndarray] = field(default_factory=dict)
    unreachable: pd.DataFrame = field(default_factory=_empty_unreachable)
    parameters: Mapping[str, Any] = field(default_factory=dict)
    digest: str = ""
    unreachable_sites: pd.DataFrame = field(default_factory=_empty_unreachable_sites)

    def __post_init__(self) -> None:
        shape = (len(self.cell_ids), len(self.site_ids))
        if self.minutes.shape != shape:
            raise InputError(
                f"TravelTimes.minutes has shape {self.minutes.shape}; expected "
                f"(n_cells, n_sites) = {shape}"
            )
        for q, arr in self.percentiles.items():
            if arr.shape != shape:
                raise InputError(
                    f"TravelTimes.percentiles[{q}] has shape {arr.shape}; expected {shape}"
                )

    @property
    def n_cells(self) -> int:
        """Number of cells (rows)."""
        return len(self.cell_ids)

    @property
    def n_sites(self) -> int:
        """Number of sites (columns)."""
        return len(self.site_ids)

    def to_frame(self, max_minutes: float | None = None) -> pd.DataFrame:
        """Long table ``cell_id, site_id, minutes`` of the finite entries (``<= max_minutes``).

        Unreachable pairs are left out; see :attr:`unreachable` for the cells concerned.
        """
        ok = np.isfinite(self.minutes)
        if max_minutes is not None:
            ok &= self.minutes <= max_minutes
        rows, cols = np.nonzero(ok)
        return pd.DataFrame(
            {
                "cell_id": np.asarray(self.cell_ids, dtype=object)[rows],
                "site_id": np.asarray(self.site_ids, dtype=object)[cols],
                "minutes": self.minutes[rows, cols],
            }
        )

    def nearest(self, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` nearest sites of each cell: ``(site index (n_cells, k) int64, minutes)``.

        Site index -1 and ``inf`` minutes where a cell reaches fewer than ``k`` sites.
        """
        k = min(k, self.n_sites)
        if k == 0:
            return np.empty((self.n_cells, 0), np.int64), np.empty((self.n_cells, 0), np.float32)
        part = np.argpartition(self.minutes, k - 1, axis=1)[:, :k]
        vals = np.take_along_axis(self.minutes, part, axis=1)
        order = np.argsort(vals, axis=1, kind="stable")
        idx = np.take_along_axis(part, order, axis=1).astype(np.int64)
        vals = np.take_along_axis(vals, order, axis=1)
        idx[~np.isfinite(vals)] = -1
        return idx, vals

    def summary(self) -> str:
        """One line: mode, size, share of finite pairs, unreachable cells and residents."""
        finite = float(np.isfinite(self.minutes).mean()) if self.minutes.size else 0.0
        return (
            f"{self.mode}: {self.n_cells} cells x {self.n_sites} sites, {finite:.1%} of pairs "
            f"reachable; {len(self.unreachable)} cells ({int(self.unreachable['residents'].sum())} "
            f"residents) and {len(self.unreachable_sites)} sites cannot be linked"
        )


def travel_times(
    region: Region,
    mode: str = "car",
    *,
    max_minutes: float | None = None,
    k: int | None = None,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
    progress: Progress | None = None,
    **mode_options: Any,
) -> TravelTimes:
    """Travel times from every population cell to every site of ``region`` by ``mode``.

    Parameters
    ----------
    region
        The region; its ``roads_pbf`` or ``roads`` layer gives the network, ``gtfs`` the transit.
    mode
        ``"car"``, ``"walk"``, ``"bike"`` or ``"transit"``.
    max_minutes
        Report only times ``<= max_minutes`` (others ``inf``); searches stop there.
    k
        Report only each cell's ``k`` nearest sites (others ``inf``).
    cache_dir
        Cache folder; default ``$PALVELUVERKKO_CACHE_DIR`` or ``~/.cache/palveluverkko``.
    use_cache
        Read and write the cache (default) or neither.
    progress
        Optional callback ``(done, total)`` called as sources are finished.
    **mode_options
        Road modes: ``walk_speed_kph``, ``bike_speed_kph``, ``ferry_speed_kph``,
        ``ferry_wait_min``, ``speed_overrides_kph``, ``max_segment_m`` (network,
        :mod:`.rules`, :mod:`.graph`);
        ``max_snap_distance_m`` (1000), ``access_speed_kph``, ``min_separate_network_m`` (1000)
        (linking, :mod:`.snap`). Transit: passed to ``transit_travel_times`` (the network
        options above, if any, shape its walking network).

    Returns
    -------
    TravelTimes

    Raises
    ------
    InputError
        For an unknown mode or option, or ``k < 1`` / ``max_minutes < 0``.
    MissingLayerError
        If the region has no road network.

    Warns
    -----
    UnreachableWarning
        When cells or sites cannot be linked to the network (counted with their residents).
    """
    if mode not in MODES:
        raise InputError(f"mode {mode!r} is unknown; expected one of {', '.join(MODES)}")
    if k is not None and k < 1:
        raise InputError(f"k must be >= 1; found {k}")
    if max_minutes is not None and not max_minutes >= 0:
        raise InputError(f"max_minutes must be >= 0; found {max_minutes}")
    net_opts = {key: mode_options.pop(key) for key in NETWORK_OPTIONS if key in mode_options}
    if mode != "transit":
        snap_opts = {
            **SNAP_DEFAULTS,
            **{k_: mode_options.pop(k_) for k_ in SNAP_OPTIONS if k_ in mode_options},
        }
        if mode_options:
            raise InputError(
                f"unknown option(s) for mode {mode!r}: {', '.join(sorted(mode_options))}; "
                f"expected some of {', '.join(NETWORK_OPTIONS + SNAP_OPTIONS)}"
            )
    else:
        snap_opts = {}
    network_mode = "walk" if mode == "transit" else mode
    if region.roads_pbf is not None:  # only the roads-layer reader welds vertices
        net_opts.pop("node_tolerance_m", None)
    parameters: dict[str, Any] = {
        "mode": mode,
        "max_minutes": max_minutes,
        "k": k,
        "network": {"mode": network_mode, **net_opts},
        "snap": snap_opts,
        "options": mode_options,
        "road_source": "osm" if region.roads_pbf is not None else "roads",
    }
    cells_xy = region.cell_points()
    sites_xy = region.site_points()
    cell_ids = region.population["cell_id"].astype(str).to_numpy(dtype=object)
    site_ids = region.sites["site_id"].astype(str).to_numpy(dtype=object)
    parts: list[bytes | str | np.ndarray] = [
        _road_source_digest(region),
        cell_ids,
        cells_xy,
        site_ids,
        sites_xy,
        region.crs,
    ]
    if mode == "transit":
        parts += [feed.digest for feed in region.gtfs]
    digest = cache.digest_of(parameters, parts)
    folder = Path(cache_dir) if cache_dir is not None else cache.default_cache_dir()
    path = cache.cache_path(folder, mode, digest)

    cached = cache.load_arrays(path) if use_cache else None
    if cached is not None:
        log.info("travel times %s: cache hit %s", mode, path)
        result = _from_arrays(cached, region, digest)
    else:
        if mode == "transit":
            result = _transit(region, net_opts, mode_options, max_minutes, k, progress)
        else:
            result = _road(region, mode, net_opts, snap_opts, max_minutes, k, progress)
        result = replace(
            result, parameters={**parameters, **dict(result.parameters)}, digest=digest
        )
        if use_cache:
            cache.store_arrays(path, _to_arrays(result))
    _warn_unreachable(result)
    return result


# --- road modes ---------------------------------------------------------------------------------


def _road(
    region: Region,
    mode: str,
    net_opts: Mapping[str, Any],
    snap_opts: Mapping[str, Any],
    max_minutes: float | None,
    k: int | None,
    progress: Progress | None,
) -> TravelTimes:
    network = RoadNetwork.for_region(region, mode, **net_opts)
    max_distance_m = float(snap_opts["max_snap_distance_m"])
    min_separate_m = float(snap_opts["min_separate_network_m"])
    access_speed = snap_opts.get("access_speed_kph")
    cells, sites = (
        snap(
            network,
            xy,
            max_distance_m=max_distance_m,
            access_speed_kph=access_speed,
            min_separate_network_m=min_separate_m,
        )
        for xy in (region.cell_points(), region.site_points())
    )
    minutes = road_matrix(network, cells, sites, max_minutes=max_minutes, k=k, progress=progress)
    return TravelTimes(
        mode=mode,
        minutes=minutes,
        cell_ids=region.population["cell_id"].astype(str).to_numpy(dtype=object),
        site_ids=region.sites["site_id"].astype(str).to_numpy(dtype=object),
        unreachable=_unreachable_cells(region, cells.reason),
        unreachable_sites=_unreachable_sites(region, sites.reason),
        parameters={
            "n_nodes": network.n_nodes,
            "n_edges": network.n_edges,
            "access_speed_kph": access_speed,
        },
    )


# --- transit ------------------------------------------------------------------------------------


def _transit(
    region: Region,
    net_opts: Mapping[str, Any],
    mode_options: Mapping[str, Any],
    max_minutes: float | None,
    k: int | None,
    progress: Progress | None,
) -> TravelTimes:
    try:
        from . import transit  # type: ignore[attr-defined, unused-ignore]
    except ImportError as exc:  # the transit module is developed separately
        raise NetworkError(f"transit routing is not available in this build: {exc}") from exc
    walk = RoadNetwork.for_region(region, "walk", **net_opts)
    options = dict(mode_options)
    if (
        progress is not None
        and "progress" in inspect.signature(transit.transit_travel_times).parameters
    ):
        options.setdefault("progress", progress)
    result: TravelTimes = transit.transit_travel_times(region, walk_network=walk, **options)
    if max_minutes is None and k is None:
        return result
    keep = np.isfinite(result.minutes)
    if max_minutes is not None:
        keep &= result.minutes <= max_minutes
    if k is not None:
        idx, _ = replace(result, minutes=np.where(keep, result.minutes, np.inf)).nearest(k)
        top = np.zeros_like(keep)
        rows = np.repeat(np.arange(result.n_cells), idx.shape[1])
        flat = idx.ravel()
        top[rows[flat >= 0], flat[flat >= 0]] = True
        keep &= top
    return replace(
        result,
        minutes=np.where(keep, result.minutes, np.inf).astype(np.float32),
        percentiles={
            q: np.where(keep, a, np.inf).astype(np.float32) for q, a in result.percentiles.items()
        },
    )


# --- helpers ------------------------------------------------------------------------------------


def _road_source_digest(region: Region) -> str:
    if region.roads_pbf is not None:
        return "pbf:" + file_digest(Path(region.roads_pbf))
    if region.roads is not None:
        return "roads:" + roads_layer_digest(region.roads)
    return "no-roads"


def _residents(region: Region) -> np.ndarray:
    cols = [c for c in POPULATION_COLUMNS if c in region.population.columns]
    return region.population[cols].to_numpy(dtype=np.int64).sum(axis=1)


def _unreachable_cells(region: Region, reason: np.ndarray) -> pd.DataFrame:
    rows = np.flatnonzero(np.asarray(reason, dtype=object) != "")
    pop = region.population
    return pd.DataFrame(
        {
            "cell_id": pop["cell_id"].astype(str).to_numpy(dtype=object)[rows],
            "municipality": pop["municipality"].astype(str).to_numpy(dtype=object)[rows],
            "residents": _residents(region)[rows],
            "reason": np.asarray(reason, dtype=object)[rows],
        }
    )


def _unreachable_sites(region: Region, reason: np.ndarray) -> pd.DataFrame:
    rows = np.flatnonzero(np.asarray(reason, dtype=object) != "")
    sites = region.sites
    return pd.DataFrame(
        {
            "site_id": sites["site_id"].astype(str).to_numpy(dtype=object)[rows],
            "municipality": sites["municipality"].astype(str).to_numpy(dtype=object)[rows],
            "reason": np.asarray(reason, dtype=object)[rows],
        }
    )


def _reason_per_row(ids: np.ndarray, frame: pd.DataFrame, id_column: str) -> np.ndarray:
    reason = np.full(len(ids), "", dtype=object)
    if len(frame):
        lookup = dict(zip(frame[id_column].astype(str), frame["reason"].astype(str), strict=False))
        reason[:] = [lookup.get(i, "") for i in ids]
    return reason


def _to_arrays(result: TravelTimes) -> dict[str, np.ndarray]:
    arrays = {
        "mode": np.array(result.mode),
        "minutes": result.minutes.astype(np.float32),
        "cell_ids": np.asarray(result.cell_ids).astype(str),
        "site_ids": np.asarray(result.site_ids).astype(str),
        "cell_reason": _reason_per_row(result.cell_ids, result.unreachable, "cell_id").astype(str),
        "site_reason": _reason_per_row(result.site_ids, result.unreachable_sites, "site_id").astype(
            str
        ),
        "parameters": np.array(json.dumps(dict(result.parameters), sort_keys=True, default=str)),
    }
    for q, arr in result.percentiles.items():
        arrays[f"percentile_{int(q)}"] = arr.astype(np.float32)
    return arrays


def _from_arrays(arrays: Mapping[str, np.ndarray], region: Region, digest: str) -> TravelTimes:
    percentiles = {
        int(name.removeprefix("percentile_")): arr
        for name, arr in arrays.items()
        if name.startswith("percentile_")
    }
    return TravelTimes(
        mode=str(arrays["mode"]),
        minutes=arrays["minutes"],
        cell_ids=arrays["cell_ids"].astype(object),
        site_ids=arrays["site_ids"].astype(object),
        percentiles=dict(sorted(percentiles.items())),
        unreachable=_unreachable_cells(region, arrays["cell_reason"].astype(object)),
        unreachable_sites=_unreachable_sites(region, arrays["site_reason"].astype(object)),
        parameters=json.loads(str(arrays["parameters"])),
        digest=digest,
    )


def _warn_unreachable(result: TravelTimes) -> None:
    cells = result.unreachable
    if len(cells):
        by_reason = cells.groupby("reason")["residents"].agg(["size", "sum"])
        detail = "; ".join(
            f"{reason}: {int(row['size'])} cells, {int(row['sum'])} residents"
            for reason, row in by_reason.iterrows()
        )
        warnings.warn(
            f"{result.mode}: {len(cells)} cell(s) with {int(cells['residents'].sum())} residents "
            f"cannot be linked to the network ({detail}); their travel times are inf and they "
            "are listed in TravelTimes.unreachable",
            UnreachableWarning,
            stacklevel=3,
        )
    sites = result.unreachable_sites
    if len(sites):
        listed = ", ".join(
            f"{s} ({r})" for s, r in zip(sites["site_id"][:10], sites["reason"][:10], strict=True)
        )
        more = f" and {len(sites) - 10} more" if len(sites) > 10 else ""
        warnings.warn(
            f"{result.mode}: {len(sites)} site(s) cannot be linked to the network: {listed}{more}; "
            "nobody reaches them (inf); see TravelTimes.unreachable_sites and "
            + "; ".join(f"{key}: {text}" for key, text in REASONS.items() if key),
            UnreachableWarning,
            stacklevel=3,
        )
