"""The report: one self-contained HTML file (and its PDF) from an evaluation and a comparison.

:func:`render_report` returns the HTML text; :func:`write_report` writes it; :func:`write_pdf`
prints it to PDF with WeasyPrint. Everything the page needs is inside the file: CSS inline, maps
and charts as inline SVG drawn from the region's own geometry (:mod:`.svgmap`), no scripts, no
fonts, tiles or anything else fetched, so it opens offline and can be mailed to a council.

The page, in order: the council summary (one printed page: headline figures, closed sites and
their substitutes by car and by bus, the one-site-per-municipality rule, costs), maps (travel time
by car and by public transport today, the change in the scenario), the share within 30 minutes by
municipality, per-service and per-municipality tables, equity, capacity, costs by year, notes,
method and data credits. The main service of maps and tables is ``vastaanotto`` (ordinary
outpatient care) when evaluated, else the first service.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import numpy as np
import pandas as pd

from ..errors import InputError
from ..evaluation import Comparison, Evaluation
from ..evaluation.gpkg_styles import TIME_BREAKS, TIME_COLOURS
from ..i18n import number
from ..network.rules import WALK_SPEED_SOURCE
from ..region.model import Region
from .localize import credits, note_text, region_name
from .sections import channel_sections, ems_section, sweep_section
from .summary import equity_rows, problems, shows, shows_all
from .svgmap import bar_chart_svg, map_svg
from .tables import (
    NBSP,
    affected_services,
    capacity_rows,
    cost_note,
    cost_rows,
    headline_rows,
    municipality_rows,
    service_drop_rows,
    service_names,
    service_rows,
    substitute_rows,
)
from .template import TEMPLATE
from .texts import LANGS, TEXTS, text

if TYPE_CHECKING:
    from ..ems import EmsEvaluation
    from ..study.ems import EmsComparison

log = logging.getLogger("palveluverkko.report")

__all__ = ["render_report", "write_pdf", "write_report"]

CHANGE_BREAKS = (0.05, 5.0, 10.0, 20.0, math.inf)
CHANGE_COLOURS = ("#e8e8e8", "#fdd49e", "#fc8d59", "#d7301f", "#7f0000")
MAIN_SERVICE = "vastaanotto"


def _per_cell(ev: Evaluation, service: str, column: str) -> np.ndarray:
    """``column`` of ``ev.cells`` for ``service`` in the order of the region's population."""
    rows = ev.cells.loc[ev.cells["service"].astype(str) == service]
    series = pd.Series(
        rows[column].to_numpy(dtype=np.float64), index=rows["cell_id"].astype(str).to_numpy()
    )
    order = ev.base_region.population["cell_id"].astype(str)
    return series.reindex(order).to_numpy(dtype=np.float64)


def _site_points(region: Region, ids: list[str]) -> np.ndarray:
    sites = region.sites.set_index(region.sites["site_id"].astype(str))
    sel = sites.loc[[i for i in ids if i in sites.index]]
    return np.column_stack([sel.geometry.x.to_numpy(), sel.geometry.y.to_numpy()])


GRID_SPACING_M = 250.0


def _origins(region: Region) -> str:
    """``origins_grid`` when the population points lie on a 250 m lattice (grid cells' centres;
    postal codes never count), else ``origins_areas``: the method paragraph must not claim
    250 m cells for a region built from postal areas."""
    pop = region.population
    if len(pop) < 2 or pop["cell_id"].astype(str).str.fullmatch(r"\d{5}").all():
        return "origins_areas"
    pts = pop.geometry.centroid
    for axis in (pts.x.to_numpy(), pts.y.to_numpy()):
        offset = np.mod(axis - axis.min() + 0.5, GRID_SPACING_M)  # +0.5: 1 m tolerance
        if float(offset.max()) > 1.0:
            return "origins_areas"
    return "origins_grid"


def _time_labels(lang: str) -> list[str]:
    labels, lo = [], 0.0
    for hi in TIME_BREAKS:
        if not math.isfinite(hi):
            labels.append(f"> {lo:.0f} {text('minutes', lang)}")
        elif lo == 0:
            labels.append(f"≤ {hi:.0f} {text('minutes', lang)}")
        else:
            labels.append(f"{lo:.0f}–{hi:.0f} {text('minutes', lang)}")
        lo = hi
    return labels


