"""Offline maps as inline SVG, drawn from the region's own geometry (no tiles, no network).

A map is the municipalities (borders), the lakes, the main roads, the population cells coloured
by a value in classes, and the sites. Coordinates are the region's projected CRS (metres) mapped
to pixels with the y axis flipped; shapes are simplified to about half a pixel, and cells of the
same class are drawn as one ``<path>``, so a county of 20,000 cells stays well under 1 MB a map.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ..region.model import Region

__all__ = ["MapFrame", "bar_chart_svg", "classify", "map_svg"]

MAIN_ROADS = ("motorway", "trunk", "primary", "secondary")
ROAD_WIDTH = {"motorway": 1.6, "trunk": 1.4, "primary": 1.1, "secondary": 0.8}
UNREACHABLE_COLOUR = "#8c8c8c"


@dataclass(frozen=True)
class MapFrame:
    """Pixel frame of a map: ``x_px = (x - xmin) * scale``, ``y_px = (ymax - y) * scale``."""

    xmin: float
    ymax: float
    scale: float
    width: int
    height: int

    @classmethod
    def around(cls, region: Region, width: int = 640) -> MapFrame:
        """A frame holding every municipality of ``region``, ``width`` pixels wide."""
        xmin, ymin, xmax, ymax = region.municipalities.total_bounds
        pad = 0.02 * max(xmax - xmin, ymax - ymin)
        xmin, ymin, xmax, ymax = xmin - pad, ymin - pad, xmax + pad, ymax + pad
        scale = width / (xmax - xmin)
        return cls(float(xmin), float(ymax), scale, width, int(np.ceil((ymax - ymin) * scale)))

    def px(self, xy: np.ndarray) -> np.ndarray:
        """``(n, 2)`` metres to pixels."""
        out = np.empty_like(xy, dtype=np.float64)
        out[:, 0] = (xy[:, 0] - self.xmin) * self.scale
        out[:, 1] = (self.ymax - xy[:, 1]) * self.scale
        return out


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _path_data(geom: BaseGeometry, frame: MapFrame) -> str:
    """SVG path data of a (multi)polygon or (multi)line in pixels, simplified to 0.5 px."""
    if geom is None or geom.is_empty:
        return ""
    geom = shapely.simplify(geom, 0.5 / frame.scale, preserve_topology=False)
    parts: list[str] = []
    for part in getattr(geom, "geoms", [geom]):
        rings = [part.exterior, *part.interiors] if part.geom_type == "Polygon" else [part]
        for ring in rings:
            xy = frame.px(np.asarray(ring.coords)[:, :2])
            if len(xy) < 2:
                continue
            close = "Z" if part.geom_type == "Polygon" else ""
            parts.append("M" + " ".join(f"{_num(x)} {_num(y)}" for x, y in xy) + close)
    return "".join(parts)


def classify(values: np.ndarray, breaks: Sequence[float]) -> np.ndarray:
    """Class of each value: ``i`` with ``breaks[i-1] < v <= breaks[i]`` (``-1`` for NaN/inf)."""
    v = np.asarray(values, dtype=np.float64)
    cls = np.searchsorted(np.asarray(breaks, dtype=np.float64), v, side="left")
    cls = np.minimum(cls, len(breaks) - 1)
    cls[~np.isfinite(v)] = -1
    return cls


def _cells(
    xy: np.ndarray,
    classes: np.ndarray,
    colours: Sequence[str],
    cell_size_m: float,
    frame: MapFrame,
) -> str:
    size = max(cell_size_m * frame.scale, 2.0)  # at least 2 px, so that rural cells show
    corner = frame.px(xy) - size / 2
    s = _num(size)
    out = []
    for cls, colour in [(-1, UNREACHABLE_COLOUR), *enumerate(colours)]:
        pick = corner[classes == cls]
        if not len(pick):
            continue
        d = "".join(f"M{_num(x)} {_num(y)}h{s}v{s}h-{s}z" for x, y in pick)
        out.append(f'<path fill="{colour}" d="{d}"/>')
    return "".join(out)


def _areal(geoms: gpd.GeoSeries, cell_size_m: float) -> bool:
    """Whether the population units are areas larger than grid cells (e.g. postal-code areas),
    to be drawn as their polygons rather than as squares at their points."""
    polys = geoms.geom_type.isin(["Polygon", "MultiPolygon"])
    if not len(geoms) or not polys.all():
        return False
    return float(np.median(geoms.area.to_numpy())) > 4.0 * cell_size_m**2


def _areas(
    geoms: gpd.GeoSeries, classes: np.ndarray, colours: Sequence[str], frame: MapFrame
) -> str:
    out = []
    for cls, colour in [(-1, UNREACHABLE_COLOUR), *enumerate(colours)]:
        pick = geoms[classes == cls]
        if not len(pick):
            continue
        d = "".join(_path_data(g, frame) for g in pick)
        out.append(f'<path fill="{colour}" stroke="white" stroke-width="0.5" d="{d}"/>')
    return "".join(out)


LEGEND_COLUMN_PX = 210
LEGEND_ROW_PX = 18


def _legend_rows(n_items: int, width: int) -> int:
    columns = max(1, width // LEGEND_COLUMN_PX)
    return -(-n_items // columns)


def _legend(
    labels: Sequence[str],
    colours: Sequence[str],
    extra: Sequence[tuple[str, str]],
    *,
    top: float,
    width: int,
) -> str:
    """The legend in rows under the map (``top`` in pixels), so that it never covers the map."""
    items = [*zip(colours, labels, strict=True), *extra]
    n_rows = _legend_rows(len(items), width)
    rows = []
    for i, (colour, label) in enumerate(items):
        col, row = divmod(i, n_rows)
        x, y = 8 + LEGEND_COLUMN_PX * col, top + 14 + LEGEND_ROW_PX * row
        rows.append(
            f'<rect x="{x}" y="{_num(y - 10)}" width="12" height="12" fill="{colour}" '
            f'stroke="#555" stroke-width="0.4"/>'
            f'<text x="{x + 18}" y="{_num(y)}">{escape(label)}</text>'
        )
    return f'<g class="legend" font-size="13">{"".join(rows)}</g>'


def nice_length_m(span_m: float) -> float:
    """A round length (1, 2 or 5 times a power of ten metres) near a fifth of ``span_m``."""
    target = max(span_m / 5.0, 1.0)
    power = 10.0 ** np.floor(np.log10(target))
    return float(max(m * power for m in (1.0, 2.0, 5.0) if m * power <= target))


def _scale_bar(frame: MapFrame, unit: str) -> str:
    """A scale bar in the map's lower right corner (``unit`` is the label of kilometres)."""
    length_m = nice_length_m(frame.width / frame.scale)
    px = length_m * frame.scale
    x1, y = frame.width - 12.0, frame.height - 12.0
    x0 = x1 - px
    km = length_m / 1000.0
    label = f"{km:g} {unit}" if km >= 1 else f"{length_m:g} m"
    return (
        f'<g class="scale" font-size="12"><rect x="{_num(x0 - 6)}" y="{_num(y - 22)}" '
        f'width="{_num(px + 12)}" height="28" fill="white" fill-opacity="0.8"/>'
        f'<path d="M{_num(x0)} {_num(y - 5)}v5h{_num(px)}v-5" fill="none" stroke="#1d1d1b" '
        f'stroke-width="1.5"/><text x="{_num(x0 + px / 2)}" y="{_num(y - 8)}" '
        f'text-anchor="middle">{escape(label)}</text></g>'
    )


