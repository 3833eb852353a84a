"""Health sites from OpenStreetMap amenities in an ``.osm.pbf`` (pyosmium).

Features tagged ``amenity`` = ``doctors``, ``dentist``, ``clinic`` or ``hospital`` (nodes,
closed ways and multipolygon relations) become candidate sites. Polygons are placed at their
representative point (``shapely.point_on_surface``: inside the polygon). Kinds come from the
name by the rule of :func:`palveluverkko.sources.sites.infer_kind` whatever the amenity tag
(OSM tags "Hervannan terveysasema" as a hospital and health centres with ``emergency=yes``):
ASSUMPTION, documented. A hospital is ``sairaala_24h`` only when named in
``designated_hospitals``. Features whose name tells no public kind (private practices such as
"Mehiläinen", "Hammaslääkäri N.N.", ward hospitals) are left out of ``sites``, counted by
amenity in the report and returned in the ``amenities`` frame.

Reader: pyosmium, streaming, assembling polygons only for matching areas. Measured with
``benchmarks/osm_amenities.py``: on the small Tampere extract (1.8 MB) pyrosm's ``get_pois`` is
faster once warm (0.035 s against 0.14 s; both ~1.5 s cold). pyosmium is kept because it streams
(memory does not grow with the extract; pyrosm decodes whole blocks into memory), which matters
for county- and nation-size extracts; that advantage is NOT measured here.
Credit: © OpenStreetMap contributors, ODbL.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import shapely
from shapely import wkb

from ..region.schema import DEFAULT_CRS
from .report import ImportReport
from .sites import UNKNOWN_BUILDING, infer_kind

log = logging.getLogger("palveluverkko.sources")

OSM_CREDIT = "Sites: © OpenStreetMap contributors, ODbL"
HEALTH_AMENITIES: tuple[str, ...] = ("doctors", "dentist", "clinic", "hospital")


def _collect(
    path: Path, amenities: tuple[str, ...]
) -> tuple[list[tuple[str, str, str, str, bytes]], list[str]]:
    """Matching nodes and areas as (osm id, amenity, name, emergency, WKB); failed area ids."""
    tags = osmium.filter.TagFilter(*[("amenity", a) for a in amenities])
    processor = (
        osmium.FileProcessor(str(path))
        .with_locations()
        .with_areas(tags)
        .with_filter(osmium.filter.TagFilter(*[("amenity", a) for a in amenities]))
    )
    factory = osmium.geom.WKBFactory()
    rows: list[tuple[str, str, str, str, bytes]] = []
    failed: list[str] = []
    for obj in processor:
        if isinstance(obj, osmium.osm.Node):
            oid, geom = f"node/{obj.id}", factory.create_point(obj)
        elif isinstance(obj, osmium.osm.Area):
            oid = f"{'way' if obj.from_way() else 'relation'}/{obj.orig_id()}"
            try:
                geom = factory.create_multipolygon(obj)
            except RuntimeError:
                failed.append(oid)
                continue
        else:
            continue  # ways and relations arrive again as areas when closed
        rows.append(
            (
                oid,
                str(obj.tags.get("amenity", "")),
                str(obj.tags.get("name", "")),
                str(obj.tags.get("emergency", "")),
                bytes.fromhex(geom),
            )
        )
    return rows, failed


def read_osm_health_sites(
    path: str | Path,
    *,
    amenities: tuple[str, ...] = HEALTH_AMENITIES,
    designated_hospitals: Collection[str] = (),
    crs: str = DEFAULT_CRS,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, ImportReport]:
    """Read health amenities from an OSM extract.

    Parameters
    ----------
    path
        ``.osm.pbf`` (or any format osmium reads).
    amenities
        ``amenity`` values to keep.
    designated_hospitals
        Names of the 24-hour emergency hospitals (e.g. ``"Tampereen yliopistollinen
        sairaala"``); see :func:`palveluverkko.sources.sites.infer_kind`.
    crs
        Target CRS.

    Returns
    -------
    (sites, amenities, report)
        ``sites``: the ``sites`` layer for features whose kind can be told (module rule);
        ``amenities``: every matched feature (``osm_id``, ``amenity``, ``name``, ``emergency``,
        ``kind`` or empty, point geometry) so that nothing found is hidden; the report counts
        what was left out and why.
    """
    path = Path(path)
    rows, failed = _collect(path, tuple(amenities))
    report = ImportReport(source=path.name, credits=(OSM_CREDIT,))
    report.rows_read = len(rows) + len(failed)
    report.drop("area whose polygon could not be built (broken multipolygon)", len(failed))
    geoms = np.array([wkb.loads(r[4]) for r in rows], dtype=object)
    is_poly = np.array([g.geom_type != "Point" for g in geoms], dtype=bool)
    if is_poly.any():
        geoms[is_poly] = shapely.point_on_surface(geoms[is_poly])
    report.correct("polygon placed at its representative point", int(is_poly.sum()))
    kinds = [infer_kind(r[2], designated_hospitals=designated_hospitals) for r in rows]
    found = gpd.GeoDataFrame(
        {
            "osm_id": [r[0] for r in rows],
            "amenity": [r[1] for r in rows],
            "name": [r[2] for r in rows],
            "emergency": [r[3] for r in rows],
            "kind": kinds,
        },
        geometry=list(geoms),
        crs="EPSG:4326",
    ).to_crs(crs)
    unnamed = found["name"] == ""
    nokind = found["kind"].isna() & ~unnamed
    report.drop("unnamed amenity", int((unnamed & found["kind"].isna()).sum()))
    for amenity, n in found.loc[nokind, "amenity"].value_counts().items():
        reason = (
            "hospital not designated for 24-hour emergency care (designated_hospitals=)"
            if amenity == "hospital"
            else f"{amenity} whose name tells no public site kind (private practice?)"
        )
        report.drop(reason, int(n))
    sel = found[found["kind"].notna()].reset_index(drop=True)
    sites = gpd.GeoDataFrame(
        {
            "site_id": sel["osm_id"].to_numpy(dtype=object),
            "name": np.where(sel["name"] == "", sel["osm_id"], sel["name"]).astype(object),
            "municipality": None,
            "kind": sel["kind"].to_numpy(dtype=object),
        },
        geometry=sel.geometry.to_numpy(),
        crs=crs,
    )
    for column in UNKNOWN_BUILDING:
        sites[column] = np.nan
    report.rows_kept = len(sites)
    report.log()
    return sites, found, report
