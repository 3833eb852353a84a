"""The data dictionary: every table and column palveluverkko writes, with its type, unit and a
description in Finnish, Swedish and English.

One source for three readers: the Excel workbook (:mod:`.workbook`: localized headers, number
formats, the explanation sheet), ``docs/outputs.md`` (``python -m palveluverkko.evaluation.columns
> docs/outputs.md``) and the test that checks every column written is documented here.

A column is described once by name (:data:`COLUMNS`), or by a pattern when it belongs to a
family (``share_within_30_car``, ``p90_transit_minutes``: :func:`describe`); :data:`TABLES`
lists which columns each table has and what the table is.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from .capacity import COLUMNS as CAPACITY_COLUMNS
from .homecare import COLUMNS as HOME_CARE_COLUMNS
from .mobile import TIMETABLE_COLUMNS, UNIT_COLUMNS

__all__ = [
    "COLUMNS",
    "KINDS",
    "TABLES",
    "Column",
    "Kind",
    "Table",
    "describe",
    "header",
    "markdown",
    "undocumented",
    "written_columns",
]


@dataclass(frozen=True)
class Kind:
    """How a kind of value is stored and shown: type, unit, Excel number format."""

    type: str
    unit: tuple[str, str, str]
    excel_format: str


KINDS: dict[str, Kind] = {
    "text": Kind("text", ("", "", ""), "@"),
    "id": Kind("text", ("", "", ""), "@"),
    "flag": Kind("boolean", ("", "", ""), "General"),
    "year": Kind("integer", ("", "", ""), "0"),
    "count": Kind("number", ("kpl", "st.", "count"), "#,##0"),
    "residents": Kind("number", ("asukasta", "invånare", "residents"), "#,##0"),
    "share": Kind("number 0–1", ("%", "%", "%"), "0.0 %"),
    "minutes": Kind("number", ("min", "min", "min"), "0.0"),
    "days": Kind("number", ("vrk", "dygn", "days"), "0.0"),
    "eur": Kind("number", ("€", "€", "EUR"), '#,##0 "€"'),
    "km": Kind("number", ("km", "km", "km"), "#,##0.0"),
    "hours": Kind("number", ("h", "h", "h"), "#,##0.0"),
    "fte": Kind("number", ("htv", "årsv.", "FTE"), "0.0"),
    "per_year": Kind("number", ("/ v", "/ år", "/ year"), "#,##0"),
    "per_week": Kind("number", ("/ vko", "/ vecka", "/ week"), "#,##0.0"),
    "ratio": Kind("number", ("", "", ""), "0.000"),
    "value": Kind("number", ("", "", ""), "#,##0.0"),
}
"""Kinds of values; ``excel_format`` uses the spreadsheet's own decimal and thousands marks."""


@dataclass(frozen=True)
class Column:
    """One column: its kind (:data:`KINDS`) and a description (fi, sv, en)."""

    name: str
    kind: str
    fi: str
    sv: str
    en: str

    def text(self, lang: str) -> str:
        """The description in ``lang``."""
        return {"fi": self.fi, "sv": self.sv, "en": self.en}[lang]

    @property
    def type(self) -> str:
        """Stored type (text, integer, number, number 0–1, boolean)."""
        return KINDS[self.kind].type

    def unit(self, lang: str = "en") -> str:
        """Unit in ``lang`` (empty when none)."""
        return KINDS[self.kind].unit[("fi", "sv", "en").index(lang)]


def _c(name: str, kind: str, fi: str, sv: str, en: str) -> Column:
    return Column(name, kind, fi, sv, en)


