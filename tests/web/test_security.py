"""OWASP basics against the web app: no session, wrong role, CSRF, injection strings stored as
text and escaped on output, oversized bodies, flooding, headers, no path to the file system."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from .conftest import login

SQL = "x'); DROP TABLE scenarios; --"
SCRIPT = '<script>alert("xss")</script><img src=x onerror=alert(1)>'


def _anon_token(client: TestClient) -> str:
    client.get("/")
    token = client.cookies.get("pv_csrf")
    assert token
    return str(token)


def test_no_session_gets_401_for_planner_routes(anon: TestClient) -> None:
    """Reading or changing scenarios, jobs and exports needs a session."""
    token = _anon_token(anon)
    h = {"X-CSRF-Token": token}
    assert anon.get("/api/scenarios").status_code == 401
    assert anon.get("/planner").status_code == 401
    assert anon.post("/api/scenarios", json={"name": "x"}, headers=h).status_code == 401
    assert anon.post("/api/jobs", json={"scenario_ids": [1]}, headers=h).status_code == 401
    assert anon.get("/api/admin/hearings/abc/export.xlsx").status_code == 401
    assert (
        anon.post("/api/comments/1/moderate", json={"action": "approve"}, headers=h).status_code
        == 401
    )


def test_wrong_role_gets_403(web_app: Any, published: dict[str, Any]) -> None:
    """Viewers read but never change; moderators moderate but never export or plan."""
    viewer, vtoken = login(web_app, "ville")
    assert viewer.get("/api/scenarios").status_code == 200
    r = viewer.post("/api/scenarios", json={"name": "x"}, headers={"X-CSRF-Token": vtoken})
    assert r.status_code == 403
    r = viewer.post(
        "/api/comments/1/moderate", json={"action": "hide"}, headers={"X-CSRF-Token": vtoken}
    )
    assert r.status_code == 403
    mod, mtoken = login(web_app, "mona")
    assert mod.get(f"/api/admin/hearings/{published['slug']}/export.xlsx").status_code == 403
    r = mod.post(
        "/api/jobs",
        json={"scenario_ids": [published["scenario_id"]]},
        headers={"X-CSRF-Token": mtoken},
    )
    assert r.status_code == 403


def test_state_changes_need_the_sessions_csrf_token(web_app: Any) -> None:
    """Without the token, or with another session's, a planner's POST is refused."""
    planner, token = login(web_app, "pia")
    _, other = login(web_app, "pia")
    assert planner.post("/api/scenarios", json={"name": "x"}).status_code == 403
    r = planner.post("/api/scenarios", json={"name": "x"}, headers={"X-CSRF-Token": other})
    assert r.status_code == 403
    r = planner.post("/api/scenarios", json={"name": "x"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 201
    # the login form itself needs the double-submit token
    fresh = TestClient(web_app)
    fresh.get("/login")
    r = fresh.post(
        "/login", data={"name": "pia", "password": "correct horse battery"}, follow_redirects=False
    )
    assert r.status_code == 403


def test_wrong_password_opens_no_session(web_app: Any) -> None:
    """A wrong password redirects back to the form and sets no session cookie."""
    client = TestClient(web_app)
    client.get("/login")
    r = client.post(
        "/login",
        data={
            "name": "pia",
            "password": "wrong password!",
            "csrf_token": client.cookies["pv_csrf"],
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/login?failed=1"
    assert "pv_session" not in r.cookies
    assert client.get("/api/scenarios").status_code == 401


def test_injection_strings_are_stored_as_text_and_escaped(
    web_app: Any, anon: TestClient, published: dict[str, Any]
) -> None:
    """SQL and script in a scenario name and a comment come back verbatim as data and escaped
    in pages; the tables are intact."""
    web_app.state.web.limiter._hits.clear()
    planner, token = login(web_app, "pia")
    r = planner.post("/api/scenarios", json={"name": SQL + SCRIPT}, headers={"X-CSRF-Token": token})
    assert r.status_code == 201
    names = [s["name"] for s in planner.get("/api/scenarios").json()]
    assert SQL + SCRIPT in names
    slug = published["slug"]
    atoken = _anon_token(anon)
    r = anon.post(
        f"/api/hearings/{slug}/comments",
        json={"text": SQL + SCRIPT, "tag": "other"},
        headers={"X-CSRF-Token": atoken},
    )
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    mod, mtoken = login(web_app, "mona")
    page = mod.get("/moderation").text
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    r = mod.post(
        f"/api/comments/{cid}/moderate",
        json={"action": "approve"},
        headers={"X-CSRF-Token": mtoken},
    )
    assert r.status_code == 200
    texts = [c["text"] for c in anon.get(f"/api/hearings/{slug}/comments").json()]
    assert SQL + SCRIPT in texts
    assert len(planner.get("/api/scenarios").json()) >= 2  # DROP TABLE did nothing


def test_bad_comments_are_422(anon: TestClient, published: dict[str, Any]) -> None:
    """Empty text, an unknown tag, half a point and a point far outside give 422."""
    token = _anon_token(anon)
    url = f"/api/hearings/{published['slug']}/comments"
    h = {"X-CSRF-Token": token}
    assert anon.post(url, json={"text": ""}, headers=h).status_code == 422
    assert anon.post(url, json={"text": "a", "tag": "spam"}, headers=h).status_code == 422
    assert anon.post(url, json={"text": "a", "lon": 25.0}, headers=h).status_code == 422
    travel = anon.get(f"/api/hearings/{published['slug']}/travel", params={"lon": 10, "lat": 50})
    assert travel.status_code == 422


def test_oversized_body_is_413(anon: TestClient, published: dict[str, Any]) -> None:
    """A body over the limit (20 kB in the tests) is refused before it is read whole."""
    token = _anon_token(anon)
    r = anon.post(
        f"/api/hearings/{published['slug']}/comments",
        content=b'{"text": "' + b"a" * 30_000 + b'"}',
        headers={"X-CSRF-Token": token, "content-type": "application/json"},
    )
    assert r.status_code == 413


def test_flooding_the_comment_endpoint_gives_429(
    web_app: Any, anon: TestClient, published: dict[str, Any]
) -> None:
    """Five comments a minute per client are taken; the rest get 429 and are not stored."""
    web_app.state.web.limiter._hits.clear()
    token = _anon_token(anon)
    url = f"/api/hearings/{published['slug']}/comments"
    codes = [
        anon.post(url, json={"text": f"flood {i}"}, headers={"X-CSRF-Token": token}).status_code
        for i in range(12)
    ]
    assert codes == [201] * 5 + [429] * 7
    mod, _ = login(web_app, "mona")
    stored = [
        c["text"] for c in mod.get(f"/api/admin/hearings/{published['slug']}/comments").json()
    ]
    assert sum(t.startswith("flood ") for t in stored) == 5


def test_security_headers_forbid_inline_scripts_and_other_origins(anon: TestClient) -> None:
    """Every answer has a CSP of 'self' only (no inline script, no other origin) and friends."""
    for path in ("/", "/login", "/api/layers/sites.geojson", "/static/style.css"):
        r = anon.get(path)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self';" in csp
        assert "unsafe-inline" not in csp
        assert "http" not in csp
        assert "*" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
    page = anon.get("/login").text
    assert "<script>" not in page  # only src= scripts and JSON data blocks
    assert anon.get("/docs").status_code == 404  # Swagger UI would load a CDN


@pytest.mark.parametrize(
    "path",
    [
        "/static/../pyproject.toml",
        "/static/%2e%2e/app.py",
        "/api/layers/..%2F..%2Fetc%2Fpasswd.geojson",
        "/api/jobs/1/download/..%2F..%2Fetc%2Fpasswd",
    ],
)
def test_no_path_from_a_request_to_the_file_system(web_app: Any, path: str) -> None:
    """Path tricks end in 404 (or 401 before a session), never in a file."""
    client, _ = login(web_app, "ville")
    r = client.get(path)
    assert r.status_code == 404
    assert "root:" not in r.text
    assert "def create_app" not in r.text


def test_closed_or_unknown_hearings(anon: TestClient) -> None:
    """An unknown hearing is 404 on every public route."""
    assert anon.get("/h/nope").status_code == 404
    assert anon.get("/api/hearings/nope/travel", params={"lon": 25, "lat": 62}).status_code == 404
    token = _anon_token(anon)
    r = anon.post(
        "/api/hearings/nope/comments", json={"text": "x"}, headers={"X-CSRF-Token": token}
    )
    assert r.status_code == 404