def map_svg(
    region: Region,
    values: np.ndarray,
    *,
    breaks: Sequence[float],
    colours: Sequence[str],
    labels: Sequence[str],
    unreachable_label: str,
    title: str,
    sites_open: np.ndarray | None = None,
    sites_closed: np.ndarray | None = None,
    site_labels: tuple[str, str] = ("site", "closed site"),
    cell_size_m: float = 250.0,
    width: int = 640,
    km_label: str = "km",
) -> str:
    """An SVG map of ``values`` (one per population cell, in ``region.population`` order).

    ``breaks`` are the upper bounds of the classes coloured ``colours``; NaN or ``inf`` values are
    drawn grey with ``unreachable_label``. ``sites_open``/``sites_closed`` are ``(n, 2)`` points
    drawn as dots and crosses. The legend is drawn in rows under the map and a scale bar in
    its lower right corner.
    """
    frame = MapFrame.around(region, width)
    body = [
        f'<rect width="{frame.width}" height="{frame.height}" fill="#fbfbf8"/>',
    ]
    muni = "".join(_path_data(g, frame) for g in region.municipalities.geometry)
    body.append(f'<path d="{muni}" fill="#f1f0ea" stroke="none"/>')
    classes = classify(values, breaks)
    geoms = region.population.geometry
    if _areal(geoms, cell_size_m):
        body.append(_areas(geoms, classes, colours, frame))
    else:
        body.append(_cells(region.cell_points(), classes, colours, cell_size_m, frame))
    if region.water is not None and len(region.water):
        water = "".join(_path_data(g, frame) for g in region.water.geometry)
        body.append(f'<path d="{water}" fill="#b7d3ea" stroke="#8fb5d6" stroke-width="0.4"/>')
    if region.roads is not None and len(region.roads):
        roads = region.roads
        for road_class in MAIN_ROADS[::-1]:
            sel = roads.loc[roads["road_class"] == road_class]
            if not len(sel):
                continue
            merged = shapely.line_merge(shapely.union_all(sel.geometry.to_numpy()))
            d = _path_data(merged, frame)
            body.append(
                f'<path d="{d}" fill="none" stroke="#6b6b6b" '
                f'stroke-width="{ROAD_WIDTH[road_class]}" stroke-linejoin="round"/>'
            )
    body.append(
        f'<path d="{muni}" fill="none" stroke="#444" stroke-width="0.7" stroke-linejoin="round"/>'
    )
    if sites_open is not None and len(sites_open):
        pts = frame.px(sites_open)
        body.append(
            "".join(
                f'<circle cx="{_num(x)}" cy="{_num(y)}" r="3" fill="#1f3b73" stroke="white" '
                'stroke-width="1"/>'
                for x, y in pts
            )
        )
    if sites_closed is not None and len(sites_closed):
        pts = frame.px(sites_closed)
        body.append(
            "".join(
                f'<path d="M{_num(x - 5)} {_num(y - 5)}l10 10M{_num(x - 5)} {_num(y + 5)}l10 -10" '
                'stroke="#b00020" stroke-width="2.5"/>'
                for x, y in pts
            )
        )
    extra = [(UNREACHABLE_COLOUR, unreachable_label)]
    if sites_open is not None:
        extra.append(("#1f3b73", site_labels[0]))
    if sites_closed is not None and len(sites_closed):
        extra.append(("#b00020", site_labels[1]))
    body.append(_scale_bar(frame, km_label))
    n_items = len(labels) + len(extra)
    legend_h = 10 + LEGEND_ROW_PX * _legend_rows(n_items, frame.width)
    body.append(
        f'<rect y="{frame.height}" width="{frame.width}" height="{legend_h}" fill="white"/>'
    )
    body.append(_legend(labels, colours, extra, top=frame.height, width=frame.width))
    height = frame.height + legend_h
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {frame.width} '
        f'{height}" width="100%" font-family="sans-serif"><title>{escape(title)}</title>'
        + "".join(body)
        + "</svg>"
    )