COLUMNS: dict[str, Column] = {
    c.name: c
    for c in (
        _c("service", "id", "Palvelu (tunnus)", "Tjänst (kod)", "Service (id)"),
        _c("municipality", "id", "Kuntanumero", "Kommunnummer", "Municipality code"),
        _c("name", "text", "Nimi", "Namn", "Name"),
        _c("cell_id", "id", "Väestöruudun tunnus", "Rutans kod", "Population cell id"),
        _c("site_id", "id", "Toimipisteen tunnus", "Verksamhetsställets kod", "Site id"),
        _c("band", "id", "Ikäryhmä", "Åldersgrupp", "Age band"),
        _c("settlement", "id", "Asutustyyppi", "Bebyggelsetyp", "Settlement type"),
        _c("residents", "residents", "Asukkaat", "Invånare", "Residents"),
        _c("residents_75_plus", "residents", "Asukkaat 75+", "Invånare 75+", "Residents 75+"),
        _c(
            "travel_evaluated",
            "flag",
            "Matkat arvioitu (ei kotiin vietävä palvelu)",
            "Resorna utvärderade (inte en tjänst som levereras hem)",
            "Travel evaluated (not a service delivered at home)",
        ),
        _c(
            "total_per_year",
            "per_year",
            "Käynnit yhteensä vuodessa",
            "Besök totalt per år",
            "Contacts in all, a year",
        ),
        _c(
            "physical_per_year",
            "per_year",
            "Käynnit toimipisteessä vuodessa",
            "Besök på plats per år",
            "Contacts on site, a year",
        ),
        _c(
            "digital_per_year",
            "per_year",
            "Digitaaliset asioinnit vuodessa",
            "Digitala kontakter per år",
            "Digital contacts, a year",
        ),
        _c(
            "home_per_year",
            "per_year",
            "Kotikäynnit vuodessa",
            "Hembesök per år",
            "Home visits, a year",
        ),
        _c(
            "mobile_per_year",
            "per_year",
            "Käynnit liikkuvassa yksikössä vuodessa",
            "Besök vid mobil enhet per år",
            "Mobile-unit contacts, a year",
        ),
        _c("digital_share", "share", "Digitaalinen osuus", "Digital andel", "Digital share"),
        _c(
            "unserved_per_year",
            "per_year",
            "Palvelematta jäävät käynnit vuodessa (ei yhteyttä)",
            "Obetjänade besök per år (ingen förbindelse)",
            "Contacts unserved a year (no connection)",
        ),
        _c(
            "keeps_physical_site",
            "flag",
            "Kunnassa fyysinen toimipiste",
            "Kommunen har ett fysiskt ställe",
            "The municipality keeps a physical site",
        ),
        _c(
            "physical_sites",
            "text",
            "Fyysiset toimipisteet (tunnukset)",
            "Fysiska ställen (koder)",
            "Physical sites (ids)",
        ),
        _c(
            "physical_site_names",
            "text",
            "Fyysiset toimipisteet (nimet)",
            "Fysiska ställen (namn)",
            "Physical sites (names)",
        ),
        _c("kind", "id", "Toimipisteen tyyppi", "Typ av ställe", "Site kind"),
        _c(
            "status",
            "id",
            "Tila (open, new, closed, …)",
            "Status (open, new, closed, …)",
            "Status (open, new, closed, …)",
        ),
        _c("substitute_id", "id", "Korvaava toimipiste", "Ersättande ställe", "Substitute site"),
        _c("contacts_per_year", "per_year", "Käynnit vuodessa", "Besök per år", "Contacts a year"),
        _c(
            "contacts_per_week",
            "per_week",
            "Käynnit viikossa",
            "Besök per vecka",
            "Contacts a week",
        ),
        _c(
            "capacity_per_week",
            "per_week",
            "Kapasiteetti viikossa",
            "Kapacitet per vecka",
            "Capacity a week",
        ),
        _c("staff_fte", "fte", "Henkilöstö", "Personal", "Staff"),
        _c(
            "utilisation",
            "share",
            "Käyttöaste (käynnit / kapasiteetti)",
            "Utnyttjandegrad (besök / kapacitet)",
            "Utilisation (contacts / capacity)",
        ),
        _c(
            "ratio_2sfca",
            "ratio",
            "Kapasiteetti kysyntää kohden (2SFCA)",
            "Kapacitet per efterfrågan (2SFCA)",
            "Capacity per demand (2SFCA)",
        ),
        _c(
            "ratio_e2sfca",
            "ratio",
            "Kapasiteetti kysyntää kohden (E2SFCA)",
            "Kapacitet per efterfrågan (E2SFCA)",
            "Capacity per demand (E2SFCA)",
        ),
        _c(
            "access_2sfca",
            "ratio",
            "Saavutettavuus (2SFCA)",
            "Tillgänglighet (2SFCA)",
            "Accessibility (2SFCA)",
        ),
        _c(
            "access_e2sfca",
            "ratio",
            "Saavutettavuus (E2SFCA)",
            "Tillgänglighet (E2SFCA)",
            "Accessibility (E2SFCA)",
        ),
        _c(
            "estimated",
            "flag",
            "Kapasiteetti arvioitu",
            "Kapaciteten uppskattad",
            "Capacity estimated",
        ),
        _c("missing_figures", "text", "Puuttuvat luvut", "Saknade uppgifter", "Missing figures"),
        _c("car_minutes", "minutes", "Matka-aika autolla", "Restid med bil", "Time by car"),
        _c(
            "transit_minutes",
            "minutes",
            "Matka-aika joukkoliikenteellä",
            "Restid med kollektivtrafik",
            "Time by public transport",
        ),
        _c("walk_minutes", "minutes", "Kävelyaika", "Gångtid", "Time on foot"),
        _c(
            "trip_minutes",
            "minutes",
            "Matka-aika kulkutapojen mukaan painotettuna",
            "Restid vägd efter färdsätt",
            "Trip time weighted by mode",
        ),
        _c("share_car", "share", "Osuus autolla", "Andel med bil", "Share by car"),
        _c(
            "share_transit",
            "share",
            "Osuus joukkoliikenteellä",
            "Andel med kollektivtrafik",
            "Share by public transport",
        ),
        _c("share_walk", "share", "Osuus kävellen", "Andel till fots", "Share on foot"),
        _c("share_taxi", "share", "Osuus taksilla", "Andel med taxi", "Share by taxi"),
        _c(
            "approximate",
            "flag",
            "Automatka arvioitu linnuntietä",
            "Bilresan uppskattad fågelvägen",
            "Car time is a straight-line estimate",
        ),
        _c("car_reachable", "flag", "Ylettyy autolla", "Nås med bil", "Reachable by car"),
        _c(
            "full_package_sites",
            "count",
            "Koko kokonaisuuden tarjoavia paikkoja",
            "Ställen som erbjuder hela helheten",
            "Places offering the whole package",
        ),
        _c(
            "shape",
            "text",
            "Malli (päiväkierros/kierto)",
            "Form (dagtur/rotation)",
            "Shape (day tour/rotation)",
        ),
        _c("stop_name", "text", "Pysäkin nimi", "Hållplatsens namn", "Stop name"),
        _c("week", "count", "Jakson viikko", "Periodens vecka", "Week of the cycle"),
        _c("last_week", "count", "Viimeinen viikko", "Sista veckan", "Last week"),
        _c(
            "weekday",
            "count",
            "Viikonpäivä (0 = ma, -1 = arkipäivät)",
            "Veckodag (0 = mån, -1 = vardagar)",
            "Weekday (0 = Mon, -1 = working days)",
        ),
        _c("open", "text", "Avautuu (HH:MM)", "Öppnar (HH:MM)", "Opens (HH:MM)"),
        _c("close", "text", "Sulkeutuu (HH:MM)", "Stänger (HH:MM)", "Closes (HH:MM)"),
        _c("services", "text", "Palvelut", "Tjänster", "Services"),
        _c("base_id", "id", "Tukikohdan tunnus", "Basens kod", "Base id"),
        _c(
            "visits_per_day",
            "count",
            "Käyntejä päivässä (otos)",
            "Besök per dag (urval)",
            "Visits a day (sample)",
        ),
        _c(
            "routed_per_day",
            "count",
            "Reititetyt käynnit päivässä",
            "Ruttlagda besök per dag",
            "Routed visits a day",
        ),
        _c(
            "not_served_staff_per_day",
            "count",
            "Käyntejä ilman tekijää päivässä",
            "Besök utan personal per dag",
            "Visits a day the staff cannot serve",
        ),
        _c(
            "not_reached_per_day",
            "count",
            "Tavoittamattomia käyntejä päivässä",
            "Besök som inte nås per dag",
            "Visits a day no base reaches",
        ),
        _c(
            "travel_min_per_visit",
            "minutes",
            "Matka-aika käyntiä kohden",
            "Restid per besök",
            "Travel per visit",
        ),
        _c(
            "travel_hours_per_year",
            "hours",
            "Matka-aika vuodessa",
            "Restid per år",
            "Travel a year",
        ),
        _c(
            "travel_fte",
            "fte",
            "Matkoihin kuluva työaika",
            "Arbetstid på resor",
            "Working time on travel",
        ),
        _c(
            "road_share",
            "share",
            "Osuus työajasta tiellä",
            "Andel av arbetstiden på väg",
            "Share of working time on the road",
        ),
        _c("fte_needed", "fte", "Tarvittava henkilöstö", "Behövd personal", "Staff needed"),
        _c("fte_given", "fte", "Henkilöstö nyt", "Personal nu", "Staff given"),
        _c("seed", "count", "Otoksen siemen", "Urvalets frö", "Seed of the sample"),
        _c("channel", "id", "Kanava", "Kanal", "Channel"),
        _c("evaluated", "flag", "Arvioitu", "Utvärderad", "Evaluated"),
        _c("year", "year", "Vuosi", "År", "Year"),
        _c("component", "id", "Kustannuserä", "Kostnadspost", "Cost component"),
        _c("payer", "id", "Maksaja", "Betalare", "Payer"),
        _c("cost_eur", "eur", "Kustannus", "Kostnad", "Cost"),
        _c(
            "quantity",
            "value",
            "Määrä (yksikkö: unit)",
            "Mängd (enhet: unit)",
            "Quantity (in unit)",
        ),
        _c(
            "unit",
            "text",
            "Yksikkö (määrän yksikkö; mobile_stops: liikkuva yksikkö)",
            "Enhet (mängdens enhet; mobile_stops: den mobila enheten)",
            "Unit (of the quantity; in mobile_stops: the mobile unit)",
        ),
        _c("in_effect", "flag", "Voimassa tänä vuonna", "I kraft detta år", "In effect that year"),
        _c("broadband_class", "id", "Laajakaistaluokka", "Bredbandsklass", "Broadband class"),
        _c(
            "kept_by_age_per_year",
            "per_year",
            "Ikä estää digitaalisen (vuodessa)",
            "Ålder hindrar digitalt (per år)",
            "Kept off digital by age (a year)",
        ),
        _c(
            "kept_by_broadband_per_year",
            "per_year",
            "Laajakaista estää digitaalisen (vuodessa)",
            "Bredband hindrar digitalt (per år)",
            "Kept off digital by broadband (a year)",
        ),
        _c("remote_staff_fte", "fte", "Etähenkilöstö", "Distanspersonal", "Remote staff"),
        _c("measure", "id", "Matka-ajan laji", "Restidens slag", "Travel-time measure"),
        _c(
            "mean_minutes",
            "minutes",
            "Keskimääräinen matka-aika",
            "Medelrestid",
            "Mean travel time",
        ),
        _c(
            "gini",
            "ratio",
            "Gini-kerroin (0 = tasainen)",
            "Gini-koefficient (0 = jämn)",
            "Gini coefficient (0 = even)",
        ),
        _c(
            "theil",
            "ratio",
            "Theil-indeksi (0 = tasainen)",
            "Theil-index (0 = jämn)",
            "Theil index (0 = even)",
        ),
        _c(
            "palma",
            "ratio",
            "Palma-suhde (ylin 10 % / alin 40 %)",
            "Palma-kvot (översta 10 % / nedersta 40 %)",
            "Palma ratio (top 10 % / bottom 40 %)",
        ),
        _c(
            "worst10_mean_minutes",
            "minutes",
            "Heikoimman 10 %:n keskimääräinen matka-aika",
            "Medelrestid för de sämst ställda 10 %",
            "Mean time of the worst-off 10 %",
        ),
        _c(
            "rural_mean_minutes",
            "minutes",
            "Maaseudun keskimääräinen matka-aika",
            "Medelrestid på landsbygden",
            "Rural mean time",
        ),
        _c(
            "urban_mean_minutes",
            "minutes",
            "Kaupungin keskimääräinen matka-aika",
            "Medelrestid i stad",
            "Urban mean time",
        ),
        _c(
            "urban_class",
            "text",
            "Kaupungiksi luetut asutustyypit",
            "Bebyggelsetyper som räknas som stad",
            "Settlement types counted as urban",
        ),
        _c(
            "rural_urban_gap_minutes",
            "minutes",
            "Maaseudun ja kaupungin ero",
            "Skillnad landsbygd–stad",
            "Rural–urban gap",
        ),
        _c(
            "unreachable_residents",
            "residents",
            "Ei yhteyttä, asukkaita",
            "Ingen förbindelse, invånare",
            "Residents with no connection",
        ),
        _c(
            "base_site_id",
            "id",
            "Lähin toimipiste nykytilassa",
            "Närmaste ställe i nuläget",
            "Nearest site today",
        ),
        _c(
            "lost_nearest",
            "flag",
            "Lähin toimipiste sulkeutuu",
            "Närmaste ställe stängs",
            "Loses the nearest site",
        ),
        _c(
            "base_car_minutes",
            "minutes",
            "Autolla nykytilassa",
            "Med bil i nuläget",
            "By car today",
        ),
        _c(
            "car_minutes_gained",
            "minutes",
            "Automatkan pidentyminen",
            "Bilresans förlängning",
            "Car time gained",
        ),
        _c(
            "base_transit_minutes",
            "minutes",
            "Joukkoliikenteellä nykytilassa",
            "Med kollektivtrafik i nuläget",
            "By public transport today",
        ),
        _c(
            "transit_minutes_gained",
            "minutes",
            "Joukkoliikennematkan pidentyminen",
            "Kollektivresans förlängning",
            "Public-transport time gained",
        ),
        _c("from_site", "id", "Mistä toimipisteestä", "Från ställe", "From site"),
        _c("to_site", "id", "Mihin toimipisteeseen", "Till ställe", "To site"),
        _c("share", "share", "Osuus", "Andel", "Share"),
        _c("reason", "id", "Syy", "Orsak", "Reason"),
        _c("mode", "id", "Kulkutapa", "Färdsätt", "Mode"),
        _c("stop_id", "id", "Pysähdyspaikan tunnus", "Hållplatsens kod", "Stop id"),
        _c(
            "residents_within",
            "residents",
            "Asukkaita lähellä",
            "Invånare i närheten",
            "Residents within reach",
        ),
        _c(
            "served_per_year",
            "per_year",
            "Palvellut käynnit vuodessa",
            "Betjänade besök per år",
            "Contacts served a year",
        ),
        _c(
            "unit_km_per_year",
            "km",
            "Yksikön ajokilometrit vuodessa",
            "Enhetens km per år",
            "Unit's km a year",
        ),
        _c(
            "unit_hours_per_year",
            "hours",
            "Yksikön tunnit vuodessa",
            "Enhetens timmar per år",
            "Unit's hours a year",
        ),
        _c(
            "unit_cost_eur_per_year",
            "eur",
            "Yksikön kustannus vuodessa",
            "Enhetens kostnad per år",
            "Unit's cost a year",
        ),
        _c("level", "id", "Taso", "Nivå", "Level"),
        _c("group", "id", "Ryhmä", "Grupp", "Group"),
        _c("package", "id", "Palvelupaketti", "Tjänstepaket", "Service package"),
        _c(
            "share_nearest_full",
            "share",
            "Osuus, jolle lähin tarjoaa koko paketin",
            "Andel för vilka närmaste erbjuder hela paketet",
            "Share whose nearest site offers the whole package",
        ),
        _c("staff_fte_today", "fte", "Henkilöstö nykytilassa", "Personal i nuläget", "Staff today"),
        _c(
            "staff_fte_scenario",
            "fte",
            "Henkilöstö skenaariossa",
            "Personal i scenariot",
            "Staff in the scenario",
        ),
        _c(
            "staff_fte_change",
            "fte",
            "Henkilöstön muutos",
            "Förändring av personal",
            "Change of staff",
        ),
        _c(
            "contacts_per_fte_week",
            "per_week",
            "Käyntejä henkilötyövuotta kohden viikossa",
            "Besök per årsverke och vecka",
            "Contacts per FTE a week",
        ),
        _c("slots_per_day", "count", "Vastaanottoaikoja päivässä", "Tider per dag", "Slots a day"),
        _c(
            "access_target_days",
            "days",
            "Hoitotakuun aikaraja",
            "Vårdgarantins tidsgräns",
            "Access target",
        ),
        _c("expected_wait_days", "days", "Odotus keskimäärin", "Väntan i medeltal", "Mean wait"),
        _c(
            "share_within_target",
            "share",
            "Osuus hoitotakuun aikarajassa",
            "Andel inom vårdgarantin",
            "Share within the access target",
        ),
        _c(
            "contacts_within_target_per_week",
            "per_week",
            "Käyntejä aikarajassa viikossa",
            "Besök inom tidsgränsen per vecka",
            "Contacts within the target a week",
        ),
        _c(
            "backlog_growth_per_week",
            "per_week",
            "Jonon kasvu viikossa",
            "Köns tillväxt per vecka",
            "Backlog growth a week",
        ),
        _c("steady_state", "flag", "Jono tasapainossa", "Kön i jämvikt", "Queue in steady state"),
        _c(
            "wait_method",
            "id",
            "Odotuksen laskentatapa",
            "Beräkningssätt för väntan",
            "Wait method",
        ),
        _c(
            "physical_visits_per_year",
            "per_year",
            "Käynnit toimipisteessä vuodessa",
            "Besök på plats per år",
            "Visits on site a year",
        ),
        _c("minutes", "minutes", "Matka-aika", "Restid", "Travel time"),
        _c("km", "km", "Matka", "Resa", "Distance"),
        _c("nearest_km", "km", "Matka lähimpään", "Resa till närmaste", "Distance to nearest"),
        _c("over_capacity", "flag", "Yli kapasiteetin", "Över kapacitet", "Over capacity"),
        _c("indicator", "id", "Mittari", "Mått", "Indicator"),
        _c("base", "value", "Nykytila", "Nuläget", "Today"),
        _c("scenario", "value", "Skenaario", "Scenariot", "Scenario"),
        _c(
            "change",
            "value",
            "Muutos (skenaario − nykytila)",
            "Förändring (scenario − nuläge)",
            "Change (scenario − today)",
        ),
        _c("index", "id", "Indeksi", "Index", "Index"),
        _c("figure", "id", "Mittari", "Mått", "Figure"),
        _c(
            "residents_losing_nearest",
            "residents",
            "Asukkaita, joiden lähin sulkeutuu",
            "Invånare vars närmaste stängs",
            "Residents losing their nearest site",
        ),
        _c("residents_75_losing_nearest", "residents", "…joista 75+", "…varav 75+", "…of whom 75+"),
        _c(
            "residents_longer_car_trip",
            "residents",
            "Asukkaita, joiden automatka pitenee",
            "Invånare vars bilresa blir längre",
            "Residents with a longer car trip",
        ),
        _c(
            "residents_75_longer_car_trip", "residents", "…joista 75+", "…varav 75+", "…of whom 75+"
        ),
        _c(
            "mean_car_minutes_gained",
            "minutes",
            "Automatkan pidentyminen keskimäärin",
            "Bilresans förlängning i medeltal",
            "Mean car time gained",
        ),
        _c(
            "max_car_minutes_gained",
            "minutes",
            "Automatkan suurin pidentyminen",
            "Bilresans största förlängning",
            "Largest car time gained",
        ),
        _c(
            "mean_transit_minutes_gained",
            "minutes",
            "Joukkoliikennematkan pidentyminen keskimäärin",
            "Kollektivresans förlängning i medeltal",
            "Mean public-transport time gained",
        ),
        _c("base_eur", "eur", "Nykytila", "Nuläget", "Today"),
        _c("scenario_eur", "eur", "Skenaario", "Scenariot", "Scenario"),
        _c(
            "change_eur",
            "eur",
            "Muutos (− säästö, + lisäkustannus)",
            "Förändring (− besparing, + merkostnad)",
            "Change (− saving, + extra cost)",
        ),
        _c("base_quantity", "value", "Määrä nykytilassa", "Mängd i nuläget", "Quantity today"),
        _c(
            "scenario_quantity",
            "value",
            "Määrä skenaariossa",
            "Mängd i scenariot",
            "Quantity in the scenario",
        ),
        _c(
            "change_quantity", "value", "Määrän muutos", "Förändring av mängd", "Change of quantity"
        ),
        _c(
            "substitute_name",
            "text",
            "Korvaavan nimi",
            "Ersättande ställets namn",
            "Substitute's name",
        ),
        _c(
            "substitute_car_minutes",
            "minutes",
            "Autolla korvaavaan",
            "Med bil till ersättande",
            "By car to the substitute",
        ),
        _c(
            "substitute_transit_minutes",
            "minutes",
            "Joukkoliikenteellä korvaavaan",
            "Med kollektivtrafik till ersättande",
            "By public transport to the substitute",
        ),
        _c(
            "share_substitute_within_30_transit",
            "share",
            "Osuus, joka pääsee korvaavaan ≤30 min joukkoliikenteellä",
            "Andel som når ersättande ≤30 min med kollektivtrafik",
            "Share reaching the substitute ≤30 min by public transport",
        ),
        _c(
            "residents_no_transit_to_substitute",
            "residents",
            "Ei joukkoliikenneyhteyttä korvaavaan",
            "Ingen kollektivtrafik till ersättande",
            "No public transport to the substitute",
        ),
        _c(
            "base_keeps",
            "flag",
            "Fyysinen toimipiste nykytilassa",
            "Fysiskt ställe i nuläget",
            "Physical site today",
        ),
        _c(
            "scenario_keeps",
            "flag",
            "Fyysinen toimipiste skenaariossa",
            "Fysiskt ställe i scenariot",
            "Physical site in the scenario",
        ),
        _c(
            "scenario_sites",
            "text",
            "Toimipisteet skenaariossa",
            "Ställen i scenariot",
            "Sites in the scenario",
        ),
    )
}
"""Columns described by exact name (the same meaning in every table that has them)."""

