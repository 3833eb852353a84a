"""Fixtures of the web app's tests: one app per database backend (SQLite always, PostgreSQL when
``PALVELUVERKKO_TEST_PG_URL`` is set), on the tiny region, with a planner, a moderator and a
viewer; ``login`` gives a signed-in TestClient and its CSRF token."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from palveluverkko.region.examples import tiny_region
from palveluverkko.web import WebSettings, add_user, create_app

PASSWORD = "correct horse battery"
PG_URL = os.environ.get("PALVELUVERKKO_TEST_PG_URL")


def _fresh_pg_database(base_url: str) -> str:
    """A new empty database on the test cluster (dropped with the cluster)."""
    import sqlalchemy as sa

    name = f"pv_test_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base_url.rsplit("/", 1)[0] + "/" + name


BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(PG_URL is None, reason="PALVELUVERKKO_TEST_PG_URL is not set"),
    ),
]


@pytest.fixture(scope="session", params=BACKENDS)
def web_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """The app on the tiny region with three users, per backend."""
    data = tmp_path_factory.mktemp(f"web-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{data / 'web.sqlite'}"
    else:
        assert PG_URL is not None
        url = _fresh_pg_database(PG_URL)
    for name, role in (("pia", "planner"), ("mona", "moderator"), ("ville", "viewer")):
        add_user(url, name, role, PASSWORD)
    app = create_app(
        tiny_region(),
        url,
        data_dir=data,
        cache_dir=data / "cache",
        settings=WebSettings(comment_limit=5, comment_window_s=60, max_body_bytes=20_000),
    )
    app.state.db_url = url
    yield app
    app.state.web.jobs.shutdown()
    app.state.web.engine.dispose()


@pytest.fixture
def anon(web_app: Any) -> TestClient:
    """A visitor without a session (no lifespan: the session-scoped app keeps its job worker)."""
    return TestClient(web_app)


def csrf_of(html: str) -> str:
    """The CSRF token a page carries."""
    m = re.search(r'<meta name="csrf-token" content="([^"]*)"', html)
    assert m is not None
    return m.group(1)


def login(app: Any, name: str, password: str = PASSWORD) -> tuple[TestClient, str]:
    """A TestClient signed in as ``name`` and its CSRF token."""
    client = TestClient(app)
    page = client.get("/login")
    r = client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"] in ("/planner", "/moderation")
    home = client.get(r.headers["location"])
    assert home.status_code == 200, home.text
    return client, csrf_of(home.text)


@pytest.fixture(scope="session")
def shots() -> Path:
    """Where browser tests put their screenshots."""
    path = Path("/tmp/web-shots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def wait_job(client: TestClient, job_id: int, timeout_s: float = 120) -> dict[str, Any]:
    """Poll a job until it is done or failed."""
    import time

    t = time.monotonic()
    while time.monotonic() - t < timeout_s:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return dict(job)
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish in {timeout_s} s")


@pytest.fixture(scope="session")
def published(web_app: Any) -> dict[str, Any]:
    """A scenario closing s2 (substitute s1), its finished evaluation, and a hearing open today."""
    import datetime as dt

    client, token = login(web_app, "pia")
    h = {"X-CSRF-Token": token}
    sid = client.post("/api/scenarios", json={"name": "Sulje s2"}, headers=h).json()["id"]
    r = client.post(
        f"/api/scenarios/{sid}/changes",
        json={"kind": "close", "site": "s2", "substitute": "s1"},
        headers=h,
    )
    assert r.status_code == 200, r.text
    job_id = client.post("/api/jobs", json={"scenario_ids": [sid]}, headers=h).json()["id"]
    job = wait_job(client, job_id)
    assert job["status"] == "done", job["error"]
    today = dt.date.today()
    hearing = client.post(
        "/api/hearings",
        json={
            "scenario_id": sid,
            "job_id": job_id,
            "title_fi": "Yläkylän sote-aseman sulkeminen",
            "title_sv": "Stängning av Yläkylä",
            "text_fi": "Ehdotus.",
            "opens": today.isoformat(),
            "closes": (today + dt.timedelta(days=30)).isoformat(),
        },
        headers=h,
    )
    assert hearing.status_code == 201, hearing.text
    return {
        "scenario_id": sid,
        "job": job,
        "slug": hearing.json()["slug"],
        "planner": (client, token),
    }
