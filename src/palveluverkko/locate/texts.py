"""Texts of the location models' explanations in Finnish (default), Swedish and English.

Read with :func:`palveluverkko.i18n.pick`; :func:`~.region.explain` builds the explanation.
"""

from __future__ import annotations

__all__ = ["MODEL_NAMES", "TEXTS", "UNITS"]

#: What each model optimises, as a reader would say it.
MODEL_NAMES: dict[str, tuple[str, str, str]] = {
    "p_median": (
        "p-mediaani (pienin yhteenlaskettu matka-aika)",
        "p-median (minsta sammanlagda restid)",
        "p-median (least total travel time)",
    ),
    "p_center": (
        "p-keskus (lyhin pisin matka)",
        "p-center (kortaste längsta resa)",
        "p-center (shortest worst trip)",
    ),
    "mclp": (
        "MCLP (eniten käyntejä {threshold} minuutin sisällä)",
        "MCLP (flest besök inom {threshold} minuter)",
        "MCLP (most visits within {threshold} minutes)",
    ),
    "lscp": (
        "LSCP (vähiten toimipisteitä, kaikki {threshold} minuutin sisällä)",
        "LSCP (minst antal verksamhetsställen, alla inom {threshold} minuter)",
        "LSCP (fewest sites with everyone within {threshold} minutes)",
    ),
    "lscp_cost": (
        "LSCP (halvin verkko, kaikki {threshold} minuutin sisällä)",
        "LSCP (billigaste nätet, alla inom {threshold} minuter)",
        "LSCP (cheapest network with everyone within {threshold} minutes)",
    ),
    "capacitated_p_median": (
        "kapasiteettirajoitettu p-mediaani (pienin matka-aika, toimipisteiden kapasiteetti "
        "riittää)",
        "p-median med kapacitet (minsta restid inom verksamhetsställenas kapacitet)",
        "capacitated p-median (least travel time within the sites' capacity)",
    ),
    "fixed_charge": (
        "kiinteäkustanteinen sijoitus (toimipisteiden ja matkojen kustannus yhteensä pienin)",
        "lokalisering med fasta kostnader (minsta summa av lokal- och resekostnader)",
        "fixed-charge location (least site plus travel cost)",
    ),
}

#: The objective's value with its unit.
UNITS: dict[str, tuple[str, str, str]] = {
    "p_median": ("{value} käyntiminuuttia", "{value} besöksminuter", "{value} visit-minutes"),
    "capacitated_p_median": (
        "{value} käyntiminuuttia",
        "{value} besöksminuter",
        "{value} visit-minutes",
    ),
    "p_center": ("{value} min", "{value} min", "{value} min"),
    "mclp": ("{value} käyntiä", "{value} besök", "{value} visits"),
    "lscp": ("{value} toimipistettä", "{value} verksamhetsställen", "{value} sites"),
    "lscp_cost": ("{value} € vuodessa", "{value} € per år", "EUR {value} a year"),
    "fixed_charge": ("{value} € vuodessa", "{value} € per år", "EUR {value} a year"),
}

