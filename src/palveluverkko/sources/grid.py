"""Population from a grid (cell id, geometry, 0-14 / 15-64 / 65+ counts), e.g. Statistics Finland's.

Statistics Finland's population grid (``vaestoruutu_1km``: ``grd_id``, ``vaesto``, ``ika_0_14``,
``ika_15_64``, ``ika_65_``) hides the age bands of small cells (value ``-1``) while keeping the
total. Rules, each counted in the :class:`ImportReport`:

* The total is authoritative. Hidden or missing bands receive ``total - sum(known bands)``
  spread over them by the municipality's structure (largest remainder).
* Bands that do not add up to the total are re-apportioned to it by their own proportions.
* The three bands are split into our six by :func:`palveluverkko.sources.age_bands.split_coarse`
  with the municipality's Paavo-band structure (rule documented there).
* Municipality: the polygon holding most of the cell; a cell in no polygon (coast, border,
  generalised outlines) goes to the nearest municipality, counted. A cell without a total is
  dropped and counted; nothing else is lost.

Credit (Statistics Finland grid): Statistics Finland, population grid data (CC BY 4.0).
"""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..region.schema import POPULATION_COLUMNS
from ._common import code3, require_columns, source_name
from ._placement import municipality_index
from .age_bands import coarse_matrix, largest_remainder, split_coarse
from .postal import PAAVO_COLUMNS
from .report import ImportReport

log = logging.getLogger("palveluverkko.sources")

GRID_CREDIT = "Population grid: Statistics Finland, population grid data (CC BY 4.0)"


def population_from_grid(
    grid: gpd.GeoDataFrame | str | Path,
    municipalities: gpd.GeoDataFrame,
    structure: pd.DataFrame,
    *,
    layer: str | None = None,
    id_column: str = "grd_id",
    total_column: str = "vaesto",
    band_columns: tuple[str, str, str] = ("ika_0_14", "ika_15_64", "ika_65_"),
) -> tuple[gpd.GeoDataFrame, ImportReport]:
    """Build the ``population`` layer from a population grid with three age bands.

    Parameters
    ----------
    grid
        The grid (GeoDataFrame, or a file GDAL reads with ``layer``).
    municipalities
        The region's ``municipalities`` layer (``code``, geometry).
    structure
        Age structure per municipality: index = municipality code, columns ``age_0_2`` ...
        ``age_85_plus`` (Paavo bands; e.g. the ``age_*_2018`` columns of the county GeoPackage
        renamed, or sums of Paavo areas).
    layer, id_column, total_column, band_columns
        Source layer and columns (0-14, 15-64, 65+ in that order).

    Returns
    -------
    (geopandas.GeoDataFrame, ImportReport)

    Raises
    ------
    MissingColumnError
        When a named column is absent.
    InputError
        When a municipality has no structure row.
    """
    if isinstance(grid, gpd.GeoDataFrame):
        frame, where = grid, "population grid"
    else:
        frame, where = gpd.read_file(grid, layer=layer), source_name(grid, layer)
    report = ImportReport(source=where, rows_read=len(frame), credits=(GRID_CREDIT,))
    require_columns(
        frame,
        [id_column, total_column, *band_columns],
        layer=where,
        fix="name the columns with id_column=, total_column=, band_columns=",
    )
    missing_s = [c for c in PAAVO_COLUMNS if c not in structure.columns]
    if missing_s:
        raise InputError(
            f"structure: column(s) {', '.join(missing_s)} missing; expected Paavo's 20 bands "
            "age_0_2 ... age_85_plus per municipality"
        )
    frame = frame.to_crs(municipalities.crs) if frame.crs != municipalities.crs else frame
    total_raw = pd.to_numeric(frame[total_column], errors="coerce").to_numpy(dtype=np.float64)
    ids = frame[id_column].astype(str).to_numpy()
    no_total = np.isnan(total_raw) | (total_raw < 0)
    for i in np.flatnonzero(no_total):
        report.add(
            Problem(
                "error",
                where,
                total_column,
                str(ids[i]),
                f"cell has no usable total (found {total_raw[i]}); left out",
                "supply the cell's total population",
            )
        )
    report.drop("cell without a usable total population", int(no_total.sum()))
    frame = frame.loc[~no_total].reset_index(drop=True)
    ids = ids[~no_total]
    total = total_raw[~no_total].astype(np.int64)
    report.total_before = int(total.sum())

    # Municipality.
    idx = municipality_index(frame.geometry, municipalities)
    outside = idx < 0
    if outside.any():
        pts = gpd.GeoDataFrame(
            geometry=frame.geometry[outside].representative_point(), crs=municipalities.crs
        )
        near = gpd.sjoin_nearest(pts, municipalities[["geometry"]].reset_index(), how="left")
        near = near[~near.index.duplicated(keep="first")]
        idx[np.flatnonzero(outside)] = near["index"].to_numpy(dtype=np.int64)
    report.correct("cell in no municipality polygon, placed in the nearest", int(outside.sum()))
    codes = code3(municipalities["code"]).to_numpy(dtype=object)
    cell_code = codes[idx]
    s = structure.copy()
    s.index = code3(pd.Series(s.index.astype(str))).to_numpy()
    unknown = sorted(set(cell_code) - set(s.index))
    if unknown:
        raise InputError(
            f"structure: no age structure for municipality {', '.join(unknown)}. "
            "Fix: add its row (Paavo bands) to structure"
        )
    s20 = s.loc[cell_code, list(PAAVO_COLUMNS)].to_numpy(dtype=np.float64)

    # Hidden / inconsistent bands.
    bands = frame[list(band_columns)].apply(pd.to_numeric, errors="coerce").to_numpy(np.float64)
    hidden = np.isnan(bands) | (bands < 0)
    known = np.where(hidden, 0.0, bands).astype(np.int64)
    coarse_structure = s20 @ coarse_matrix().T  # (n, 3)
    rows_hidden = hidden.any(axis=1)
    counts = known.copy()
    for i in np.flatnonzero(rows_hidden):
        rest = int(total[i] - known[i].sum())
        if rest < 0:
            rest, counts[i], gaps = int(total[i]), 0, np.ones(3, dtype=bool)
        else:
            gaps = hidden[i]
        w = np.where(gaps, coarse_structure[i], 0.0)
        counts[i] += largest_remainder(np.array([rest]), w, fallback=gaps.astype(float))[0]
    report.correct(
        "hidden age bands filled from the municipality's structure (total kept)",
        int(rows_hidden.sum()),
    )
    off = ~rows_hidden & (counts.sum(axis=1) != total)
    if off.any():
        counts[off] = largest_remainder(total[off], counts[off].astype(np.float64))
        for i in np.flatnonzero(off)[:20]:
            report.add(
                Problem(
                    "warning",
                    where,
                    total_column,
                    str(ids[i]),
                    "age bands do not add up to the total; rescaled to it",
                    "",
                )
            )
    report.correct("age bands rescaled to the published total", int(off.sum()))

    six = split_coarse(counts, s20)
    out = gpd.GeoDataFrame(
        {"cell_id": ids.astype(object), "municipality": cell_code},
        geometry=frame.geometry.to_numpy(),
        crs=municipalities.crs,
    )
    for j, col in enumerate(POPULATION_COLUMNS):
        out[col] = six[:, j]
    out = out[["cell_id", "municipality", *POPULATION_COLUMNS, "geometry"]]
    report.rows_kept = len(out)
    report.total_after = int(six.sum())
    report.log()
    report.warn_dropped("grid cells")
    return out, report