def _change_labels(lang: str) -> list[str]:
    return [
        text("no_change", lang),
        "+0–5 min",
        "+5–10 min",
        "+10–20 min",
        "> +20 min",  # the caption says the minutes are added
    ]


def _maps(
    base: Evaluation, others: Sequence[Evaluation], service: str, lang: str
) -> list[dict[str, str]]:
    """Each map as ``{"svg", "title", "caption"}`` (the title shown above it, not only in the
    SVG's tooltip)."""
    region = base.base_region
    names = service_names(region, lang)
    sname = names.get(service, service)
    sites = base.sites.loc[base.sites["service"].astype(str) == service]
    open_ids = sites.loc[sites["status"].isin(["open", "new"]), "site_id"].astype(str).tolist()
    common: dict[str, Any] = {
        "unreachable_label": text("unreachable", lang),
        "site_labels": (text("site_open", lang), text("site_closed", lang)),
        "km_label": text("scale_km", lang),
    }
    out = [
        {
            "svg": map_svg(
                region,
                _per_cell(base, service, "car_minutes"),
                breaks=TIME_BREAKS,
                colours=TIME_COLOURS,
                labels=_time_labels(lang),
                title=text("map_car", lang, service=sname),
                sites_open=_site_points(region, open_ids),
                **common,
            ),
            "title": text("map_car", lang, service=sname),
            "caption": text("map_car_caption", lang),
        }
    ]
    transit = _per_cell(base, service, "transit_minutes")
    if np.isfinite(transit).any():
        out.append(
            {
                "svg": map_svg(
                    region,
                    transit,
                    breaks=TIME_BREAKS,
                    colours=TIME_COLOURS,
                    labels=_time_labels(lang),
                    title=text("map_transit", lang, service=sname),
                    sites_open=_site_points(region, open_ids),
                    **common,
                ),
                "title": text("map_transit", lang, service=sname),
                "caption": text("map_transit_caption", lang),
            }
        )
    for other in others:
        osites = other.sites.loc[other.sites["service"].astype(str) == service]
        still = osites.loc[osites["status"].isin(["open", "new"]), "site_id"].astype(str).tolist()
        closed = (
            osites.loc[osites["status"].isin(["closed", "service_dropped"]), "site_id"]
            .astype(str)
            .tolist()
        )
        with np.errstate(invalid="ignore"):  # unreachable before and after: inf - inf, no change
            change = _per_cell(other, service, "car_minutes") - _per_cell(
                base, service, "car_minutes"
            )
        change = np.where(np.abs(change) < 1e-9, 0.0, change)
        change_title = text("map_change", lang, service=sname)
        if len(others) > 1:
            change_title += f" – {other.scenario.name}"
        out.append(
            {
                "svg": map_svg(
                    region,
                    np.maximum(change, 0.0),
                    breaks=CHANGE_BREAKS,
                    colours=CHANGE_COLOURS,
                    labels=_change_labels(lang),
                    title=change_title,
                    sites_open=_site_points(other.region, still),
                    sites_closed=_site_points(region, closed),
                    **common,
                ),
                "title": change_title,
                "caption": text("map_change_caption", lang, name=other.scenario.name),
            }
        )
    return out


def _unreachable_note(ev: Evaluation, service: str, lang: str) -> str:
    """A sentence naming the municipalities whose residents mostly cannot reach the roads,
    with the likely cause and the fix; empty when there are none."""
    m = ev.municipalities.loc[ev.municipalities["service"].astype(str) == service]
    if m.empty or "unreachable_car_residents" not in m:
        return ""
    share = m["unreachable_car_residents"] / m["residents"].where(m["residents"] > 0)
    bad = m.loc[share.fillna(0) > 0.5]
    if bad.empty:
        return ""
    cells = ev.unreachable
    reason = "no_road_within_limit"
    if not cells.empty:
        mine = cells.loc[
            (cells["mode"] == "car") & cells["municipality"].astype(str).isin(bad["municipality"])
        ]
        if not mine.empty:
            reason = str(mine.groupby("reason")["residents"].sum().idxmax())
    key = f"cause_{reason}"
    cause = text(key, lang) if key in TEXTS else reason
    names = ", ".join(
        f"{r['name']} ({number(r['unreachable_car_residents'], lang)})" for _, r in bad.iterrows()
    )
    return text("unreachable_municipalities", lang, names=names, cause=cause)


