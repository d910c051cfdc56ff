"""The covenant agreements a report measures against: start, goals (deadline and target share)
and budget envelopes, as parameters of the pure report functions (prognose, rangorde, bijlage).

``rapporten.afspraken_op`` is the one place that says which agreements are in force: today the
covenant constants of ``rapporten.py``. Programme decisions (the ``programma`` module) make them
bitemporal; that function then reads those, and nothing else changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Doel:
    """A covenant goal: ``doelpercentage`` of the confirmed sites (only the humane ones with
    ``humaan``) gesaneerd or beheerst by ``deadline``."""

    sleutel: str  # "humaan" | "alle": names the goal in tables
    omschrijving: str
    deadline: date
    humaan: bool
    doelpercentage: int = 100


@dataclass(frozen=True)
class Afspraken:
    start: date  # the start of the covenant: the pro-rata path runs from here
    doelen: tuple[Doel, ...]
    bron: str  # the agreement measured against, named in every report that uses it
    enveloppen: Mapping[str, int] = field(default_factory=dict)  # euro per bevoegd gezag


def convenant(start: date, humaan: date, alles: date, bron: str) -> Afspraken:
    return Afspraken(
        start,
        (
            Doel("humaan", "humane spoedlocaties gesaneerd of beheerst", humaan, True),
            Doel("alle", "alle spoedlocaties gesaneerd of beheerst", alles, False),
        ),
        bron,
    )
