"""Population of postal-code areas (Paavo bands) -> the ``population`` layer.

The core shared by :func:`palveluverkko.sources.paavo.read_paavo` (Paavo CSV joined to postal
polygons) and the region builder (``postal_areas`` layer of the derived region GeoPackages).

Rules (each counted in the :class:`ImportReport`):

* The Paavo total (``pop_total``) is authoritative. Suppressed bands (``..`` / NULL) receive
  ``total - sum(known bands)``, spread over the missing Paavo bands in proportion to the
  municipality's structure (sum of its areas without suppression; the whole input's when the
  municipality has none), with largest-remainder rounding (``age_bands``). The 20 bands are then
  summed exactly into our six.
* Areas whose published bands do not add up to their total are re-apportioned to the total in
  proportion to their own bands, and reported.
* An area without a total cannot be placed: dropped, counted, its band sum (if any) reported.
* Municipality: by default the source's municipality name decides (``placement="name"``): it is
  Statistics Finland's own assignment of the area's residents, which a polygon cannot tell.
  An area that has most of its polygon in another municipality (straddling a border) is reported
  as a warning; with ``placement="geometry"`` it is moved there instead (counted as corrected).
  A name that matches no municipality falls back to the geometry (counted); an area placed by
  neither is an error.
"""

from __future__ import annotations

import logging
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import InputError, Problem
from ..region.schema import AGE_BANDS, POPULATION_COLUMNS
from ._placement import municipality_index
from .age_bands import PAAVO_BANDS, collapse_paavo, largest_remainder
from .report import ImportReport

log = logging.getLogger("palveluverkko.sources")

_OUT_OF_SCOPE = (
    "national total row (not an area)",
    "area of a municipality outside the region",
)

PAAVO_COLUMNS: tuple[str, ...] = tuple(f"age_{b}" for b in PAAVO_BANDS)


