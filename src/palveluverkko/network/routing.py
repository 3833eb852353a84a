"""Travel-time matrices from population cells to any destinations: :func:`travel_times`, and
:func:`route` for every available mode at once.

Contract (stable; other modules code against it)
------------------------------------------------
``travel_times(region, mode="car", *, to=None, params=None, max_minutes=None, k=None,
cache_dir=None, use_cache=True, progress=None) -> TravelTimes`` (:mod:`.types`): ``minutes``
``(n_cells, n_destinations)`` float32, ``inf`` where unreachable (or, with ``max_minutes`` /
``k``, not reported); rows in the order of ``region.population``, columns the destinations
``to`` (default :meth:`Destinations.of_sites`: the region's sites); ``percentiles`` (``{}`` for
roads; transit gives e.g. ``{10: ..., 90: ...}`` with ``minutes`` the median);
``unreachable`` (cells that cannot start a trip, residents counted);
``unreachable_destinations``; ``parameters``; ``digest``.

``route(region, to=None, *, modes="available", ...) -> TravelTimeSet`` owns the rule of which
modes a region can be routed by (:func:`available_modes`: car and walk on its roads, transit
when it has GTFS feeds).

Road modes
----------
For cell ``i`` linked to node ``a_i`` with access time ``c_i``, and destination ``j`` linked to
node ``b_j`` with access time ``s_j`` (:mod:`.linking`),

.. math::

    T_{ij} = \\operatorname{fl32}\\big((d(a_i, b_j) + c_i) + s_j\\big),

with ``d`` the shortest-path time on the mode's network (:mod:`.paths`), computed as one
Dijkstra per distinct destination node on the reversed graph, gathering only the cells' nodes.
Cells or destinations that cannot be linked get ``inf`` and are listed. ``max_minutes`` turns
every ``T > max`` into ``inf`` and stops searches early. ``k`` keeps each cell's ``k`` nearest
destinations (others ``inf``) using one multi-label Dijkstra (:func:`.paths.k_nearest_sources`),
which costs about ``k`` searches whatever the number of destinations; there the sum is formed as
``(s_j + d) + c_i``, so values may differ from the full matrix in the last float32 bit.

Transit
-------
``mode="transit"`` builds the walking network (``TransitParams.walk``) and calls
:func:`.transit.transit_travel_times`, then applies ``max_minutes``/``k`` and the cache in the
same way.

Cache
-----
Results are cached on disk under a digest of all inputs, parameters and the routing code
(:mod:`.cache`).
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import InputError, UnreachableWarning
from ..region.schema import MODES
from . import cache
from .build import file_digest, roads_layer_digest
from .graph import RoadNetwork
from .linking import REASONS, snap
from .matrix import Progress, road_matrix
from .params import RoadParams, TransitParams
from .types import (
    Destinations,
    TravelTimes,
    TravelTimeSet,
    unreachable_cells,
    unreachable_destinations,
)

if TYPE_CHECKING:
    from ..region.model import Region

log = logging.getLogger("palveluverkko.network")

__all__ = ["ModeProgress", "available_modes", "route", "travel_times"]

ModeProgress = Callable[[str, int, int], None]
"""A callback ``(mode, done, total)`` of :func:`route`."""


def available_modes(region: Region) -> tuple[str, ...]:
    """The modes :func:`route` computes by default: car and walk, and transit when the region
    has GTFS feeds (bike only when asked for)."""
    return ("car", "walk", "transit") if region.gtfs else ("car", "walk")


def _params_for(mode: str, params: RoadParams | TransitParams | None) -> RoadParams | TransitParams:
    if mode == "transit":
        if params is None:
            return TransitParams()
        if not isinstance(params, TransitParams):
            raise InputError(
                f"travel_times(mode='transit'): params must be TransitParams, found "
                f"{type(params).__name__}; the walking network goes in TransitParams(walk=...)"
            )
        return params
    if params is None:
        return RoadParams()
    if not isinstance(params, RoadParams):
        raise InputError(
            f"travel_times(mode={mode!r}): params must be RoadParams, found {type(params).__name__}"
        )
    return params


def travel_times(
    region: Region,
    mode: str = "car",
    *,
    to: Destinations | None = None,
    params: RoadParams | TransitParams | None = None,
    max_minutes: float | None = None,
    k: int | None = None,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
    progress: Progress | None = None,
) -> TravelTimes:
    """Travel times from every population cell of ``region`` to ``to`` by ``mode``.

    Parameters
    ----------
    region
        The region; its ``roads_pbf`` or ``roads`` layer gives the network, ``gtfs`` the transit.
    mode
        ``"car"``, ``"walk"``, ``"bike"`` or ``"transit"``.
    to
        The destinations (any points in the region's CRS); default the region's sites.
    params
        :class:`~.params.RoadParams` for road modes, :class:`~.params.TransitParams` for transit;
        default their defaults.
    max_minutes
        Report only times ``<= max_minutes`` (others ``inf``); searches stop there.
    k
        Report only each cell's ``k`` nearest destinations (others ``inf``).
    cache_dir
        Cache folder; default ``$PALVELUVERKKO_CACHE_DIR`` or ``~/.cache/palveluverkko``.
    use_cache
        Read and write the cache (default) or neither.
    progress
        Optional callback ``(done, total)`` called as sources are finished.

    Returns
    -------
    TravelTimes

    Raises
    ------
    InputError
        For an unknown mode, parameters of the wrong kind, ``k < 1`` or ``max_minutes < 0``.
    MissingLayerError
        If the region has no road network.

    Warns
    -----
    UnreachableWarning
        When cells or destinations cannot be linked to the network (counted with residents).
    """
    if mode not in MODES:
        raise InputError(f"mode {mode!r} is unknown; expected one of {', '.join(MODES)}")
    if k is not None and k < 1:
        raise InputError(f"k must be >= 1; found {k}")
    if max_minutes is not None and not max_minutes >= 0:
        raise InputError(f"max_minutes must be >= 0; found {max_minutes}")
    chosen = _params_for(mode, params)
    dest = Destinations.of_sites(region) if to is None else to
    parameters: dict[str, Any] = {
        "mode": mode,
        "max_minutes": max_minutes,
        "k": k,
        "params": chosen.as_dict(),
        "road_source": "osm" if region.roads_pbf is not None else "roads",
    }
    cells_xy = region.cell_points()
    cell_ids = region.population["cell_id"].astype(str).to_numpy(dtype=object)
    parts: list[bytes | str | np.ndarray] = [
        _road_source_digest(region),
        cell_ids,
        cells_xy,
        dest.ids,
        dest.xy,
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
        result = _from_arrays(cached, region, dest, digest)
    else:
        if isinstance(chosen, TransitParams):
            result = _transit(region, dest, chosen, max_minutes, k, progress)
        else:
            result = _road(region, dest, mode, chosen, max_minutes, k, progress)
        result = replace(
            result, parameters={**parameters, **dict(result.parameters)}, digest=digest
        )
        if use_cache:
            cache.store_arrays(path, _to_arrays(result))
    _warn_unreachable(result)
    return result


def route(
    region: Region,
    to: Destinations | None = None,
    *,
    modes: str | Iterable[str] = "available",
    road: RoadParams | None = None,
    transit: TransitParams | None = None,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
    progress: ModeProgress | None = None,
) -> TravelTimeSet:
    """Travel times by several modes to the same destinations, as one :class:`TravelTimeSet`.

    Parameters
    ----------
    region, to, cache_dir, use_cache
        As in :func:`travel_times`.
    modes
        ``"available"`` (:func:`available_modes`) or an iterable of modes.
    road, transit
        Parameters of the road modes and of transit (defaults when None).
    progress
        Optional callback ``(mode, done, total)``.

    Raises
    ------
    InputError
        For an unknown mode, or transit on a region without GTFS feeds.
    """
    chosen = available_modes(region) if modes == "available" else tuple(modes)
    if "transit" in chosen and not region.gtfs:
        raise InputError(
            "transit: the region has no GTFS feed. Fix: add gtfs/<name>.zip to the package, or "
            "route the available modes"
        )
    dest = Destinations.of_sites(region) if to is None else to
    out: dict[str, TravelTimes] = {}
    for mode in chosen:

        def step(done: int, total: int, mode: str = mode) -> None:
            if progress is not None:
                progress(mode, done, total)

        out[mode] = travel_times(
            region,
            mode,
            to=dest,
            params=transit if mode == "transit" else road,
            cache_dir=cache_dir,
            use_cache=use_cache,
            progress=step,
        )
    return TravelTimeSet(out)


# --- road modes ---------------------------------------------------------------------------------


def _road(
    region: Region,
    dest: Destinations,
    mode: str,
    params: RoadParams,
    max_minutes: float | None,
    k: int | None,
    progress: Progress | None,
) -> TravelTimes:
    network = RoadNetwork.for_region(
        region, mode, **params.network_options(osm=region.roads_pbf is not None)
    )
    cells, points = (
        snap(network, xy, **params.snap_options()) for xy in (region.cell_points(), dest.xy)
    )
    minutes = road_matrix(network, cells, points, max_minutes=max_minutes, k=k, progress=progress)
    return TravelTimes(
        mode=mode,
        minutes=minutes,
        cell_ids=region.population["cell_id"].astype(str).to_numpy(dtype=object),
        to=dest,
        unreachable=unreachable_cells(region, cells.reason),
        unreachable_destinations=unreachable_destinations(dest, points.reason),
        parameters={"n_nodes": network.n_nodes, "n_edges": network.n_edges},
    )


# --- transit ------------------------------------------------------------------------------------


def _transit(
    region: Region,
    dest: Destinations,
    params: TransitParams,
    max_minutes: float | None,
    k: int | None,
    progress: Progress | None,
) -> TravelTimes:
    from .transit import transit_travel_times

    walk = RoadNetwork.for_region(
        region, "walk", **params.walk.network_options(osm=region.roads_pbf is not None)
    )
    result = transit_travel_times(
        region, walk_network=walk, to=dest, params=params, progress=progress
    )
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
        "destination_ids": result.to.ids.astype(str),
        "cell_reason": _reason_per_row(result.cell_ids, result.unreachable, "cell_id").astype(str),
        "destination_reason": _reason_per_row(
            result.to.ids, result.unreachable_destinations, "destination_id"
        ).astype(str),
        "parameters": np.array(json.dumps(dict(result.parameters), sort_keys=True, default=str)),
    }
    for q, arr in result.percentiles.items():
        arrays[f"percentile_{int(q)}"] = arr.astype(np.float32)
    return arrays


def _from_arrays(
    arrays: Mapping[str, np.ndarray], region: Region, dest: Destinations, digest: str
) -> TravelTimes:
    percentiles = {
        int(name.removeprefix("percentile_")): arr
        for name, arr in arrays.items()
        if name.startswith("percentile_")
    }
    return TravelTimes(
        mode=str(arrays["mode"]),
        minutes=arrays["minutes"],
        cell_ids=arrays["cell_ids"].astype(object),
        to=dest,
        percentiles=dict(sorted(percentiles.items())),
        unreachable=unreachable_cells(region, arrays["cell_reason"].astype(object)),
        unreachable_destinations=unreachable_destinations(
            dest, arrays["destination_reason"].astype(object)
        ),
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
    lost = result.unreachable_destinations
    if len(lost):
        listed = ", ".join(
            f"{s} ({r})"
            for s, r in zip(lost["destination_id"][:10], lost["reason"][:10], strict=True)
        )
        more = f" and {len(lost) - 10} more" if len(lost) > 10 else ""
        warnings.warn(
            f"{result.mode}: {len(lost)} destination(s) cannot be linked to the network: "
            f"{listed}{more}; nobody reaches them (inf); see "
            "TravelTimes.unreachable_destinations and "
            + "; ".join(f"{key}: {text}" for key, text in REASONS.items() if key),
            UnreachableWarning,
            stacklevel=3,
        )
