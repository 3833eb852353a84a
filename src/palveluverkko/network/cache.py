"""On-disk cache of travel-time matrices, keyed by a digest of every input and parameter.

The digest (SHA-256) covers the cache format version, the package version, the routing code
(:func:`code_digest`: the bytes of every module of :mod:`palveluverkko.network`, so a change to
a kernel gives new keys even without a version bump), the mode, every parameter (JSON, keys
sorted), the road source (bytes of the ``.osm.pbf`` or the ``roads``
layer's geometry and routing columns), the GTFS feeds for transit, and the ids and coordinates of
cells and destinations. Any change to any of them gives another digest, so a stale matrix is never
reused. Residents and municipalities are *not* in the digest: they do not change a matrix, and
the ``unreachable`` table is rebuilt from the region on every load.

Default folder: ``$PALVELUVERKKO_CACHE_DIR`` or ``~/.cache/palveluverkko``; files are
``travel_times/<mode>-<digest>.npz`` (numpy arrays only, no pickles), written atomically.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger("palveluverkko.network")

CACHE_FORMAT = 2

__all__ = [
    "CACHE_FORMAT",
    "code_digest",
    "default_cache_dir",
    "digest_of",
    "load_arrays",
    "store_arrays",
]


def default_cache_dir() -> Path:
    """``$PALVELUVERKKO_CACHE_DIR`` if set, else ``~/.cache/palveluverkko``."""
    env = os.environ.get("PALVELUVERKKO_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "palveluverkko"


def code_digest(folder: Path | None = None) -> str:
    """SHA-256 of the routing code: every ``*.py`` file of ``folder`` (default this package,
    read once per process), by name and bytes, in name order."""
    return _own_code_digest() if folder is None else _folder_digest(Path(folder))


@functools.cache
def _own_code_digest() -> str:
    return _folder_digest(Path(__file__).parent)


def _folder_digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.glob("*.py")):
        h.update(path.name.encode() + b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def digest_of(parameters: Mapping[str, Any], parts: Iterable[bytes | str | np.ndarray]) -> str:
    """SHA-256 over the JSON of ``parameters`` and each part (arrays by dtype, shape and bytes)."""
    from .. import __version__

    h = hashlib.sha256()
    h.update(f"palveluverkko-travel-times:{CACHE_FORMAT}:{__version__}\n".encode())
    h.update(f"code:{code_digest()}\n".encode())
    h.update(json.dumps(parameters, sort_keys=True, default=str).encode())
    for part in parts:
        if isinstance(part, np.ndarray):
            arr = np.ascontiguousarray(part)
            if arr.dtype == object:
                arr = arr.astype(str)
            h.update(f"\n{arr.dtype.str}{arr.shape}".encode())
            h.update(arr.tobytes())
        elif isinstance(part, str):
            h.update(b"\n" + part.encode())
        else:
            h.update(b"\n" + part)
    return h.hexdigest()


def cache_path(cache_dir: Path, mode: str, digest: str) -> Path:
    """File of a cached matrix."""
    return cache_dir / "travel_times" / f"{mode}-{digest}.npz"


def store_arrays(path: Path, arrays: Mapping[str, np.ndarray]) -> None:
    """Write ``arrays`` to ``path`` (npz) atomically; failures are logged, not raised."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)  # type: ignore[arg-type]
        os.replace(tmp, path)
        log.info("cached travel times in %s", path)
    except OSError as exc:
        log.warning("could not write the travel-time cache %s: %s", path, exc)


def load_arrays(path: Path) -> dict[str, np.ndarray] | None:
    """Read a cached npz; ``None`` when absent or unreadable (then it is recomputed)."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable travel-time cache %s: %s", path, exc)
        return None
