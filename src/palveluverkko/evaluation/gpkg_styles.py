"""QGIS styles stored in a results GeoPackage, so that its layers open coloured like the report.

QGIS reads a layer's default style from the GeoPackage's ``layer_styles`` table (QML text with
``useAsDefault = 1``). :func:`add_layer_styles` writes that table: the ``cells`` layer graduated
by ``car_minutes`` in the report's travel-time classes and colours (default) and by
``transit_minutes`` (a second style to pick in QGIS), ``sites`` categorised by ``status`` (open
and new blue, closed red), ``municipalities`` as outlines. The table is registered in
``gpkg_contents`` as attributes, as QGIS itself does, so the file stays a valid GeoPackage.

:data:`TIME_BREAKS` and :data:`TIME_COLOURS` are the classes the report's maps use too.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence
from html import escape
from pathlib import Path

__all__ = ["TIME_BREAKS", "TIME_COLOURS", "add_layer_styles", "graduated_qml"]

TIME_BREAKS = (10.0, 20.0, 30.0, 45.0, 60.0, math.inf)
"""Upper bounds of the travel-time classes, minutes (the last is open-ended)."""
TIME_COLOURS = ("#1a9850", "#91cf60", "#d9ef8b", "#fee08b", "#fc8d59", "#d73027")
"""Colours of the classes, green (near) to red (far), as on the report's maps."""
UPPER_OPEN = 100_000.0
"""Upper bound written for the open-ended last class (QGIS needs a number)."""

_LAYER_STYLES = """
CREATE TABLE IF NOT EXISTS layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  f_table_catalog TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256),
  f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
  useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
  update_time DATETIME DEFAULT CURRENT_TIMESTAMP
)"""


def _rgba(colour: str) -> str:
    h = colour.lstrip("#")
    return ",".join(str(int(h[i : i + 2], 16)) for i in (0, 2, 4)) + ",255"


def _symbol(name: str, geometry: str, colour: str, *, shape: str = "circle") -> str:
    """A QGIS symbol: a filled polygon without outline, or a marker for points."""
    if geometry == "fill":
        layer = (
            '<layer class="SimpleFill" enabled="1" locked="0" pass="0"><Option type="Map">'
            f'<Option name="color" type="QString" value="{_rgba(colour)}"/>'
            '<Option name="outline_style" type="QString" value="no"/>'
            '<Option name="style" type="QString" value="solid"/></Option></layer>'
        )
    elif geometry == "outline":
        geometry = "fill"
        layer = (
            '<layer class="SimpleFill" enabled="1" locked="0" pass="0"><Option type="Map">'
            '<Option name="style" type="QString" value="no"/>'
            f'<Option name="outline_color" type="QString" value="{_rgba(colour)}"/>'
            '<Option name="outline_width" type="QString" value="0.4"/></Option></layer>'
        )
    else:
        geometry = "marker"
        layer = (
            '<layer class="SimpleMarker" enabled="1" locked="0" pass="0"><Option type="Map">'
            f'<Option name="color" type="QString" value="{_rgba(colour)}"/>'
            f'<Option name="name" type="QString" value="{shape}"/>'
            '<Option name="size" type="QString" value="2"/>'
            '<Option name="outline_style" type="QString" value="no"/></Option></layer>'
        )
    return (
        f'<symbol type="{geometry}" name="{name}" alpha="1" clip_to_extent="1" '
        f'force_rhr="0">{layer}</symbol>'
    )


def _qml(renderer: str) -> str:
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"
        f'<qgis version="3.28.0" styleCategories="Symbology">{renderer}</qgis>'
    )


