"""Every fuzz case of tests/region/test_fuzz.py (the slow ones too), with outcomes per class.

Runs each corrupted package through ``validate`` and ``evaluate`` (CliRunner) and prints, per class
of the issue, how many cases ended as asserted (exit 2 naming the layer or file, or exit 0 with
conserved results) and how many did not: accepted silently, exit 1 or a traceback, memory beyond
the bound, a message not naming the thing, results that do not add up. It also prints the wall
time of the whole run and of the part the test suite runs (the cases marked ``fast``).

Run ``.venv/bin/python benchmarks/bench_fuzz.py`` for this checkout. To measure another checkout
with the same cases (e.g. the code before this branch), put its ``src`` first on the path:
``PYTHONPATH=/tmp/before/src .venv/bin/python benchmarks/bench_fuzz.py``.
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def _load(name: str, path: Path) -> object:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


CLASSES = (
    (("text-", "blob-", "fraction-", "null-"), "stored type: text, fraction, BLOB, NULL"),
    (("inf-", "neginf-"), "non-finite numbers"),
    (("value-",), "out of range, unknown codes"),
    (("plausible-", "capacity-below"), "magnitudes near the limits"),
    (("duplicate-",), "duplicate ids"),
    (("gpkg-", "no-layer-", "empty-layer-", "no-column-"), "broken or incomplete region.gpkg"),
    (
        ("bowtie-", "nan-point", "null-geometry", "degrees-", "polygon-", "sites-in", "extra-"),
        "geometry",
    ),
    (("toml-",), "region.toml configuration"),
    (("files-",), "side files (containment)"),
    (("gtfs-",), "GTFS feeds"),
    (("scenario-",), "scenarios"),
    (("random",), "random values in random columns"),
)


def klass(case_id: str) -> str:
    for prefixes, name in CLASSES:
        if case_id.startswith(prefixes):
            return name
    return "other"


def outcome(fuzz: object, case: object, base: Path, cache: Path, tmp: Path) -> str:
    """``ok`` or what went wrong, in a few words."""
    validated, evaluated, pkg, out = fuzz.invoke_case(case, base, cache, tmp)  # type: ignore[attr-defined]
    for result in (validated, evaluated):
        exc = result.exception
        if isinstance(exc, MemoryError):
            return "memory beyond the bound"
        if exc is not None and not isinstance(exc, SystemExit):
            return f"traceback ({type(exc).__name__})"
    scenario = case.scenario is not None or case.scenario_bytes is not None  # type: ignore[attr-defined]
    if validated.exit_code == 0 and case.expect == "invalid" and not scenario:  # type: ignore[attr-defined]
        if evaluated.exit_code == 0:
            return "accepted by both (silently wrong)"
        return f"validate said valid, evaluate exit {evaluated.exit_code}"
    try:
        fuzz.check_case(case, validated, evaluated, pkg, out)  # type: ignore[attr-defined]
    except AssertionError as exc:
        text = str(exc)
        if "accepted it" in text:
            return "accepted (silently wrong)"
        if "validated, but" in text:
            return "validate said valid, evaluate failed"
        if "exit 1" in text:
            return "exit 1"
        if "not finite" in text or "Not equal" in text or "isfinite" in text:
            return "results do not add up"
        return "message does not name it"
    except Exception as exc:  # results unreadable
        return f"results unreadable ({type(exc).__name__})"
    return "ok"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run the cases whose id contains this")
    args = parser.parse_args()
    fuzz = _load("bench_test_fuzz", HERE / "tests" / "region" / "test_fuzz.py")
    import palveluverkko

    print(f"palveluverkko from {Path(palveluverkko.__file__).parent}")
    cases = [c for c in fuzz.CASES if args.only in c.id]  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        t0 = time.perf_counter()
        from palveluverkko.demo import demo_region
        from palveluverkko.region import write_region

        base = write_region(fuzz.crop(demo_region(0), fuzz.CODES), root / "base")  # type: ignore[attr-defined]
        setup = time.perf_counter() - t0
        per_class: dict[str, collections.Counter[str]] = collections.defaultdict(
            collections.Counter
        )
        fast_seconds = 0.0
        t1 = time.perf_counter()
        for n, case in enumerate(cases):
            start = time.perf_counter()
            result = outcome(fuzz, case, base, root / "cache", root / f"case{n}")
            if case.fast:
                fast_seconds += time.perf_counter() - start
            per_class[klass(case.id)][result] += 1
            if result != "ok":
                print(f"  {case.id}: {result}")
        total = time.perf_counter() - t1
    print(
        f"\n{len(cases)} cases, {sum(1 for c in cases if c.xfail)} marked xfail "
        "(outside this branch)"
    )
    print(f"{'class':45s} {'cases':>5s} {'ok':>4s}  not ok")
    for _, name in CLASSES:
        counts = per_class.get(name)
        if not counts:
            continue
        bad = ", ".join(f"{k} {v}" for k, v in counts.items() if k != "ok")
        print(f"{name:45s} {sum(counts.values()):5d} {counts['ok']:4d}  {bad}")
    print(
        f"\nsetup {setup:.1f} s; all {len(cases)} cases {total:.1f} s; the suite's "
        f"{sum(c.fast for c in cases)} cases {fast_seconds:.1f} s (+ setup)"
    )


if __name__ == "__main__":
    main()
