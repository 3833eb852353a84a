"""The whole path in Debian's Chromium (Playwright, no browser download): a planner closes a site
with a substitute, evaluates, compares with today and publishes a hearing; a resident on a
phone-sized screen picks a place, sees before and after and comments; a moderator approves; the
planner exports. axe-core (vendored) finds no serious or critical violation on the pages."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from palveluverkko.region.examples import tiny_region
from palveluverkko.web import add_user, create_app

from .conftest import PASSWORD

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = "/static/vendor/axe-core/axe.min.js"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app under uvicorn on a free localhost port (a thread of this process)."""
    import uvicorn

    data = tmp_path_factory.mktemp("web-browser")
    url = f"sqlite:///{data / 'web.sqlite'}"
    for name, role in (("pia", "planner"), ("mona", "moderator")):
        add_user(url, name, role, PASSWORD)
    app = create_app(tiny_region(), url, data_dir=data, cache_dir=data / "cache")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    t = time.monotonic()
    while not server.started:
        if time.monotonic() - t > 30:
            raise AssertionError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    app.state.web.engine.dispose()


def _not_blank(path: Path) -> None:
    from PIL import Image, ImageStat

    with Image.open(path) as img:
        stat = ImageStat.Stat(img.convert("L"))
    assert stat.stddev[0] > 10, f"{path} looks blank (grey stddev {stat.stddev[0]:.1f})"


def _axe(page: Any) -> list[str]:
    page.add_script_tag(url=AXE)
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, n: v.nodes.length}))"
    )
    return [
        f"{v['id']} ({v['impact']}, {v['n']})"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def _login(context: Any, base: str, name: str) -> Any:
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("Käyttäjätunnus").fill(name)
    page.get_by_label("Salasana").fill(PASSWORD)
    page.get_by_role("button", name="Kirjaudu").click()
    page.wait_for_selector("body[data-ready='1']")
    return page


def test_planner_resident_moderator_path(server: str, shots: Path, tmp_path: Path) -> None:
    """Every step of the issue's path works in the browser, with no CSP error and no serious
    accessibility violation."""
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--no-sandbox"],
        )
        try:
            desk = browser.new_context(
                viewport={"width": 1280, "height": 900}, accept_downloads=True
            )
            planner = _login(desk, server, "pia")
            planner.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            planner.evaluate("window.__mapReady")
            planner.locator("#new-name").fill("Sulje Yläkylä")
            planner.get_by_role("button", name="Luo").click()
            planner.wait_for_selector("#current h3")
            planner.select_option("#close-site", "s2")
            planner.select_option("#close-substitute", "s1")
            planner.locator("#f-close button").click()
            planner.wait_for_selector("#proposal-list li")
            assert "Alakylän sote-keskus" in planner.locator("#proposal-list").inner_text()
            planner.get_by_role("button", name="Arvioi").click()
            planner.wait_for_selector("#results-table", timeout=120_000)
            table = planner.locator("#results-table").inner_text()
            assert "Nykytila" in table
            assert "Sulje Yläkylä" in table
            assert "vastaanotto:mean_car_minutes" not in table  # the report's words instead
            assert "Keskimääräinen matka-aika autolla" in table
            planner.select_option("#cell-layer", "change")
            assert "Muutos" in planner.locator("#map-legend").inner_text()
            planner.wait_for_timeout(500)
            planner.screenshot(path=str(shots / "1-planner-results.png"), full_page=False)
            assert _axe(planner) == []
            planner.get_by_label("Otsikko suomeksi").fill("Yläkylän sote-aseman sulkeminen")
            planner.get_by_label("Kuvaus suomeksi").fill("Asema suljetaan, palvelut Alakylässä.")
            planner.locator("#f-publish button").click()
            link = planner.wait_for_selector("#hearing-link").get_attribute("href")
            assert link is not None
            assert link.startswith("/h/")

            phone = browser.new_context(
                viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
            )
            resident = phone.new_page()
            resident.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            resident.goto(server + link)
            resident.wait_for_selector("body[data-ready='1']")
            resident.evaluate("window.__mapReady")
            assert "Yläkylän sote-asema" in resident.locator("#h-prop + ul").inner_text()
            box = resident.locator("#map canvas").bounding_box()
            assert box is not None
            resident.locator("#map canvas").click(
                position={"x": box["width"] / 2, "y": box["height"] / 2}
            )
            resident.wait_for_selector("#times:not([hidden])")
            before = resident.locator("#t-before").inner_text()
            after = resident.locator("#t-after").inner_text()
            assert before not in ("", "–")
            assert after not in ("", "–")
            resident.get_by_label("Kommenttisi").fill(
                "Bussi Alakylään kulkee vain kahdesti päivässä."
            )
            resident.get_by_label("Bussi").check()
            resident.get_by_role("button", name="Lähetä").click()
            # (wait_for_function would eval a string, which the page's CSP forbids)
            resident.locator("#comment-status", has_text="Kiitos").wait_for()
            resident.screenshot(path=str(shots / "2-resident-phone.png"), full_page=True)
            assert _axe(resident) == []
            assert resident.evaluate("document.documentElement.scrollWidth") <= 390

            moderator = _login(browser.new_context(), server, "mona")
            moderator.get_by_role("button", name="Hyväksy").first.click()
            moderator.locator("td[id^=status-]", has_text="hyväksytty").first.wait_for()
            moderator.screenshot(path=str(shots / "3-moderation.png"), full_page=True)
            assert _axe(moderator) == []

            planner.goto(f"{server}/moderation")
            with planner.expect_download() as download:
                planner.get_by_role("link", name="Vie kommentit (Excel)").click()
            path = tmp_path / "comments.xlsx"
            download.value.save_as(path)
            planner.goto(f"{server}/planner")
            planner.locator("#comments-table td", has_text="kahdesti päivässä").wait_for()
            planner.evaluate("window.__mapReady")
            planner.screenshot(path=str(shots / "4-planner-comments.png"), full_page=True)
            exported = pd.read_excel(path)
            assert exported[["tag", "status"]].values.tolist() == [["bus", "approved"]]
            assert exported["municipality"].astype(str).tolist()[0] in ("901", "902")
        finally:
            browser.close()
    shots_made = ("1-planner-results.png", "2-resident-phone.png", "3-moderation.png")
    for shot in (*shots_made, "4-planner-comments.png"):
        _not_blank(shots / shot)
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
