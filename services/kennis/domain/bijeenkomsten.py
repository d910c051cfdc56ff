"""Meetings (information meetings, workshops, informal administrative meetings) with
registration, attendance and evaluation; and the experts the field can call on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
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
from services.kennis.domain.vocabulaire import Thema
from shared.aggregate import Aggregate
from shared.auth import Principal
from shared.eventstore import EventMetadata


class Soort(StrEnum):
    INFORMATIEBIJEENKOMST = "informatiebijeenkomst"
    WORKSHOP = "workshop"
    BESTUURLIJK_OVERLEG = "bestuurlijk-overleg"


@dataclass
class _Bijeenkomst:
    gepland: BijeenkomstGepland | None = None
    aangemeld: dict[str, str | None] = field(default_factory=dict)
    aanwezig: tuple[str, ...] = ()
    evaluaties: dict[str, int] = field(default_factory=dict)


class Bijeenkomst(Aggregate):
    stream_type: ClassVar[str] = "bijeenkomst"
    registry = registry

    def __init__(self, bijeenkomst_id: str) -> None:
        super().__init__(bijeenkomst_id)
        self.b = _Bijeenkomst()

    @property
    def aanwezigen(self) -> frozenset[str]:
        """Who was recorded as present (the accounts that may evaluate)."""
        return frozenset(self.b.aanwezig)

    @property
    def datum(self) -> date:
        assert self.b.gepland is not None
        return self.b.gepland.datum

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
        meta: EventMetadata,
    ) -> Bijeenkomst:
        if not titel.strip():
            raise OngeldigeInvoer("titel", "leeg")
        b = cls(bijeenkomst_id)
        b._record(
            BijeenkomstGepland(
                bijeenkomst_id,
                str(soort),
                titel.strip(),
                datum,
                tuple(sorted(set(map(str, themas)))),
                tuple(sorted(set(vraag_ids))),
                principal.sub,
            ),
            datetime.now(UTC),
            meta,
        )
        return b

    def meld_aan(self, principal: Principal, meta: EventMetadata, vandaag: date) -> None:
        if vandaag > self.datum:
            raise Conflict("de bijeenkomst is al geweest")
        if principal.sub in self.b.aangemeld:
            raise Conflict("je bent al aangemeld")
        self._record(
            DeelnemerAangemeld(principal.sub, principal.organisatie), datetime.now(UTC), meta
        )

    def registreer_aanwezigheid(
        self, aanwezig: tuple[str, ...], principal: Principal, meta: EventMetadata, vandaag: date
    ) -> None:
        if vandaag < self.datum:
            raise Conflict("de bijeenkomst moet nog plaatsvinden")
        onbekend = sorted(set(aanwezig) - set(self.b.aangemeld))
        if onbekend:
            raise OngeldigeInvoer("aanwezig", f"niet aangemeld: {', '.join(onbekend)}")
        self._record(
            AanwezigheidGeregistreerd(tuple(sorted(set(aanwezig)))), datetime.now(UTC), meta
        )

    def evalueer(
        self, score: int, opmerking: str, principal: Principal, meta: EventMetadata
    ) -> None:
        if principal.sub in self.b.evaluaties:
            raise Conflict("je hebt deze bijeenkomst al geëvalueerd")
        if not 1 <= score <= 5:
            raise OngeldigeInvoer("score", "een score is 1 tot en met 5")
        self._record(
            BijeenkomstGeevalueerd(principal.sub, score, opmerking), datetime.now(UTC), meta
        )

    def when(self, event: Any) -> None:
        match event:
            case BijeenkomstGepland():
                self.b.gepland = event
            case DeelnemerAangemeld():
                self.b.aangemeld[event.deelnemer] = event.organisatie
            case AanwezigheidGeregistreerd():
                self.b.aanwezig = tuple(event.aanwezig)
            case BijeenkomstGeevalueerd():
                self.b.evaluaties[event.deelnemer] = event.score
            case _:
                raise TypeError(f"unknown event {type(event).__name__}")

    def samenvatting(self) -> dict[str, Any]:
        g = self.b.gepland
        assert g is not None
        scores = list(self.b.evaluaties.values())
        return {
            "bijeenkomstId": self.id,
            "soort": g.soort,
            "titel": g.titel,
            "datum": g.datum.isoformat(),
            "themas": list(g.themas),
            "vraagIds": list(g.vraag_ids),
            "aangemeld": len(self.b.aangemeld),
            "aanwezig": len(self.b.aanwezig),
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
        principal: Principal,
        meta: EventMetadata,
    ) -> Expert:
        """``persoon``: the pseudonym of the expert's contact address (name and address go to
        the person store, not into the event)."""
        if not themas:
            raise OngeldigeInvoer("themas", "een expert heeft minstens één thema")
        expert = cls(expert_id)
        expert._record(
            ExpertGeregistreerd(
                expert_id, persoon, organisatie, tuple(sorted(set(map(str, themas))))
            ),
            datetime.now(UTC),
            meta,
        )
        return expert

    def when(self, event: Any) -> None:
        if not isinstance(event, ExpertGeregistreerd):
            raise TypeError(f"unknown event {type(event).__name__}")
        self.geregistreerd = event