def _approximate_note(ev: Evaluation, region: Region, lang: str) -> str:
    """The first page's line when car times are straight-line estimates (empty when none)."""
    cells = ev.cells
    if "approximate" not in cells or not cells["approximate"].any():
        return ""
    rough = cells.loc[cells["approximate"].astype(bool)].drop_duplicates("cell_id")
    residents = float(rough["residents"].sum())
    total = float(cells.drop_duplicates("cell_id")["residents"].sum())
    return text(
        "approximate",
        lang,
        residents=number(residents, lang),
        share=number(residents / total if total else 0.0, lang, 1, pct=True),
    )


def _estimate_notes(ev: Evaluation, lang: str) -> list[str]:
    """Notes on the results that rest on estimates and on the services delivered at home."""
    notes = []
    sites = ev.sites.loc[ev.sites["status"] != "closed"]
    if "estimated" in sites and sites["estimated"].astype(bool).any():
        costs = sites.drop_duplicates("site_id")["missing_figures"].astype(str)
        notes.append(
            text(
                "estimated_summary",
                lang,
                n=number(int(sites["estimated"].astype(bool).sum()), lang),
                total=number(len(sites), lang),
                costs=number(int(costs.str.contains("annual_cost_eur").sum()), lang),
            )
        )
    home = [s for s in ev.services if s not in set(ev.travel_services)]
    if home:
        names = service_names(ev.base_region, lang)
        notes.append(
            text("home_services_note", lang, names=", ".join(names.get(s, s) for s in home))
        )
    return notes


def _no_break(cell: object) -> str:
    """A table cell whose units never wrap away from their number (``57,4 %``, ``1,2 milj. €``)."""
    return re.sub(r"(?<=\d) (?=%|€|min\b|km\b|h\b|milj\.|M\b)", NBSP, str(cell))


SERIES_COLOURS = ("#4575b4", "#d73027", "#fdae61", "#762a83", "#1b7837", "#8c510a")
"""Bar colours: today first, then each scenario."""


def _comparisons(comparison: Comparison | Sequence[Comparison] | None) -> list[Comparison]:
    if comparison is None:
        return []
    if isinstance(comparison, Comparison):
        return [comparison]
    return list(comparison)


def _rule_broken(base: Evaluation, cmp: Comparison | None) -> list[str]:
    if cmp is not None:
        mr = cmp.municipality_rule
        return [str(n) for n in mr.loc[~mr["scenario_keeps"].astype(bool), "name"]]
    mr = base.municipalities.drop_duplicates("municipality")
    return [str(n) for n in mr.loc[~mr["keeps_physical_site"].astype(bool), "name"]]


def _block(
    base: Evaluation,
    cmp: Comparison | None,
    service: str,
    lang: str,
    region: Region,
    affected: Sequence[str] | None = None,
) -> dict[str, Any]:
    """What the page shows of one scenario against today (or of today alone)."""
    other = cmp.other if cmp is not None else None
    shown = other if other is not None else base
    cost_years, costs = cost_rows(cmp, base, lang)
    return {
        "other": other,
        "name": other.scenario.name if other is not None else text("baseline", lang),
        "headline": headline_rows(cmp, service, lang, affected=affected) if cmp is not None else [],
        "substitutes": substitute_rows(cmp, lang) if cmp is not None else [],
        "service_drops": service_drop_rows(cmp, lang) if cmp is not None else [],
        "service_rows": service_rows(base, other, lang),
        "municipality_rows": municipality_rows(base, other, service, lang),
        "capacity_rows": capacity_rows(shown, service, lang),
        "capacity_available": shown.capacity is not None,
        "capacity_estimated": bool(
            shown.capacity is not None
            and "estimated" in shown.capacity
            and shown.capacity["estimated"].astype(bool).any()
        ),
        "cost_years": cost_years,
        "cost_rows": costs,
        "cost_note": cost_note(cmp, lang, region.costs),
        "rule_broken": _rule_broken(base, cmp),
        "shows": {
            w: shows(base, other, lang, which=w) for w in ("baseline", "scenario", "both", "change")
        },
    }