_MODE = {
    "car": ("autolla", "med bil", "by car"),
    "transit": ("joukkoliikenteellä", "med kollektivtrafik", "by public transport"),
    "trip": ("kulkutapojen mukaan", "efter färdsätt", "by the modes used"),
}
_STAT = {
    "mean": ("Keskimääräinen matka-aika", "Medelrestid", "Mean time"),
    "median": ("Matka-ajan mediaani", "Restidens median", "Median time"),
    "p90": ("Matka-ajan 90. persentiili", "Restidens 90:e percentil", "90th percentile time"),
    "worst": ("Pisin matka-aika", "Längsta restid", "Longest time"),
}
_PATTERNS = (
    re.compile(r"^share(?P<old>_75)?_within_(?P<t>\d+)_(?P<mode>car|transit|trip)$"),
    re.compile(r"^(?P<stat>mean|median|p90|worst)_(?P<mode>car|transit|trip)_minutes$"),
    re.compile(r"^unreachable_(?P<mode>car|transit|trip)_residents$"),
)


def describe(name: str) -> Column | None:
    """The description of column ``name`` (None when it is not documented)."""
    if name in COLUMNS:
        return COLUMNS[name]
    for pattern in _PATTERNS:
        m = pattern.match(name)
        if not m:
            continue
        mode = _MODE[m["mode"]]
        groups = m.groupdict()
        if "t" in groups and groups["t"] is not None:
            t, old = m["t"], bool(groups.get("old"))
            who = (" 75+", " 75+", " 75+") if old else ("", "", "")
            return Column(
                name,
                "share",
                f"Osuus asukkaista{who[0]}, jotka pääsevät ≤{t} min {mode[0]}",
                f"Andel invånare{who[1]} som når ≤{t} min {mode[1]}",
                f"Share of residents{who[2]} within {t} min {mode[2]}",
            )
        if "stat" in groups:
            stat = _STAT[m["stat"]]
            return Column(
                name,
                "minutes",
                f"{stat[0]} {mode[0]}",
                f"{stat[1]} {mode[1]}",
                f"{stat[2]} {mode[2]}",
            )
        return Column(
            name,
            "residents",
            f"Asukkaat, jotka eivät pääse {mode[0]}",
            f"Invånare som inte når {mode[1]}",
            f"Residents who cannot get there {mode[2]}",
        )
    return None


