"""The web app's use cases through its HTTP API, on each database backend: scenarios with
history, an evaluation equal to the library's, a hearing, comments, moderation and exports."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from pyproj import Transformer

from palveluverkko import Closure, Scenario, Study
from palveluverkko.region.examples import tiny_region

from .conftest import login, wait_job


def test_scenario_history_keeps_every_version_with_its_author(
    web_app: Any, published: dict[str, Any]
) -> None:
    """The scenario has version 1 (created) and 2 (the closure), both by the planner."""
    client, _ = published["planner"]
    s = client.get(f"/api/scenarios/{published['scenario_id']}").json()
    assert s["version"] == 2
    assert [(h["version"], h["author"], h["note"]) for h in s["history"]] == [
        (1, "pia", "created"),
        (2, "pia", "close s2 -> s1"),
    ]
    assert s["proposal"]["closures"] == [
        {
            "site": "s2",
            "name": "Yläkylän sote-asema",
            "substitute": "s1",
            "substitute_name": "Alakylän sote-keskus",
        }
    ]
    assert Scenario.from_toml(s["toml"]).closures == (Closure("s2", "s1"),)


def test_the_job_gives_the_libraries_comparison(published: dict[str, Any]) -> None:
    """Headline figures and cell minutes of the job equal Study.compare on the same scenario."""
    result = published["job"]["result"]
    cmp = Study(tiny_region()).compare(None, Scenario("Sulje s2", closures=(Closure("s2", "s1"),)))[
        0
    ]
    by_figure = {h["figure"]: h for h in result["headline"]}
    mean = cmp.headline.set_index("figure").loc["vastaanotto:mean_car_minutes"]
    assert by_figure["vastaanotto:mean_car_minutes"]["base"] == pytest.approx(
        mean["base"], abs=1e-3
    )
    assert by_figure["vastaanotto:mean_car_minutes"]["scenarios"][0] == pytest.approx(
        mean["scenario"], abs=1e-3
    )
    assert result["service"] == "vastaanotto"
    from palveluverkko.report.texts import text

    labels = by_figure["vastaanotto:mean_car_minutes"]["labels"]
    assert labels["sv"].endswith(": " + text("headline_mean_car", "sv"))
    assert by_figure["county_cost_eur_total"]["labels"]["en"] == text("headline_cost_total", "en")
    assert by_figure["county_cost_eur_2027"]["labels"]["sv"] == "Välfärdsområdets kostnader 2027"
    cells = cmp.other.cells
    after = cells[cells["service"] == "vastaanotto"].set_index("cell_id")["car_minutes"]
    assert result["cells_after"][0] == pytest.approx([float(after[f"c{i}"]) for i in range(6)])
    # closing a site never shortens a trip, and this one lengthens some
    assert all(a >= b for a, b in zip(result["cells_after"][0], result["cells_base"], strict=True))
    assert any(a > b for a, b in zip(result["cells_after"][0], result["cells_base"], strict=True))


def test_resident_sees_before_and_after_of_the_nearest_cell(
    anon: Any, published: dict[str, Any]
) -> None:
    """A point beside cell c3 gets c3's minutes today and in the proposal."""
    region = tiny_region()
    x, y = region.population.geometry.iloc[3].x + 100, region.population.geometry.iloc[3].y
    lon, lat = Transformer.from_crs(region.crs, 4326, always_xy=True).transform(x, y)
    r = anon.get(f"/api/hearings/{published['slug']}/travel", params={"lon": lon, "lat": lat})
    assert r.status_code == 200, r.text
    body = r.json()
    result = published["job"]["result"]
    assert body["cell"] == 3
    assert body["distance_m"] == 100
    assert body["before_minutes"] == result["cells_base"][3]
    assert body["after_minutes"] == result["cells_after"][0][3]
    page = anon.get(f"/h/{published['slug']}")
    assert page.status_code == 200
    assert "Yläkylän sote-asema" in page.text
    assert "Alakylän sote-keskus" in page.text
    assert '<html lang="fi">' in page.text
    sv = anon.get(f"/h/{published['slug']}?lang=sv")
    assert "Stängning av Yläkylä" in sv.text
    assert "Förslag" in sv.text
    assert sv.cookies.get("pv_lang") == "sv"


