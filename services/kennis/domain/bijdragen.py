"""Documents (guides, best practices, tips) and successes: knowledge that stays available."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any, ClassVar

from services.kennis.domain.events import DocumentGepubliceerd, SuccesGemeld, registry
from services.kennis.domain.model import OngeldigeInvoer
from services.kennis.domain.vocabulaire import Thema, op_volgorde
from shared.aggregate import Aggregate
from shared.auth import Principal
from shared.tijd import begin_van


class DocumentSoort(StrEnum):
    HANDREIKING = "handreiking"
    BEST_PRACTICE = "best-practice"
    TIPS = "tips-en-trucs"


def _controleer(tekst: str, themas: tuple[Thema, ...]) -> None:
    if not tekst.strip():
        raise OngeldigeInvoer("tekst", "leeg")
    if not themas:
        raise OngeldigeInvoer("themas", "kies minstens één thema")


class Document(Aggregate):
    stream_type: ClassVar[str] = "kennisdocument"
    registry = registry

    gepubliceerd: DocumentGepubliceerd

    @classmethod
    def publiceer(
        cls,
        document_id: str,
        soort: DocumentSoort,
        titel: str,
        tekst: str,
        themas: tuple[Thema, ...],
        principal: Principal,
        datum: date,
    ) -> Document:
        _controleer(tekst, themas)
        document = cls(document_id)
        document._record(
            DocumentGepubliceerd(
                document_id,
                str(soort),
                titel.strip(),
                tekst.strip(),
                op_volgorde(themas),
                principal.sub,
                principal.organisatie,
                datum,
            ),
            begin_van(datum),
        )
        return document

    def when(self, event: Any) -> None:
        if not isinstance(event, DocumentGepubliceerd):
            raise TypeError(f"unknown event {type(event).__name__}")
        self.gepubliceerd = event


class Succes(Aggregate):
    stream_type: ClassVar[str] = "succes"
    registry = registry

    gemeld: SuccesGemeld

    @classmethod
    def meld(
        cls,
        succes_id: str,
        titel: str,
        verhaal: str,
        themas: tuple[Thema, ...],
        principal: Principal,
        datum: date,
    ) -> Succes:
        _controleer(verhaal, themas)
        succes = cls(succes_id)
        succes._record(
            SuccesGemeld(
                succes_id,
                titel.strip(),
                verhaal.strip(),
                op_volgorde(themas),
                principal.organisatie,
                principal.sub,
                datum,
            ),
            begin_van(datum),
        )
        return succes

    def when(self, event: Any) -> None:
        if not isinstance(event, SuccesGemeld):
            raise TypeError(f"unknown event {type(event).__name__}")
        self.gemeld = event
