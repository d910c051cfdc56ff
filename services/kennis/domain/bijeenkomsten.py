"""Meetings (information meetings, workshops, informal administrative meetings) with
registration, attendance and evaluation; and the experts the field can call on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, ClassVar

from services.kennis.domain.events import (
    AanwezigheidGeregistreerd,
    BijeenkomstGeevalueerd,
    BijeenkomstGepland,
    DeelnemerAangemeld,
    ExpertGeregistreerd,
    registry,
)
from services.kennis.domain.model import Conflict, OngeldigeInvoer
from services.kennis.domain.vocabulaire import Thema, op_volgorde
from shared.aggregate import Aggregate
from shared.auth import Principal
from shared.tijd import begin_van


class Soort(StrEnum):
    INFORMATIEBIJEENKOMST = "informatiebijeenkomst"
    WORKSHOP = "workshop"
    BESTUURLIJK_OVERLEG = "bestuurlijk-overleg"


@dataclass
class BijeenkomstToestand:
    gepland: BijeenkomstGepland | None = None
    aangemeld: dict[str, str | None] = field(default_factory=dict)
    aanwezig: tuple[str, ...] = ()
    evaluaties: dict[str, int] = field(default_factory=dict)


class Bijeenkomst(Aggregate):
    stream_type: ClassVar[str] = "bijeenkomst"
    registry = registry

    def __init__(self, bijeenkomst_id: str) -> None:
        super().__init__(bijeenkomst_id)
        self.toestand = BijeenkomstToestand()

    @property
    def aanwezigen(self) -> frozenset[str]:
        """Who was recorded as present (the accounts that may evaluate)."""
        return frozenset(self.toestand.aanwezig)

    @property
    def datum(self) -> date:
        assert self.toestand.gepland is not None
        return self.toestand.gepland.datum

    @classmethod
    def plan(
        cls,
        bijeenkomst_id: str,
        soort: Soort,
        titel: str,
        datum: date,
        themas: tuple[Thema, ...],
        vraag_ids: tuple[str, ...],
        principal: Principal,
        vandaag: date,
    ) -> Bijeenkomst:
        """A meeting day already past (an imported history, a meeting recorded afterwards) is
        also the day it was planned; otherwise it is planned today."""
        if not titel.strip():
            raise OngeldigeInvoer("titel", "leeg")
        bijeenkomst = cls(bijeenkomst_id)
        bijeenkomst._record(
            BijeenkomstGepland(
                bijeenkomst_id,
                str(soort),
                titel.strip(),
                datum,
                op_volgorde(themas),
                tuple(sorted(set(vraag_ids))),
                principal.sub,
                min(datum, vandaag),
            ),
            begin_van(min(datum, vandaag)),
        )
        return bijeenkomst

    def meld_aan(self, principal: Principal, datum: date) -> None:
        """``datum``: the day of the registration (today, or in an imported history)."""
        if datum > self.datum:
            raise Conflict("de bijeenkomst is al geweest")
        if principal.sub in self.toestand.aangemeld:
            raise Conflict("je bent al aangemeld")
        self._record(
            DeelnemerAangemeld(principal.sub, principal.organisatie, datum), begin_van(datum)
        )

    def registreer_aanwezigheid(self, aanwezig: tuple[str, ...], vandaag: date) -> None:
        """Whenever it is recorded, the attendance is of the meeting day."""
        if vandaag < self.datum:
            raise Conflict("de bijeenkomst moet nog plaatsvinden")
        onbekend = sorted(set(aanwezig) - set(self.toestand.aangemeld))
        if onbekend:
            raise OngeldigeInvoer("aanwezig", f"niet aangemeld: {', '.join(onbekend)}")
        self._record(
            AanwezigheidGeregistreerd(tuple(sorted(set(aanwezig))), self.datum),
            begin_van(self.datum),
        )

    def evalueer(self, score: int, opmerking: str, principal: Principal, datum: date) -> None:
        if principal.sub in self.toestand.evaluaties:
            raise Conflict("je hebt deze bijeenkomst al geëvalueerd")
        if not 1 <= score <= 5:
            raise OngeldigeInvoer("score", "een score is 1 tot en met 5")
        if datum < self.datum:
            raise OngeldigeInvoer("datum", "een evaluatie volgt op de bijeenkomst")
        self._record(
            BijeenkomstGeevalueerd(principal.sub, score, opmerking, datum), begin_van(datum)
        )

    def when(self, event: Any) -> None:
        match event:
            case BijeenkomstGepland():
                self.toestand.gepland = event
            case DeelnemerAangemeld():
                self.toestand.aangemeld[event.deelnemer] = event.organisatie
            case AanwezigheidGeregistreerd():
                self.toestand.aanwezig = tuple(event.aanwezig)
            case BijeenkomstGeevalueerd():
                self.toestand.evaluaties[event.deelnemer] = event.score
            case _:
                raise TypeError(f"unknown event {type(event).__name__}")

    def samenvatting(self) -> dict[str, Any]:
        gepland = self.toestand.gepland
        assert gepland is not None
        scores = list(self.toestand.evaluaties.values())
        return {
            "bijeenkomstId": self.id,
            "soort": gepland.soort,
            "titel": gepland.titel,
            "datum": gepland.datum.isoformat(),
            "themas": list(gepland.themas),
            "vraagIds": list(gepland.vraag_ids),
            "aangemeld": len(self.toestand.aangemeld),
            "aanwezig": len(self.toestand.aanwezig),
            "evaluaties": len(scores),
            "gemiddeldeScore": round(sum(scores) / len(scores), 2) if scores else None,
        }


class Expert(Aggregate):
    stream_type: ClassVar[str] = "expert"
    registry = registry
    geregistreerd: ExpertGeregistreerd

    @classmethod
    def registreer(
        cls,
        expert_id: str,
        persoon: str,
        organisatie: str | None,
        themas: tuple[Thema, ...],
        datum: date,
    ) -> Expert:
        """``persoon``: the pseudonym of the expert's contact address (name and address go to
        the person store, not into the event)."""
        if not themas:
            raise OngeldigeInvoer("themas", "een expert heeft minstens één thema")
        expert = cls(expert_id)
        expert._record(
            ExpertGeregistreerd(expert_id, persoon, organisatie, op_volgorde(themas), datum),
            begin_van(datum),
        )
        return expert

    def when(self, event: Any) -> None:
        if not isinstance(event, ExpertGeregistreerd):
            raise TypeError(f"unknown event {type(event).__name__}")
        self.geregistreerd = event