def graduated_qml(
    column: str,
    geometry: str,
    *,
    breaks: Sequence[float] = TIME_BREAKS,
    colours: Sequence[str] = TIME_COLOURS,
    unit: str = "min",
) -> str:
    """QML of a graduated renderer on ``column`` (``geometry``: ``fill`` or ``marker``);
    features with no value (unreachable, NULL) are not drawn."""
    ranges, symbols, lo = [], [], 0.0
    for i, (hi, colour) in enumerate(zip(breaks, colours, strict=True)):
        upper = hi if math.isfinite(hi) else UPPER_OPEN
        if not math.isfinite(hi):
            label = f"&gt; {lo:g} {unit}"
        elif lo == 0:
            label = f"≤ {hi:g} {unit}"
        else:
            label = f"{lo:g}–{hi:g} {unit}"
        ranges.append(
            f'<range lower="{lo:g}" upper="{upper:g}" symbol="{i}" label="{label}" render="true"/>'
        )
        symbols.append(_symbol(str(i), geometry, colour))
        lo = hi
    renderer = (
        f'<renderer-v2 type="graduatedSymbol" attr="{escape(column)}" '
        'graduatedMethod="GraduatedColor" symbollevels="0" enableorderby="0" forceraster="0">'
        f"<ranges>{''.join(ranges)}</ranges><symbols>{''.join(symbols)}</symbols>"
        "</renderer-v2>"
    )
    return _qml(renderer)


def _sites_qml() -> str:
    cats = (
        ("open", "#1f3b73", "circle"),
        ("new", "#1f78b4", "star"),
        ("closed", "#b00020", "cross2"),
    )
    categories = "".join(
        f'<category value="{v}" symbol="{i}" label="{v}" render="true"/>'
        for i, (v, _, _) in enumerate(cats)
    )
    symbols = "".join(
        _symbol(str(i), "marker", colour, shape=shape) for i, (_, colour, shape) in enumerate(cats)
    )
    return _qml(
        '<renderer-v2 type="categorizedSymbol" attr="status" symbollevels="0" '
        f'enableorderby="0" forceraster="0"><categories>{categories}</categories>'
        f"<symbols>{symbols}</symbols></renderer-v2>"
    )


def _outline_qml() -> str:
    return _qml(
        '<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0">'
        f"<symbols>{_symbol('0', 'outline', '#444444')}</symbols></renderer-v2>"
    )


MAIN_SERVICE = "vastaanotto"
"""The service whose figures the cells layer is coloured by when it holds several."""


def _field(fields: list[str], figure: str) -> str:
    """The column of ``figure`` in the cells layer: ``figure`` itself, or in the wide layer
    (one feature per cell) ``<service>__<figure>``, the main service's first."""
    if figure in fields:
        return figure
    wide = [f for f in fields if f.endswith(f"__{figure}")]
    main = f"{MAIN_SERVICE}__{figure}"
    return main if main in wide else (wide[0] if wide else figure)


def add_layer_styles(gpkg: str | Path) -> list[tuple[str, str]]:
    """Write the ``layer_styles`` table of ``gpkg`` for the layers it has; return the
    ``(layer, style name)`` pairs written. Styles of an earlier run are replaced."""
    con = sqlite3.connect(str(gpkg))
    try:
        layers = dict(
            con.execute("SELECT table_name, geometry_type_name FROM gpkg_geometry_columns")
        )
        geom_column = dict(con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns"))
        styles: list[tuple[str, str, str, bool]] = []
        if "cells" in layers:
            kind = "fill" if "POLYGON" in str(layers["cells"]).upper() else "marker"
            fields = [str(r[1]) for r in con.execute('PRAGMA table_info("cells")')]
            styles += [
                ("cells", figure, graduated_qml(_field(fields, figure), kind), default)
                for figure, default in (("car_minutes", True), ("transit_minutes", False))
            ]
        if "sites" in layers:
            styles.append(("sites", "status", _sites_qml(), True))
        if "municipalities" in layers:
            styles.append(("municipalities", "outline", _outline_qml(), True))
        con.execute(_LAYER_STYLES)
        con.execute("DELETE FROM layer_styles")
        con.executemany(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
            "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
            "owner, ui) VALUES ('', '', ?, ?, ?, ?, '', ?, ?, '', '')",
            [
                (layer, geom_column[layer], name, qml, int(default), f"palveluverkko: {name}")
                for layer, name, qml, default in styles
            ],
        )
        con.execute(
            "INSERT OR REPLACE INTO gpkg_contents (table_name, data_type, identifier, "
            "description, last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', "
            "'QGIS styles', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"
        )
        con.commit()
    finally:
        con.close()
    return [(layer, name) for layer, name, _, _ in styles]
