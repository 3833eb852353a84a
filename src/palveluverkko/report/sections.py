"""Report sections for the channels other than sites and for emergency care.

Each function returns :class:`Section` objects (a title, paragraphs, tables and SVG figures, all
in the report's language) that the template draws in one loop, so a new channel adds a function
here and nothing in the template:

- :func:`channel_sections`: mobile units (stops, the timetable a resident reads, km, hours and
  cost), digital reach (who the digital channel reaches and who age and slow connections keep
  at the sites), the one-contact package of a sote-keskus, staff per site before and after, and
  home care (counted; its staff travel is planned by ``palveluverkko homecare plan``, not here).
- :func:`ems_section`: emergency care against the service-level decision (Decree 585/2017): the
  decision table (target and result per risk class, today and with a scenario's fleet), the
  risk-class map, resources and cost a year, and what the figures rest on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..i18n import number, pick

if TYPE_CHECKING:
    from ..ems import EmsEvaluation
    from ..evaluation.result import Evaluation
    from ..region.model import Region
    from ..study.ems import EmsComparison

__all__ = ["Section", "SectionTable", "channel_sections", "ems_section", "sweep_section"]


@dataclass(frozen=True)
class SectionTable:
    """A table of a section: its caption, header row and body rows (all text)."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    text: bool = False
    """True for a table of words (a timetable): every column aligned left."""


@dataclass(frozen=True)
class Section:
    """A report section: ``key`` (the HTML id), title, paragraphs, tables and SVG figures."""

    key: str
    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[SectionTable, ...] = ()
    figures: tuple[str, ...] = field(default=(), repr=False)


