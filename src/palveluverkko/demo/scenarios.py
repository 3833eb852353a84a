"""The demo's example scenario: close the sites in the worst condition, raise the digital share.

This is the kind of proposal councils actually voted on (DOMAIN.md, "How counties actually
decided"): give up the premises in the poorest condition, promise each closed site's residents a
named substitute (*korvaava toimipiste*), and move part of the ordinary outpatient contacts to
digital channels.

Rules (deterministic, so the demo is reproducible):

- the ``n_close`` sites with the lowest ``condition`` (1 = worst), ties broken by the larger
  ``investment_need_eur`` and then by ``site_id``; the 24-hour hospital is never closed;
- each closed site's substitute is the nearest site (straight-line distance between the sites'
  points) that stays open and offers every service the closed site offers, preferring one in the
  same municipality so that the municipality keeps a physical site; a closed site without any
  such site raises :class:`~palveluverkko.errors.ScenarioError` naming it;
- the digital share of ordinary outpatient care (``vastaanotto``) rises from the catalogue's value
  to ``digital_share`` (default 0.55, i.e. about the share the best-performing counties reported;
  an ASSUMPTION for the demo, not a recommendation). Broadband still limits it per cell;
- with ``mobile`` (the default): the next station in the worst condition (a ``sote_asema`` or
  ``sote_keskus`` that is not closed) becomes a lighter point (``sote_piste``, keeping its
  local services; the capacity of the others follows their demand), and a health bus
  (outpatient care, a two-week day tour from the first substitute) stops at the closed sites and
  the lighter point: the answer Keski-Suomi gave ("a lighter point plus mobile service").
"""

from __future__ import annotations

import numpy as np

from ..errors import ScenarioError
from ..region.model import Region
from ..scenario import KIND_LEVELS, ChannelChange, Closure, Conversion, MobileUnitEntry, Scenario

__all__ = ["example_scenario"]

NEVER_CLOSED_KINDS = frozenset({"sairaala_24h"})


def example_scenario(
    region: Region,
    *,
    n_close: int = 3,
    digital_share: float = 0.55,
    year: int | None = None,
    mobile: bool = True,
) -> Scenario:
    """The demo's example scenario for ``region`` (rules in the module docstring)."""
    sites = region.sites.reset_index(drop=True)
    offers: dict[str, set[str]] = {}
    for sid, svc in zip(
        region.site_services["site_id"].astype(str),
        region.site_services["service"].astype(str),
        strict=True,
    ):
        offers.setdefault(sid, set()).add(svc)

    candidates = sites.loc[~sites["kind"].isin(NEVER_CLOSED_KINDS)].copy()
    candidates["_condition"] = candidates["condition"].astype("Float64").fillna(np.inf)
    candidates["_need"] = candidates["investment_need_eur"].astype("Float64").fillna(0.0)
    candidates = candidates.sort_values(
        ["_condition", "_need", "site_id"], ascending=[True, False, True], kind="stable"
    )
    closing = [str(s) for s in candidates["site_id"].head(n_close)]
    closing_set = set(closing)

    xy = np.column_stack([sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy()])
    ids = sites["site_id"].astype(str).to_numpy()
    municipality = sites["municipality"].astype(str).to_numpy()
    row_of = {sid: i for i, sid in enumerate(ids)}

    closures = []
    for sid in closing:
        i = row_of[sid]
        needed = offers.get(sid, set())
        eligible = np.array(
            [s not in closing_set and needed <= offers.get(s, set()) for s in ids], dtype=bool
        )
        if not eligible.any():
            raise ScenarioError(
                f"example scenario: no open site offers every service of site {sid!r} "
                f"({', '.join(sorted(needed))}); close fewer sites (n_close) or add a substitute"
            )
        distance_m = np.hypot(*(xy - xy[i]).T)
        same = eligible & (municipality == municipality[i])
        pool = same if same.any() else eligible
        j = int(np.flatnonzero(pool)[np.argmin(distance_m[pool])])
        closures.append(Closure(site=sid, substitute=str(ids[j])))

    names = ", ".join(f"{c.site}→{c.substitute}" for c in closures)
    conversions: tuple[Conversion, ...] = ()
    units: tuple[MobileUnitEntry, ...] = ()
    extra_fi = ""
    if mobile and closures:
        stations = candidates.loc[
            candidates["kind"].isin(["sote_asema", "sote_keskus"])
            & ~candidates["site_id"].astype(str).isin(closing_set)
        ]
        light = str(stations["site_id"].iloc[0])
        levels = dict(
            zip(region.services["service"].astype(str), region.services["level"], strict=True)
        )
        keep = tuple(
            sorted(s for s in offers.get(light, set()) if levels[s] in KIND_LEVELS["sote_piste"])
        )
        conversions = (Conversion(site=light, kind="sote_piste", services=keep),)
        units = (
            MobileUnitEntry(
                unit={
                    "name": "Terveysbussi",
                    "kind": "health_bus",
                    "shape": "day_tour",
                    "services": ["vastaanotto"],
                    "depot_site": closures[0].substitute,
                    "cycle_weeks": 2,
                },
                stops={
                    "candidates": "closed_sites",
                    "closed_sites": [*closing, light],
                    "threshold_min": 30.0,
                    "uptake_share": 0.3,
                    "beyond_site_min": 0.0,
                },
                seed=0,
                time_limit_s=2.0,
            ),
        )
        extra_fi = (
            f"; {light} kevyemmäksi pisteeksi; terveysbussi pysähtyy suljetuilla ja pisteellä"
        )
    return Scenario(
        name="Esimerkki: kolme huonokuntoista kiinni, kevyempi piste ja terveysbussi, enemmän digiä"
        if units
        else "Esimerkki: kolme huonokuntoista kiinni, enemmän digiä",
        year=year,
        description=(
            f"Suljetaan {len(closures)} huonokuntoisinta toimipistettä korvaavin toimipistein "
            f"({names}){extra_fi}; vastaanoton digitaalinen osuus {digital_share:.0%}."
        ),
        closures=tuple(closures),
        conversions=conversions,
        channel_changes=(ChannelChange(service="vastaanotto", digital_share=digital_share),),
        mobile_units=units,
    )
