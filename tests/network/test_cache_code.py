"""The travel-time cache key covers the routing code, so a changed kernel never reuses a matrix."""

from __future__ import annotations

import shutil
from pathlib import Path

import palveluverkko.network as network_pkg
from palveluverkko.network import cache


def test_code_digest_changes_with_any_routing_module(tmp_path: Path) -> None:
    """A copy of the network package has the same digest; one byte changed in a kernel, or a
    new module, gives another."""
    source = Path(network_pkg.__file__).parent
    copy = tmp_path / "network"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__"))
    same = cache.code_digest(copy)
    assert same == cache.code_digest(source)
    kernel = copy / "_kernels.py"
    kernel.write_bytes(kernel.read_bytes() + b"\n# changed\n")
    changed = cache.code_digest(copy)
    assert changed != same
    (copy / "extra.py").write_text("X = 1\n", encoding="utf-8")
    assert cache.code_digest(copy) != changed


def test_digest_of_includes_the_code(monkeypatch: object) -> None:
    """digest_of depends on code_digest: other code, other key for the same inputs."""
    import pytest

    mp = pytest.MonkeyPatch()
    try:
        first = cache.digest_of({"mode": "car"}, ["x"])
        mp.setattr(cache, "code_digest", lambda folder=None: "another")
        assert cache.digest_of({"mode": "car"}, ["x"]) != first
    finally:
        mp.undo()
