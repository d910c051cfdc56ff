"""The plan of a site as a fact of the fold: what ``feiten.stap`` keeps of a
``spoedlocatie-planning-vastgesteld``, and how far a site is against it on a peildatum.

A plan is bitemporal like everything else: its business date is the day it was set (a plan
set later does not exist yet on an earlier peildatum) and it is known from its record time (the
kennisdatum). The fold keeps only the plan in force, as a plain tuple of dates, so the
timelines and their snapshot hold no new types.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from shared.vocabulaire import AFGEHANDELD, Status

if TYPE_CHECKING:
    from services.rapportage.domain.feiten import Locatie

PLANNING = "spoedlocatie-planning-vastgesteld"
# The fields the fold reads of a plan fact, besides its business date ``datum``.
VELDEN = ("onderzoek_gereed", "start_sanering", "afgehandeld")
VERPLICHT = (*VELDEN, "datum")

# (onderzoek gereed, start sanering, afgehandeld, set on): what ``Locatie.planning`` holds.
Plantuple = tuple[date | None, date | None, date | None, date]


class Planning(NamedTuple):
    """``Locatie.planning`` read by name."""

    onderzoek_gereed: date | None
    start_sanering: date | None
    afgehandeld: date | None
    vastgesteld_op: date


# A planned date from its ISO text; the same text gives the same object (as ``feiten.dag``),
# so the plans of 400,000 sites share a few thousand dates instead of each holding three.
_datum = lru_cache(maxsize=1 << 16)(date.fromisoformat)


def uit_feit(data: dict[str, Any], datum: date) -> Plantuple:
    """The plan a fact sets (its dates as ISO text, or None when not planned)."""
    get = data.get
    return uit_waarden(get("onderzoek_gereed"), get("start_sanering"), get("afgehandeld"), datum)


def uit_waarden(onderzoek: Any, sanering: Any, afgehandeld: Any, datum: date) -> Plantuple:
    """``uit_feit`` on the three fields' values (None where the fact lacks one): the start
    reads them from the facts' content column, without a dict per fact."""
    # Spelled out (no helper per field): a plan is one fact in nine at start.
    return (
        _datum(onderzoek) if onderzoek else None,
        _datum(sanering) if sanering else None,
        _datum(afgehandeld) if afgehandeld else None,
        datum,
    )


def planning(x: Locatie) -> Planning | None:
    return Planning(*x.planning) if x.planning is not None else None


# Which statuses have passed each milestone. "Onderzoek gereed": the investigation has led to a
# status beyond "potentieel spoed"; "start sanering": remediation or control measures have
# begun (temporary protection counts: it is the start of managing the risk).
_GESTART = frozenset({Status.SANERING_GESTART, Status.TIJDELIJKE_BEVEILIGING}) | AFGEHANDELD
MIJLPALEN: tuple[tuple[str, frozenset[Status]], ...] = (
    ("onderzoekGereed", frozenset(Status) - {Status.POTENTIEEL_SPOED}),
    ("startSanering", _GESTART),
    ("afgehandeld", AFGEHANDELD),
)


class Planstatus(StrEnum):
    AFGEHANDELD = "afgehandeld"
    OP_SCHEMA = "op schema"
    ACHTER = "achter op planning"
    GEEN_PLANNING = "geen planning"


def planstatus(x: Locatie, peildatum: date) -> tuple[Planstatus, str | None]:
    """Where the site stands against its plan on ``peildatum`` (the state ``x`` is the state
    on that date), and the first milestone it missed (API name) if it is behind."""
    if x.afgehandeld:
        return Planstatus.AFGEHANDELD, None
    plan = planning(x)
    if plan is None:
        return Planstatus.GEEN_PLANNING, None
    for (naam, bereikt), gepland in zip(MIJLPALEN, plan[:3], strict=True):
        if gepland is not None and gepland < peildatum and x.status not in bereikt:
            return Planstatus.ACHTER, naam
    return Planstatus.OP_SCHEMA, None