TEXTS: dict[str, tuple[str, str, str]] = {
    "scenario_name": (
        "{service}: {model}, {n_open} toimipistettä",
        "{service}: {model}, {n_open} verksamhetsställen",
        "{service}: {model}, {n_open} sites",
    ),
    "model": (
        "Malli: {model}. Auki {n_open} toimipistettä {n_sites}:stä.",
        "Modell: {model}. {n_open} av {n_sites} verksamhetsställen öppna.",
        "Model: {model}. {n_open} of {n_sites} sites open.",
    ),
    "closed": (
        "Suljetaan tai palvelu lakkaa ({n}): {sites}.",
        "Stängs eller slutar erbjuda tjänsten ({n}): {sites}.",
        "Closed or dropping this service ({n}): {sites}.",
    ),
    "opened": (
        "Uudet toimipisteet ({n}): {sites}.",
        "Nya verksamhetsställen ({n}): {sites}.",
        "New sites ({n}): {sites}.",
    ),
    "none_closed": (
        "Kaikki nykyiset toimipisteet jäävät.",
        "Alla nuvarande verksamhetsställen blir kvar.",
        "All current sites stay.",
    ),
    "and_more": ("ja {n} muuta", "och {n} till", "and {n} more"),
    "travel": (
        "Matka-aika käyntiä kohden keskimäärin {mean} min, pisin {worst} min.",
        "Restid per besök i medeltal {mean} min, längsta {worst} min.",
        "Travel time per visit {mean} min on average, {worst} min at worst.",
    ),
    "travel_now": (
        "Matka-aika käyntiä kohden keskimäärin {mean} min (nyt {mean_now}), pisin {worst} min "
        "(nyt {worst_now}).",
        "Restid per besök i medeltal {mean} min (nu {mean_now}), längsta {worst} min "
        "(nu {worst_now}).",
        "Travel time per visit {mean} min on average (now {mean_now}), {worst} min at worst "
        "(now {worst_now}).",
    ),
    "within": (
        "{threshold} minuutin sisällä {share} käynneistä.",
        "Inom {threshold} minuter: {share} av besöken.",
        "Within {threshold} minutes: {share} of visits.",
    ),
    "within_now": (
        "{threshold} minuutin sisällä {share} käynneistä (nyt {share_now}).",
        "Inom {threshold} minuter: {share} av besöken (nu {share_now}).",
        "Within {threshold} minutes: {share} of visits (now {share_now}).",
    ),
    "cost": (
        "Palvelua tarjoavien toimipisteiden koko vuosikustannus {cost} €. Toimipiste, joka "
        "jatkaa muilla palveluilla, ei säästä sitä: todellisen säästön antaa arviointi "
        "(costs.csv).",
        "Hela årskostnaden för verksamhetsställena som erbjuder tjänsten {cost} €. Ett ställe "
        "som fortsätter med andra tjänster sparar den inte: den verkliga besparingen ger "
        "utvärderingen (costs.csv).",
        "Whole annual cost of the sites offering the service EUR {cost}. A site that goes on "
        "with other services does not save it: the evaluation gives the real saving "
        "(costs.csv).",
    ),
    "cost_now": (
        "Palvelua tarjoavien toimipisteiden koko vuosikustannus {cost} € (nyt {cost_now} €). "
        "Toimipiste, joka jatkaa muilla palveluilla, ei säästä sitä: todellisen säästön antaa "
        "arviointi (costs.csv).",
        "Hela årskostnaden för verksamhetsställena som erbjuder tjänsten {cost} € (nu "
        "{cost_now} €). Ett ställe som fortsätter med andra tjänster sparar den inte: den "
        "verkliga besparingen ger utvärderingen (costs.csv).",
        "Whole annual cost of the sites offering the service EUR {cost} (now EUR {cost_now}). "
        "A site that goes on with other services does not save it: the evaluation gives the "
        "real saving (costs.csv).",
    ),
    "proof_optimal": (
        "Todistettu: samat säännöt täyttävistä verkoista yksikään ei ole parempi mallin "
        "tavoitteessa ({objective}).",
        "Bevisat: inget nät som följer samma regler är bättre i modellens mål ({objective}).",
        "Proven: no network under the same rules does better on the model's objective "
        "({objective}).",
    ),
    "proof_scope": (
        "Todistus koskee vain mallin tavoitetta: ei hoitotakuun toteutumista, kapasiteettia "
        "eikä kustannuksia.",
        "Beviset gäller endast modellens mål: inte vårdgarantin, kapaciteten eller kostnaderna.",
        "The proof covers the model's objective only: not the access target, capacity or costs.",
    ),
    "capacity_check": (
        "Kapasiteettitarkistus (kapasiteetti ja henkilöstö seuraavat kysyntää): hoitotakuun "
        "({days} pv) sisällä {share} käynneistä (nyt {share_now}).",
        "Kapacitetskontroll (kapacitet och personal följer efterfrågan): inom vårdgarantin "
        "({days} d) {share} av besöken (nu {share_now}).",
        "Capacity check (capacity and staff follow the demand): {share} of visits within the "
        "access target of {days} days (now {share_now}).",
    ),
    "capacity_breaks": (
        "VAROITUS: ehdotettu verkko heikentää hoitotakuun toteutumista {drop} prosenttiyksikköä.",
        "VARNING: det föreslagna nätet försämrar vårdgarantin med {drop} procentenheter.",
        "WARNING: the proposed network lowers care within the access target by {drop} "
        "percentage points.",
    ),
    "approximate_times": (
        "HUOM: matka-ajat ovat likiarvoja (suora etäisyys × kiertokerroin) {cells} ruudulle, "
        "joissa asuu {residents} asukasta; optimaalisuus koskee mallia näillä "
        "arvioiduilla ajoilla.",
        "OBS: restiderna är uppskattningar (fågelvägen × omvägsfaktor) för {cells} rutor med "
        "{residents} invånare; optimaliteten gäller modellen med dessa uppskattade tider.",
        "NOTE: travel times are estimates (straight line × circuity) for {cells} cells with "
        "{residents} residents; optimality holds for the model on these estimated times.",
    ),
    "cost_unknown": (
        "Vuosikustannus puuttuu {n} toimipisteeltä {total}:sta; ne lasketaan 0 €:ksi, joten "
        "kustannusluvut eivät ole vertailukelpoisia.",
        "Årskostnaden saknas för {n} av {total} verksamhetsställen; de räknas som 0 €, så "
        "kostnadssiffrorna är inte jämförbara.",
        "The annual cost is missing for {n} of {total} sites; they count as EUR 0, so the cost "
        "figures are not comparable.",
    ),
    "proof_min": (
        "Todistettu alaraja: samat säännöt täyttävistä verkoista yksikään ei pääse alle "
        "{bound}. Tämä verkko saavuttaa {objective}, eli se on enintään {gap} "
        "parhaasta mahdollisesta.",
        "Bevisad nedre gräns: inget nät som följer samma regler kommer under {bound}. Detta "
        "nät når {objective} och ligger alltså högst {gap} från det bästa möjliga.",
        "Proven lower bound: no network under the same rules gets below {bound}. This one "
        "reaches {objective}, so it is within {gap} of the best possible.",
    ),
    "proof_max": (
        "Todistettu yläraja: samat säännöt täyttävistä verkoista yksikään ei ylitä {bound}. "
        "Tämä verkko saavuttaa {objective}, eli se on enintään {gap} parhaasta "
        "mahdollisesta.",
        "Bevisad övre gräns: inget nät som följer samma regler överstiger {bound}. Detta nät "
        "når {objective} och ligger alltså högst {gap} från det bästa möjliga.",
        "Proven upper bound: no network under the same rules exceeds {bound}. This one "
        "reaches {objective}, so it is within {gap} of the best possible.",
    ),
    "unreachable": (
        "{n} ruutua ({demand} käyntiä vuodessa) ei yllä yhteenkään toimipisteeseen tällä "
        "kulkutavalla; ne jätettiin optimoinnin ulkopuolelle, lasketaan osuuksissa "
        "kynnysajan ulkopuolelle eivätkä sisälly keskiarvoon eivätkä pisimpään matkaan.",
        "{n} rutor ({demand} besök per år) når inget verksamhetsställe med detta färdsätt; de "
        "lämnades utanför optimeringen, räknas i andelarna som utanför tidsgränsen och ingår "
        "inte i medeltalet eller den längsta resan.",
        "{n} cells ({demand} visits a year) reach no site by this mode: they are left out of "
        "the optimisation, count as not within the threshold in the shares, and are not in the "
        "mean or the worst trip.",
    ),
}
