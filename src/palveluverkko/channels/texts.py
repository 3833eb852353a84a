"""User-facing texts of the channels in Finnish, Swedish and English (read with ``i18n.pick``)."""

from __future__ import annotations

from ..i18n import pick

__all__ = ["TEXTS", "WEEKDAYS", "text", "weekday"]

TEXTS: dict[str, tuple[str, str, str]] = {
    "timetable_title": (
        "{unit}: aikataulu ({weeks} viikon kierto, toistuu)",
        "{unit}: tidtabell ({weeks} veckors cykel, upprepas)",
        "{unit}: timetable ({weeks}-week cycle, repeating)",
    ),
    "rotation_title": (
        "{unit}: kiertovuorot ({weeks} viikkoa)",
        "{unit}: rotation ({weeks} veckor)",
        "{unit}: rotation ({weeks} weeks)",
    ),
    "week": ("Viikko {n}", "Vecka {n}", "Week {n}"),
    "weeks": ("viikot {a}-{b}", "veckor {a}-{b}", "weeks {a}-{b}"),
    "week_one": ("viikko {a}", "vecka {a}", "week {a}"),
    "services": ("palvelut", "tjänster", "services"),
    "no_stops": (
        "Ei pysäkkejä: yhtään pysähdystä ei mahtunut ajoon.",
        "Inga hållplatser: inget stopp ryms i körningen.",
        "No stops: no stop fitted into the days.",
    ),
}

WEEKDAYS: tuple[tuple[str, str, str], ...] = (
    ("ma", "må", "Mon"),
    ("ti", "ti", "Tue"),
    ("ke", "on", "Wed"),
    ("to", "to", "Thu"),
    ("pe", "fr", "Fri"),
    ("la", "lö", "Sat"),
    ("su", "sö", "Sun"),
)


def text(key: str, lang: str, **fields: object) -> str:
    """The text ``key`` in ``lang`` with ``fields`` filled in."""
    return pick(TEXTS, key, lang, **fields)


def weekday(day: int, lang: str) -> str:
    """Short weekday name (0 = Monday) in ``lang``."""
    return pick({"d": WEEKDAYS[day]}, "d", lang)