def population_from_postal(
    areas: gpd.GeoDataFrame,
    municipalities: gpd.GeoDataFrame,
    *,
    report: ImportReport,
    id_column: str = "pno",
    total_column: str = "pop_total",
    municipality_name_column: str | None = "kunta",
    layer: str = "postal_areas",
    placement: Literal["name", "geometry"] = "name",
) -> gpd.GeoDataFrame:
    """Build the ``population`` layer from postal areas with Paavo's 20 age columns.

    Parameters
    ----------
    areas
        One row per postal area: ``id_column``, ``total_column``, ``age_0_2`` ... ``age_85_plus``
        (NaN where suppressed), geometry in the CRS of ``municipalities``.
    municipalities
        The ``municipalities`` layer (``code``, ``name``, geometry).
    report
        Filled in place: totals before/after, corrections, drops, problems.
    id_column, total_column, municipality_name_column
        Source columns (no name column: placement by geometry only).
    layer
        Name of the source layer in messages.
    placement
        Which decides the municipality when name and polygon disagree (module docstring).

    Returns
    -------
    geopandas.GeoDataFrame
        ``cell_id`` (postal code), ``municipality`` (code), ``pop_0_6`` ... ``pop_85_plus``,
        the area's geometry.
    """
    missing = [c for c in (id_column, total_column, *PAAVO_COLUMNS) if c not in areas.columns]
    if missing:
        raise InputError(
            f"{layer}: column(s) {', '.join(missing)} missing; expected {id_column}, "
            f"{total_column} and Paavo's 20 age columns age_0_2 ... age_85_plus"
        )
    total_raw = pd.to_numeric(areas[total_column], errors="coerce").to_numpy(dtype=np.float64)
    bands = areas[list(PAAVO_COLUMNS)].apply(pd.to_numeric, errors="coerce")
    bands_raw = bands.to_numpy(dtype=np.float64)
    ids = areas[id_column].astype(str).str.strip().str.zfill(5).to_numpy()
    report.rows_read = report.rows_read or len(areas)
    report.total_before = int(np.nansum(total_raw))

    no_total = np.isnan(total_raw) | (total_raw < 0)
    for i in np.flatnonzero(no_total):
        report.add(
            Problem(
                "error",
                layer,
                total_column,
                str(ids[i]),
                f"area has no usable total (found {total_raw[i]}); band sum "
                f"{np.nansum(bands_raw[i]):.0f} residents cannot be placed",
                "supply the area's total population",
            )
        )
    report.drop("area without a usable total population", int(no_total.sum()))
    keep = ~no_total
    frame = areas.loc[keep].reset_index(drop=True)
    ids = ids[keep]
    total = total_raw[keep].astype(np.int64)
    b20 = bands_raw[keep]
    if (np.rint(total_raw[keep]) != total_raw[keep]).any():
        raise InputError(f"{layer}: column {total_column}: totals must be whole numbers")

    # Invalid polygons (self-intersections from generalisation) are repaired, counted.
    geom = frame.geometry.to_numpy()
    invalid = ~shapely.is_valid(geom) & ~shapely.is_missing(geom)
    if invalid.any():
        fixed = shapely.make_valid(geom[invalid])
        # keep only the polygonal part (make_valid may add stray lines or points)
        fixed = np.array(
            [
                g
                if g.geom_type in ("Polygon", "MultiPolygon")
                else shapely.union_all(
                    [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
                )
                for g in fixed
            ],
            dtype=object,
        )
        geom[invalid] = fixed
        frame = frame.set_geometry(gpd.GeoSeries(geom, crs=frame.crs, index=frame.index))
        for i in np.flatnonzero(invalid):
            report.add(
                Problem(
                    "warning",
                    layer,
                    "geometry",
                    str(ids[i]),
                    "invalid polygon (self-intersection) repaired with make_valid",
                    "",
                )
            )
    report.correct("invalid polygon repaired (make_valid)", int(invalid.sum()))

    # Municipality of each area.
    codes = municipalities["code"].astype(str).to_numpy()
    where = municipality_index(frame.geometry, municipalities)
    by_name = np.full(len(frame), -1, dtype=np.int64)
    if municipality_name_column and municipality_name_column in frame.columns:
        lookup = {str(n).casefold(): i for i, n in enumerate(municipalities["name"])}
        lookup.update({str(c): i for i, c in enumerate(codes)})
        by_name = np.array(
            [lookup.get(str(n).strip().casefold(), -1) for n in frame[municipality_name_column]],
            dtype=np.int64,
        )
    if placement == "geometry":
        muni = np.where(where >= 0, where, by_name)
    else:
        muni = np.where(by_name >= 0, by_name, where)
    moved = (where >= 0) & (by_name >= 0) & (where != by_name)
    for i in np.flatnonzero(moved):
        target = where[i] if placement == "geometry" else by_name[i]
        report.add(
            Problem(
                "warning",
                layer,
                "geometry",
                str(ids[i]),
                f"area named in {frame[municipality_name_column].iloc[i]} has most of its area "
                f"in {municipalities['name'].iloc[where[i]]} ({codes[where[i]]}); its "
                f"{total[i]} residents are placed in {codes[target]} (placement={placement!r})",
                "nothing to do if the placement is right; otherwise choose placement=",
            )
        )
    if placement == "geometry":
        report.correct(
            "area placed in the municipality holding most of its area, not its named one",
            int(moved.sum()),
        )
    report.correct(
        "area outside every municipality polygon, placed by its name",
        int(((where < 0) & (by_name >= 0)).sum()),
    )
    report.correct(
        "municipality name unknown, area placed by its polygon",
        int(((by_name < 0) & (where >= 0)).sum()),
    )
    unplaced = muni < 0
    if unplaced.any():
        lost = int(total[unplaced].sum())
        raise InputError(
            f"{layer}: {int(unplaced.sum())} areas ({lost} residents; rows "
            f"{', '.join(ids[unplaced][:10])}) lie in no municipality polygon and their name "
            "matches none. Fix: add the municipalities, or check the CRS of both layers"
        )

    # Fill suppressed bands from the municipality's structure.
    known = ~np.isnan(b20)
    complete = known.all(axis=1)
    filled = np.where(known, b20, 0.0).astype(np.int64)
    structure = np.zeros((len(municipalities), len(PAAVO_BANDS)))
    np.add.at(structure, muni[complete], filled[complete])
    overall = structure.sum(axis=0)
    has = structure.sum(axis=1) > 0
    structure[~has] = overall
    partial = ~complete
    for i in np.flatnonzero(partial):
        rest = int(total[i] - filled[i].sum())
        if rest < 0:
            report.add(
                Problem(
                    "warning",
                    layer,
                    total_column,
                    str(ids[i]),
                    f"published bands add up to {filled[i].sum()}, more than the total "
                    f"{total[i]}; all bands re-estimated from the municipality's structure",
                    "",
                )
            )
            filled[i] = 0
            rest = int(total[i])
            gaps = np.ones(len(PAAVO_BANDS), dtype=bool)
        else:
            gaps = ~known[i]
        w = np.where(gaps, structure[muni[i]], 0.0)
        filled[i] += largest_remainder(np.array([rest]), w, fallback=gaps.astype(float))[0]
    report.correct(
        "suppressed age bands filled from the municipality's age structure (total kept)",
        int(partial.sum()),
    )
    off = complete & (filled.sum(axis=1) != total)
    for i in np.flatnonzero(off):
        report.add(
            Problem(
                "warning",
                layer,
                total_column,
                str(ids[i]),
                f"age bands add up to {filled[i].sum()}, total is {total[i]}; bands rescaled "
                "to the total",
                "",
            )
        )
        filled[i] = largest_remainder(np.array([total[i]]), filled[i].astype(float))[0]
    report.correct("age bands rescaled to the published total", int(off.sum()))

    six = collapse_paavo(filled)
    out = gpd.GeoDataFrame(
        {"cell_id": ids.astype(object), "municipality": codes[muni].astype(object)},
        geometry=frame.geometry.to_numpy(),
        crs=municipalities.crs,
    )
    for j, col in enumerate(POPULATION_COLUMNS):
        out[col] = six[:, j].astype(np.int64)
    out = out[["cell_id", "municipality", *POPULATION_COLUMNS, "geometry"]]
    dup = out["cell_id"].duplicated(keep=False)
    if dup.any():
        raise InputError(
            f"{layer}: column {id_column}: postal codes repeat "
            f"({', '.join(sorted(set(out['cell_id'][dup]))[:10])}); expected one row per area. "
            "Fix: dissolve the polygons by postal code first"
        )
    report.rows_kept = len(out)
    report.total_after = int(six.sum())
    report.warn_dropped("postal areas", ignore=_OUT_OF_SCOPE)
    assert len(AGE_BANDS) == six.shape[1]
    return out