def header(name: str, lang: str) -> str:
    """A column's header in ``lang``: its description and unit (the name when undocumented)."""
    col = describe(name)
    if col is None:
        return name
    unit = col.unit(lang)
    return f"{col.text(lang)} ({unit})" if unit and unit not in col.text(lang) else col.text(lang)


@dataclass(frozen=True)
class Table:
    """An output table: where it is written and what one row is (fi, sv, en)."""

    name: str
    files: str
    fi: str
    sv: str
    en: str
    columns: tuple[str, ...]


def _access(*extra: str, lead: tuple[str, ...] = ()) -> tuple[str, ...]:
    cols: list[str] = [*lead, "residents", "residents_75_plus"]
    for mode in ("car", "transit"):
        for t in (10, 20, 30):
            cols += [f"share_within_{t}_{mode}", f"share_75_within_{t}_{mode}"]
        cols += [f"unreachable_{mode}_residents"]
        cols += [f"{s}_{mode}_minutes" for s in ("mean", "median", "p90", "worst")]
    cols += ["unreachable_trip_residents"]
    cols += [f"{s}_trip_minutes" for s in ("mean", "median", "p90", "worst")]
    return (*cols, *extra)


_EV = "<folder>/{name}.csv, results.xlsx"
TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "summary",
            _EV,
            "Palveluittain",
            "Per tjänst",
            "One row per service",
            _access(
                "total_per_year",
                "physical_per_year",
                "digital_per_year",
                "home_per_year",
                "mobile_per_year",
                "digital_share",
                "unserved_per_year",
                "travel_evaluated",
                lead=("service",),
            ),
        ),
        Table(
            "municipalities",
            _EV + ", results.gpkg (municipalities)",
            "Kunnittain ja palveluittain",
            "Per kommun och tjänst",
            "One row per municipality and service",
            _access(
                "name",
                "keeps_physical_site",
                "physical_sites",
                "physical_site_names",
                "travel_evaluated",
                lead=("municipality", "service"),
            ),
        ),
        Table(
            "bands",
            _EV,
            "Ikäryhmittäin ja palveluittain",
            "Per åldersgrupp och tjänst",
            "One row per age band and service",
            _access("travel_evaluated", lead=("band", "service")),
        ),
        Table(
            "settlements",
            _EV,
            "Asutustyypeittäin",
            "Per bebyggelsetyp",
            "One row per settlement type and service",
            _access("travel_evaluated", lead=("settlement", "service")),
        ),
        Table(
            "sites",
            _EV + ", results.gpkg (sites)",
            "Toimipisteittäin ja palveluittain",
            "Per ställe och tjänst",
            "One row per site and service",
            (
                "site_id",
                "name",
                "municipality",
                "kind",
                "status",
                "substitute_id",
                "service",
                "contacts_per_year",
                "contacts_per_week",
                "capacity_per_week",
                "staff_fte",
                "utilisation",
                "ratio_2sfca",
                "ratio_e2sfca",
                "estimated",
                "missing_figures",
            ),
        ),
        Table(
            "cells",
            "<folder>/cells.csv, results.gpkg (cells)",
            "Väestöruuduittain ja palveluittain",
            "Per ruta och tjänst",
            "One row per population cell and service",
            (
                "cell_id",
                "municipality",
                "settlement",
                "service",
                "residents",
                "residents_75_plus",
                "site_id",
                "car_minutes",
                "transit_minutes",
                "walk_minutes",
                "trip_minutes",
                "contacts_per_year",
                "physical_per_year",
                "unserved_per_year",
                "access_2sfca",
                "access_e2sfca",
                "share_car",
                "share_transit",
                "share_walk",
                "share_taxi",
                "approximate",
                "car_reachable",
            ),
        ),
        Table(
            "equity",
            _EV,
            "Yhdenvertaisuus palveluittain",
            "Jämlikhet per tjänst",
            "Inequality of travel time, one row per service and measure",
            (
                "service",
                "measure",
                "mean_minutes",
                "gini",
                "theil",
                "palma",
                "worst10_mean_minutes",
                "rural_mean_minutes",
                "urban_mean_minutes",
                "urban_class",
                "rural_urban_gap_minutes",
                "unreachable_residents",
            ),
        ),
        Table(
            "losers",
            _EV,
            "Ruudut, joiden matka muuttuu",
            "Rutor vars resa ändras",
            "Cells whose trip changes in the scenario",
            (
                "cell_id",
                "municipality",
                "service",
                "residents",
                "residents_75_plus",
                "base_site_id",
                "site_id",
                "lost_nearest",
                "base_car_minutes",
                "car_minutes",
                "car_minutes_gained",
                "base_transit_minutes",
                "transit_minutes",
                "transit_minutes_gained",
            ),
        ),
        Table(
            "unserved",
            _EV,
            "Palvelematta jäävät",
            "Obetjänade",
            "Cells left unserved",
            (
                "cell_id",
                "municipality",
                "service",
                "residents",
                "residents_75_plus",
                "unserved_per_year",
            ),
        ),
        Table(
            "channels",
            _EV,
            "Käynnit kanavittain",
            "Besök per kanal",
            "Contacts by channel, municipality and service",
            ("municipality", "service", "channel", "contacts_per_year", "evaluated"),
        ),
        Table(
            "transfers",
            _EV,
            "Kapasiteetin siirrot",
            "Kapacitetsöverföringar",
            "Where a closed or converted site's capacity and staff go",
            (
                "from_site",
                "service",
                "to_site",
                "share",
                "capacity_per_week",
                "staff_fte",
                "reason",
            ),
        ),
        Table(
            "unreachable",
            _EV,
            "Ruudut ilman yhteyttä",
            "Rutor utan förbindelse",
            "Cells no route reaches, by mode",
            ("mode", "cell_id", "municipality", "residents", "reason"),
        ),
        Table(
            "approximate",
            _EV,
            "Linnuntiearviot",
            "Fågelvägsuppskattningar",
            "Cells whose times are straight-line estimates",
            ("mode", "cell_id", "municipality", "residents", "reason"),
        ),
        Table(
            "mobile_stops",
            _EV,
            "Liikkuvan yksikön pysähdykset",
            "Mobila enhetens hållplatser",
            "Stops of the mobile units",
            UNIT_COLUMNS,
        ),
        Table(
            "mobile_timetable",
            _EV,
            "Liikkuvan yksikön aikataulu",
            "Mobila enhetens tidtabell",
            "Timetable of the mobile units (a visit or a stay a row)",
            TIMETABLE_COLUMNS,
        ),
        Table(
            "home_care",
            _EV,
            "Kotihoidon tukikohdat (reititetty otospäivä)",
            "Hemvårdens baser (ruttlagd urvalsdag)",
            "Home-care bases (a routed sample day)",
            HOME_CARE_COLUMNS,
        ),
        Table(
            "digital",
            _EV,
            "Digitaalinen asiointi",
            "Digitala kontakter",
            "Digital reach by service, age band and broadband",
            (
                "service",
                "band",
                "broadband_class",
                "contacts_per_year",
                "digital_per_year",
                "digital_share",
                "kept_by_age_per_year",
                "kept_by_broadband_per_year",
                "remote_staff_fte",
            ),
        ),
        Table(
            "packages",
            _EV,
            "Palvelupaketit",
            "Tjänstepaket",
            "Service packages reached in one trip",
            (
                "level",
                "group",
                "residents",
                "residents_75_plus",
                "share_within_10_car",
                "share_75_within_10_car",
                "share_within_20_car",
                "share_75_within_20_car",
                "share_within_30_car",
                "share_75_within_30_car",
                "unreachable_car_residents",
                "mean_car_minutes",
                "median_car_minutes",
                "p90_car_minutes",
                "worst_car_minutes",
                "share_nearest_full",
                "package",
                "full_package_sites",
            ),
        ),
        Table(
            "staff",
            _EV,
            "Henkilöstö toimipisteittäin",
            "Personal per ställe",
            "Staff before and after, per site",
            (
                "site_id",
                "name",
                "municipality",
                "staff_fte_today",
                "staff_fte_scenario",
                "staff_fte_change",
            ),
        ),
        Table(
            "capacity",
            _EV,
            "Kapasiteetti ja jonot",
            "Kapacitet och köer",
            "Capacity and queue, one row per site and service",
            (*CAPACITY_COLUMNS, "estimated"),
        ),
        Table(
            "costs",
            _EV,
            "Kustannukset vuosittain",
            "Kostnader per år",
            "Costs by year, component and payer",
            ("year", "component", "payer", "cost_eur", "quantity", "unit", "in_effect"),
        ),
        Table(
            "travel",
            "<folder>/travel.parquet",
            "Matkat",
            "Resor",
            "Trips by cell, age band and service",
            (
                "cell_id",
                "municipality",
                "band",
                "service",
                "residents",
                "physical_visits_per_year",
                "minutes",
                "car_minutes",
                "km",
                "nearest_km",
                "site_id",
            ),
        ),
        Table(
            "flows",
            "<folder>/flows.parquet",
            "Virrat (kapasiteetti huomioiden)",
            "Flöden (med kapacitet)",
            "Flows of the capacity-aware option",
            (
                "cell_id",
                "service",
                "group",
                "site_id",
                "minutes",
                "contacts_per_year",
                "over_capacity",
            ),
        ),
        Table(
            "comparison_headline",
            "comparison_headline.csv, comparison.xlsx",
            "Päätöksentekijän luvut",
            "Beslutsfattarens siffror",
            "The council's figures",
            ("figure", "base", "scenario", "change", "unit"),
        ),
        Table(
            "comparison_access",
            "comparison_access.csv, comparison.xlsx",
            "Saavutettavuuden muutos",
            "Förändrad tillgänglighet",
            "Change of access",
            ("service", "indicator", "base", "scenario", "change"),
        ),
        Table(
            "comparison_equity",
            "comparison_equity.csv, comparison.xlsx",
            "Yhdenvertaisuuden muutos",
            "Förändrad jämlikhet",
            "Change of equity",
            ("service", "measure", "index", "base", "scenario", "change"),
        ),
        Table(
            "comparison_affected",
            "comparison_affected.csv, comparison.xlsx",
            "Muutoksen kohteet",
            "De berörda",
            "Who is affected",
            (
                "service",
                "residents_losing_nearest",
                "residents_75_losing_nearest",
                "residents_longer_car_trip",
                "residents_75_longer_car_trip",
                "mean_car_minutes_gained",
                "max_car_minutes_gained",
                "mean_transit_minutes_gained",
            ),
        ),
        Table(
            "comparison_substitutes",
            "comparison_substitutes.csv, comparison.xlsx",
            "Suljettavat ja korvaavat",
            "Stängda och ersättande",
            "Closed sites and substitutes",
            (
                "site_id",
                "name",
                "substitute_id",
                "substitute_name",
                "service",
                "residents",
                "residents_75_plus",
                "base_car_minutes",
                "substitute_car_minutes",
                "substitute_transit_minutes",
                "share_substitute_within_30_transit",
                "residents_no_transit_to_substitute",
            ),
        ),
        Table(
            "comparison_municipality_rule",
            "comparison_municipality_rule.csv, comparison.xlsx",
            "Toimipiste joka kunnassa",
            "Ett ställe i varje kommun",
            "A physical site in every municipality",
            ("municipality", "name", "base_keeps", "scenario_keeps", "scenario_sites"),
        ),
        Table(
            "comparison_costs",
            "comparison_costs.csv, comparison.xlsx",
            "Kustannusten muutos",
            "Förändrade kostnader",
            "Change of costs",
            (
                "year",
                "component",
                "payer",
                "unit",
                "base_eur",
                "scenario_eur",
                "change_eur",
                "base_quantity",
                "scenario_quantity",
                "change_quantity",
            ),
        ),
    )
}
"""Every table written, by name (comparison tables prefixed ``comparison_``)."""


