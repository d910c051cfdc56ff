"""What the rapportage service is asked: frozen messages, dispatched on their type by the
message bus (service_layer/messagebus.py). Reports are queries (reading never writes); keeping
the timelines up with the watermark is the one command."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class VraagRapport:
    """A report (``rapporten.NAMEN`` or ``transitie``) on ``peildatum`` as known on
    ``kennisdatum``; ``van`` starts the kamerbrief's period; ``bevoegd_gezag`` restricts the
    lists to one (``selectie``)."""

    naam: str
    peildatum: date
    kennisdatum: date | None = None
    van: date | None = None
    bevoegd_gezag: str | None = None


@dataclass(frozen=True)
class VraagPositie:
    """The position up to which a stream's events are processed (its watermark)."""

    logboek: str = "spoedlocaties"


@dataclass(frozen=True)
class HoudBij:
    """Read the facts up to the watermark into the timelines (a background thread sends it)."""
