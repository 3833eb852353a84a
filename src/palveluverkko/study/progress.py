"""Progress of long work, reported through a callback: the CLI draws it, the web app streams it.

Library code never prints: a use case calls ``progress(ProgressEvent(...))`` as it goes, and a
front end decides how to show it. :data:`STAGE_LABELS` holds each stage's name in Finnish,
Swedish and English so that every front end says the same thing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["STAGE_LABELS", "Progress", "ProgressEvent", "label", "silent"]


@dataclass(frozen=True)
class ProgressEvent:
    """One step of a long piece of work.

    Attributes
    ----------
    stage
        Key of :data:`STAGE_LABELS`, e.g. ``"travel_times"``.
    done, total
        Work done and the whole (same unit: sources, scenarios, solves); ``total`` None while
        unknown.
    detail
        What this step is about, e.g. the mode or a scenario's name (not translated).
    """

    stage: str
    done: int
    total: int | None
    detail: str = ""

    @property
    def finished(self) -> bool:
        """The stage is complete."""
        return self.total is not None and self.done >= self.total


Progress = Callable[[ProgressEvent], None]
"""A callback that receives :class:`ProgressEvent` s."""


def silent(event: ProgressEvent) -> None:
    """A progress callback that ignores every event."""


STAGE_LABELS: dict[str, dict[str, str]] = {
    "read": {"fi": "alueen luku", "sv": "läser regionen", "en": "reading the region"},
    "build": {"fi": "demomaakunta", "sv": "demolandskapet", "en": "demo county"},
    "package": {"fi": "aluepaketti", "sv": "regionpaket", "en": "region package"},
    "travel_times": {"fi": "matka-ajat", "sv": "restider", "en": "travel times"},
    "evaluate": {"fi": "arviointi", "sv": "utvärdering", "en": "evaluation"},
    "compare": {"fi": "vertailu", "sv": "jämförelse", "en": "comparison"},
    "optimize": {"fi": "optimointi", "sv": "optimering", "en": "optimisation"},
    "pareto": {"fi": "ratkaisut", "sv": "lösningar", "en": "solves"},
    "mobile": {"fi": "liikkuva yksikkö", "sv": "mobil enhet", "en": "mobile unit"},
    "home_care": {"fi": "kotihoidon reitit", "sv": "hemvårdens rutter", "en": "home-care routes"},
    "sweep": {"fi": "herkkyysajot", "sv": "känslighetskörningar", "en": "sensitivity draws"},
    "write": {"fi": "tulokset", "sv": "resultat", "en": "results"},
    "report": {"fi": "raportti", "sv": "rapport", "en": "report"},
    "ems": {"fi": "ensihoito", "sv": "prehospital akutsjukvård", "en": "emergency care"},
}
"""Each stage's name in fi, sv and en."""


def label(stage: str, lang: str = "fi") -> str:
    """The stage's name in ``lang`` (the key itself for an unknown stage)."""
    return STAGE_LABELS.get(stage, {}).get(lang, stage)