def _comment(client: Any, slug: str, text: str, **extra: Any) -> Any:
    page = client.get(f"/h/{slug}")
    token = client.cookies.get("pv_csrf")
    assert token
    assert token in page.text
    return client.post(
        f"/api/hearings/{slug}/comments",
        json={"text": text, **extra},
        headers={"X-CSRF-Token": token},
    )


def test_comment_waits_for_moderation_then_shows_and_exports(
    web_app: Any, anon: Any, published: dict[str, Any], tmp_path: Path
) -> None:
    """A comment is hidden until a moderator approves it; the planner's exports carry its
    municipality."""
    web_app.state.web.limiter._hits.clear()
    slug = published["slug"]
    region = tiny_region()
    lon, lat = Transformer.from_crs(region.crs, 4326, always_xy=True).transform(
        region.population.geometry.iloc[4].x, region.population.geometry.iloc[4].y
    )
    r = _comment(anon, slug, "Bussi ei kulje illalla.", tag="bus", lon=lon, lat=lat)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    assert cid not in [c["id"] for c in anon.get(f"/api/hearings/{slug}/comments").json()]
    mod, token = login(web_app, "mona")
    r = mod.post(
        f"/api/comments/{cid}/moderate", json={"action": "approve"}, headers={"X-CSRF-Token": token}
    )
    assert r.json() == {"id": cid, "status": "approved"}
    shown = anon.get(f"/api/hearings/{slug}/comments").json()
    assert [(c["id"], c["text"], c["tag"]) for c in shown if c["id"] == cid] == [
        (cid, "Bussi ei kulje illalla.", "bus")
    ]
    planner, _ = published["planner"]
    xlsx = planner.get(f"/api/admin/hearings/{slug}/export.xlsx")
    assert xlsx.status_code == 200
    table = pd.read_excel(io.BytesIO(xlsx.content), dtype={"municipality": str})
    row = table.set_index("comment_id").loc[cid]
    assert (row["municipality"], row["municipality_name"], row["status"]) == (
        "902",
        "Yläkylä",
        "approved",
    )
    gpkg = planner.get(f"/api/admin/hearings/{slug}/export.gpkg")
    assert gpkg.status_code == 200
    (tmp_path / "c.gpkg").write_bytes(gpkg.content)
    frame = gpd.read_file(tmp_path / "c.gpkg")
    got = frame.set_index("comment_id").loc[cid]
    assert got["municipality"] == "902"
    assert got.geometry.x == pytest.approx(region.population.geometry.iloc[4].x, abs=0.5)


