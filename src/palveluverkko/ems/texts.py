"""User-facing texts of emergency care in Finnish, Swedish and English."""

from __future__ import annotations

from ..i18n import pick

__all__ = ["TEXTS", "class_name", "text"]

TEXTS: dict[str, tuple[str, str, str]] = {
    "core_urban": ("Ydintaajama", "Kärntätort", "Core urban"),
    "other_urban": ("Muu taajama", "Annan tätort", "Other urban"),
    "rural": ("Asuttu maaseutu", "Bebodd landsbygd", "Inhabited rural"),
    "other": ("Muu alue", "Övrigt område", "Other area"),
    "risk_class": ("Riskialueluokka", "Riskområdesklass", "Risk-area class"),
    "target": ("Tavoite", "Mål", "Target"),
    "result": ("Toteutuma (arvio)", "Utfall (uppskattning)", "Result (estimate)"),
    "met": ("Täyttyy", "Uppfylls", "Met"),
    "yes": ("kyllä", "ja", "yes"),
    "no": ("ei", "nej", "no"),
    "missions": ("Tehtäviä/v", "Uppdrag/år", "Missions/yr"),
    "within": ("Tavoitteessa", "Inom målet", "Within target"),
    "late": ("Myöhässä", "Försenade", "Late"),
    "not_reachable": ("Ei tavoitettavissa", "Ej nåbara", "Not reachable"),
    "line": (
        "{urgency}-tehtävät {minutes} min kuluessa",
        "{urgency}-uppdrag inom {minutes} min",
        "{urgency} missions within {minutes} min",
    ),
    "estimated": (
        "Tehtävämäärät ovat arvioita väestöstä (Pappinen ym. 2018).",
        "Uppdragsmängderna är uppskattningar utifrån befolkningen (Pappinen m.fl. 2018).",
        "Mission counts are estimates from the population (Pappinen et al. 2018).",
    ),
}


def text(key: str, lang: str, **fields: object) -> str:
    """The text ``key`` in ``lang``."""
    return pick(TEXTS, key, lang, **fields)


def class_name(risk_class: str, lang: str) -> str:
    """The name of a risk-area class in ``lang``."""
    return pick(TEXTS, risk_class, lang)
