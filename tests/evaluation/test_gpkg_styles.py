"""QGIS styles in the results GeoPackage: the layer_styles table, QML coloured like the report."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pyogrio

from palveluverkko import evaluate
from palveluverkko.evaluation import write_evaluation
from palveluverkko.evaluation.gpkg_styles import TIME_COLOURS, graduated_qml
from palveluverkko.network import TravelTimes
from palveluverkko.region.model import Region


def test_results_gpkg_has_default_qgis_styles(
    tiny: Region, tiny_tt: dict[str, TravelTimes], tmp_path: Path
) -> None:
    """results.gpkg holds layer_styles: cells graduated by car time (default) and by bus time,
    sites by status, municipalities as outlines; the file still reads as a GeoPackage."""
    write_evaluation(evaluate(tiny, travel_times=tiny_tt), tmp_path)
    gpkg = tmp_path / "results.gpkg"
    con = sqlite3.connect(gpkg)
    rows = con.execute(
        "SELECT f_table_name, f_geometry_column, styleName, useAsDefault, styleQML "
        "FROM layer_styles ORDER BY id"
    ).fetchall()
    kind = con.execute(
        "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'"
    ).fetchone()
    geometry = dict(con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns"))
    con.close()
    assert [(r[0], r[2], r[3]) for r in rows] == [
        ("cells", "car_minutes", 1),
        ("cells", "transit_minutes", 0),
        ("sites", "status", 1),
        ("municipalities", "outline", 1),
    ]
    assert kind == ("attributes",)
    assert all(r[1] == geometry[r[0]] for r in rows)  # QGIS matches styles by this column
    for *_, qml in rows:
        ET.fromstring(qml.split("'SYSTEM'>", 1)[1])  # well-formed XML after the doctype
    cells = gpd.read_file(gpkg, layer="cells")
    assert len(cells) == 6  # one feature per cell, a column per service and figure
    assert "vastaanotto__car_minutes" in rows[0][4]  # the style colours the main service's column
    assert {"cells", "sites", "municipalities"} <= {str(n) for n, _ in pyogrio.list_layers(gpkg)}


def test_graduated_style_uses_the_reports_classes() -> None:
    """The car-time style has the report's six classes and colours, the last open-ended."""
    qml = graduated_qml("car_minutes", "fill")
    root = ET.fromstring(qml.split("'SYSTEM'>", 1)[1])
    renderer = root.find("renderer-v2")
    assert renderer is not None
    assert renderer.get("attr") == "car_minutes"
    ranges = [(r.get("lower"), r.get("upper"), r.get("label")) for r in root.iter("range")]
    assert ranges[0] == ("0", "10", "≤ 10 min")
    assert ranges[3] == ("30", "45", "30–45 min")
    assert ranges[-1] == ("60", "100000", "> 60 min")
    colours = [o.get("value") for o in root.iter("Option") if o.get("name") == "color"]
    expected = [
        ",".join(str(int(c[i : i + 2], 16)) for i in (1, 3, 5)) + ",255" for c in TIME_COLOURS
    ]
    assert colours == expected
