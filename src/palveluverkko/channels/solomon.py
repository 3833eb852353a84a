"""Read Solomon's (1987) VRPTW instance format into a :class:`~.vrp.RoutingProblem`.

Convention (DIMACS 2021, the one the best-known values in ``benchmarks/data/solomon/README.md``
use): Euclidean distances and times scaled by 10 and truncated to an integer, so an objective
of ``16377`` means 1637.7. Objective: total distance with up to ``NUMBER`` vehicles of
``CAPACITY``; the vehicles leave the depot no earlier than its ready time and return by its due
date; a client's window bounds the start of its service.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import InputError
from .vrp import RoutingProblem, VehicleKind

__all__ = ["read_solomon"]


def read_solomon(path: str | Path) -> RoutingProblem:
    """The instance at ``path`` (Solomon's text format) in the DIMACS convention.

    Raises
    ------
    InputError
        When the file lacks the ``VEHICLE`` or ``CUSTOMER`` section or a customer row is short.
    """
    path = Path(path)
    lines = [ln.split() for ln in path.read_text().splitlines()]
    words = [w.upper() for ln in lines for w in ln[:1]]
    if "VEHICLE" not in words or "CUSTOMER" not in words:
        raise InputError(f"{path}: not a Solomon instance (no VEHICLE or CUSTOMER section)")
    rows = [ln for ln in lines if ln and all(_is_number(w) for w in ln)]
    n_vehicles, capacity = (int(v) for v in rows[0][:2])
    table = rows[1:]
    if any(len(r) < 7 for r in table):
        raise InputError(f"{path}: every customer row needs 7 numbers (no, x, y, demand, ...)")
    data = np.array([[float(v) for v in r[:7]] for r in table])
    xy = data[:, 1:3]
    dist = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
    matrix = (10.0 * dist).astype(np.int64)  # DIMACS: scale by 10, truncate
    tw = (10.0 * data[:, 4:6]).astype(np.int64)
    service = (10.0 * data[1:, 6]).astype(np.int64)
    return RoutingProblem(
        duration=matrix,
        distance=matrix,
        depot_location=np.array([0], dtype=np.int64),
        client_location=np.arange(1, len(data), dtype=np.int64),
        service=service,
        early=tw[1:, 0],
        late=tw[1:, 1],
        demand=data[1:, 3].astype(np.int64),
        vehicles=(
            VehicleKind(
                name="vehicle",
                count=n_vehicles,
                early=int(tw[0, 0]),
                late=int(tw[0, 1]),
                capacity=capacity,
            ),
        ),
        client_ids=[int(v) for v in data[1:, 0]],
        time_unit="dimacs",
    )


def _is_number(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True
