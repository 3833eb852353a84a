"""Sites from CSV, Excel, GeoJSON or GeoPackage, with column mapping and CRS checks.

Kinds are inferred from names where the source has no kind (:func:`infer_kind`): a documented,
conservative rule; a site whose kind cannot be told is left out and reported by name, with the
fix (give its kind in ``kinds=``).

A register with addresses but no coordinates can give each site's postal code (a
``postal_code`` column, or ``columns={"postal_code": ...}``) and the postal-code areas
(``postal_areas=``, e.g. ``postinumerot_geo.json``): a site without coordinates is then put at
its postal area's centre point (:func:`postal_area_centres`) and flagged ``located_by =
"postal_code"`` (``"coordinates"`` for the others), counted in the import report. A postal
area is a few km2 in a town and tens of km2 in the country: such a site's travel times are as
rough as its place, which the flag says.

A file may declare one CRS and hold coordinates of another (the south-west Finland PTV file
declares EPSG:4326 and holds EPSG:3067 metres). :func:`check_declared_crs` detects this from the
coordinates themselves and raises :class:`~palveluverkko.errors.CRSError` naming the file, the
declared CRS, the evidence and the fix (``source_crs="EPSG:3067"`` /
``--source-crs EPSG:3067``), which overrides the declaration.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import CRSError, InputError, Problem
from ..region.schema import DEFAULT_CRS, SITE_KINDS
from ._common import require_columns, source_name
from ._placement import municipality_index
from .report import ImportReport

log = logging.getLogger("palveluverkko.sources")

# ETRS-TM35FIN (EPSG:3067) extent of Finland, with a margin (metres).
FINLAND_3067_X = (40_000.0, 780_000.0)
FINLAND_3067_Y = (6_580_000.0, 7_800_000.0)

OUTSIDE_REGION = "site outside the region's municipalities (clip=True)"
BY_POSTAL_CODE = "site placed at its postal area's centre (located_by = postal_code)"

UNKNOWN_BUILDING = (
    "floor_area_m2",
    "condition",
    "annual_cost_eur",
    "lease_end",
    "investment_need_eur",
)

_RULES: tuple[tuple[str, str], ...] = (
    (r"sote-keskus|sosiaali- ja terveyskeskus", "sote_keskus"),
    (r"sote-asema|sosiaali- ja terveysasema|terveysasema|terveyskeskus|\bta\b", "sote_asema"),
    (r"hammashoitola", "hammashoitola"),
    (r"perhekeskus", "perhekeskus"),
    (r"neuvola", "neuvola"),
    (r"sote-piste|palvelupiste", "sote_piste"),
)


def infer_kind(name: str, *, designated_hospitals: Collection[str] = ()) -> str | None:
    """The site kind told by a Finnish facility name, or ``None`` when it cannot be told.

    Rules, first match wins (case-insensitive):

    * a name in ``designated_hospitals`` (the county's hospital with 24-hour emergency care,
      designated by decree) -> ``sairaala_24h``; any other "sairaala" -> ``None`` (a ward or
      specialist hospital is none of our kinds);
    * "sote-keskus" / "sosiaali- ja terveyskeskus" -> ``sote_keskus``;
    * "sote-asema", "sosiaali- ja terveysasema", "terveysasema", "terveyskeskus", "ta" ->
      ``sote_asema`` (ASSUMPTION: a health centre of the source is a station until known better);
    * "hammashoitola" -> ``hammashoitola`` (the public dental clinics' name; private
      "hammaslääkäri"/"hammasklinikka" practices are no public site); "perhekeskus"; "neuvola";
      "sote-piste"/"palvelupiste".
    """
    low = name.casefold().strip()
    if any(low == h.casefold().strip() for h in designated_hospitals):
        return "sairaala_24h"
    if "sairaala" in low:
        return None
    for pattern, kind in _RULES:
        if re.search(pattern, low):
            return kind
    return None


def check_declared_crs(x: np.ndarray, y: np.ndarray, declared: str | None, *, where: str) -> None:
    """Raise :class:`CRSError` when coordinates cannot be in the ``declared`` geographic CRS.

    Evidence: a geographic CRS (degrees) holds |x| <= 180 and |y| <= 90; coordinates beyond that
    which fall inside Finland's EPSG:3067 extent are named as such.
    """
    if declared is None or len(x) == 0:
        return
    crs = gpd.GeoSeries([], crs=declared).crs
    if crs is None or not crs.is_geographic:
        return
    bad = (np.abs(x) > 180) | (np.abs(y) > 90)
    if not bad.any():
        return
    in_fi = (
        (x >= FINLAND_3067_X[0])
        & (x <= FINLAND_3067_X[1])
        & (y >= FINLAND_3067_Y[0])
        & (y <= FINLAND_3067_Y[1])
    )
    evidence = (
        f"{int(bad.sum())} of {len(x)} coordinates are outside the lon/lat range "
        f"(x {np.nanmin(x):.0f} .. {np.nanmax(x):.0f}, y {np.nanmin(y):.0f} .. {np.nanmax(y):.0f})"
    )
    if in_fi.mean() > 0.5:
        evidence += f"; {int(in_fi.sum())} lie inside Finland's EPSG:3067 extent (metres)"
        fix = "read it with source_crs='EPSG:3067' (CLI: --source-crs EPSG:3067)"
    else:
        fix = "give the true CRS with source_crs=... (CLI: --source-crs)"
    raise CRSError(f"{where}: the file declares {declared} but {evidence}. Fix: {fix}")


def _read_table(path: Path, *, layer: str | None, sheet: str | int | None) -> pd.DataFrame:
    suffix = path.suffix.casefold()
    if suffix in (".csv", ".txt", ".tsv"):
        for encoding in ("utf-8", "latin-1"):
            try:
                return pd.read_csv(path, sep=None, engine="python", encoding=encoding, dtype=str)
            except UnicodeDecodeError:
                continue
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return pd.read_excel(path, sheet_name=sheet if sheet is not None else 0, dtype=str)
    return gpd.read_file(path, layer=layer)


def _number(values: pd.Series) -> pd.Series:
    """Numbers written with comma decimals or spaces ('62,24' -> 62.24)."""
    text = values.astype("string").str.strip().str.replace("\u00a0", "").str.replace(" ", "")
    return pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")


def postal_area_centres(
    postal_areas: str | Path | gpd.GeoDataFrame,
    *,
    code_column: str = "postinumeroalue",
    crs: str = DEFAULT_CRS,
) -> pd.DataFrame:
    """The centre point of each postal-code area: ``postal_code`` (5 digits), ``x``, ``y`` in
    ``crs``.

    The centre is the area's centroid where it lies inside the area, else a point on its surface
    (a bay-shaped area's centroid may lie in the water or the neighbour's area).

    Raises
    ------
    MissingColumnError
        When ``code_column`` is absent.
    """
    areas = (
        postal_areas if isinstance(postal_areas, gpd.GeoDataFrame) else gpd.read_file(postal_areas)
    )
    where = "postal areas" if isinstance(postal_areas, gpd.GeoDataFrame) else str(postal_areas)
    require_columns(
        areas, [code_column], layer=where, fix="give the postal-code column with code_column="
    )
    areas = areas.to_crs(crs)
    geom = areas.geometry.to_numpy()
    centroid = shapely.centroid(geom)
    inside = shapely.contains(geom, centroid)
    centre = np.where(inside, centroid, shapely.point_on_surface(geom))
    return pd.DataFrame(
        {
            "postal_code": areas[code_column].astype(str).str.strip().str.zfill(5).to_numpy(),
            "x": shapely.get_x(centre),
            "y": shapely.get_y(centre),
        }
    ).drop_duplicates("postal_code")


def _postal_codes(values: pd.Series) -> pd.Series:
    """Postal codes as 5-digit strings ('0100' -> '00100', '40100.0' -> '40100'), or NA."""
    text = values.astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
    text = text.where(text.str.fullmatch(r"\d{1,5}").fillna(False))
    return text.str.zfill(5)


def read_sites(
    path: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    x_column: str | None = None,
    y_column: str | None = None,
    source_crs: str | None = None,
    layer: str | None = None,
    sheet: str | int | None = None,
    municipalities: gpd.GeoDataFrame | None = None,
    kinds: Mapping[str, str] | None = None,
    designated_hospitals: Collection[str] = (),
    clip: bool = False,
    crs: str = DEFAULT_CRS,
    postal_areas: str | Path | gpd.GeoDataFrame | None = None,
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Read sites into the ``sites`` layer.

    Parameters
    ----------
    path
        ``.csv`` (UTF-8 or latin-1, separator sniffed), ``.xlsx``, or a vector file
        (GeoJSON, GeoPackage, ...).
    columns
        Our column -> source column, for ``site_id``, ``name`` and optionally ``kind``,
        ``municipality``, ``name_sv``, ``postal_code``. Missing ``site_id``: the row number is
        used. A source column called ``postal_code`` is used without being named.
    x_column, y_column
        Coordinate columns of a table (e.g. ``LON``/``LAT``); comma decimals are accepted.
    source_crs
        CRS of the coordinates. For a vector file this overrides the file's declaration; for a
        table it is required (``EPSG:4326`` for lon/lat).
    layer, sheet
        Layer of a vector file, sheet of an Excel file.
    municipalities
        When given, each site's municipality is the polygon it lies in (a source municipality
        that disagrees is reported); sites outside every polygon are kept and reported.
    kinds
        ``site_id -> kind`` for sites whose kind the name does not tell (overrides inference).
    designated_hospitals
        Names of the county's 24-hour emergency hospitals (see :func:`infer_kind`).
    clip
        With ``municipalities``: leave out (and count, without a warning) the sites outside
        them, e.g. to take one county's sites from a national list. Without it such sites are
        kept and each is reported.
    crs
        Target CRS.
    postal_areas
        Postal-code areas (a file such as ``postinumerot_geo.json`` with a ``postinumeroalue``
        column, or a GeoDataFrame): sites without coordinates are put at their postal area's
        centre (module docstring). A table with a postal-code column needs no coordinate
        columns then.

    Returns
    -------
    (geopandas.GeoDataFrame, ImportReport)
        Unknown building fields (floor area, condition, costs, lease) are left empty;
        ``located_by`` says how each site's point was found
        (:data:`palveluverkko.region.schema.LOCATED_BY`).

    Raises
    ------
    CRSError
        When the declared CRS cannot be right (see :func:`check_declared_crs`), or a table has
        coordinates but no ``source_crs``.
    MissingColumnError
        When a mapped column is absent.
    """
    path = Path(path)
    where = source_name(path, layer)
    cols = dict(columns or {})
    cols.setdefault("name", "name")
    raw = _read_table(path, layer=layer, sheet=sheet)
    report = ImportReport(source=where, rows_read=len(raw))
    frame = raw.copy()
    frame.index = pd.RangeIndex(len(frame))
    if "postal_code" not in cols and "postal_code" in frame.columns:
        cols["postal_code"] = "postal_code"
    if "postal_code" in cols and postal_areas is None:
        raise InputError(
            f"{where}: sites have postal codes (column {cols['postal_code']!r}) but no postal "
            "areas were given to place them. Fix: give postal_areas= (CLI: --postal-areas "
            "postinumerot_geo.json)"
        )
    require_columns(
        frame,
        [c for c in (*cols.values(), x_column, y_column) if c],
        layer=where,
        fix="name the file's columns: on the command line --name-column, --id-column, "
        "--kind-column, --postal-code-column (Python: columns={'name': '<column>', ...})",
    )
    # Geometry.
    if isinstance(frame, gpd.GeoDataFrame):
        geom = frame.geometry.to_numpy()
        multi = shapely.get_type_id(geom) == 4
        if multi.any():
            parts = shapely.get_num_geometries(geom[multi])
            report.correct("MultiPoint of one point read as Point", int((parts == 1).sum()))
            if (parts > 1).any():
                report.correct(
                    "MultiPoint of several points read as their centroid", int((parts > 1).sum())
                )
            geom[multi] = np.where(
                parts == 1, shapely.get_geometry(geom[multi], 0), shapely.centroid(geom[multi])
            )
        poly = np.isin(shapely.get_type_id(geom), [3, 6])
        geom[poly] = shapely.point_on_surface(geom[poly])
        report.correct("polygon read as its point on surface", int(poly.sum()))
        declared = frame.crs.to_string() if frame.crs is not None else None
        if source_crs is None:
            check_declared_crs(shapely.get_x(geom), shapely.get_y(geom), declared, where=where)
        else:
            if declared and gpd.GeoSeries([], crs=source_crs).crs != frame.crs:
                report.add(
                    Problem(
                        "warning",
                        where,
                        "geometry",
                        "",
                        f"declared CRS {declared} overridden by source_crs={source_crs}",
                        "",
                    )
                )
            declared = source_crs
        if declared is None:
            raise CRSError(
                f"{where}: the file declares no CRS. Fix: give --source-crs EPSG:3067 (or the "
                "file's CRS; Python: source_crs=)"
            )
        points = gpd.GeoSeries(geom, crs=declared)
    elif not (x_column and y_column) and "postal_code" in cols:
        points = gpd.GeoSeries(gpd.points_from_xy([np.nan] * len(frame), [np.nan] * len(frame)))
        points = points.set_crs(crs)
    else:
        if not (x_column and y_column):
            raise InputError(
                f"{where}: a table needs coordinate columns. Fix: give --x-column LON "
                "--y-column LAT --source-crs EPSG:4326 (Python: x_column=, y_column=, "
                "source_crs=), or a postal_code column with --postal-areas"
            )
        if source_crs is None:
            raise CRSError(
                f"{where}: coordinates in {x_column}/{y_column} but no CRS. Fix: give "
                "--source-crs EPSG:4326 for lon/lat degrees or EPSG:3067 for ETRS-TM35FIN "
                "(Python: source_crs=)"
            )
        x = _number(frame[x_column]).to_numpy(dtype=np.float64)
        y = _number(frame[y_column]).to_numpy(dtype=np.float64)
        check_declared_crs(x[~np.isnan(x)], y[~np.isnan(y)], source_crs, where=where)
        points = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=source_crs)
    # Blank rows, rows without a name, rows without coordinates.
    names = frame[cols["name"]].astype("string").str.strip()
    attrs = frame.drop(columns=[c for c in ("geometry",) if c in frame.columns])
    empty = attrs.astype("string").apply(lambda c: c.str.strip().fillna("") == "").all(axis=1)
    nogeo = ~np.asarray(shapely.is_valid(points.to_numpy()), dtype=bool) | np.isnan(
        shapely.get_x(points.to_numpy()) + shapely.get_y(points.to_numpy())
    )
    blank = empty.to_numpy() & nogeo
    report.drop("blank row", int(blank.sum()))
    noname = ~blank & (names.isna() | (names == "")).to_numpy()
    for i in np.flatnonzero(noname):
        report.add(
            Problem(
                "warning",
                where,
                cols["name"],
                str(i),
                "site has no name; left out",
                "give the site a name",
            )
        )
    report.drop("site without a name", int(noname.sum()))
    nogeo = nogeo & ~blank & ~noname
    located_by = np.where(nogeo, "", "coordinates").astype(object)
    if "postal_code" in cols and nogeo.any():
        assert postal_areas is not None
        centres = postal_area_centres(postal_areas, crs=crs).set_index("postal_code")
        codes = _postal_codes(frame[cols["postal_code"]])
        known = nogeo & codes.isin(centres.index).to_numpy()
        rows = np.flatnonzero(known)
        xy = centres.loc[codes.to_numpy()[rows], ["x", "y"]].to_numpy(dtype=np.float64)
        placed = gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=crs)
        points = points.to_crs(crs)
        geom = points.to_numpy().copy()
        geom[rows] = placed.to_numpy()
        points = gpd.GeoSeries(geom, crs=crs)
        located_by[rows] = "postal_code"
        report.correct(BY_POSTAL_CODE, len(rows))
        for i in np.flatnonzero(nogeo & ~known):
            code = frame[cols["postal_code"]].iloc[i]
            report.add(
                Problem(
                    "error",
                    where,
                    cols["postal_code"],
                    str(i),
                    f"site {names.iloc[i]!r} has no coordinates and its postal code "
                    f"{code if pd.notna(code) else '(empty)'!r} is not among the postal areas; "
                    "left out",
                    "add its coordinates or a valid postal code",
                )
            )
        report.drop("site without coordinates or a known postal code", int((nogeo & ~known).sum()))
        nogeo = nogeo & ~known
    without = nogeo if "postal_code" not in cols else np.zeros(len(nogeo), dtype=bool)
    for i in np.flatnonzero(without):
        report.add(
            Problem(
                "error",
                where,
                "geometry",
                str(i),
                f"site {names.iloc[i]!r} has no coordinates; left out",
                "add its coordinates",
            )
        )
    report.drop("site without coordinates", int(without.sum()))
    blank = blank | noname
    keep = ~(blank | nogeo)
    frame, points, names = frame[keep], points[keep], names[keep]
    located_by = located_by[keep]
    points = points.to_crs(crs)
    if "site_id" in cols:
        ids = (
            frame[cols["site_id"]].astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
        )
    else:
        ids = pd.Series(frame.index.astype(str), index=frame.index, dtype="string")
    out = gpd.GeoDataFrame(
        {
            "site_id": ids.to_numpy(dtype=object),
            "name": names.to_numpy(dtype=object),
            "located_by": located_by,
        },
        geometry=points.to_numpy(),
        crs=crs,
    )
    src_rows = frame.index.to_numpy()
    dup = out["site_id"].duplicated(keep="first").to_numpy()
    for i in np.flatnonzero(dup):
        report.add(
            Problem(
                "warning",
                where,
                cols.get("site_id", ""),
                str(src_rows[i]),
                f"site_id {out['site_id'].iloc[i]!r} repeats; the later row "
                f"({out['name'].iloc[i]!r}) is left out",
                "give every site its own id",
            )
        )
    report.drop("duplicate site_id (first row kept)", int(dup.sum()))
    out = out[~dup].reset_index(drop=True)
    frame = frame[~dup]
    # Kind.
    overrides = dict(kinds or {})
    if "kind" in cols:
        given = frame[cols["kind"]].astype("string").str.strip().to_numpy(dtype=object)
    else:
        given = np.array([None] * len(out), dtype=object)
    kind_list: list[str | None] = []
    by_name: list[bool] = []
    for sid, nm, g in zip(out["site_id"], out["name"], given, strict=True):
        if sid in overrides:
            kind_list.append(overrides[sid])
            by_name.append(False)
        elif isinstance(g, str) and g in SITE_KINDS:
            kind_list.append(g)
            by_name.append(False)
        else:
            kind_list.append(infer_kind(str(nm), designated_hospitals=designated_hospitals))
            by_name.append(True)
    out["kind"] = kind_list
    unknown = out["kind"].isna() | ~out["kind"].isin(list(SITE_KINDS))
    for i in np.flatnonzero(unknown.to_numpy()):
        report.add(
            Problem(
                "warning",
                where,
                cols.get("kind", "name"),
                str(out["site_id"].iloc[i]),
                f"kind of {out['name'].iloc[i]!r} cannot be told from "
                + (f"the kind {given[i]!r}" if isinstance(given[i], str) else "its name")
                + " (designated 24-hour hospitals are named with designated_hospitals=); "
                "site left out",
                f"give --kind {out['site_id'].iloc[i]}=<kind> (Python: kinds={{...}}) with one "
                f"of {', '.join(SITE_KINDS)}",
            )
        )
    report.drop("kind unknown (not one of SITE_KINDS)", int(unknown.sum()))
    keepk = ~unknown.to_numpy()
    out = out[keepk].reset_index(drop=True)
    frame = frame[keepk]
    report.correct("kind inferred from the name", int(np.asarray(by_name)[keepk].sum()))
    # Municipality.
    given_m = (
        frame[cols["municipality"]].astype("string").str.strip().to_numpy(dtype=object)
        if "municipality" in cols
        else np.array([None] * len(out), dtype=object)
    )
    if municipalities is not None:
        idx = municipality_index(out.geometry, municipalities)
        codes = municipalities["code"].astype(str).to_numpy()
        placed = np.where(idx >= 0, codes[np.maximum(idx, 0)], None)
        for i in np.flatnonzero(idx < 0) if not clip else []:
            report.add(
                Problem(
                    "warning",
                    where,
                    "geometry",
                    str(out["site_id"].iloc[i]),
                    f"site {out['name'].iloc[i]!r} lies outside every municipality; "
                    "kept with its source municipality",
                    "check its coordinates",
                )
            )
        disagree = (idx >= 0) & np.array(
            [g is not None and str(g).zfill(3) != p for g, p in zip(given_m, placed, strict=True)]
        )
        report.correct("municipality taken from the polygon the site lies in", int(disagree.sum()))
        municipality = np.where(idx >= 0, placed, given_m)
    else:
        municipality = given_m
    out["municipality"] = [
        None if m is None or pd.isna(m) else str(m).zfill(3) for m in municipality
    ]
    if clip and municipalities is not None:
        inside = municipality_index(out.geometry, municipalities) >= 0
        report.drop(OUTSIDE_REGION, int((~inside).sum()))
        out, frame = out[inside].reset_index(drop=True), frame[inside]
    out["name_sv"] = (
        [None if pd.isna(v) else str(v) for v in frame[cols["name_sv"]]]
        if "name_sv" in cols
        else None
    )
    for column in UNKNOWN_BUILDING:
        out[column] = np.nan
    out["lease_end"] = pd.Series([pd.NaT] * len(out), dtype="datetime64[ms]")
    out["condition"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out = out[
        [
            "site_id",
            "name",
            "municipality",
            "kind",
            *UNKNOWN_BUILDING,
            "name_sv",
            "located_by",
            "geometry",
        ]
    ]
    report.rows_kept = len(out)
    report.log()
    report.warn_dropped("sites", ignore=("blank row", OUTSIDE_REGION))
    if report.corrected.get(BY_POSTAL_CODE):
        log.info("%s: %d site(s) placed by postal code", where, report.corrected[BY_POSTAL_CODE])
    return out, report
