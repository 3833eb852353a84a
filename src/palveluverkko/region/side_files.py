"""Checks of a package's side files: the roads ``.osm.pbf`` and the GTFS feeds.

These open the files the way the router will (:mod:`palveluverkko.network.gtfs_check`), so a
package that passes ``palveluverkko validate`` does not fail later on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import Problem
from .model import GtfsFeed

_PBF_FIX = "export the extract again (e.g. osmium extract), or remove [files] roads"


def pbf_problems(path: Path) -> list[Problem]:
    """An error when ``path`` cannot be an OSM PBF file (empty, or no ``OSMHeader`` block)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(64)
    except OSError as exc:
        return [Problem("error", "files.roads", "", "", f"{path} cannot be read ({exc})", _PBF_FIX)]
    if not head:
        return [Problem("error", "files.roads", "", "", f"{path} is empty (0 bytes)", _PBF_FIX)]
    if b"OSMHeader" not in head:
        return [
            Problem(
                "error",
                "files.roads",
                "",
                "",
                f"{path} is not an OSM PBF file (no OSMHeader block at its start)",
                _PBF_FIX,
            )
        ]
    return []


_CHECKED: dict[tuple[tuple[str, str], ...], list[Problem]] = {}
"""Problems of GTFS feed sets already checked in this process, by names and SHA-256 digests (a
web app or a test validating many packages with the same feed checks it once)."""
_CHECKED_MAX = 8


def gtfs_problems(gtfs: Sequence[GtfsFeed]) -> list[Problem]:
    """Problems of the GTFS feeds (:mod:`palveluverkko.network.gtfs_check`), kept by digest."""
    if not gtfs:
        return []
    key = tuple((f.name, f.digest) for f in gtfs)
    if key not in _CHECKED:
        from ..network.gtfs_check import feeds_problems

        if len(_CHECKED) >= _CHECKED_MAX:
            _CHECKED.pop(next(iter(_CHECKED)))
        _CHECKED[key] = feeds_problems([(f.name, f.data) for f in gtfs])
    return list(_CHECKED[key])


def side_file_problems(roads_pbf: Path | None, gtfs: Sequence[GtfsFeed]) -> list[Problem]:
    """Problems of the roads file and the GTFS feeds."""
    out = pbf_problems(roads_pbf) if roads_pbf is not None else []
    return out + gtfs_problems(gtfs)