T: dict[str, tuple[str, str, str]] = {
    "channels": ("Muut palvelukanavat", "Övriga servicekanaler", "Other service channels"),
    "mobile": ("Liikkuvat palvelut", "Mobila tjänster", "Mobile services"),
    "mobile_unit": (
        "{unit}: {stops} pysäkkiä, {served} käyntiä vuodessa; {km} km, {hours} tuntia ja "
        "{cost} € vuodessa.",
        "{unit}: {stops} hållplatser, {served} besök per år; {km} km, {hours} timmar och "
        "{cost} € per år.",
        "{unit}: {stops} stops, {served} visits a year; {km} km, {hours} hours and {cost} EUR "
        "a year.",
    ),
    "mobile_stops": (
        "Pysäkit (skenaario)",
        "Hållplatser (scenario)",
        "Stops (scenario)",
    ),
    "timetable": (
        "Aikataulu: {unit} (jakso toistuu {weeks} viikon välein)",
        "Tidtabell: {unit} (perioden upprepas var {weeks}:e vecka)",
        "Timetable: {unit} (the cycle repeats every {weeks} weeks)",
    ),
    "stop": ("Pysäkki", "Hållplats", "Stop"),
    "municipality": ("Kunta", "Kommun", "Municipality"),
    "residents_within": (
        "Asukkaita matka-ajan sisällä",
        "Invånare inom restiden",
        "Residents within the travel time",
    ),
    "served_year": ("Käyntejä vuodessa", "Besök per år", "Visits a year"),
    "week": ("Viikko", "Vecka", "Week"),
    "weekday": ("Päivä", "Dag", "Day"),
    "hours": ("Aukiolo", "Öppet", "Open"),
    "services": ("Palvelut", "Tjänster", "Services"),
    "every_day": ("arkipäivisin", "vardagar", "working days"),
    "no_mobile": (
        "Skenaariossa ei ole liikkuvia yksiköitä: liikkuvien palvelujen osuus hoidetaan "
        "toimipisteissä.",
        "Scenariot har inga mobila enheter: de mobila tjänsternas andel sköts på "
        "verksamhetsställena.",
        "The scenario runs no mobile unit: the mobile share of contacts is served at the sites.",
    ),
    "digital": ("Digitaaliset palvelut", "Digitala tjänster", "Digital services"),
    "digital_intro": (
        "Digitaalinen kanava tavoittaa vain ne, joilla on siihen yhteys ja valmiudet: hitaat "
        "yhteydet (alle 10 Mbit/s) ja ikä pitävät osan käynneistä toimipisteissä.",
        "Den digitala kanalen når bara dem som har uppkoppling och förmåga: långsamma "
        "förbindelser (under 10 Mbit/s) och ålder håller en del av besöken på "
        "verksamhetsställena.",
        "The digital channel reaches only those with a connection and the means: slow lines "
        "(under 10 Mbit/s) and age keep some contacts at the sites.",
    ),
    "digital_table": (
        "Digitaalinen kanava palveluittain, {which}",
        "Den digitala kanalen per tjänst, {which}",
        "The digital channel by service, {which}",
    ),
    "service": ("Palvelu", "Tjänst", "Service"),
    "contacts_year": ("Käyntejä vuodessa", "Besök per år", "Contacts a year"),
    "digital_year": ("Digitaalisia", "Digitala", "Digital"),
    "digital_share": ("Digitaalinen osuus", "Digital andel", "Digital share"),
    "kept_age": ("Iän vuoksi toimipisteessä", "På grund av ålder på plats", "Kept by age"),
    "kept_broadband": (
        "Hitaan yhteyden vuoksi toimipisteessä",
        "På grund av långsam förbindelse på plats",
        "Kept by slow lines",
    ),
    "remote_fte": ("Etähenkilöstö (htv)", "Distanspersonal (åa)", "Remote staff (FTE)"),
    "package": (
        "Yhden yhteydenoton palvelukokonaisuus",
        "Servicehelhet med en kontakt",
        "One-contact service package",
    ),
    "package_intro": (
        "Sote-keskuksen kokonaisuus ({services}) samassa paikassa (sama toimipiste tai "
        "toimipisteet enintään {radius} m:n päässä toisistaan). Kokonaisuuden tarjoavia "
        "paikkoja: nyt {today}, skenaariossa {scenario}.",
        "Social- och hälsocentralens helhet ({services}) på ett ställe (samma verksamhetsställe "
        "eller ställen högst {radius} m från varandra). Ställen som erbjuder helheten: nu "
        "{today}, i scenariot {scenario}.",
        "The sote-keskus package ({services}) in one place (one site, or sites at most "
        "{radius} m apart). Places offering it: today {today}, in the scenario {scenario}.",
    ),
    "package_none": (
        "Yksikään toimipiste ei tarjoa koko kokonaisuutta samassa paikassa: osuudet ovat 0 %.",
        "Inget verksamhetsställe erbjuder hela helheten på ett ställe: andelarna är 0 %.",
        "No site offers the whole package in one place: the shares are 0 %.",
    ),
    "package_table": (
        "Kokonaisuus 30 minuutin automatkan sisällä kunnittain",
        "Helheten inom 30 minuters bilresa per kommun",
        "The package within a 30-minute drive, by municipality",
    ),
    "within30": ("30 min sisällä", "inom 30 min", "within 30 min"),
    "nearest_full": (
        "Lähin vastaanotto tarjoaa kaiken",
        "Närmaste mottagning erbjuder allt",
        "Nearest outpatient site offers it all",
    ),
    "today": ("nyt", "nu", "today"),
    "both": ("nyt ja skenaariossa", "nu och i scenariot", "today and in the scenario"),
    "scenario": ("skenaario", "scenario", "scenario"),
    "change_pp": ("muutos %-yks.", "förändring procentenheter", "change, percentage points"),
    "county": ("Koko alue", "Hela området", "Whole region"),
    "staff": ("Henkilöstö toimipisteittäin", "Personal per verksamhetsställe", "Staff by site"),
    "staff_intro": (
        "Henkilötyövuodet (htv) toimipisteissä, joissa skenaario muuttaa niitä: yhteensä "
        "{before} → {after} htv ({change}).",
        "Årsverken (åa) på de verksamhetsställen där scenariot ändrar dem: sammanlagt "
        "{before} → {after} åa ({change}).",
        "Full-time equivalents (FTE) at the sites where the scenario changes them: in all "
        "{before} → {after} FTE ({change}).",
    ),
    "site": ("Toimipiste", "Verksamhetsställe", "Site"),
    "fte_today": ("Nyt (htv)", "Nu (åa)", "Today (FTE)"),
    "fte_scenario": ("Skenaario (htv)", "Scenario (åa)", "Scenario (FTE)"),
    "fte_change": ("Muutos", "Förändring", "Change"),
    "home": ("Kotiin vietävät palvelut", "Tjänster i hemmet", "Services at home"),
    "home_text": (
        "{service}: {visits} kotikäyntiä vuodessa ({which}). Henkilöstön matkoja tukikohdista ei "
        "arvioida tässä raportissa: ne lasketaan komennolla palveluverkko homecare plan.",
        "{service}: {visits} hembesök per år ({which}). Personalens resor från baserna "
        "utvärderas inte i denna rapport: de beräknas med kommandot palveluverkko homecare plan.",
        "{service}: {visits} home visits a year ({which}). Staff travel from the bases is not "
        "evaluated in this report: it is computed by the command palveluverkko homecare plan.",
    ),
    "home_routed": (
        "{service}: {visits} kotikäyntiä vuodessa ({which}); henkilöstön reitit tukikohdista on "
        "laskettu otospäivälle (PyVRP).",
        "{service}: {visits} hembesök per år ({which}); personalens rutter från baserna har "
        "beräknats för en urvalsdag (PyVRP).",
        "{service}: {visits} home visits a year ({which}); staff routes from the bases were "
        "computed for a sampled day (PyVRP).",
    ),
    "home_table": (
        "Kotihoidon tukikohdat, {which}",
        "Hemvårdens baser, {which}",
        "Home-care bases, {which}",
    ),
    "home_base": ("Tukikohta", "Bas", "Base"),
    "home_visits_day": ("Käyntejä päivässä", "Besök per dag", "Visits a day"),
    "home_travel_visit": (
        "Matka-aika käyntiä kohden (min)",
        "Restid per besök (min)",
        "Travel per visit (min)",
    ),
    "home_travel_fte": ("Matkoihin htv", "Resor åa", "Travel FTE"),
    "home_road_share": ("Osuus työajasta tiellä", "Andel av arbetstiden på väg", "Time on road"),
    "home_fte": ("Tarve / nyt htv", "Behov / nu åa", "Needed / given FTE"),
    "home_not_served": (
        "Käyntejä ilman tekijää",
        "Besök utan personal",
        "Visits not served",
    ),
    "home_change": (
        "Henkilöstön matkoihin kuluu {before} htv nyt ja {after} htv skenaariossa; matka-aika "
        "on osa kotihoidon henkilöstön työaikaa (kustannuksissa rivillä henkilöstö).",
        "Personalens resor tar {before} åa nu och {after} åa i scenariot; restiden är en del "
        "av hemvårdspersonalens arbetstid (i kostnaderna på raden personal).",
        "Staff travel takes {before} FTE today and {after} FTE in the scenario; travel is part "
        "of the home-care staff's working time (in the costs under staff).",
    ),
    "home_estimate": (
        "ARVIO: yksi arvottu arkipäivä (siemen {seed}) kerrottuna 365:llä.",
        "UPPSKATTNING: en slumpad vardag (frö {seed}) gånger 365.",
        "ESTIMATE: one sampled weekday (seed {seed}) times 365.",
    ),
    "sweep": ("Herkkyysanalyysi", "Känslighetsanalys", "Sensitivity analysis"),
    "sweep_intro": (
        "Luvut vaihtelevat, kun epävarmoja lähtötietoja (kysynnän kasvu, digitaalinen osuus, "
        "kapasiteetti, ajonopeudet) arvotaan niiden jakaumista: 80 % arvonnoista osuu välille "
        "10. – 90. persentiili.",
        "Siffrorna varierar när osäkra indata (efterfrågans tillväxt, digital andel, "
        "kapacitet, hastigheter) dras ur sina fördelningar: 80 % av dragningarna hamnar mellan "
        "10:e och 90:e percentilen.",
        "The figures vary when uncertain inputs (demand growth, digital share, capacity, "
        "speeds) are drawn from their distributions: 80 % of the draws fall between the 10th "
        "and the 90th percentile.",
    ),
    "sweep_table": (
        "{service}: vaihteluväli arvonnoissa",
        "{service}: variationsintervall i dragningarna",
        "{service}: range over the draws",
    ),
    "figure": ("Luku", "Siffra", "Figure"),
    "p10": ("10. persentiili", "10:e percentilen", "10th percentile"),
    "p50": ("mediaani", "median", "median"),
    "p90": ("90. persentiili", "90:e percentilen", "90th percentile"),
    "f_share_within_30_car": (
        "Autolla 30 min sisällä",
        "Med bil inom 30 min",
        "Within 30 min by car",
    ),
    "f_share_within_target": (
        "Hoitotakuun sisällä",
        "Inom vårdgarantin",
        "Within the access target",
    ),
    "f_mean_wait_days": ("Keskimääräinen odotus (pv)", "Medelväntetid (d)", "Mean wait (days)"),
    "f_mean_car_minutes": (
        "Keskimääräinen automatka (min)",
        "Medelbilresa (min)",
        "Mean car trip (min)",
    ),
    "f_digital_share": ("Digitaalinen osuus", "Digital andel", "Digital share"),
    "ems": ("Ensihoito", "Prehospital akutsjukvård", "Emergency care"),
    "ems_intro": (
        "Ensihoidon palvelutasopäätöksen taulukko (VNA 585/2017): osuus tehtävistä, joihin "
        "ensimmäinen yksikkö ehtii tavoiteajassa, riskialueluokittain (1 km × 1 km ruudut). "
        "Tulos on analyyttinen arvio yksiköiden käytettävyydestä (hyperkuutio).",
        "Tabellen i beslutet om servicenivån inom prehospital akutsjukvård (SRf 585/2017): "
        "andelen uppdrag som den första enheten når inom måltiden, per riskområdesklass "
        "(rutor om 1 km × 1 km). Resultatet är en analytisk uppskattning av enheternas "
        "tillgänglighet (hyperkub).",
        "The table of the emergency-care service-level decision (Decree 585/2017): the share of "
        "missions the first unit reaches within the target time, by risk-area class "
        "(1 km × 1 km cells). The result is an analytic estimate of the units' availability "
        "(hypercube).",
    ),
    "ems_table": (
        "Palvelutaso riskialueluokittain, {which}",
        "Servicenivå per riskområdesklass, {which}",
        "Service level by risk-area class, {which}",
    ),
    "ems_resources": (
        "Yksiköt: {fleet}. {hours} yksikkötuntia, {fte} htv ja {cost} € vuodessa.",
        "Enheter: {fleet}. {hours} enhetstimmar, {fte} åa och {cost} € per år.",
        "Units: {fleet}. {hours} unit-hours, {fte} FTE and {cost} EUR a year.",
    ),
    "ems_change": (
        "Skenaarion kalusto: {fleet}. Kustannus muuttuu {change} € vuodessa "
        "(positiivinen = lisäkustannus).",
        "Scenariots enheter: {fleet}. Kostnaden ändras med {change} € per år "
        "(positiv = merkostnad).",
        "The scenario's fleet: {fleet}. The cost changes by {change} EUR a year "
        "(positive = extra cost).",
    ),
    "ems_fleet": (
        "{stations} asemaa, {units} yksikköä",
        "{stations} stationer, {units} enheter",
        "{stations} stations, {units} units",
    ),
    "ems_assumed": (
        "OLETUS: asemat ja yksiköt on johdettu toimipisteistä (ei hyvinvointialueen omaa "
        "asemaluetteloa).",
        "ANTAGANDE: stationerna och enheterna har härletts från verksamhetsställena (inte "
        "välfärdsområdets egen stationsförteckning).",
        "ASSUMPTION: stations and units are derived from the sites (not the county's own list "
        "of stations).",
    ),
    "ems_estimated": (
        "ARVIO: tehtävämäärät on arvioitu asukasluvusta ja ikärakenteesta (ei toteutuneita "
        "tehtäviä).",
        "UPPSKATTNING: uppdragen har uppskattats från invånarantal och åldersstruktur (inte "
        "faktiska uppdrag).",
        "ESTIMATE: missions are estimated from residents and age structure (not recorded "
        "missions).",
    ),
    "ems_unreachable": (
        "{cells} ruutua ({missions} tehtävää vuodessa) ei tavoiteta tieverkolla.",
        "{cells} rutor ({missions} uppdrag per år) nås inte via vägnätet.",
        "{cells} cells ({missions} missions a year) cannot be reached by road.",
    ),
    "ems_map": (
        "Riskialueluokat (1 km × 1 km)",
        "Riskområdesklasser (1 km × 1 km)",
        "Risk-area classes (1 km × 1 km)",
    ),
    "station": ("asema", "station", "station"),
    "no_class": ("ei luokkaa", "ingen klass", "no class"),
    "risk_class": ("Riskialueluokka", "Riskområdesklass", "Risk-area class"),
    "target": ("tavoite", "mål", "target"),
    "ems_line": ("Tehtävät ja aika", "Uppdrag och tid", "Missions and time"),
    "ems_missions": ("Tehtäviä vuodessa", "Uppdrag per år", "Missions a year"),
    "ems_met": ("Tavoite täyttyy", "Målet nås", "Target met"),
    "yes": ("kyllä", "ja", "yes"),
    "no": ("EI", "NEJ", "NO"),
    "result": ("tulos", "resultat", "result"),
}

