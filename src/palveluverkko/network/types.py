"""Plain types of routing: where trips go (:class:`Destinations`) and what they take
(:class:`TravelTimes` for one mode, :class:`TravelTimeSet` for several).

A leaf module: it imports numpy, pandas and the project's errors only, so that every layer
(routing, evaluation, location models, channels, the web app) can share these types without
importing one another.

Destinations are data, not sites: the region's sites (the default), candidate points of a
location model, mobile-unit stops, home-care bases, ambulance stations or a point a planner
clicked on a map. Each has an id (unique), a point in the region's CRS, a kind (one of
:data:`DESTINATION_KINDS`) and, where known, a municipality code.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import InputError, UnknownIdError
from ..region.schema import POPULATION_COLUMNS

if TYPE_CHECKING:
    from ..region.model import Region

__all__ = [
    "DESTINATION_KINDS",
    "Destinations",
    "TravelTimeSet",
    "TravelTimes",
    "empty_unreachable_cells",
    "empty_unreachable_destinations",
    "residents_per_cell",
    "unreachable_cells",
    "unreachable_destinations",
]

DESTINATION_KINDS: tuple[str, ...] = (
    "site",
    "candidate",
    "mobile_stop",
    "home_base",
    "station",
    "point",
)
"""Kinds of destination: a site of the region, a candidate point of a location model, a stop
of a mobile unit, a home-care base, an emergency-care station, any other point."""


def _object_str(values: Iterable[Any]) -> np.ndarray:
    return np.asarray([str(v) for v in values], dtype=object)


@dataclass(frozen=True, eq=False)
class Destinations:
    """Points that trips go to, in the region's CRS.

    Attributes
    ----------
    ids
        ``(n,)`` object array of unique str ids.
    xy
        ``(n, 2)`` float64 coordinates (metres in the region's CRS).
    kinds
        ``(n,)`` object array, each one of :data:`DESTINATION_KINDS`.
    municipality
        ``(n,)`` object array of municipality codes (``""`` where not known).

    Raises
    ------
    InputError
        When shapes disagree, an id repeats, a coordinate is not finite or a kind is unknown.
    """

    ids: np.ndarray
    xy: np.ndarray
    kinds: np.ndarray
    municipality: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.ids)
        if self.xy.shape != (n, 2):
            raise InputError(f"Destinations: xy has shape {self.xy.shape}; expected ({n}, 2)")
        if len(self.kinds) != n or len(self.municipality) != n:
            raise InputError(
                f"Destinations: {n} ids but {len(self.kinds)} kinds and "
                f"{len(self.municipality)} municipalities; give one of each per id"
            )
        ids = pd.Index(self.ids)
        if ids.has_duplicates:
            dup = ids[ids.duplicated()].unique().tolist()[:5]
            raise InputError(f"Destinations: ids {dup} appear more than once; make ids unique")
        bad = np.flatnonzero(~np.isfinite(self.xy).all(axis=1))
        if bad.size:
            i = int(bad[0])
            raise InputError(
                f"Destinations: destination {self.ids[i]!r} has coordinates {self.xy[i].tolist()}; "
                "give finite x and y in the region's CRS"
            )
        unknown = sorted(set(self.kinds.tolist()) - set(DESTINATION_KINDS))
        if unknown:
            raise InputError(
                f"Destinations: kind(s) {unknown} unknown; expected one of "
                f"{', '.join(DESTINATION_KINDS)}"
            )

    # --- constructors -----------------------------------------------------------------------

    @classmethod
    def from_points(
        cls,
        ids: Sequence[Any] | np.ndarray,
        xy: Sequence[Sequence[float]] | np.ndarray,
        *,
        kind: str | Sequence[str] = "point",
        municipality: Sequence[str] | np.ndarray | None = None,
    ) -> Destinations:
        """Destinations from ids and ``(n, 2)`` coordinates in the region's CRS."""
        id_arr = _object_str(ids)
        n = len(id_arr)
        points = np.asarray(xy, dtype=np.float64).reshape(n, 2) if n else np.zeros((0, 2))
        kinds = _object_str([kind] * n if isinstance(kind, str) else kind)
        munis = _object_str([""] * n if municipality is None else municipality)
        return cls(ids=id_arr, xy=points, kinds=kinds, municipality=munis)

    @classmethod
    def of_sites(cls, region: Region) -> Destinations:
        """The region's sites, in the order of ``region.sites``."""
        sites = region.sites
        return cls.from_points(
            sites["site_id"].astype(str).to_numpy(dtype=object),
            region.site_points(),
            kind="site",
            municipality=sites["municipality"].astype(str).to_numpy(dtype=object),
        )

    @classmethod
    def empty(cls) -> Destinations:
        """No destinations."""
        return cls.from_points([], np.zeros((0, 2)))

    # --- views ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.ids)

    def __repr__(self) -> str:
        counts = pd.Series(self.kinds, dtype=object).value_counts().to_dict()
        return f"Destinations({len(self)}: {counts})"

    def union(self, other: Destinations) -> Destinations:
        """These destinations, then those of ``other`` whose ids are new.

        Raises
        ------
        InputError
            When an id of ``other`` is already here at another point (two places, one id).
        """
        index = {s: i for i, s in enumerate(self.ids)}
        keep = []
        for j, s in enumerate(other.ids):
            i = index.get(s)
            if i is None:
                keep.append(j)
            elif not np.allclose(self.xy[i], other.xy[j], rtol=0.0, atol=1e-6):
                raise InputError(
                    f"Destinations: id {s!r} names two points ({self.xy[i].tolist()} and "
                    f"{other.xy[j].tolist()}); give the new point another id"
                )
        if not keep:
            return self
        rows = np.asarray(keep, dtype=np.int64)
        return Destinations(
            ids=np.concatenate([self.ids, other.ids[rows]]),
            xy=np.concatenate([self.xy, other.xy[rows]]),
            kinds=np.concatenate([self.kinds, other.kinds[rows]]),
            municipality=np.concatenate([self.municipality, other.municipality[rows]]),
        )

    def index_of(self, ids: Iterable[Any], *, what: str = "destinations") -> np.ndarray:
        """Positions of ``ids`` among these destinations.

        Raises
        ------
        UnknownIdError
            Naming the ids that are not here.
        """
        index = {s: i for i, s in enumerate(self.ids)}
        wanted = [str(s) for s in ids]
        missing = [s for s in wanted if s not in index]
        if missing:
            raise UnknownIdError(
                f"{what}: no column for {', '.join(missing[:10])}"
                + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
                + "; route travel times to these destinations too (e.g. "
                "travel_times(region, mode, to=Destinations.of_sites(region).union(...)))"
            )
        return np.asarray([index[s] for s in wanted], dtype=np.int64)

    def subset(self, ids: Iterable[Any]) -> Destinations:
        """The destinations with these ids, in this order."""
        rows = self.index_of(ids)
        return Destinations(
            ids=self.ids[rows],
            xy=self.xy[rows],
            kinds=self.kinds[rows],
            municipality=self.municipality[rows],
        )

    def same_as(self, other: Destinations) -> bool:
        """Same ids at the same points, in the same order."""
        return (
            len(self) == len(other)
            and bool((self.ids == other.ids).all())
            and bool(np.array_equal(self.xy, other.xy))
        )


def empty_unreachable_cells() -> pd.DataFrame:
    """The empty table of cells that cannot start a trip."""
    return pd.DataFrame(
        {
            "cell_id": pd.Series([], dtype=object),
            "municipality": pd.Series([], dtype=object),
            "residents": pd.Series([], dtype=np.int64),
            "reason": pd.Series([], dtype=object),
        }
    )


def empty_unreachable_destinations() -> pd.DataFrame:
    """The empty table of destinations that cannot be reached."""
    return pd.DataFrame(
        {
            "destination_id": pd.Series([], dtype=object),
            "kind": pd.Series([], dtype=object),
            "municipality": pd.Series([], dtype=object),
            "reason": pd.Series([], dtype=object),
        }
    )


def residents_per_cell(region: Region) -> np.ndarray:
    """``(n_cells,)`` int64 residents of each cell over all age bands."""
    cols = [c for c in POPULATION_COLUMNS if c in region.population.columns]
    return region.population[cols].to_numpy(dtype=np.int64).sum(axis=1)


_residents = residents_per_cell


def unreachable_cells(region: Region, reason: np.ndarray) -> pd.DataFrame:
    """The cells whose ``reason`` is not empty, with their municipality and residents."""
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


def unreachable_destinations(dest: Destinations, reason: np.ndarray) -> pd.DataFrame:
    """The destinations whose ``reason`` is not empty."""
    rows = np.flatnonzero(np.asarray(reason, dtype=object) != "")
    return pd.DataFrame(
        {
            "destination_id": dest.ids[rows],
            "kind": dest.kinds[rows],
            "municipality": dest.municipality[rows],
            "reason": np.asarray(reason, dtype=object)[rows],
        }
    )


@dataclass(frozen=True, eq=False)
class TravelTimes:
    """Travel times from population cells to destinations for one mode.

    Attributes
    ----------
    mode
        ``"car"``, ``"walk"``, ``"bike"`` or ``"transit"``.
    minutes
        ``(n_cells, n_destinations)`` float32, ``inf`` where unreachable or not reported.
    cell_ids
        Ids of the rows, in the order of ``region.population`` (object array of str).
    to
        The destinations (columns).
    percentiles
        Other percentiles of the travel time over departure times (transit), by percent.
    unreachable
        Cells that cannot be linked to the network: ``cell_id, municipality, residents, reason``.
    unreachable_destinations
        Destinations that cannot be linked: ``destination_id, kind, municipality, reason``.
    approximate
        Cells whose every time is a straight-line estimate, not a routed one
        (:mod:`.straight_line`): ``cell_id, municipality, residents, reason`` (reason
        ``no_road_network`` or ``outside_road_network``). Empty when all were routed.
    approximate_destinations
        Destinations whose every time is an estimate: ``destination_id, kind, municipality,
        reason``. A pair is estimated when its cell or its destination is
        (:meth:`approximate_mask`); ``parameters["approximate"]`` is True when any pair is.
    parameters
        Every parameter that produced the matrix.
    digest
        SHA-256 of inputs, parameters and code (the cache key).
    """

    mode: str
    minutes: np.ndarray
    cell_ids: np.ndarray
    to: Destinations
    percentiles: Mapping[int, np.ndarray] = field(default_factory=dict)
    unreachable: pd.DataFrame = field(default_factory=empty_unreachable_cells)
    unreachable_destinations: pd.DataFrame = field(default_factory=empty_unreachable_destinations)
    parameters: Mapping[str, Any] = field(default_factory=dict)
    digest: str = ""
    approximate: pd.DataFrame = field(default_factory=empty_unreachable_cells)
    approximate_destinations: pd.DataFrame = field(default_factory=empty_unreachable_destinations)

    def __post_init__(self) -> None:
        shape = (len(self.cell_ids), len(self.to))
        if self.minutes.shape != shape:
            raise InputError(
                f"TravelTimes.minutes has shape {self.minutes.shape}; expected "
                f"(n_cells, n_destinations) = {shape}"
            )
        for q, arr in self.percentiles.items():
            if arr.shape != shape:
                raise InputError(
                    f"TravelTimes.percentiles[{q}] has shape {arr.shape}; expected {shape}"
                )

    @property
    def destination_ids(self) -> np.ndarray:
        """Ids of the columns (``to.ids``)."""
        return self.to.ids

    @property
    def site_ids(self) -> np.ndarray:
        """Ids of the columns (``to.ids``); the name from when every destination was a site."""
        return self.to.ids

    @property
    def n_cells(self) -> int:
        """Number of cells (rows)."""
        return len(self.cell_ids)

    @property
    def n_destinations(self) -> int:
        """Number of destinations (columns)."""
        return len(self.to)

    n_sites = n_destinations

    @property
    def is_approximate(self) -> bool:
        """True when any time is a straight-line estimate (``parameters["approximate"]``)."""
        return bool(len(self.approximate) or len(self.approximate_destinations))

    def approximate_cells(self) -> np.ndarray:
        """``(n_cells,)`` bool: the rows that are estimates throughout."""
        return np.isin(
            np.asarray(self.cell_ids, dtype=object).astype(str),
            self.approximate["cell_id"].astype(str).to_numpy(),
        )

    def approximate_mask(self) -> np.ndarray:
        """``(n_cells, n_destinations)`` bool: the pairs whose time is an estimate."""
        cols = np.isin(
            self.to.ids.astype(str),
            self.approximate_destinations["destination_id"].astype(str).to_numpy(),
        )
        return self.approximate_cells()[:, None] | cols[None, :]

    def to_frame(self, max_minutes: float | None = None) -> pd.DataFrame:
        """Long table ``cell_id, destination_id, minutes`` of the finite entries
        (``<= max_minutes``); unreachable pairs are left out (see :attr:`unreachable`)."""
        ok = np.isfinite(self.minutes)
        if max_minutes is not None:
            ok &= self.minutes <= max_minutes
        rows, cols = np.nonzero(ok)
        return pd.DataFrame(
            {
                "cell_id": np.asarray(self.cell_ids, dtype=object)[rows],
                "destination_id": self.to.ids[cols],
                "minutes": self.minutes[rows, cols],
            }
        )

    def nearest(self, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` nearest destinations of each cell: ``(column (n_cells, k) int64, minutes)``.

        Column -1 and ``inf`` minutes where a cell reaches fewer than ``k`` destinations.
        """
        k = min(k, self.n_destinations)
        if k == 0:
            return np.empty((self.n_cells, 0), np.int64), np.empty((self.n_cells, 0), np.float32)
        part = np.argpartition(self.minutes, k - 1, axis=1)[:, :k]
        vals = np.take_along_axis(self.minutes, part, axis=1)
        order = np.argsort(vals, axis=1, kind="stable")
        idx = np.take_along_axis(part, order, axis=1).astype(np.int64)
        vals = np.take_along_axis(vals, order, axis=1)
        idx[~np.isfinite(vals)] = -1
        return idx, vals

    def select(self, ids: Iterable[Any]) -> TravelTimes:
        """The same matrix with only the destinations ``ids``, in that order.

        Raises
        ------
        UnknownIdError
            Naming the ids that have no column.
        """
        cols = self.to.index_of(ids, what=f"travel times ({self.mode})")
        kept = set(self.to.ids[cols].tolist())
        lost = self.unreachable_destinations
        rough = self.approximate_destinations
        return replace(
            self,
            minutes=self.minutes[:, cols],
            to=self.to.subset(self.to.ids[cols]),
            percentiles={q: a[:, cols] for q, a in self.percentiles.items()},
            unreachable_destinations=lost.loc[lost["destination_id"].isin(kept)].reset_index(
                drop=True
            ),
            approximate_destinations=rough.loc[rough["destination_id"].isin(kept)].reset_index(
                drop=True
            ),
        )

    def join(self, other: TravelTimes) -> TravelTimes:
        """These columns, then those of ``other`` (same mode and cells, new destinations).

        Routing is column by column (one search per destination), so a matrix routed in two
        parts equals one routed at once.

        Raises
        ------
        InputError
            Other mode or cells, a destination in both, or other percentiles.
        """
        if other.mode != self.mode or not np.array_equal(
            np.asarray(other.cell_ids, dtype=object), np.asarray(self.cell_ids, dtype=object)
        ):
            raise InputError(
                f"TravelTimes.join: {other.mode} over {other.n_cells} cells cannot extend "
                f"{self.mode} over {self.n_cells} cells; route both for the same region and mode"
            )
        if set(other.percentiles) != set(self.percentiles):
            raise InputError(
                "TravelTimes.join: the two matrices have other percentiles; route both with the "
                "same TransitParams"
            )
        to = self.to.union(other.to)
        if len(to) != len(self.to) + len(other.to):
            raise InputError("TravelTimes.join: a destination is in both matrices; route it once")
        return replace(
            self,
            minutes=np.concatenate([self.minutes, other.minutes], axis=1),
            to=to,
            percentiles={
                q: np.concatenate([a, other.percentiles[q]], axis=1)
                for q, a in self.percentiles.items()
            },
            unreachable_destinations=pd.concat(
                [self.unreachable_destinations, other.unreachable_destinations],
                ignore_index=True,
            ),
            approximate=_union_cells(self.approximate, other.approximate),
            approximate_destinations=pd.concat(
                [self.approximate_destinations, other.approximate_destinations],
                ignore_index=True,
            ),
            digest=hashlib.sha256(f"{self.digest}+{other.digest}".encode()).hexdigest(),
        )

    def summary(self) -> str:
        """One line: mode, size, share of finite pairs, unreachable cells and residents."""
        finite = float(np.isfinite(self.minutes).mean()) if self.minutes.size else 0.0
        text = (
            f"{self.mode}: {self.n_cells} cells x {self.n_destinations} destinations, "
            f"{finite:.1%} of pairs reachable; {len(self.unreachable)} cells "
            f"({int(self.unreachable['residents'].sum())} residents) and "
            f"{len(self.unreachable_destinations)} destinations cannot be linked"
        )
        if self.is_approximate:
            text += (
                f"; APPROXIMATE (straight-line estimates): {len(self.approximate)} cells "
                f"({int(self.approximate['residents'].sum())} residents) and "
                f"{len(self.approximate_destinations)} destinations"
            )
        return text


def _union_cells(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``a``, then those of ``b`` whose cell is new."""
    if not len(b):
        return a
    return pd.concat([a, b.loc[~b["cell_id"].isin(a["cell_id"])]], ignore_index=True).reset_index(
        drop=True
    )


class TravelTimeSet(Mapping[str, TravelTimes]):
    """Travel times by mode over one set of cells and one list of destinations, aligned.

    A read-only mapping ``mode -> TravelTimes`` (so it goes wherever a dict of matrices went),
    with the shared rows (:attr:`cell_ids`), columns (:attr:`to`) and the unreachable cells of
    every mode in one table.

    Raises
    ------
    InputError
        When the modes disagree on cells or destinations (ids or order).
    """

    def __init__(self, by_mode: Mapping[str, TravelTimes]) -> None:
        self._by_mode = dict(by_mode)
        first: TravelTimes | None = None
        for mode, tt in self._by_mode.items():
            if tt.mode != mode:
                raise InputError(f"TravelTimeSet: key {mode!r} holds a {tt.mode!r} matrix")
            if first is None:
                first = tt
                continue
            if not np.array_equal(
                np.asarray(tt.cell_ids, dtype=object), np.asarray(first.cell_ids, dtype=object)
            ):
                raise InputError(
                    f"TravelTimeSet: {mode} and {first.mode} have other cells; route every "
                    "mode for the same region"
                )
            if not tt.to.same_as(first.to):
                raise InputError(
                    f"TravelTimeSet: {mode} and {first.mode} go to other destinations; route "
                    "every mode to the same Destinations"
                )
        self._first = first

    def __getitem__(self, mode: str) -> TravelTimes:
        try:
            return self._by_mode[mode]
        except KeyError:
            raise UnknownIdError(
                f"travel times: no {mode!r} matrix; modes here: {', '.join(self._by_mode)}"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_mode)

    def __len__(self) -> int:
        return len(self._by_mode)

    def __repr__(self) -> str:
        return f"TravelTimeSet({', '.join(self._by_mode)}; {self.to!r})"

    @property
    def modes(self) -> tuple[str, ...]:
        """The modes, in the order they were routed."""
        return tuple(self._by_mode)

    @property
    def cell_ids(self) -> np.ndarray:
        """Row ids (population cells)."""
        return np.empty(0, dtype=object) if self._first is None else self._first.cell_ids

    @property
    def to(self) -> Destinations:
        """Column destinations."""
        return Destinations.empty() if self._first is None else self._first.to

    @property
    def unreachable(self) -> pd.DataFrame:
        """Cells that cannot start a trip, per mode: ``mode, cell_id, municipality, residents,
        reason``."""
        frames = [tt.unreachable.assign(mode=m) for m, tt in self._by_mode.items()]
        if not frames:
            return empty_unreachable_cells().assign(mode=pd.Series([], dtype=object))
        out = pd.concat(frames, ignore_index=True)
        return out[["mode", *empty_unreachable_cells().columns]]

    @property
    def approximate(self) -> pd.DataFrame:
        """Cells whose times are straight-line estimates, per mode: ``mode, cell_id,
        municipality, residents, reason``."""
        frames = [tt.approximate.assign(mode=m) for m, tt in self._by_mode.items()]
        if not frames:
            return empty_unreachable_cells().assign(mode=pd.Series([], dtype=object))
        out = pd.concat(frames, ignore_index=True)
        return out[["mode", *empty_unreachable_cells().columns]]

    @property
    def is_approximate(self) -> bool:
        """True when any mode holds a straight-line estimate."""
        return any(tt.is_approximate for tt in self._by_mode.values())

    def select(self, ids: Iterable[Any]) -> TravelTimeSet:
        """Every mode with only the destinations ``ids``, in that order."""
        wanted = [str(s) for s in ids]
        return TravelTimeSet({m: tt.select(wanted) for m, tt in self._by_mode.items()})

    def join(self, other: TravelTimeSet) -> TravelTimeSet:
        """Every mode with the columns of ``other`` appended (:meth:`TravelTimes.join`)."""
        if set(other.modes) != set(self.modes):
            raise InputError(
                f"TravelTimeSet.join: modes {', '.join(other.modes)} cannot extend "
                f"{', '.join(self.modes)}; route the same modes"
            )
        return TravelTimeSet({m: tt.join(other[m]) for m, tt in self._by_mode.items()})

    def minutes(self, ids: Iterable[Any] | None = None) -> dict[str, np.ndarray]:
        """``{mode: (n_cells, n) float64}`` to the destinations ``ids`` (default all)."""
        chosen = self if ids is None else self.select(ids)
        return {m: np.asarray(tt.minutes, dtype=np.float64) for m, tt in chosen.items()}
