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
Cells or destinations that cannot be linked get ``inf`` and are listed, except those farther
than the snapping limit from the network (outside a partial extract), whose rows and columns
are straight-line estimates (below). ``max_minutes`` turns
every ``T > max`` into ``inf`` and stops searches early. ``k`` keeps each cell's ``k`` nearest
destinations (others ``inf``) using one multi-label Dijkstra (:func:`.paths.k_nearest_sources`),
which costs about ``k`` searches whatever the number of destinations; there the sum is formed as
``(s_j + d) + c_i``, so values may differ from the full matrix in the last float32 bit.

Regions without roads
---------------------
With no road network at all (no ``roads`` layer, no ``roads.osm.pbf``), or for cells and
destinations outside it, road modes fall back to straight-line distance times a circuity factor
at a speed by settlement class, plus a terminal time by car (:mod:`.straight_line`,
:class:`.params.StraightLineParams` in ``RoadParams.straight_line``; None turns the fallback
off and such points are unreachable).
Estimates are marked: ``parameters["approximate"]``, ``TravelTimes.approximate`` and
``approximate_destinations`` (counted, with residents), and an
:class:`~palveluverkko.errors.ApproximationWarning`.

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

from ..errors import ApproximationWarning, InputError, MissingLayerError, UnreachableWarning
from ..region.schema import MODES
from . import cache
from .build import file_digest, roads_layer_digest
from .graph import RoadNetwork
from .linking import REASONS, snap
from .matrix import Progress, road_matrix
from .params import RoadParams, TransitParams
from .straight_line import (
    APPROXIMATE_REASONS,
    settlement_classes,
    straight_line_minutes,
    straight_line_speeds,
)
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
        If the region has no road network and the straight-line fallback is off
        (``RoadParams(straight_line=None)``), or for transit.

    Warns
    -----
    UnreachableWarning
        When cells or destinations cannot be linked to the network (counted with residents).
    ApproximationWarning
        When times are straight-line estimates (counted with residents).
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
        "road_source": _road_source(region),
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
    elif isinstance(chosen, RoadParams) and chosen.straight_line is not None:
        # the estimate's car speed follows the cells' settlement class (column or density)
        parts.append(settlement_classes(region, chosen.straight_line).astype(str))
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
    _warn_approximate(result)
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
    cells_xy = region.cell_points()
    cell_ids = region.population["cell_id"].astype(str).to_numpy(dtype=object)
    line = params.straight_line
    if region.roads_pbf is None and region.roads is None:
        if line is None:
            raise MissingLayerError(
                f"region {region.name!r} has no road network: no roads layer and no "
                "roads.osm.pbf, and the straight-line fallback is off "
                "(RoadParams(straight_line=None)). Fix: add a roads layer to region.gpkg, set "
                '[files] roads = "roads.osm.pbf", or leave straight_line at its default'
            )
        return _straight_line_only(region, dest, mode, params, max_minutes, k, progress)
    network = RoadNetwork.for_region(
        region, mode, **params.network_options(osm=region.roads_pbf is not None)
    )
    water = _water(region)
    cells, points = (
        snap(network, xy, water=water, **params.snap_options(mode)) for xy in (cells_xy, dest.xy)
    )
    minutes = road_matrix(network, cells, points, max_minutes=max_minutes, k=k, progress=progress)
    cell_reason = cells.reason.copy()
    dest_reason = points.reason.copy()
    cell_rough = np.full(len(cell_ids), "", dtype=object)
    dest_rough = np.full(len(dest), "", dtype=object)
    if line is not None:
        far_cells = cell_reason == "no_road_within_limit"
        far_dest = dest_reason == "no_road_within_limit"
        if far_cells.any() or far_dest.any():
            speeds = straight_line_speeds(region, mode, params)
            circuity, terminal = line.circuity(mode), line.terminal_min(mode)
            usable_cells = cells.ok | far_cells
            usable_dest = points.ok | far_dest
            rows = np.flatnonzero(far_cells)
            cols = np.flatnonzero(usable_dest)
            minutes[np.ix_(rows, cols)] = straight_line_minutes(
                cells_xy[rows], dest.xy[cols], speeds[rows], circuity, terminal
            )
            rows = np.flatnonzero(usable_cells)
            cols = np.flatnonzero(far_dest)
            minutes[np.ix_(rows, cols)] = straight_line_minutes(
                cells_xy[rows], dest.xy[cols], speeds[rows], circuity, terminal
            )
            minutes = _limit(minutes, max_minutes, k)
            cell_reason[far_cells] = ""
            dest_reason[far_dest] = ""
            cell_rough[far_cells] = "outside_road_network"
            dest_rough[far_dest] = "outside_road_network"
    return TravelTimes(
        mode=mode,
        minutes=minutes,
        cell_ids=cell_ids,
        to=dest,
        unreachable=unreachable_cells(region, cell_reason),
        unreachable_destinations=unreachable_destinations(dest, dest_reason),
        parameters={
            "n_nodes": network.n_nodes,
            "n_edges": network.n_edges,
            "approximate": bool((cell_rough != "").any() or (dest_rough != "").any()),
        },
        approximate=unreachable_cells(region, cell_rough),
        approximate_destinations=unreachable_destinations(dest, dest_rough),
    )


