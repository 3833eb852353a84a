"""Writing results so that a folder is either the old complete result or the new one.

:func:`output_folder` builds a result in a temporary folder beside the target, writes a marker
(:data:`MARKER`: what was written, from which inputs, by which version) and moves it into place
when complete; files of an earlier result that the new one does not write go with the old
folder. A lock file beside the target makes a second process writing the same folder fail
clearly instead of mixing two results. A folder that holds files palveluverkko did not write is
never replaced. :func:`output_file` does the same for one file (write a temporary file, then
rename it over the target).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .errors import InputError, PalveluverkkoError

__all__ = ["MARKER", "OutputBusyError", "output_file", "output_folder"]

MARKER = "_palveluverkko.json"
"""The marker file of a complete result folder."""


class OutputBusyError(PalveluverkkoError, RuntimeError):
    """Another process is writing the same output folder."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def _lock(target: Path) -> Iterator[None]:
    lock = target.with_name(f".{target.name}.lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                pid = int(lock.read_text(encoding="utf-8").strip() or "0")
            except (OSError, ValueError):
                pid = 0
            if pid and _pid_alive(pid) and pid != os.getpid():
                raise OutputBusyError(
                    f"{target}: another palveluverkko run (process {pid}) is writing this "
                    "folder; wait for it to finish or choose another --out"
                ) from None
            lock.unlink(missing_ok=True)  # left by a run that ended without cleaning up
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(str(os.getpid()))
        break
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


@contextlib.contextmanager
def output_folder(target: str | Path, *, about: Mapping[str, Any] | None = None) -> Iterator[Path]:
    """A temporary folder to write a result into; moved to ``target`` when the block ends
    without an error (with :data:`MARKER` listing the files and ``about``).

    Raises
    ------
    InputError
        ``target`` is a file, or a folder with files that palveluverkko did not write.
    OutputBusyError
        Another process is writing ``target``.
    """
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise InputError(f"{target}: is a file; give a folder for the results")
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise InputError(
            f"{target}: the folder holds files that palveluverkko did not write (no {MARKER}); "
            "choose an empty or new folder for the results"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    with _lock(target):
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700: results are shared as usual
        try:
            yield tmp
            files = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if p.is_file())
            from . import __version__

            marker = {
                "palveluverkko": __version__,
                "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "files": files,
                **dict(about or {}),
            }
            (tmp / MARKER).write_text(
                json.dumps(marker, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
            )
            old = None
            if target.exists():
                old = target.with_name(f".{target.name}.old-{os.getpid()}")
                shutil.rmtree(old, ignore_errors=True)
                target.rename(old)
            tmp.rename(target)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def output_file(target: str | Path) -> Iterator[Path]:
    """A temporary file beside ``target``, renamed over it when the block ends without error."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600: a report must be readable as usual
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