def undocumented(table: str, columns: list[str]) -> list[str]:
    """The ``columns`` of ``table`` that :data:`TABLES` does not list or :func:`describe` cannot
    describe."""
    listed = set(TABLES[table].columns) if table in TABLES else set()
    return [c for c in columns if c not in listed or describe(c) is None]


def written_columns(folder: str | Path) -> dict[str, list[str]]:
    """The columns of every table in a result folder (and its ``base/``, ``scenario/``): CSV
    headers, Parquet schemas and GeoPackage layers (as ``cells``, ``sites``,
    ``municipalities``), keyed by the dictionary's table name."""
    import pandas as pd
    import pyarrow.parquet as pq
    import pyogrio

    out: dict[str, list[str]] = {}
    for path in sorted(Path(folder).rglob("*")):
        name = path.name.rsplit(".", 1)[0]
        if path.suffix == ".csv":
            cols = [str(c) for c in pd.read_csv(path, nrows=0).columns]
        elif path.suffix == ".parquet":
            cols = list(pq.read_schema(path).names)
        elif path.suffix == ".gpkg":
            for layer, _ in pyogrio.list_layers(path):
                if str(layer) == "layer_styles":  # QGIS styles, not data
                    continue
                fields = [str(f) for f in pyogrio.read_info(path, layer=str(layer))["fields"]]
                out.setdefault(str(layer), [])
                out[str(layer)] += [f for f in fields if f not in out[str(layer)]]
            continue
        else:
            continue
        out.setdefault(name, [])
        out[name] += [c for c in cols if c not in out[name]]
    # the GeoPackage's wide cells layer names a column <service>__<figure>; geometry is the
    # cell's polygon in every geo format
    for name, cols in out.items():
        plain = [c.rsplit("__", 1)[-1] for c in cols if c != "geometry"]
        out[name] = list(dict.fromkeys(plain))
    return out