def _side_by_side(blocks: list[dict[str, Any]]) -> list[list[str]]:
    """One headline table of several scenarios: figure, today, then each scenario's value
    with its change in brackets (rows in the first scenario's order)."""
    labels: list[str] = []
    cells: dict[str, dict[int, list[str]]] = {}
    for i, blk in enumerate(blocks):
        for label, today, value, change in blk["headline"]:
            if label not in cells:
                labels.append(label)
                cells[label] = {}
            cells[label][-1] = [today]
            moved = change[:1] in ("+", "−", "-")  # number() signs every change but zero
            cells[label][i] = [f"{value} ({change})" if moved else value]
    rows = []
    for label in labels:
        row = [label, cells[label][-1][0]]
        row += [cells[label].get(i, ["–"])[0] for i in range(len(blocks))]
        rows.append(row)
    return rows


def render_report(
    base: Evaluation,
    comparison: Comparison | Sequence[Comparison] | None = None,
    region: Region | None = None,
    *,
    lang: str = "fi",
    service: str | None = None,
    ems: EmsEvaluation | EmsComparison | None = None,
    ems_assumed_fleet: bool = True,
    sweep_bands: pd.DataFrame | None = None,
) -> str:
    """The report as one self-contained HTML text (module docstring).

    ``comparison`` is one comparison of a scenario with today, or several (each against the
    same ``base``), shown side by side: a column per scenario in the summary, a change map and
    the tables of each scenario.

    With ``ems`` also the emergency-care section (``ems_assumed_fleet``: its stations were
    derived from the sites); with ``sweep_bands`` the sensitivity section.
    """
    if lang not in LANGS:
        raise InputError(
            f"report language {lang!r} is not one of {', '.join(LANGS)}; use --lang fi"
        )
    comparisons = _comparisons(comparison)
    region = region if region is not None else base.base_region
    others = [c.other for c in comparisons]
    other = others[0] if len(others) == 1 else None
    if service is None:
        service = MAIN_SERVICE if MAIN_SERVICE in base.services else base.services[0]
    elif service not in base.services:
        raise InputError(
            f"report: service {service!r} was not evaluated; "
            f"choose one of {', '.join(base.services)}"
        )
    names = service_names(region, lang)
    sname = names.get(service, service)

    b = base.municipalities.loc[base.municipalities["service"].astype(str) == service]
    b = b.sort_values("residents", ascending=False)
    series = [
        (text("baseline", lang), SERIES_COLOURS[0], b["share_within_30_car"].to_numpy() * 100)
    ]
    for i, ev in enumerate(others):
        o = ev.municipalities.loc[ev.municipalities["service"].astype(str) == service]
        o = o.set_index(o["municipality"].astype(str)).reindex(b["municipality"].astype(str))
        label = text("scenario", lang) if len(others) == 1 else ev.scenario.name
        colour = SERIES_COLOURS[1 + i % (len(SERIES_COLOURS) - 1)]
        series.append((label, colour, o["share_within_30_car"].to_numpy() * 100))
    chart = bar_chart_svg(
        [str(n) for n in b["name"]],
        series,
        title=text("chart_within30", lang, service=sname),
        axis_label=text("chart_axis", lang),
    )
    affected = list(dict.fromkeys(s for c in comparisons for s in affected_services(c, service)))
    blocks = [_block(base, c, service, lang, region, affected) for c in comparisons] or [
        _block(base, None, service, lang, region)
    ]
    shown = others[-1] if others else base
    translated = [note_text(n, lang) for ev in (base, *others) for n in ev.notes]
    notes = list(
        dict.fromkeys(
            [
                *_estimate_notes(shown, lang),
                WALK_SPEED_SOURCE[lang],
                *(n for n in translated if n),
            ]
        )
    )
    evaluations = [base, *others]
    context: Mapping[str, Any] = {
        "lang": lang,
        "t": lambda key, **f: text(key, lang, **f),
        "region": region,
        "synthetic": bool(region.meta.synthetic),
        "base": base,
        "other": other,
        "others": others,
        "multi": len(others) > 1,
        "blocks": blocks,
        "side_by_side": _side_by_side(blocks) if len(others) > 1 else [],
        "service_name": sname,
        "unreachable_note": _unreachable_note(shown, service, lang),
        "method_text": text("method_text", lang, origins=text(_origins(region), lang)),
        "approximate": _approximate_note(shown, region, lang),
        "maps": _maps(base, others, service, lang),
        "chart": chart,
        "chart_title": text("chart_within30", lang, service=sname),
        "equity_rows": equity_rows(evaluations, service, lang, change=len(others) == 1),
        "problems": problems(evaluations, service, lang, names),
        "shows_all": shows_all(base, others, lang),
        "region_name": region_name(region, lang),
        "notes": notes,
        "sections": [
            *channel_sections(base, others[-1] if others else None, region, lang),
            *(
                [ems_section(ems, region, lang, assumed_fleet=ems_assumed_fleet)]
                if ems is not None
                else []
            ),
            *(
                [sweep_section(sweep_bands, region, lang, services=[service])]
                if sweep_bands is not None
                else []
            ),
        ],
        "credits": credits(region, lang),
        "residents": number(region.total_population, lang),
    }
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["safe_svg"] = lambda s: jinja2.utils.markupsafe.Markup(s)
    env.filters["nb"] = _no_break
    return env.from_string(TEMPLATE).render(**context)


