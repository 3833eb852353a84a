"""The web app on the demo county: page ready, click to results, and a bounded load test.

Run: ``nice -n 10 .venv/bin/python benchmarks/bench_web.py [--db URL] [--clients 200]
[--comments 2000] [--out out/bench-web]`` (``--db postgresql+psycopg://...`` for PostgreSQL;
``.ci/pg-cluster.sh`` starts a throwaway cluster).

The app runs in its own process (uvicorn on 127.0.0.1, a free port; nothing leaves the machine),
so the load generator does not share its interpreter.

1. Click to results: a planner's evaluation job (today against the demo's example scenario:
   three sites closed with substitutes), from POST to "done", with travel times cached on disk;
   the first job and a second one (the Study's matrices already in memory). Target < 10 s.
2. Page ready in headless Chromium (Debian's): the public hearing page and the planner's page,
   from navigation until the map has drawn every layer (MapLibre's first ``idle``). Target < 3 s.
3. Load: ``--clients`` residents at once (each its own address through X-Forwarded-For, which the
   app trusts only in this benchmark) post ``--comments`` comments in total, each reading the
   public page before each post, while the planner runs an evaluation. The limit is 5 comments
   a minute per client, so half are refused with 429. Printed: accepted, 429, other answers,
   comments in the database (each accepted one exactly once), p50/p95 of the public page.
   Bounded: a fixed number of requests and a 300 s time-out.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx2 as httpx

PASSWORD = "bench password 123"


def serve_main(args: argparse.Namespace) -> None:
    """The server process: the app on the demo county with the benchmark's settings."""
    import uvicorn

    from palveluverkko.web import WebSettings, create_app
    from palveluverkko.web.running import demo_package

    out = Path(args.out)
    package = demo_package(out / "demo")
    app = create_app(
        package,
        args.db,
        data_dir=out,
        cache_dir=out / "demo" / "cache",
        settings=WebSettings(trust_forwarded=True),
    )
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _csrf(html: str) -> str:
    import re

    m = re.search(r'<meta name="csrf-token" content="([^"]*)"', html)
    assert m is not None
    return m.group(1)


def _login(base: str, name: str) -> tuple[httpx.Client, str]:
    c = httpx.Client(base_url=base, timeout=120)
    page = c.get("/login")
    r = c.post(
        "/login",
        data={"name": name, "password": PASSWORD, "csrf_token": _csrf(page.text)},
        follow_redirects=True,
    )
    r.raise_for_status()
    return c, _csrf(r.text)


def _run_job(c: httpx.Client, token: str, sid: int) -> tuple[int, float]:
    t = time.perf_counter()
    r = c.post("/api/jobs", json={"scenario_ids": [sid]}, headers={"X-CSRF-Token": token})
    r.raise_for_status()
    jid = r.json()["id"]
    while True:
        job = c.get(f"/api/jobs/{jid}").json()
        if job["status"] == "done":
            return jid, time.perf_counter() - t
        if job["status"] == "failed":
            raise RuntimeError(job["error"])
        time.sleep(0.1)


def page_ready(base: str, paths: list[tuple[str, str]], planner_cookie: str) -> dict[str, float]:
    """Seconds from navigation to the map's first idle, per page (median of 3 loads)."""
    from playwright.sync_api import sync_playwright

    out: dict[str, float] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium",
            args=["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--no-sandbox"],
        )
        for name, path in paths:
            times = []
            for _ in range(3):
                ctx = browser.new_context(viewport={"width": 1280, "height": 900})
                if name == "planner":
                    ctx.add_cookies([{"name": "pv_session", "value": planner_cookie, "url": base}])
                page = ctx.new_page()
                t = time.perf_counter()
                page.goto(base + path)
                page.wait_for_selector("body[data-ready='1']", timeout=60_000)
                page.evaluate("window.__mapReady")
                times.append(time.perf_counter() - t)
                ctx.close()
            out[name] = statistics.median(times)
        browser.close()
    return out