def test_downloads_of_a_finished_job(published: dict[str, Any]) -> None:
    """Report HTML and PDF, Excel and GeoPackage of the evaluation download with their types."""
    client, _ = published["planner"]
    jid = published["job"]["id"]
    report = client.get(f"/api/jobs/{jid}/download/report")
    assert report.status_code == 200
    assert report.text.lstrip().lower().startswith("<!doctype html")
    xlsx = client.get(f"/api/jobs/{jid}/download/excel")
    assert xlsx.content[:2] == b"PK"
    gpkg = client.get(f"/api/jobs/{jid}/download/gpkg")
    assert gpkg.content[:15] == b"SQLite format 3"
    pdf = client.get(f"/api/jobs/{jid}/download/pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content[:5] == b"%PDF-"


def test_every_change_kind_is_saved_as_a_scenario_entry(web_app: Any) -> None:
    """Convert, capacity, a new site by map point, a digital share and mobile stops become the
    entries, and the scenario evaluates."""
    client, token = login(web_app, "pia")
    h = {"X-CSRF-Token": token}
    sid = client.post("/api/scenarios", json={"name": "Kaikki"}, headers=h).json()["id"]
    region = tiny_region()
    lon, lat = Transformer.from_crs(region.crs, 4326, always_xy=True).transform(
        region.population.geometry.iloc[5].x, region.population.geometry.iloc[5].y
    )
    changes = [
        {"kind": "capacity", "site": "s1", "service": "vastaanotto", "capacity_per_week": 450},
        {
            "kind": "open",
            "name": "Uusi piste",
            "site_kind": "sote_asema",
            "service": "vastaanotto",
            "capacity_per_week": 80,
            "lon": lon,
            "lat": lat,
        },
        {"kind": "channels", "service": "vastaanotto", "digital_share": 0.4},
        {"kind": "convert", "site": "s3", "site_kind": "sote_asema"},
        {
            "kind": "mobile_stop",
            "name": "Kylätalo",
            "site": "s1",
            "service": "vastaanotto",
            "lon": lon,
            "lat": lat,
        },
        {
            "kind": "mobile_stop",
            "name": "Koulu",
            "site": "s1",
            "service": "vastaanotto",
            "lon": lon,
            "lat": lat,
        },
    ]
    for change in changes:
        r = client.post(f"/api/scenarios/{sid}/changes", json=change, headers=h)
        assert r.status_code == 200, r.text
    sc = Scenario.from_toml(client.get(f"/api/scenarios/{sid}").json()["toml"])
    assert sc.capacity_changes[0].capacity_per_week == 450
    assert (sc.openings[0].site, sc.openings[0].municipality) == ("uusi1", "902")
    assert sc.openings[0].x == pytest.approx(region.population.geometry.iloc[5].x, abs=0.5)
    assert sc.channel_changes[0].digital_share == 0.4
    assert sc.conversions[0].kind == "sote_asema"
    assert len(sc.mobile_units) == 1  # the second stop joins the unit of the same depot
    unit = sc.mobile_units[0]
    assert (unit.unit["depot_site"], unit.unit["services"]) == ("s1", ["vastaanotto"])
    assert [p["name"] for p in unit.stops["points"]] == ["Kylätalo", "Koulu"]
    job = client.post("/api/jobs", json={"scenario_ids": [sid]}, headers=h).json()
    done = wait_job(client, job["id"])
    assert done["status"] == "done", done["error"]


def test_a_bad_change_is_a_clear_422(web_app: Any) -> None:
    """A substitute that does not exist is refused with the library's message."""
    client, token = login(web_app, "pia")
    h = {"X-CSRF-Token": token}
    sid = client.post("/api/scenarios", json={"name": "Huono"}, headers=h).json()["id"]
    r = client.post(
        f"/api/scenarios/{sid}/changes",
        json={"kind": "close", "site": "s2", "substitute": "nope"},
        headers=h,
    )
    assert r.status_code == 422
    assert "nope" in r.json()["detail"]
    assert client.get(f"/api/scenarios/{sid}").json()["version"] == 1


def test_saved_work_survives_a_restart(web_app: Any, published: dict[str, Any]) -> None:
    """A second app on the same database sees the scenarios, the job and the hearing."""
    from fastapi.testclient import TestClient

    from palveluverkko.web import create_app

    again = create_app(tiny_region(), web_app.state.db_url, data_dir=web_app.state.web.data_dir)
    client, _ = login(again, "ville")
    names = [s["name"] for s in client.get("/api/scenarios").json()]
    assert "Sulje s2" in names
    assert client.get(f"/api/jobs/{published['job']['id']}").json()["status"] == "done"
    with TestClient(again) as anon:
        assert anon.get(f"/h/{published['slug']}").status_code == 200
    again.state.web.engine.dispose()


def test_one_job_compares_two_scenarios_with_today(web_app: Any, published: dict[str, Any]) -> None:
    """A job of two scenarios gives both columns, each equal to its own comparison."""
    client, token = login(web_app, "pia")
    h = {"X-CSRF-Token": token}
    other = client.post("/api/scenarios", json={"name": "Sulje s3"}, headers=h).json()["id"]
    r = client.post(
        f"/api/scenarios/{other}/changes",
        json={"kind": "close", "site": "s3", "substitute": "s2"},
        headers=h,
    )
    assert r.status_code == 200, r.text
    both = [published["scenario_id"], other]
    job = wait_job(
        client, client.post("/api/jobs", json={"scenario_ids": both}, headers=h).json()["id"]
    )
    result = job["result"]
    assert result["names"] == ["Sulje s2", "Sulje s3"]
    assert result["cells_base"] == published["job"]["result"]["cells_base"]
    assert result["cells_after"][0] == published["job"]["result"]["cells_after"][0]
    cmp = Study(tiny_region()).compare(None, Scenario("Sulje s3", closures=(Closure("s3", "s2"),)))[
        0
    ]
    cells = cmp.other.cells
    after = cells[cells["service"] == "vastaanotto"].set_index("cell_id")["car_minutes"]
    assert result["cells_after"][1] == pytest.approx([float(after[f"c{i}"]) for i in range(6)])


def test_a_restart_marks_unfinished_jobs_failed(web_app: Any, published: dict[str, Any]) -> None:
    """A job left running by a stopped server is failed with a reason at the next start."""
    from palveluverkko.web import create_app
    from palveluverkko.web.db import Job

    factory = web_app.state.web.factory
    with factory() as db:
        job = Job(
            scenario_ids="[1]",
            versions="[1]",
            status="running",
            stage="",
            done=0,
            error="",
            result="",
            created_by=1,
        )
        db.add(job)
        db.commit()
        jid = job.id
    again = create_app(tiny_region(), web_app.state.db_url, data_dir=web_app.state.web.data_dir)
    again.state.web.engine.dispose()
    with factory() as db:
        row = db.get(Job, jid)
        assert row is not None
        assert (row.status, row.error) == ("failed", "the server stopped before the job ended")
    assert published["job"]["status"] == "done"


def test_job_progress_streams_as_server_sent_events(published: dict[str, Any]) -> None:
    """The events of a finished job end with its "done" state."""
    client, _ = published["planner"]
    jid = published["job"]["id"]
    with client.stream("GET", f"/api/jobs/{jid}/events") as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in r.iter_lines() if line.startswith("data: ")]
    last = json.loads(lines[-1].removeprefix("data: "))
    assert (last["id"], last["status"], last["error"]) == (jid, "done", "")


