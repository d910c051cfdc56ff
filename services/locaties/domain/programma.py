"""The programme's decisions: covenant deadlines and targets (the Stuurgroep's agreements) and
the budget envelopes per bevoegd gezag and purpose (the Rijk's), as one event-sourced stream.

Nothing here is ever edited: a moved deadline or a revised envelope is a new decision with the
date it takes effect (``ingangsdatum``), so every report can use what was in force on its
peildatum as known on its kennisdatum (rapportage's ``afspraken``). The events name the decision
(id, date, title), never a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, ClassVar

from services.locaties.domain.fouten import OngeldigeWaarde
from shared import bevoegde_gezagen
from shared.aggregate import Aggregate, EventRegistry

# One stream for the whole programme: few decisions, and one order for all of them.
PROGRAMMA_ID = "programma"

# The agreements a decision can set, with what each measures (the covenant's wording).
AFSPRAKEN: dict[str, str] = {
    "overzicht-spoedlocaties": "overzicht van alle spoedlocaties",
    "humaan": "humane spoedlocaties gesaneerd of beheerst",
    "overzicht-overig": "overzicht van de ecologische en verspreidingsrisico's",
    "alle": "alle spoedlocaties gesaneerd of beheerst",
}
# The purposes of an envelope: the soil types of the sites it pays for.
DOELEN = ("land", "waterbodem")

registry = EventRegistry()


@registry.register
@dataclass(frozen=True)
class AfspraakVastgesteld:
    """A Stuurgroep decision sets (or moves) a covenant deadline and its target."""

    TYPE: ClassVar[str] = "programma-afspraak-vastgesteld"
    afspraak: str
    deadline: date
    doel_percentage: int  # the share of the group dealt with by the deadline that meets it
    ingangsdatum: date
    besluit_id: str
    besluitdatum: date
    besluit_titel: str
    toelichting: str


@registry.register
@dataclass(frozen=True)
class EnvelopVastgesteld:
    """The Rijk sets (or revises) a bevoegd gezag's budget envelope for one purpose: the new
    amount replaces the one in force from ``ingangsdatum`` on."""

    TYPE: ClassVar[str] = "programma-envelop-vastgesteld"
    bevoegd_gezag: str
    doel: str
    bedrag_euro: int
    ingangsdatum: date
    besluit_id: str
    besluitdatum: date
    besluit_titel: str
    toelichting: str


@dataclass(frozen=True)
class Besluit:
    """The decision that set an agreement or envelope."""

    besluit_id: str
    besluitdatum: date
    titel: str


@dataclass(frozen=True)
class StelAfspraakVast:
    OPERATIE: ClassVar[str] = "programma.stel_afspraak_vast"

    verwachte_versie: int
    afspraak: str
    deadline: date
    doel_percentage: int
    ingangsdatum: date
    besluit: Besluit
    toelichting: str = ""


@dataclass(frozen=True)
class StelEnvelopVast:
    OPERATIE: ClassVar[str] = "programma.stel_envelop_vast"

    verwachte_versie: int
    bevoegd_gezag: str
    doel: str
    bedrag_euro: int
    ingangsdatum: date
    besluit: Besluit
    toelichting: str = ""


Programmacommando = StelAfspraakVast | StelEnvelopVast


class Programma(Aggregate):
    stream_type: ClassVar[str] = "programma"
    registry = registry

    def __init__(self, programma_id: str = PROGRAMMA_ID) -> None:
        super().__init__(programma_id)
        self.afspraken: list[AfspraakVastgesteld] = []
        self.enveloppen: list[EnvelopVastgesteld] = []

    def stel_afspraak_vast(self, cmd: StelAfspraakVast) -> None:
        if cmd.afspraak not in AFSPRAKEN:
            raise OngeldigeWaarde("afspraak", f"kies uit {', '.join(AFSPRAKEN)}")
        if not 0 < cmd.doel_percentage <= 100:
            raise OngeldigeWaarde("doelPercentage", "tussen 1 en 100")
        if any(
            a.besluit_id == cmd.besluit.besluit_id and a.afspraak == cmd.afspraak
            for a in self.afspraken
        ):
            raise OngeldigeWaarde(
                "besluit.id",
                f"besluit {cmd.besluit.besluit_id} legde de afspraak {cmd.afspraak} al vast",
            )
        self._neem_op(
            AfspraakVastgesteld,
            cmd,
            afspraak=cmd.afspraak,
            deadline=cmd.deadline,
            doel_percentage=cmd.doel_percentage,
        )

    def stel_envelop_vast(self, cmd: StelEnvelopVast) -> None:
        if bevoegde_gezagen.get(cmd.bevoegd_gezag) is None:
            raise OngeldigeWaarde("bevoegdGezag", f"onbekend bevoegd gezag {cmd.bevoegd_gezag!r}")
        if cmd.doel not in DOELEN:
            raise OngeldigeWaarde("doel", f"kies uit {', '.join(DOELEN)}")
        if cmd.bedrag_euro < 0:
            raise OngeldigeWaarde("bedragEuro", "een envelop is nooit negatief")
        if any(
            e.besluit_id == cmd.besluit.besluit_id
            and (e.bevoegd_gezag, e.doel) == (cmd.bevoegd_gezag, cmd.doel)
            for e in self.enveloppen
        ):
            raise OngeldigeWaarde(
                "besluit.id",
                f"besluit {cmd.besluit.besluit_id} stelde de envelop {cmd.bevoegd_gezag} "
                f"{cmd.doel} al vast",
            )
        self._neem_op(
            EnvelopVastgesteld,
            cmd,
            bevoegd_gezag=cmd.bevoegd_gezag,
            doel=cmd.doel,
            bedrag_euro=cmd.bedrag_euro,
        )

    def _neem_op(
        self,
        soort: type[AfspraakVastgesteld] | type[EnvelopVastgesteld],
        cmd: StelAfspraakVast | StelEnvelopVast,
        **inhoud: Any,
    ) -> None:
        """Record the decision's event: its own ``inhoud`` plus what every decision carries
        (date of effect, the decision, the explanation)."""
        besluit = cmd.besluit
        event = soort(
            **inhoud,
            ingangsdatum=cmd.ingangsdatum,
            besluit_id=besluit.besluit_id,
            besluitdatum=besluit.besluitdatum,
            besluit_titel=besluit.titel,
            toelichting=cmd.toelichting,
        )
        # Business time is the decision's date; who recorded it the unit of work stamps.
        self._record(event, datetime.combine(besluit.besluitdatum, time(0), tzinfo=UTC))

    def when(self, event: Any) -> None:
        if isinstance(event, AfspraakVastgesteld):
            self.afspraken.append(event)
        elif isinstance(event, EnvelopVastgesteld):
            self.enveloppen.append(event)