async def load(base: str, slug: str, clients: int, comments: int, net: int = 10) -> dict[str, Any]:
    """``clients`` residents post ``comments`` comments in total; returns the counts."""
    per = comments // clients
    codes: dict[int, int] = {}
    page_ms: list[float] = []
    accepted: list[str] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def resident(i: int) -> None:
        ip = f"{net}.{i // 250}.{i % 250}.1"
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as c:
            for j in range(per):
                t = time.perf_counter()
                page = await c.get(f"/h/{slug}", headers={"X-Forwarded-For": ip})
                page.raise_for_status()
                page_ms.append((time.perf_counter() - t) * 1000)
                token = c.cookies.get("pv_csrf") or ""
                text = f"kuormitus {net}/{i}-{j}: bussi ei kulje"
                r = await c.post(
                    f"/api/hearings/{slug}/comments",
                    json={"text": text, "tag": "bus"},
                    headers={"X-CSRF-Token": token, "X-Forwarded-For": ip},
                )
                codes[r.status_code] = codes.get(r.status_code, 0) + 1
                if r.status_code == 201:
                    accepted.append(text)

    t = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(resident(i) for i in range(clients))), timeout=300)
    seconds = time.perf_counter() - t
    q = statistics.quantiles(page_ms, n=100)
    return {
        "codes": codes,
        "accepted": accepted,
        "seconds": seconds,
        "page_p50_ms": q[49],
        "page_p95_ms": q[94],
        "pages": len(page_ms),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default=None, help="SQLAlchemy URL (default: SQLite in --out)")
    ap.add_argument("--out", default="out/bench-web")
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--comments", type=int, default=2000)
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    out = Path(args.out)
    if args.db is None:
        db_file = out / "bench.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(str(db_file) + suffix).unlink(missing_ok=True)
        args.db = f"sqlite:///{db_file}"
    if args.serve:
        serve_main(args)
        return

    from palveluverkko.web import add_user
    from palveluverkko.web.running import demo_package

    t = time.perf_counter()
    package = demo_package(out / "demo")
    print(f"demo county package: {time.perf_counter() - t:.1f} s ({package})")
    add_user(args.db, "pia", "planner", PASSWORD)
    backend = args.db.split(":", 1)[0]
    port = _free_port()
    cmd = [
        sys.executable,
        __file__,
        "--serve",
        "--port",
        str(port),
        "--db",
        args.db,
        "--out",
        str(out),
    ]
    server = subprocess.Popen(cmd, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base = f"http://127.0.0.1:{port}"
    try:
        t = time.perf_counter()
        while True:
            try:
                httpx.get(base + "/login", timeout=2)
                break
            except httpx.TransportError:
                if server.poll() is not None or time.perf_counter() - t > 120:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.2)
        print(f"server start (read region, migrate): {time.perf_counter() - t:.1f} s")
        planner, token = _login(base, "pia")
        scenario_toml = out / "scenario.toml"
        from palveluverkko.demo.scenarios import example_scenario
        from palveluverkko.region import read_region

        scenario_toml.write_text(example_scenario(read_region(package)).to_toml(), encoding="utf-8")
        r = planner.post(
            "/api/scenarios",
            json={"name": "Kolme suljettavaa", "toml": scenario_toml.read_text(encoding="utf-8")},
            headers={"X-CSRF-Token": token},
        )
        r.raise_for_status()
        sid = r.json()["id"]
        jid, first = _run_job(planner, token, sid)
        _, second = _run_job(planner, token, sid)
        print(
            f"click to results (evaluate today + scenario): first {first:.1f} s, "
            f"again {second:.1f} s"
        )
        today = dt.date.today()
        h = planner.post(
            "/api/hearings",
            json={
                "scenario_id": sid,
                "job_id": jid,
                "title_fi": "Kolme suljettavaa",
                "opens": today.isoformat(),
                "closes": (today + dt.timedelta(days=30)).isoformat(),
            },
            headers={"X-CSRF-Token": token},
        )
        h.raise_for_status()
        slug = h.json()["slug"]
        ready = page_ready(
            base,
            [("hearing", f"/h/{slug}"), ("planner", "/planner")],
            planner.cookies["pv_session"],
        )
        for name, seconds in ready.items():
            print(f"page ready ({name}, map idle, median of 3): {seconds:.2f} s")

        all_accepted: list[str] = []
        for net, busy in ((10, False), (11, True)):
            if busy:  # the same load while the planner evaluates again
                planner.post(
                    "/api/jobs", json={"scenario_ids": [sid]}, headers={"X-CSRF-Token": token}
                )
            result = asyncio.run(load(base, slug, args.clients, args.comments, net))
            all_accepted += result["accepted"]
            codes = result["codes"]
            other = {k: v for k, v in codes.items() if k not in (201, 429)}
            when = "during an evaluation" if busy else "no evaluation"
            posts, seconds = sum(codes.values()), result["seconds"]
            print(
                f"load ({backend}, {when}): {args.clients} clients, {posts} posts in "
                f"{seconds:.1f} s: accepted {codes.get(201, 0)}, 429 {codes.get(429, 0)}, "
                f"other {json.dumps(other)}; "
                f"public page p50 {result['page_p50_ms']:.0f} ms, "
                f"p95 {result['page_p95_ms']:.0f} ms ({result['pages']} loads)"
            )
        stored = planner.get(f"/api/admin/hearings/{slug}/comments").json()
        texts = [c["text"] for c in stored]
        once = len(texts) == len(set(texts)) and sorted(texts) == sorted(all_accepted)
        print(
            f"comments in the database {len(texts)}, accepted {len(all_accepted)}, "
            f"each accepted comment stored exactly once: {once}"
        )
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