def bar_chart_svg(
    labels: Sequence[str],
    series: Sequence[tuple[str, str, np.ndarray]],
    *,
    title: str,
    maximum: float = 100.0,
    unit: str = "%",
    width: int = 640,
    axis_label: str = "",
) -> str:
    """Horizontal grouped bars: one row per label, one bar per ``(name, colour, values)``;
    ``axis_label`` is written under the value axis."""
    bar_h, gap, label_w = 7, 6, 150
    row_h = bar_h * len(series) + gap
    axis_h = 18 if axis_label else 0
    height = 30 + row_h * len(labels) + 20 + axis_h
    plot_w = width - label_w - 50
    out = [f'<rect width="{width}" height="{height}" fill="white"/>']
    for i, (name, colour, _) in enumerate(series):
        x = label_w + 130 * i
        out.append(
            f'<rect x="{x}" y="6" width="12" height="10" fill="{colour}"/>'
            f'<text x="{x + 16}" y="15" font-size="11">{escape(name)}</text>'
        )
    for tick in np.linspace(0, maximum, 5):
        x = label_w + plot_w * tick / maximum
        out.append(
            f'<line x1="{_num(x)}" y1="24" x2="{_num(x)}" y2="{height - 16 - axis_h}" '
            f'stroke="#ddd"/><text x="{_num(x)}" y="{height - 4 - axis_h}" font-size="10" '
            f'text-anchor="middle">{tick:.0f}{escape(unit)}</text>'
        )
    if axis_label:
        out.append(
            f'<text x="{_num(label_w + plot_w / 2)}" y="{height - 3}" font-size="11" '
            f'text-anchor="middle">{escape(axis_label)}</text>'
        )
    for r, label in enumerate(labels):
        y0 = 28 + r * row_h
        out.append(
            f'<text x="{label_w - 6}" y="{y0 + bar_h * len(series) / 2 + 4}" font-size="11" '
            f'text-anchor="end">{escape(label)}</text>'
        )
        for i, (_, colour, values) in enumerate(series):
            v = float(values[r])
            w = 0.0 if not np.isfinite(v) else plot_w * min(max(v, 0.0), maximum) / maximum
            out.append(
                f'<rect x="{label_w}" y="{y0 + i * bar_h}" width="{_num(w)}" '
                f'height="{bar_h - 1}" fill="{colour}"/>'
            )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" font-family="sans-serif"><title>{escape(title)}</title>'
        + "".join(out)
        + "</svg>"
    )