WEEKDAYS: dict[str, tuple[str, ...]] = {
    "fi": ("ma", "ti", "ke", "to", "pe", "la", "su"),
    "sv": ("mån", "tis", "ons", "tor", "fre", "lör", "sön"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
CLASS_COLOURS = ("#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0")
"""Risk-class colours (core urban, other urban, inhabited rural, other)."""


def _t(key: str, lang: str, **fields: Any) -> str:
    return pick(T, key, lang, **fields)


def _service_name(region: Region, code: str, lang: str) -> str:
    services = region.services.set_index(region.services["service"].astype(str))
    column = f"name_{lang}"
    if column in services.columns and code in services.index:
        value = services.at[code, column]
        if isinstance(value, str) and value:
            return value
    return code


def _names(region: Region, codes: str, lang: str) -> str:
    return ", ".join(_service_name(region, c.strip(), lang) for c in codes.split(",") if c.strip())


def _municipality_names(region: Region) -> dict[str, str]:
    m = region.municipalities
    return dict(zip(m["code"].astype(str), m["name"].astype(str), strict=True))


def channel_sections(
    base: Evaluation, other: Evaluation | None, region: Region, lang: str
) -> list[Section]:
    """The channel sections of the report (module docstring); the scenario's figures when one
    is given, else today's."""
    shown = other if other is not None else base
    out = [_mobile(shown, other is not None, region, lang)]
    digital = _digital(base, other, region, lang)
    if digital is not None:
        out.append(digital)
    package = _package(base, other, region, lang)
    if package is not None:
        out.append(package)
    staff = _staff(other, lang) if other is not None else None
    if staff is not None:
        out.append(staff)
    home = _home(base, other, region, lang)
    if home is not None:
        out.append(home)
    return out


def _which(scenario: bool, lang: str) -> str:
    return _t("scenario" if scenario else "today", lang)


def _mobile(ev: Evaluation, scenario: bool, region: Region, lang: str) -> Section:
    stops = ev.mobile_stops
    if stops is None or stops.empty:
        return Section("mobile", _t("mobile", lang), (_t("no_mobile", lang),))
    munis = _municipality_names(region)
    paragraphs: list[str] = []
    tables: list[SectionTable] = []
    tt = ev.mobile_timetable
    for unit, rows in stops.groupby("unit", sort=False):
        first = rows.iloc[0]
        paragraphs.append(
            _t(
                "mobile_unit",
                lang,
                unit=unit,
                stops=len(rows),
                served=number(rows["served_per_year"].sum(), lang),
                km=number(first["unit_km_per_year"], lang),
                hours=number(first["unit_hours_per_year"], lang),
                cost=number(first["unit_cost_eur_per_year"], lang),
            )
        )
        tables.append(
            SectionTable(
                f"{_t('mobile_stops', lang)}: {unit}",
                (
                    _t("stop", lang),
                    _t("municipality", lang),
                    _t("residents_within", lang),
                    _t("served_year", lang),
                ),
                tuple(
                    (
                        str(r["name"]),
                        munis.get(str(r["municipality"]), str(r["municipality"])),
                        number(r["residents_within"], lang),
                        number(r["served_per_year"], lang),
                    )
                    for _, r in rows.iterrows()
                ),
            )
        )
        if tt is not None and not tt.empty:
            visits = tt.loc[tt["unit"] == unit]
            if len(visits):
                tables.append(_timetable_table(str(unit), visits, region, lang))
    return Section("mobile", _t("mobile", lang), tuple(paragraphs), tuple(tables))


def _timetable_table(unit: str, visits: pd.DataFrame, region: Region, lang: str) -> SectionTable:
    weeks = int(visits["last_week"].max())
    rows = []
    for _, v in visits.iterrows():
        if int(v["weekday"]) < 0:
            week = f"{int(v['week'])}–{int(v['last_week'])}"
            day = _t("every_day", lang)
        else:
            week = str(int(v["week"]))
            day = WEEKDAYS[lang][int(v["weekday"])]
        rows.append(
            (
                week,
                day,
                f"{v['open']}–{v['close']}",
                str(v["stop_name"]),
                _names(region, str(v["services"]), lang),
            )
        )
    return SectionTable(
        _t("timetable", lang, unit=unit, weeks=weeks),
        (
            _t("week", lang),
            _t("weekday", lang),
            _t("hours", lang),
            _t("stop", lang),
            _t("services", lang),
        ),
        tuple(rows),
        text=True,
    )


def _digital(
    base: Evaluation, other: Evaluation | None, region: Region, lang: str
) -> Section | None:
    shown = other if other is not None else base
    d = shown.digital
    if d is None or d.empty:
        return None
    per = d.groupby("service", sort=False)[
        [
            "contacts_per_year",
            "digital_per_year",
            "kept_by_age_per_year",
            "kept_by_broadband_per_year",
            "remote_staff_fte",
        ]
    ].sum()
    per = per.loc[per["digital_per_year"] > 0]
    rows = []
    for code, r in per.iterrows():
        share = r["digital_per_year"] / r["contacts_per_year"] if r["contacts_per_year"] else 0.0
        rows.append(
            (
                _service_name(region, str(code), lang),
                number(r["contacts_per_year"], lang),
                number(r["digital_per_year"], lang),
                number(share, lang, 1, pct=True),
                number(r["kept_by_age_per_year"], lang),
                number(r["kept_by_broadband_per_year"], lang),
                number(r["remote_staff_fte"], lang, 1),
            )
        )
    table = SectionTable(
        _t("digital_table", lang, which=_which(other is not None, lang)),
        (
            _t("service", lang),
            _t("contacts_year", lang),
            _t("digital_year", lang),
            _t("digital_share", lang),
            _t("kept_age", lang),
            _t("kept_broadband", lang),
            _t("remote_fte", lang),
        ),
        tuple(rows),
    )
    return Section("digital", _t("digital", lang), (_t("digital_intro", lang),), (table,))


def _package(
    base: Evaluation, other: Evaluation | None, region: Region, lang: str
) -> Section | None:
    from ..evaluation.reach import PACKAGE_RADIUS_M

    b = base.packages
    if b is None or b.empty:
        return None
    o = other.packages if other is not None else None
    n_today = int(b["full_package_sites"].iloc[0]) if "full_package_sites" in b else 0
    n_scen = (
        int(o["full_package_sites"].iloc[0])
        if o is not None and not o.empty and "full_package_sites" in o
        else n_today
    )
    paragraphs = [
        _t(
            "package_intro",
            lang,
            services=_names(region, str(b["package"].iloc[0]).replace("+", ","), lang),
            radius=number(PACKAGE_RADIUS_M, lang),
            today=n_today,
            scenario=n_scen,
        )
    ]
    if n_today == 0 and n_scen == 0:
        paragraphs.append(_t("package_none", lang))
    munis = _municipality_names(region)
    keep = b["level"].isin(["county", "municipality"])
    bi = b.loc[keep].set_index(["level", "group"])
    oi = (
        o.loc[o["level"].isin(["county", "municipality"])].set_index(["level", "group"])
        if (o is not None and not o.empty)
        else None
    )
    headers: list[str] = [_t("municipality", lang), f"{_t('within30', lang)}, {_t('today', lang)}"]
    if oi is not None:
        headers += [f"{_t('within30', lang)}, {_t('scenario', lang)}", _t("change_pp", lang)]
    headers.append(_t("nearest_full", lang))
    rows = []
    for (level, group), r in bi.iterrows():
        name = _t("county", lang) if level == "county" else munis.get(str(group), str(group))
        row = [name, number(r["share_within_30_car"], lang, 1, pct=True)]
        shown = r
        if oi is not None and (level, group) in oi.index:
            q = oi.loc[(level, group)]
            row += [
                number(q["share_within_30_car"], lang, 1, pct=True),
                number(
                    100 * (q["share_within_30_car"] - r["share_within_30_car"]),
                    lang,
                    1,
                    sign=True,
                ),
            ]
            shown = q
        row.append(number(shown["share_nearest_full"], lang, 1, pct=True))
        rows.append(tuple(row))
    table = SectionTable(_t("package_table", lang), tuple(headers), tuple(rows))
    return Section("package", _t("package", lang), tuple(paragraphs), (table,))


def _staff(other: Evaluation, lang: str) -> Section | None:
    s = other.staff
    if s is None or s.empty:
        return None
    changed = s.loc[s["staff_fte_change"].abs() > 1e-9]
    if changed.empty:
        return None
    before = float(changed["staff_fte_today"].sum())
    after = float(changed["staff_fte_scenario"].sum())
    rows = tuple(
        (
            str(r["name"]) or str(r["site_id"]),
            number(r["staff_fte_today"], lang, 1),
            number(r["staff_fte_scenario"], lang, 1),
            number(r["staff_fte_change"], lang, 1, sign=True),
        )
        for _, r in changed.iterrows()
    )
    return Section(
        "staff",
        _t("staff", lang),
        (
            _t(
                "staff_intro",
                lang,
                before=number(before, lang, 1),
                after=number(after, lang, 1),
                change=number(after - before, lang, 1, sign=True),
            ),
        ),
        (
            SectionTable(
                _t("staff", lang),
                (
                    _t("site", lang),
                    _t("fte_today", lang),
                    _t("fte_scenario", lang),
                    _t("fte_change", lang),
                ),
                rows,
            ),
        ),
    )


def _home(base: Evaluation, other: Evaluation | None, region: Region, lang: str) -> Section | None:
    """Home visits counted; with routes (``home_care_routes``) staff travel per base."""
    shown = other if other is not None else base
    ch = shown.channels
    if ch is None or ch.empty or "channel" not in ch:
        return None
    home = ch.loc[ch["channel"] == "home"].groupby("service")["contacts_per_year"].sum()
    home = home.loc[home > 0]
    if home.empty:
        return None
    routed = not shown.home_care.empty
    paragraphs = [
        _t(
            "home_routed" if routed else "home_text",
            lang,
            service=_service_name(region, str(code), lang),
            visits=number(v, lang),
            which=_which(other is not None, lang),
        )
        for code, v in home.items()
    ]
    tables: list[SectionTable] = []
    if routed:
        b = base.home_care.set_index("base_id") if not base.home_care.empty else None
        o = shown.home_care.set_index("base_id")
        ids = list(dict.fromkeys([*(b.index if b is not None else []), *o.index]))
        headers = [
            _t("home_base", lang),
            _t("home_visits_day", lang),
            _t("home_travel_visit", lang),
            _t("home_travel_fte", lang),
            _t("home_road_share", lang),
            _t("home_fte", lang),
            _t("home_not_served", lang),
        ]
        two = other is not None and b is not None
        if two:
            headers[2] = f"{_t('home_travel_visit', lang)}, {_t('scenario', lang)}"
            headers.insert(3, f"{_t('home_travel_visit', lang)}, {_t('today', lang)}")
        rows = []
        for bid in ids:
            r = o.loc[bid] if bid in o.index else None
            before = b.loc[bid] if b is not None and bid in b.index else None
            src = r if r is not None else before
            assert src is not None
            row = [
                str(src["name"]),
                number(r["visits_per_day"], lang) if r is not None else "–",
                number(r["travel_min_per_visit"], lang, 1) if r is not None else "–",
            ]
            if two:
                row.append(
                    number(before["travel_min_per_visit"], lang, 1) if before is not None else "–"
                )
            if r is not None:
                row += [
                    number(r["travel_fte"], lang, 1),
                    number(r["road_share"], lang, 1, pct=True),
                    f"{number(r['fte_needed'], lang, 1)} / {number(r['fte_given'], lang, 1)}",
                    number(r["not_served_staff_per_day"] + r["not_reached_per_day"], lang),
                ]
            else:
                row += ["–", "–", "–", "–"]
            rows.append(tuple(row))
        tables.append(
            SectionTable(
                _t("home_table", lang, which=_which(other is not None, lang)),
                tuple(headers),
                tuple(rows),
            )
        )
        travel = float(o["travel_fte"].sum())
        if two and b is not None:
            paragraphs.append(
                _t(
                    "home_change",
                    lang,
                    before=number(float(b["travel_fte"].sum()), lang, 1),
                    after=number(travel, lang, 1),
                )
            )
        paragraphs.append(_t("home_estimate", lang, seed=int(o["seed"].iloc[0])))
    return Section("home", _t("home", lang), tuple(paragraphs), tuple(tables))


# ---------------------------------------------------------------------- emergency care


def ems_section(
    ems: EmsEvaluation | EmsComparison, region: Region, lang: str, *, assumed_fleet: bool = True
) -> Section:
    """The emergency-care section (module docstring) of one evaluation or a comparison;
    ``assumed_fleet`` says the stations were derived from the sites, not given by the county."""
    from ..ems import EmsEvaluation

    if isinstance(ems, EmsEvaluation):
        base, other, cmp = ems, None, None
    else:
        base, other, cmp = ems.base, ems.other, ems
    paragraphs = [_t("ems_intro", lang)]
    paragraphs.append(
        _t(
            "ems_resources",
            lang,
            fleet=_fleet(base, lang),
            hours=number(base.resources["unit_hours"], lang),
            fte=number(base.resources["fte"], lang, 1),
            cost=number(base.resources["cost_eur"], lang),
        )
    )
    if other is not None:
        paragraphs.append(
            _t(
                "ems_change",
                lang,
                fleet=_fleet(other, lang),
                change=number(
                    other.resources["cost_eur"] - base.resources["cost_eur"], lang, sign=True
                ),
            )
        )
    if len(base.unreachable):
        paragraphs.append(
            _t(
                "ems_unreachable",
                lang,
                cells=len(base.unreachable),
                missions=number(base.unreachable["missions"].sum(), lang, 1),
            )
        )
    if base.grid.missions_estimated:
        paragraphs.append(_t("ems_estimated", lang))
    if assumed_fleet:
        paragraphs.append(_t("ems_assumed", lang))
    table = _ems_table(base, cmp, lang)
    figures = (_ems_map(base, region, lang),)
    return Section("ems", _t("ems", lang), tuple(paragraphs), (table,), figures)


def _fleet(ev: EmsEvaluation, lang: str) -> str:
    return _t(
        "ems_fleet",
        lang,
        stations=int((ev.fleet.counts().sum(axis=1) > 0).sum()),
        units=int(ev.fleet.counts().sum()),
    )


def _ems_table(base: EmsEvaluation, cmp: EmsComparison | None, lang: str) -> SectionTable:
    """One row per risk class and target line: missions a year, target, today (and the
    scenario with the change in percentage points)."""
    from ..ems.params import CLASSES
    from ..ems.texts import class_name
    from ..ems.texts import text as ems_text

    headers: list[str] = [
        _t("risk_class", lang),
        _t("ems_line", lang),
        _t("ems_missions", lang),
        _t("target", lang).capitalize(),
        _t("today", lang).capitalize(),
    ]
    if cmp is not None:
        headers += [_t("scenario", lang).capitalize(), _t("change_pp", lang).capitalize()]
    headers.append(_t("ems_met", lang))
    d = cmp.decision if cmp is not None else base.decision
    rows = []
    for c in CLASSES:
        for k, t in enumerate(base.params.targets):
            r = d.loc[(d["line"] == k) & (d["risk_class"] == c)]
            if r.empty or float(r["missions"].iloc[0]) <= 0:
                continue
            label = ems_text("line", lang, urgency="/".join(t.urgencies), minutes=f"{t.minutes:g}")
            target = float(r["target_share"].iloc[0])
            before = float((r["share_before"] if cmp is not None else r["share_within"]).iloc[0])
            row = [
                class_name(c, lang),
                label,
                number(float(r["missions"].iloc[0]), lang),
                number(target, lang, 0, pct=True),
                number(before, lang, 1, pct=True),
            ]
            shown = before
            if cmp is not None:
                after = float(r["share_after"].iloc[0])
                row += [
                    number(after, lang, 1, pct=True),
                    number(100 * (after - before), lang, 1, sign=True),
                ]
                shown = after
            row.append(_t("yes" if shown >= target else "no", lang))
            rows.append(tuple(row))
    which = _t("both", lang) if cmp is not None else _t("today", lang)
    return SectionTable(_t("ems_table", lang, which=which), tuple(headers), tuple(rows))


def _ems_map(ev: EmsEvaluation, region: Region, lang: str) -> str:
    """Each population cell coloured by the risk class of its 1 km cell; stations as dots."""
    from ..ems.grid import km_id, km_keys
    from ..ems.params import CLASSES
    from ..ems.texts import class_name
    from .svgmap import map_svg

    keys = km_id(km_keys(region.cell_points()))
    cls = ev.cells.set_index(ev.cells["cell_id"].astype(str))["risk_class"].astype(str)
    index = {c: i for i, c in enumerate(CLASSES)}
    values = np.array(
        [index.get(str(cls.get(k, "")), np.nan) for k in keys.astype(str)], dtype=np.float64
    )
    stations = ev.fleet.stations.loc[ev.fleet.counts().sum(axis=1) > 0, ["x", "y"]]
    return map_svg(
        region,
        values,
        breaks=tuple(float(i) for i in range(len(CLASSES))),
        colours=CLASS_COLOURS,
        labels=[class_name(c, lang) for c in CLASSES],
        unreachable_label=_t("no_class", lang),
        title=_t("ems_map", lang),
        sites_open=stations.to_numpy(dtype=np.float64),
        site_labels=(_t("station", lang), ""),
    )


SWEEP_FIGURES: tuple[tuple[str, bool], ...] = (
    ("share_within_30_car", True),
    ("share_within_target", True),
    ("mean_wait_days", False),
    ("mean_car_minutes", False),
    ("digital_share", True),
)
"""Figures of a sweep shown in the report, and whether each is a share."""


def sweep_section(
    bands: pd.DataFrame, region: Region, lang: str, *, services: Sequence[str] | None = None
) -> Section:
    """The sensitivity section from a sweep's bands (``service, figure, p10, p50, p90``, as
    :meth:`palveluverkko.study.sweep.SweepResult.bands` gives and ``sweep`` writes to
    ``<out>_bands.csv``): one table per service."""
    tables = []
    wanted = list(services) if services is not None else list(dict.fromkeys(bands["service"]))
    for code in wanted:
        b = bands.loc[bands["service"].astype(str) == str(code)].set_index("figure")
        rows = []
        for fig, share in SWEEP_FIGURES:
            if fig not in b.index:
                continue
            r = b.loc[fig]
            rows.append(
                (
                    _t(f"f_{fig}", lang),
                    *(number(float(r[p]), lang, 1, pct=share) for p in ("p10", "p50", "p90")),
                )
            )
        if rows:
            tables.append(
                SectionTable(
                    _t("sweep_table", lang, service=_service_name(region, str(code), lang)),
                    (_t("figure", lang), _t("p10", lang), _t("p50", lang), _t("p90", lang)),
                    tuple(rows),
                )
            )
    return Section("sweep", _t("sweep", lang), (_t("sweep_intro", lang),), tuple(tables))
