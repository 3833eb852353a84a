"""A commented scenario file to start from: the region's sites and services listed, every entry
shown with the region's own ids and commented out (``palveluverkko scenario new``).

The text reads as a valid scenario as it is (only ``name`` and ``description`` are set): a
planner removes the ``#`` in front of the entries they need. Every key is described in
``docs/scenarios.md``.
"""

from __future__ import annotations

from ..i18n import pick
from ..region.model import Region

__all__ = ["scenario_template"]

_T: dict[str, tuple[str, str, str]] = {
    "head": (
        "Skenaario alueelle {region}. Poista kommenttimerkki (#) niiden rivien edestä, joita "
        "tarvitset.\n# Kaikki avaimet ja esimerkit: docs/scenarios.md",
        "Scenario för regionen {region}. Ta bort kommentartecknet (#) framför raderna du "
        "behöver.\n# Alla nycklar och exempel: docs/scenarios.md",
        "Scenario for the region {region}. Remove the comment mark (#) in front of the lines "
        "you need.\n# Every key with an example: docs/scenarios.md",
    ),
    "name": ("Uusi skenaario", "Nytt scenario", "New scenario"),
    "year": (
        "Arvioitava vuosi (oletus: alueen perusvuosi {year})",
        "Året som utvärderas (standard: regionens basår {year})",
        "Year evaluated (default: the region's base year {year})",
    ),
    "sites": (
        "Toimipisteet: tunnus, nimi, tyyppi, kunta: palvelut",
        "Verksamhetsställen: kod, namn, typ, kommun: tjänster",
        "Sites: id, name, kind, municipality: services",
    ),
    "services": ("Palvelut: tunnus: nimi", "Tjänster: kod: namn", "Services: id: name"),
    "close": (
        "Sulje toimipiste; korvaava toimipiste ottaa sen asiakkaat (ja kapasiteetin)",
        "Stäng ett ställe; det ersättande stället tar emot kunderna (och kapaciteten)",
        "Close a site; the substitute takes its clients (and its capacity)",
    ),
    "convert": (
        "Muuta toimipisteen tyyppiä tai palveluita (luettelemattomat palvelut lakkaavat)",
        "Ändra ett ställes typ eller tjänster (tjänster som inte listas upphör)",
        "Change a site's kind or services (services not listed stop there)",
    ),
    "open": ("Avaa uusi toimipiste", "Öppna ett nytt ställe", "Open a new site"),
    "capacity": (
        "Muuta toimipisteen kapasiteettia tai henkilöstöä yhdessä palvelussa",
        "Ändra ett ställes kapacitet eller personal för en tjänst",
        "Change a site's capacity or staff for one service",
    ),
    "channels": (
        "Muuta palvelun digitaalista osuutta (0–1)",
        "Ändra en tjänsts digitala andel (0–1)",
        "Change a service's digital share (0–1)",
    ),
    "mobile": (
        "Liikkuva yksikkö (esim. terveysbussi), katso docs/channels.md",
        "Mobil enhet (t.ex. hälsobuss), se docs/channels.md",
        "A mobile unit (e.g. a health bus), see docs/channels.md",
    ),
    "policy": (
        "Hoitotakuun aikaraja (vrk) ja matka-ajan kynnys (min)",
        "Vårdgarantins tidsgräns (dygn) och restidsgräns (min)",
        "Access target (days) and travel-time threshold (min)",
    ),
}


def _services_of(region: Region) -> dict[str, list[str]]:
    ss = region.site_services
    out: dict[str, list[str]] = {}
    for site, service in zip(ss["site_id"].astype(str), ss["service"].astype(str), strict=True):
        out.setdefault(site, []).append(service)
    return out


def _close_pair(ids: list[str], offers: dict[str, list[str]]) -> tuple[str, str]:
    """A site and a substitute that offers every service of it (the example must apply)."""
    for a in ids:
        for b in ids:
            if a != b and set(offers.get(a, [])) <= set(offers.get(b, [])):
                return a, b
    if not ids:
        return "S001", "S002"
    return ids[0], ids[min(1, len(ids) - 1)]


def scenario_template(region: Region, lang: str = "fi") -> str:
    """A scenario file for ``region`` with its sites and services listed and every entry
    commented out, in ``lang`` (fi, sv, en)."""

    def t(key: str, **fields: object) -> str:
        return pick(_T, key, lang, **fields)

    sites = region.sites.reset_index(drop=True)
    offers = _services_of(region)
    ids = sites["site_id"].astype(str).tolist()
    first, second = _close_pair(ids, offers)
    first_services = offers.get(first, ["vastaanotto"])
    service = first_services[0]
    name_col = f"name_{lang}" if f"name_{lang}" in region.services else "service"
    municipality = str(sites.at[0, "municipality"]) if len(sites) else "000"
    x = float(sites.geometry.x.iloc[0]) if len(sites) else 0.0
    y = float(sites.geometry.y.iloc[0]) if len(sites) else 0.0
    lines = [
        f"# {t('head', region=region.name)}",
        "",
        f'name = "{t("name")}"',
        'description = ""',
        f"# {t('year', year=region.base_year)}",
        f"# year = {region.base_year + 1}",
        "",
        f"# {t('sites')}",
    ]
    for _, s in sites.iterrows():
        sid = str(s["site_id"])
        lines.append(
            f"#   {sid}  {s['name']}  {s['kind']}  {s['municipality']}: "
            + ", ".join(offers.get(sid, []))
        )
    lines += ["", f"# {t('services')}"]
    for _, s in region.services.iterrows():
        lines.append(f"#   {s['service']}: {s[name_col]}")
    lines += [
        "",
        f"# {t('close')}",
        "# [[close]]",
        f'# site = "{first}"',
        f'# substitute = "{second}"',
        "# move_capacity = true",
        "",
        f"# {t('convert')}",
        "# [[convert]]",
        f'# site = "{first}"',
        '# kind = "sote_piste"',
        "# services = [" + ", ".join(f'"{s}"' for s in first_services) + "]",
        '# capacity = "follow"',
        "",
        f"# {t('open')}",
        "# [[open]]",
        '# site = "UUSI1"',
        '# name = "Uusi sote-asema"',
        f'# municipality = "{municipality}"',
        '# kind = "sote_asema"',
        f"# x = {x + 2000.0:.1f}",
        f"# y = {y + 2000.0:.1f}",
        "# annual_cost_eur = 150000.0",
        f"# services = {{ {service} = {{ capacity_per_week = 100, staff_fte = 3 }} }}",
        "",
        f"# {t('capacity')}",
        "# [[capacity]]",
        f'# site = "{first}"',
        f'# service = "{service}"',
        "# capacity_per_week = 450",
        "# staff_fte = 13",
        "",
        f"# {t('channels')}",
        "# [[channels]]",
        f'# service = "{service}"',
        "# digital_share = 0.55",
        "",
        f"# {t('mobile')}",
        "# [[mobile_unit]]",
        "# [mobile_unit.unit]",
        '# name = "Terveysbussi"',
        '# kind = "health_bus"',
        '# shape = "day_tour"',
        f'# services = ["{service}"]',
        f'# depot_site = "{second}"',
        "# cycle_weeks = 2",
        "# [mobile_unit.stops]",
        '# candidates = "closed_sites"',
        f'# closed_sites = ["{first}"]',
        "",
        f"# {t('policy')}",
        "# [policy]",
        "# access_target_days = 7",
        "# travel_time_threshold_min = 30",
        "",
    ]
    return "\n".join(lines)