def test_optimize_saves_the_chosen_network_as_a_scenario(web_app: Any) -> None:
    """p-median with p=2 of three sites closes one (with a substitute) and is saved, with the
    library's explanation, as a new scenario that a job evaluates."""
    client, token = login(web_app, "pia")
    h = {"X-CSRF-Token": token}
    r = client.post(
        "/api/optimize",
        json={
            "name": "Kaksi asemaa",
            "service": "vastaanotto",
            "model": "p-median",
            "p": 2,
            "per_municipality": 0,
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["explanation"]
    s = client.get(f"/api/scenarios/{body['id']}").json()
    assert s["history"][0]["note"] == "optimize p-median vastaanotto p=2"
    sc = Scenario.from_toml(s["toml"])
    assert sc.name == "Kaksi asemaa"
    assert len(sc.closures) == 1
    job = wait_job(
        client,
        client.post("/api/jobs", json={"scenario_ids": [body["id"]]}, headers=h).json()["id"],
    )
    assert job["status"] == "done", job["error"]
    viewer, vtoken = login(web_app, "ville")
    r = viewer.post(
        "/api/optimize",
        json={"name": "x", "service": "vastaanotto", "model": "p-median", "p": 2},
        headers={"X-CSRF-Token": vtoken},
    )
    assert r.status_code == 403
