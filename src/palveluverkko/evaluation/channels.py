"""Channels other than sites, as stages of an evaluation: what each serves and what it hands
back to the sites (:class:`ChannelOutcome`), the :class:`ChannelStage` protocol, and
:class:`ShareChannel` (a channel whose contacts are its share of the channel split)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .stages import DemandStage, Setting

__all__ = ["ChannelOutcome", "ChannelStage", "ShareChannel"]


@dataclass(frozen=True, eq=False)
class ChannelOutcome:
    """What one non-site channel does with its contacts.

    Attributes
    ----------
    channel
        ``"digital"``, ``"home"``, ``"mobile"``, ...
    served
        ``(n_cells, n_services, n_bands)`` contacts per year the channel serves itself.
    to_sites
        ``(n_cells, n_services, n_bands)`` contacts per year of this channel that go to the
        sites instead (e.g. a mobile stop out of reach); added to the site contacts.
    evaluated
        False when the channel's contacts are counted but its own model (routes, timetables)
        has not scored them: outputs say "not evaluated" rather than a figure.
    table
        The channel's own detail table, or None.
    extra
        Further tables of the channel by name (e.g. ``mobile_timetable``).
    """

    channel: str
    served: np.ndarray
    to_sites: np.ndarray
    evaluated: bool
    table: pd.DataFrame | None = None
    extra: Mapping[str, pd.DataFrame] = field(default_factory=dict)


class ChannelStage(Protocol):
    """A channel that takes its share of the contacts: ``run(setting, demand) -> outcome``."""

    @property
    def channel(self) -> str:
        """The channel's name (``ChannelOutcome.channel``)."""
        ...

    def run(self, setting: Setting, demand: DemandStage) -> ChannelOutcome: ...


@dataclass(frozen=True)
class ShareChannel:
    """A channel whose contacts are its share of the channel split and nothing more.

    ``evaluated`` says whether that share is itself the channel's figure (digital: the share is
    limited by broadband and age in the split) or only a count awaiting the channel's model
    (home care and mobile units before their routing: counted, never dropped, never shown as
    residents' travel).
    """

    channel: str
    evaluated: bool

    def run(self, setting: Setting, demand: DemandStage) -> ChannelOutcome:
        served = np.asarray(getattr(demand.split, self.channel), dtype=np.float64)
        return ChannelOutcome(
            channel=self.channel,
            served=served,
            to_sites=np.zeros_like(served),
            evaluated=self.evaluated,
        )