def markdown() -> str:
    """``docs/outputs.md``: every output table and column, from :data:`TABLES`."""
    out = [
        "# Outputs: every file and column",
        "",
        "Generated by `python -m palveluverkko.evaluation.columns > docs/outputs.md` from the",
        "data dictionary the Excel workbook also uses; do not edit by hand.",
        "",
        "`evaluate` writes a result folder (`<folder>`): `results.gpkg` (layers `cells`, `sites`,",
        "`municipalities`), one CSV per table (Parquet for `travel` and `flows`) and",
        "`results.xlsx` (every table but `cells` and `travel`, headers in the chosen language",
        "and an explanation sheet). `compare` adds the `comparison_*` tables. Shares are",
        "fractions 0–1 in CSV (shown as % in Excel); times in minutes; money in euros a year.",
        "",
    ]
    for t in TABLES.values():
        files = t.files.replace("{name}", t.name)
        out += [f"## `{t.name}`: {t.en}", "", f"{t.fi} · {t.sv}. File: {files}.", ""]
        out += ["| column | type | unit | en | fi | sv |", "|---|---|---|---|---|---|"]
        for name in t.columns:
            c = describe(name)
            assert c is not None, name
            out.append(f"| `{name}` | {c.type} | {c.unit('en')} | {c.en} | {c.fi} | {c.sv} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    sys.stdout.write(markdown())