def write_report(
    base: Evaluation,
    comparison: Comparison | Sequence[Comparison] | None,
    region: Region | None,
    path: str | Path,
    *,
    lang: str = "fi",
    service: str | None = None,
    pdf: bool = False,
    ems: EmsEvaluation | EmsComparison | None = None,
    ems_assumed_fleet: bool = True,
    sweep_bands: pd.DataFrame | None = None,
) -> Path:
    """Write :func:`render_report` to ``path`` (and, with ``pdf``, the PDF beside it)."""
    from ..atomic import output_file

    path = Path(path)
    html = render_report(
        base,
        comparison,
        region,
        lang=lang,
        service=service,
        ems=ems,
        ems_assumed_fleet=ems_assumed_fleet,
        sweep_bands=sweep_bands,
    )
    with output_file(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    log.info("wrote %s (%.1f MB)", path, path.stat().st_size / 1e6)
    if pdf:
        write_pdf(html, path.with_suffix(".pdf"))
    return path


class _Relay(logging.Handler):
    """Passes WeasyPrint's records to the report's logger at DEBUG (its CSS warnings about
    screen-only rules are not the user's concern)."""

    def emit(self, record: logging.LogRecord) -> None:
        log.debug("weasyprint: %s", record.getMessage())


@contextmanager
def _weasyprint_quiet() -> Iterator[None]:
    logger = logging.getLogger("weasyprint")
    saved = (logger.handlers[:], logger.propagate)
    logger.handlers, logger.propagate = [_Relay()], False
    try:
        yield
    finally:
        logger.handlers, logger.propagate = saved


def pdf_document(html: str) -> Any:
    """The report laid out on A4 pages by WeasyPrint (a ``weasyprint.Document``)."""
    import weasyprint

    with _weasyprint_quiet():
        return weasyprint.HTML(string=html).render()


def write_pdf(html: str, path: str | Path) -> Path:
    """Print the report's HTML to a PDF file with WeasyPrint (A4, print styles of the page)."""
    from ..atomic import output_file

    path = Path(path)
    document = pdf_document(html)
    with output_file(path) as tmp, _weasyprint_quiet():
        document.write_pdf(tmp)
    log.info("wrote %s (%d pages)", path, len(document.pages))
    return path