def _straight_line_only(
    region: Region,
    dest: Destinations,
    mode: str,
    params: RoadParams,
    max_minutes: float | None,
    k: int | None,
    progress: Progress | None,
) -> TravelTimes:
    """Every pair estimated (a region without roads); invalid cell points stay unreachable."""
    line = params.straight_line
    assert line is not None
    cells_xy = region.cell_points()
    valid = np.isfinite(cells_xy).all(axis=1)
    minutes = np.full((len(cells_xy), len(dest)), np.inf, dtype=np.float32)
    speeds = straight_line_speeds(region, mode, params)
    minutes[valid] = straight_line_minutes(
        cells_xy[valid], dest.xy, speeds[valid], line.circuity(mode), line.terminal_min(mode)
    )
    minutes = _limit(minutes, max_minutes, k)
    if progress is not None:
        progress(len(dest), len(dest))
    cell_reason = np.where(valid, "", "invalid_point").astype(object)
    cell_rough = np.where(valid, "no_road_network", "").astype(object)
    return TravelTimes(
        mode=mode,
        minutes=minutes,
        cell_ids=region.population["cell_id"].astype(str).to_numpy(dtype=object),
        to=dest,
        unreachable=unreachable_cells(region, cell_reason),
        parameters={"n_nodes": 0, "n_edges": 0, "approximate": True},
        approximate=unreachable_cells(region, cell_rough),
        approximate_destinations=unreachable_destinations(
            dest, np.full(len(dest), "no_road_network", dtype=object)
        ),
    )


def _limit(minutes: np.ndarray, max_minutes: float | None, k: int | None) -> np.ndarray:
    """``minutes`` with times over ``max_minutes``, and beyond each row's ``k`` nearest, ``inf``."""
    if max_minutes is None and k is None:
        return minutes
    keep = np.isfinite(minutes)
    if max_minutes is not None:
        keep &= minutes <= max_minutes
    if k is not None and minutes.shape[1] > k:
        masked = np.where(keep, minutes, np.inf)
        part = np.argpartition(masked, k - 1, axis=1)[:, :k]
        top = np.zeros_like(keep)
        np.put_along_axis(top, part, True, axis=1)
        keep &= top
    return np.where(keep, minutes, np.inf).astype(np.float32)


def _water(region: Region) -> np.ndarray | None:
    """The region's water polygons (for the island rule of :mod:`.linking`), or None."""
    if region.water is None or not len(region.water):
        return None
    return np.asarray(region.water.geometry.to_numpy(), dtype=object)


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


def _road_source(region: Region) -> str:
    if region.roads_pbf is not None:
        return "osm"
    return "roads" if region.roads is not None else "none"


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
        "cell_approximate": _reason_per_row(result.cell_ids, result.approximate, "cell_id").astype(
            str
        ),
        "destination_approximate": _reason_per_row(
            result.to.ids, result.approximate_destinations, "destination_id"
        ).astype(str),
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
    cells = arrays["cell_ids"].astype(object)
    return TravelTimes(
        mode=str(arrays["mode"]),
        minutes=arrays["minutes"],
        cell_ids=cells,
        to=dest,
        percentiles=dict(sorted(percentiles.items())),
        unreachable=unreachable_cells(region, arrays["cell_reason"].astype(object)),
        unreachable_destinations=unreachable_destinations(
            dest, arrays["destination_reason"].astype(object)
        ),
        parameters=json.loads(str(arrays["parameters"])),
        digest=digest,
        approximate=unreachable_cells(region, _reasons(arrays, "cell_approximate", len(cells))),
        approximate_destinations=unreachable_destinations(
            dest, _reasons(arrays, "destination_approximate", len(dest))
        ),
    )


def _reasons(arrays: Mapping[str, np.ndarray], name: str, n: int) -> np.ndarray:
    if name not in arrays:
        return np.full(n, "", dtype=object)
    return arrays[name].astype(object)


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


def _warn_approximate(result: TravelTimes) -> None:
    if not result.is_approximate:
        return
    cells = result.approximate
    reasons = sorted(set(cells["reason"]) | set(result.approximate_destinations["reason"]))
    warnings.warn(
        f"{result.mode}: travel times are APPROXIMATE (straight line x circuity at a speed by "
        f"settlement) for {len(cells)} cell(s) with {int(cells['residents'].sum())} residents "
        f"and {len(result.approximate_destinations)} destination(s): "
        + "; ".join(APPROXIMATE_REASONS[r] for r in reasons)
        + ". They are listed in TravelTimes.approximate and approximate_destinations. Fix: "
        "give a road network (a roads layer or roads.osm.pbf) that covers the region",
        ApproximationWarning,
        stacklevel=3,
    )
