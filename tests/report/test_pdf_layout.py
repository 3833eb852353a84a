"""The PDF on A4: no text outside the printable area, figures never split across pages, no
near-empty page, and WeasyPrint's warnings kept off the console."""

from __future__ import annotations

import logging
import warnings
from collections import defaultdict
from pathlib import Path

import pytest

from palveluverkko import Comparison, Evaluation, Scenario, compare, evaluate
from palveluverkko.region.examples import tiny_region
from palveluverkko.report import render_report, write_pdf
from palveluverkko.report.html import pdf_document
from palveluverkko.scenario import Closure

A4_PX = (793.7, 1122.5)  # 210 x 297 mm at 96 px per inch
TOLERANCE_PX = 0.5


@pytest.fixture(scope="module")
def evaluated() -> tuple[Evaluation, Comparison]:
    """The tiny region and a scenario closing s3 (substitute s2)."""
    region = tiny_region()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = evaluate(region)
        other = evaluate(
            region, Scenario(name="Sulje s3", closures=(Closure(site="s3", substitute="s2"),))
        )
    return base, compare(base, other)


@pytest.fixture(scope="module")
def document(evaluated: tuple[Evaluation, Comparison]):  # type: ignore[no-untyped-def]
    """The Swedish report (the longest words) laid out by WeasyPrint."""
    base, cmp = evaluated
    return pdf_document(render_report(base, cmp, lang="sv"))


def _boxes(page):  # type: ignore[no-untyped-def]
    return list(page._page_box.descendants())


def test_pages_are_a4_and_no_text_leaves_the_printable_area(document) -> None:  # type: ignore[no-untyped-def]
    """Every text box lies inside the page's margins (a table column cut at the page edge
    would put its text outside)."""
    from weasyprint.formatting_structure.boxes import TextBox

    outside = []
    n_text = 0
    for number, page in enumerate(document.pages, start=1):
        assert (round(page.width, 1), round(page.height, 1)) == A4_PX
        box = page._page_box
        left, top = box.margin_left, box.margin_top
        right, bottom = page.width - box.margin_right, page.height - box.margin_bottom
        for b in _boxes(page):
            if not isinstance(b, TextBox):
                continue
            n_text += 1
            x0, y0 = b.position_x, b.position_y
            x1, y1 = x0 + b.width, y0 + b.height
            if (
                x0 < left - TOLERANCE_PX
                or y0 < top - TOLERANCE_PX
                or x1 > right + TOLERANCE_PX
                or y1 > bottom + TOLERANCE_PX
            ):
                outside.append((number, b.text[:40], round(x0), round(x1), round(right)))
    assert n_text > 200
    assert outside == []


def test_figures_are_whole_and_no_page_is_nearly_empty(document) -> None:  # type: ignore[no-untyped-def]
    """A figure (map or chart) sits on one page; every page but the last is filled to at least
    a third of its height."""
    from weasyprint.formatting_structure.boxes import TextBox

    pages_of: dict[int, set[int]] = defaultdict(set)
    for number, page in enumerate(document.pages, start=1):
        box = page._page_box
        lowest = 0.0
        for b in _boxes(page):
            if getattr(b, "element_tag", None) == "figure":
                pages_of[id(b.element)].add(number)
            if isinstance(b, TextBox) or getattr(b, "element_tag", None) == "svg":
                lowest = max(lowest, b.position_y + b.height)  # text and drawings, not frames
        usable = page.height - box.margin_top - box.margin_bottom
        if number < len(document.pages):
            assert (lowest - box.margin_top) / usable > 1 / 3, f"page {number} is nearly empty"
    assert len(pages_of) >= 3  # car map, change map, chart
    assert all(len(p) == 1 for p in pages_of.values())


def test_write_pdf_keeps_weasyprint_off_the_console(
    evaluated: tuple[Evaluation, Comparison], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """WeasyPrint's CSS warnings (screen-only rules) go to the debug log, not to the user."""
    base, cmp = evaluated
    page = render_report(base, cmp, lang="fi").replace(
        "<style>", "<style>\n  .x { grid-template-columns: repeat(auto-fit, 1fr); }"
    )
    with caplog.at_level(logging.DEBUG):
        path = write_pdf(page, tmp_path / "r.pdf")
    assert path.read_bytes().startswith(b"%PDF")
    loud = [r for r in caplog.records if r.name.startswith("weasyprint")]
    assert loud == []
    relayed = [r for r in caplog.records if r.getMessage().startswith("weasyprint:")]
    assert relayed
    assert all(r.levelno == logging.DEBUG for r in relayed)


@pytest.mark.browser
def test_phone_width_has_no_horizontal_overflow(
    evaluated: tuple[Evaluation, Comparison], tmp_path: Path
) -> None:
    """At 390 px (a phone) the page is no wider than the screen: wide tables scroll inside
    their own box, maps and charts shrink to the width."""
    playwright = pytest.importorskip("playwright.sync_api")
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Debian's chromium is not installed")
    base, cmp = evaluated
    page_file = tmp_path / "report.html"
    page_file.write_text(render_report(base, cmp, lang="sv"), encoding="utf-8")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto(page_file.resolve().as_uri())
            width = page.evaluate("document.documentElement.scrollWidth")
            widest_svg = page.evaluate(
                "Math.max(...[...document.querySelectorAll('svg')]"
                ".map(s => s.getBoundingClientRect().right))"
            )
        finally:
            browser.close()
    assert width <= 390
    assert widest_svg <= 390
